// The run in progress in this process, as the sync reports it (SyncProgress): which stream, where it
// started, how many items each stream has done. The console adds what remains (a count on the peer)
// to show a back-fill's rate and estimated end. Another instance's run is seen only as the lease.
import { SENT_RESULTS } from '../sync/run-stream';

export interface StreamProgress {
  stream: string;
  /** The stream's cursor when it started: everything changed since is its work. */
  since: string;
  startedAt: string;
  done: number;
  /** Of those, sent or tried: all but the ones skipped as already sent (our own writes read back). */
  sent: number;
  failed: number;
}

export interface ProgressSnapshot {
  running: boolean;
  startedAt?: string;
  current?: StreamProgress;
  streams: StreamProgress[];
}

export class RunProgress {
  private running = false;
  private startedAt: string | undefined;
  private streams: StreamProgress[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  runStarted(startedAt: string): void {
    this.running = true;
    this.startedAt = startedAt;
    this.streams = [];
  }

  streamStarted(stream: string, since: string): void {
    this.streams.push({
      stream,
      since,
      startedAt: new Date(this.now()).toISOString(),
      done: 0,
      sent: 0,
      failed: 0,
    });
  }

  itemDone(stream: string, result: string): void {
    const entry = this.streams.findLast((s) => s.stream === stream);
    if (!entry) return;
    entry.done += 1;
    if ((SENT_RESULTS as readonly string[]).includes(result)) entry.sent += 1;
    if (result === 'failed' || result === 'unrecorded') entry.failed += 1;
  }

  runEnded(): void {
    this.running = false;
  }

  snapshot(): ProgressSnapshot {
    const streams = this.streams.map((s) => ({ ...s }));
    const current = this.running ? streams.at(-1) : undefined;
    return {
      running: this.running,
      ...(this.startedAt ? { startedAt: this.startedAt } : {}),
      ...(current ? { current } : {}),
      streams,
    };
  }
}

export interface Estimate {
  done: number;
  remaining?: number;
  /** Items per second since the stream started. */
  rate?: number;
  estimatedEnd?: string;
}

/** Done, remaining, rate and estimated end of a stream, given how many changes its peer still counts. */
export function estimate(
  stream: StreamProgress,
  changedSinceStart: number | undefined,
  now: number,
): Estimate {
  const seconds = Math.max(0.001, (now - Date.parse(stream.startedAt)) / 1000);
  const rate = stream.done / seconds;
  if (changedSinceStart === undefined) return { done: stream.done, rate };
  const remaining = Math.max(0, changedSinceStart - stream.done);
  return {
    done: stream.done,
    remaining,
    rate,
    ...(rate > 0 ? { estimatedEnd: new Date(now + (remaining / rate) * 1000).toISOString() } : {}),
  };
}
