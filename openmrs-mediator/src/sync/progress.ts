// How far a back-log (a back-fill, or a burst of changes) has got, for operators (`GET /status` →
// `progress`). Runs follow one another until one completes; across them the sync keeps, in the last
// run's summary, when the back-log began, how many changes its runs handled and how long they ran.
// What remains is counted when asked: the FHIR server's changes at or after the cursors of the streams
// to OpenMRS (our own link writes coming back included, as in `done`).
import type { StreamCounts } from './run-stream';
import type { SyncReport } from './run-sync';
import type { Cursor } from './sync-state';
import type { SyncContext } from './context';

/** Kept in the run summary (`lastRun.progress`). */
export interface BacklogProgress {
  /** When the first run of this back-log started. */
  since: string;
  /** Changes handled by its runs (created, updated, skipped as already sent, waiting, failed). */
  done: number;
  /** Time its runs took. */
  runMs: number;
}

const handled = (c: StreamCounts) => c.created + c.updated + c.skipped + c.waiting + c.failed;

/** The back-log's progress after this run: continued when the last run did not complete, else new. */
export function progressAfter(
  report: SyncReport,
  lastRun: Record<string, unknown> | undefined,
): BacklogProgress {
  const previous = lastRun?.progress as BacklogProgress | undefined;
  const continuing = previous !== undefined && lastRun?.complete === false;
  const done = Object.values(report.streams).reduce((sum, c) => sum + handled(c), 0);
  return {
    since: continuing ? previous.since : report.startedAt,
    done: (continuing ? previous.done : 0) + done,
    runMs: (continuing ? previous.runMs : 0) + report.durationMs,
  };
}

/** What `/status` shows: done, remaining, rate (changes a second of run time), estimated end. */
export async function progressNow(
  context: SyncContext,
  cursors: Record<string, Cursor>,
  lastRun: Record<string, unknown> | undefined,
  now = Date.now(),
) {
  const count = async (type: 'Patient' | 'Encounter', stream: string) => {
    const since = cursors[stream]?.since;
    const bundle = await context.fhir.search(type, {
      ...(since ? { _lastUpdated: `ge${since}` } : {}),
      _summary: 'count',
      _total: 'accurate',
    });
    return bundle.total ?? 0;
  };
  const [patients, reports] = await Promise.all([
    count('Patient', 'patients-to-openmrs'),
    count('Encounter', 'encounters-to-openmrs'),
  ]);
  const kept = lastRun?.progress as BacklogProgress | undefined;
  const done = kept?.done ?? 0;
  const rate = kept && kept.runMs > 0 ? done / (kept.runMs / 1000) : 0;
  const remaining = patients + reports;
  return {
    since: kept?.since ?? null,
    done,
    remaining,
    remainingByStream: { 'patients-to-openmrs': patients, 'encounters-to-openmrs': reports },
    rate: Math.round(rate * 10) / 10,
    estimatedEnd: rate > 0 ? new Date(now + (remaining / rate) * 1000).toISOString() : null,
  };
}
