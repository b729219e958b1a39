// Starts the sync runs of this process: the polling channel's (and operators') `/sync`, and signals
// (`POST /sync/signal`: the CHT mediator has just stored something). A signal during a run asks for one
// follow-up run after it, however many arrive; one outside a run starts a run after a short delay that
// gathers a burst. A run that stopped only because its time budget was used is followed by the next at
// once, until the back-log is done. The lease still decides: a run another instance's lease refuses is
// tried again a little later, while signalled. A lost signal only delays the sync to the next poll.
import type { Logger } from '@cht-openmrs/common';
import type { SyncReport } from './run-sync';

export interface RunnerOptions {
  /** How long a signal waits for others before its run starts. */
  gatherMs: number;
  /** How long before a signalled run the lease refused (or that failed) is tried again. */
  retryMs: number;
  /** Signalled retries after refusals or failures, before leaving it to the polling channel. */
  maxRetries: number;
}

export class SyncScheduler {
  private inFlight = 0;
  private followUp = false;
  private timer: NodeJS.Timeout | undefined;
  private retries = 0;

  constructor(
    private readonly startRun: () => Promise<SyncReport>,
    private readonly options: RunnerOptions,
    private readonly logger: Logger,
    private readonly onReport: (report: SyncReport) => void = () => {},
  ) {}

  /** Runs now (this run, or the default one) and answers with its report (the lease may refuse it: `skipped`). */
  runNow(run: () => Promise<SyncReport> = this.startRun): Promise<SyncReport> {
    return this.track(run(), false);
  }

  /** Asks for a run soon; returns at once. */
  signal(): void {
    if (this.inFlight > 0) this.followUp = true;
    else this.schedule(this.options.gatherMs);
  }

  /** Whether a run is going, and whether another is asked for after it. */
  state(): { running: boolean; followUp: boolean } {
    return { running: this.inFlight > 0, followUp: this.followUp || Boolean(this.timer) };
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight > 0) this.followUp = true;
      else void this.track(this.startRun(), true).catch(() => undefined);
    }, ms);
    this.timer.unref();
  }

  private track(run: Promise<SyncReport>, signalled: boolean): Promise<SyncReport> {
    this.inFlight += 1;
    if (signalled) this.followUp = false;
    return run.then(
      (report) => {
        this.inFlight -= 1;
        this.onReport(report);
        this.after(report, signalled);
        return report;
      },
      (error: unknown) => {
        this.inFlight -= 1;
        this.logger.error({ err: error }, 'sync run failed');
        this.after(undefined, signalled);
        throw error;
      },
    );
  }

  private after(report: SyncReport | undefined, signalled: boolean): void {
    const refused = !report || report.outcome === 'skipped';
    const outOfTime =
      report?.outcome === 'ran' &&
      !report.complete &&
      Object.values(report.streams).every((counts) => !counts.interrupted);
    if (signalled && refused && this.retries < this.options.maxRetries) {
      this.retries += 1;
      this.schedule(this.options.retryMs);
      return;
    }
    if (!refused) this.retries = 0;
    if (this.inFlight === 0 && (this.followUp || outOfTime)) {
      this.followUp = false;
      this.schedule(0);
    }
  }
}
