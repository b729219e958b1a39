// How far a back-log (a back-fill, or a burst of changes) of CHT records for OpenMRS has got, for
// operators (`GET /status` → `progress`). Runs follow one another until one completes; across them the
// sync keeps, in the last run's summary, when the back-log began, how many changes its runs handled and
// how long they ran; the run going now adds what it has done so far. What remains is counted when asked:
// the FHIR server's changes at or after the cursors of the streams to OpenMRS, and while a back-log is
// worked on, before it began (the runs' own link writes land after the cursors until read again).
import type { ProgressSnapshot } from '../console/run-progress';
import { sentCount } from './run-stream';
import { ENCOUNTERS_TO_OPENMRS } from './streams/encounters-to-openmrs';
import { PATIENTS_TO_OPENMRS } from './streams/patients-to-openmrs';
import type { SyncReport } from './run-sync';
import type { Cursor } from './sync-state';
import type { SyncContext } from './context';

/** Kept in the run summary (`lastRun.progress`). */
export interface BacklogProgress {
  /** When the first run of this back-log started. */
  since: string;
  /**
   * Changes its runs sent or tried (created, updated, waiting, failed). Those skipped as already sent
   * are left out: most are the runs' own link writes read back, and counting them would double the rate.
   */
  done: number;
  /** Time its runs took. */
  runMs: number;
}

/** The streams whose changes make the back-log (the FHIR server's, towards OpenMRS). */
const BACKLOG_STREAMS = { [PATIENTS_TO_OPENMRS]: 'Patient', [ENCOUNTERS_TO_OPENMRS]: 'Encounter' } as const;
const inBacklog = (stream: string): stream is keyof typeof BACKLOG_STREAMS => stream in BACKLOG_STREAMS;
/** The back-log's progress after this run: continued when the last run did not complete, else new. */
export function progressAfter(
  report: SyncReport,
  lastRun: Record<string, unknown> | undefined,
): BacklogProgress {
  const previous = lastRun?.progress as BacklogProgress | undefined;
  const continuing = previous !== undefined && lastRun?.complete === false;
  const done = Object.entries(report.streams)
    .filter(([stream]) => inBacklog(stream))
    .reduce((sum, [, c]) => sum + sentCount(c), 0);
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
  live?: ProgressSnapshot,
  now = Date.now(),
) {
  const running = live?.running ? live : undefined;
  const doneNow = (stream: string) =>
    (running?.streams ?? []).filter((s) => s.stream === stream).reduce((n, s) => n + s.sent, 0);
  const kept = lastRun?.progress as BacklogProgress | undefined;
  // The run going now continues the back-log when the last run did not complete.
  const earlier = running && lastRun?.complete !== false ? undefined : kept;
  const backlogSince = earlier?.since ?? running?.startedAt;
  // While a back-log is worked on, what remains is what was there when it began: the runs' own link
  // writes land after the cursors, until each stream's last query of the back-log reads them.
  const upTo = running || lastRun?.complete === false ? backlogSince : undefined;
  const count = async (stream: keyof typeof BACKLOG_STREAMS) => {
    const since = cursors[stream]?.since;
    const bundle = await context.fhir.search(BACKLOG_STREAMS[stream], {
      _lastUpdated: [...(since ? [`ge${since}`] : []), ...(upTo ? [`lt${upTo}`] : [])],
      _summary: 'count',
      _total: 'accurate',
    });
    return bundle.total ?? 0;
  };
  const [patients, reports] = await Promise.all([count(PATIENTS_TO_OPENMRS), count(ENCOUNTERS_TO_OPENMRS)]);
  const done = (earlier?.done ?? 0) + doneNow(PATIENTS_TO_OPENMRS) + doneNow(ENCOUNTERS_TO_OPENMRS);
  const runMs =
    (earlier?.runMs ?? 0) + (running?.startedAt ? Math.max(0, now - Date.parse(running.startedAt)) : 0);
  const rate = runMs > 0 ? done / (runMs / 1000) : 0;
  const remaining = patients + reports;
  return {
    since: backlogSince ?? null,
    done,
    remaining,
    remainingByStream: { [PATIENTS_TO_OPENMRS]: patients, [ENCOUNTERS_TO_OPENMRS]: reports },
    rate: Math.round(rate * 10) / 10,
    estimatedEnd: rate > 0 ? new Date(now + (remaining / rate) * 1000).toISOString() : null,
  };
}
