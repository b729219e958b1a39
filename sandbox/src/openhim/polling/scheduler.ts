// The polling scheduler, as core drives agenda 5 (openhim.md §3.5; core@v8.5.0:src/polling.js):
// one job per enabled polling channel, (re)registered at start-up and by the channel API and metadata
// import, cancelled on disable and delete. Each run asks the polling server for one poll. A run whose
// poll fails never calls agenda's `done`: the job stays locked until agenda's lock lifetime (10 min)
// has passed, and after 5 such runs its concurrency is used up until it is registered again
// (inferred from agenda's code, see README). `auto: false` keeps the jobs but never fires them, for
// tests that run polls with `runNow`.
import type { Logger } from '@cht-openmrs/common';
import type { Channel } from '../model/types';
import type { PollOutcome } from './poll';
import { firstRunAt, nextRunAt, parseSchedule, type Schedule } from './schedule';

export const LOCK_LIFETIME_MS = 10 * 60 * 1000;
/** agenda's default concurrency per job definition (core defines one per channel). */
export const JOB_CONCURRENCY = 5;
/** agenda's default maximum of running jobs in total. */
export const MAX_RUNNING_JOBS = 20;

export interface PollingJob {
  channelId: string;
  channelName: string;
  pollingSchedule: string;
  /** When the job runs next (ms), or undefined when agenda could not compute one. */
  nextRunAt?: number;
  lastRunAt?: number;
  /** Set while a run is under way, and kept after a failed poll (agenda's lock). */
  lockedAt?: number;
  /** Runs that never finished (failed polls), holding agenda's concurrency slots. */
  stuckRuns: number;
  /** A run is under way now. */
  inFlight: boolean;
  /** Why no run time could be computed, if so. */
  problem?: string;
  /** When agenda would start a run next: nextRunAt, or the lock's expiry after a failed poll; none when stalled. */
  dueAt?: number;
}

/** One poll of a channel; `ok` when the route answered 2xx (core's axios call resolved). */
export type Poller = (channelId: string, lastRunAt: Date) => Promise<PollOutcome>;

export class PollingScheduler {
  private readonly jobs = new Map<string, PollingJob & { schedule?: Schedule }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: {
      poll: Poller;
      now: () => number;
      logger: Logger;
      auto: boolean;
      lockLifetimeMs?: number;
      timezone?: string;
    },
  ) {}

  private get lockLifetime() {
    return this.options.lockLifetimeMs ?? LOCK_LIFETIME_MS;
  }

  /** polling.registerPollingChannel: cancel, then `every(pollingSchedule)`. */
  register(channel: Channel): void {
    this.jobs.delete(channel._id);
    if (!channel.pollingSchedule) {
      this.options.logger.error({ channel: channel.name }, 'no polling schedule set on this channel');
      this.arm();
      return;
    }
    const schedule = parseSchedule(channel.pollingSchedule, this.options.timezone);
    const job: PollingJob & { schedule?: Schedule } = {
      channelId: channel._id,
      channelName: channel.name,
      pollingSchedule: channel.pollingSchedule,
      stuckRuns: 0,
      inFlight: false,
    };
    if (schedule) {
      job.schedule = schedule;
      job.nextRunAt = firstRunAt(schedule, this.options.now());
    } else {
      job.problem = 'failed to calculate nextRunAt due to invalid repeat interval';
      this.options.logger.error(
        { channel: channel.name, pollingSchedule: channel.pollingSchedule },
        job.problem,
      );
    }
    this.jobs.set(channel._id, job);
    this.arm();
  }

  remove(channelId: string): void {
    this.jobs.delete(channelId);
    this.arm();
  }

  job(channelId: string): PollingJob | undefined {
    const job = this.jobs.get(channelId);
    if (!job) return undefined;
    const { schedule: _schedule, ...visible } = job;
    const dueAt = this.dueAt(job);
    return dueAt === undefined ? { ...visible } : { ...visible, dueAt };
  }

  all(): PollingJob[] {
    return [...this.jobs.keys()].flatMap((id) => this.job(id) ?? []);
  }

  private runningTotal(): number {
    let total = 0;
    for (const job of this.jobs.values()) total += job.stuckRuns + (job.inFlight ? 1 : 0);
    return total;
  }

  /** When agenda would pick the job up next: its run time, or its lock's expiry after a failed poll. */
  private dueAt(job: PollingJob): number | undefined {
    if (job.inFlight || job.stuckRuns >= JOB_CONCURRENCY) return undefined;
    if (job.lockedAt !== undefined) return job.lockedAt + this.lockLifetime;
    return job.nextRunAt;
  }

  /** One run of the job now, as agenda runs it: lastRunAt, next run computed, lock, poll. */
  async runNow(channelId: string): Promise<PollOutcome> {
    const job = this.jobs.get(channelId);
    if (!job) throw new Error(`channel ${channelId} has no polling job (it is not scheduled)`);
    const now = this.options.now();
    const previous = job.nextRunAt ?? now;
    job.lastRunAt = now;
    job.lockedAt = now;
    job.inFlight = true;
    job.nextRunAt = job.schedule ? nextRunAt(job.schedule, now, previous) : undefined;
    this.arm();
    let outcome: PollOutcome = { ok: false };
    try {
      outcome = await this.options.poll(channelId, new Date(now));
    } catch (error) {
      this.options.logger.error({ err: error, channel: job.channelName }, 'polling run failed');
    }
    const { ok } = outcome;
    // A job replaced meanwhile (re-registered) is not this run's any more.
    job.inFlight = false;
    if (this.jobs.get(channelId) === job) {
      if (ok) delete job.lockedAt;
      else job.stuckRuns += 1;
      this.arm();
    }
    return outcome;
  }

  private arm(retryMs?: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.options.auto || this.stopped) return;
    const times = [...this.jobs.values()]
      .map((job) => this.dueAt(job))
      .filter((t): t is number => t !== undefined);
    if (times.length === 0) return;
    const wait = retryMs ?? Math.min(Math.max(Math.min(...times) - this.options.now(), 0), 2 ** 31 - 1);
    this.timer = setTimeout(() => this.fire(), wait);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.options.now();
    let blocked = false;
    for (const job of [...this.jobs.values()]) {
      const at = this.dueAt(job);
      if (at === undefined || at > now) continue;
      if (this.runningTotal() >= MAX_RUNNING_JOBS) {
        blocked = true;
        break;
      }
      void this.runNow(job.channelId);
    }
    // agenda looks for work every 5 s (processEvery): retry then when every slot is taken.
    this.arm(blocked ? 5000 : undefined);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
