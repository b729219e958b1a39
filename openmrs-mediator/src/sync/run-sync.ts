// One sync run, what the OpenHIM polling channel triggers every minute (design.md §4). The steps, in
// order: take the lease; CHT patients to OpenMRS; CHT reports to OpenMRS; OpenMRS patients to CHT; the
// unplaced patients again; completed OpenMRS visits to CHT, and visits whose observations changed;
// release the lease with a summary. Each stream saves its cursor as it goes, so a run cut short (time
// budget, crash) resumes where it stopped. A stream whose peer is down stops; the others go on.
import { randomUUID } from 'node:crypto';
import type { Resource } from 'fhir/r4';
import type { Stream, SyncContext } from './context';
import { describeError } from './errors';
import { progressAfter } from './progress';
import { emptyCounts, runStream, type StreamCounts } from './run-stream';
import { EPOCH } from './change-scan';
import { LeaseTakenError, type SyncState, type SyncStateStore } from './sync-state';
import { encountersToOpenmrs } from './streams/encounters-to-openmrs';
import {
  patientsFromOpenmrs,
  syncPatientFromOpenmrs,
  unplacedPatients,
} from './streams/patients-from-openmrs';
import { patientsToOpenmrs } from './streams/patients-to-openmrs';
import { observationsFromOpenmrs, visitsFromOpenmrs } from './streams/visits-from-openmrs';
import { FhirError, identifierOf } from '@cht-openmrs/common';

export interface SyncReport {
  /** `ran`, or `skipped` when another sync holds the lease. */
  outcome: 'ran' | 'skipped';
  reason?: string;
  startedAt: string;
  durationMs: number;
  streams: Record<string, StreamCounts>;
  unplaced: number;
  /** Whether every stream got through all its changes (false: peer down, or time budget used). */
  complete: boolean;
  /** The OpenHIM transaction that ran it, when OpenHIM did. */
  transactionId?: string;
  /** Who asked: OpenHIM's polling channel or an operator ("console"). */
  trigger?: string;
}

export interface RunOptions {
  leaseSeconds: number;
  maxRunSeconds: number;
  owner?: string;
  transactionId?: string;
  trigger?: string;
}

export async function runSync(
  context: SyncContext,
  states: SyncStateStore,
  options: RunOptions,
): Promise<SyncReport> {
  const started = Date.now();
  const report: SyncReport = {
    outcome: 'ran',
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    streams: {},
    unplaced: 0,
    complete: true,
    ...(options.transactionId ? { transactionId: options.transactionId } : {}),
    ...(options.trigger ? { trigger: options.trigger } : {}),
  };
  let state: SyncState;
  try {
    // Each run is its own lease owner: two runs in one process exclude each other as across instances.
    state = await states.acquire(options.owner ?? randomUUID(), options.leaseSeconds);
  } catch (error) {
    if (!(error instanceof LeaseTakenError)) throw error;
    return { ...report, outcome: 'skipped', reason: error.message };
  }
  const deadline = started + options.maxRunSeconds * 1000;
  const taken = state; // as the lease found it: the last run's summary, and whether that run died
  // The retry queue is read once for the run; wake-ups and new items are kept in it as they happen.
  let runContext: SyncContext;
  try {
    runContext = { ...context, queue: await context.queue.forRun() };
  } catch (error) {
    await states.release(state, { ...report, complete: false, error: describeError(error) });
    throw error;
  }

  // Every stream talks to OpenMRS: once it is unreachable or failing, the rest of the run waits for
  // the next one instead of paying each stream's retries (nothing is lost: the cursors stay).
  let openmrsDown: string | undefined;
  const run = async <T extends Resource, F>(stream: Stream<T, F>) => {
    if (openmrsDown) {
      report.streams[stream.name] = { ...emptyCounts(), interrupted: true, error: `not run: ${openmrsDown}` };
      report.complete = false;
      return;
    }
    const cursor = state.cursors[stream.name] ?? { since: EPOCH, seen: {} };
    // As the run's queue now holds it: a patient linked by an earlier stream woke the items waiting for it.
    const open = await runContext.queue.open(stream.name);
    context.progress?.streamStarted(stream.name, cursor.since);
    const save = async (next: typeof cursor) => {
      const saved = state.cursors[stream.name];
      if (saved && JSON.stringify(saved) === JSON.stringify(next)) return; // nothing moved: no write
      state = await states.save({ ...state, cursors: { ...state.cursors, [stream.name]: next } });
    };
    const began = Date.now();
    try {
      const { counts, cursor: last } = await runStream(runContext, stream, cursor, open, deadline, save);
      // A stream that handled nothing only moved its cursor up to what it read: the release writes that.
      if (handledAny(counts)) await save(last);
      else state = { ...state, cursors: { ...state.cursors, [stream.name]: last } };
      report.streams[stream.name] = { ...counts, ms: Date.now() - began };
      if (counts.unavailable === 'OpenMRS') openmrsDown = `OpenMRS is unavailable (${counts.error})`;
      report.complete &&= !counts.interrupted && Date.now() <= deadline;
    } catch (error) {
      if (error instanceof LeaseTakenError) throw error;
      context.logger.error({ stream: stream.name, err: error }, 'sync stream failed');
      if (error instanceof FhirError && error.request.peer === 'OpenMRS' && error.transient)
        openmrsDown = `OpenMRS is unavailable (${describeError(error)})`;
      report.streams[stream.name] = { ...emptyCounts(), interrupted: true, error: describeError(error) };
      report.complete = false;
    }
  };

  context.progress?.runStarted(report.startedAt);
  try {
    await run(patientsToOpenmrs);
    await run(encountersToOpenmrs);
    await run(patientsFromOpenmrs);
    if (!openmrsDown)
      report.unplaced = unplacedMayHaveChanged(taken, report.streams[patientsFromOpenmrs.name])
        ? await placeUnplaced(runContext, report.streams[patientsFromOpenmrs.name])
        : 0;
    await run(visitsFromOpenmrs);
    await run(observationsFromOpenmrs);
  } finally {
    context.progress?.runEnded();
  }

  report.durationMs = Date.now() - started;
  await states.release(state, { ...report, progress: progressAfter(report, taken.lastRun) });
  return report;
}

/**
 * Whether there may be unplaced patients to try again: the last run left some, or died before saying,
 * or this run saw OpenMRS patients (one may have stayed unplaced). Otherwise their search is saved.
 */
function unplacedMayHaveChanged(state: SyncState, counts: StreamCounts | undefined): boolean {
  const seen = counts ? counts.created + counts.updated + counts.skipped + counts.failed + counts.retried : 1;
  return state.tookOverDeadRun || state.lastRun?.unplaced !== 0 || seen > 0;
}

/** Unplaced OpenMRS patients are tried again every run: a place may have been created or renamed. */
async function placeUnplaced(context: SyncContext, counts: StreamCounts | undefined): Promise<number> {
  if (!counts || counts.interrupted) return 0;
  let stillUnplaced = 0;
  for (const copy of await unplacedPatients(context)) {
    const uuid = identifierOf(copy, 'openmrsUuid');
    if (!uuid) continue;
    try {
      const outcome = await syncPatientFromOpenmrs(context, await context.openmrs.readPatient(uuid));
      if (outcome === 'created') counts.created += 1;
      else stillUnplaced += 1;
    } catch (error) {
      context.logger.warn(
        { openmrsUuid: uuid, error: describeError(error) },
        'placing an unplaced patient failed',
      );
      stillUnplaced += 1;
    }
  }
  return stillUnplaced;
}

function handledAny(counts: StreamCounts): boolean {
  return (
    counts.created + counts.updated + counts.skipped + counts.waiting + counts.failed + counts.retried > 0
  );
}
