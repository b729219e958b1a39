// Runs one stream: what changed since its cursor, then what its retry queue has due.
// Each item ends as created, updated, skipped, waiting (parked until its patient is linked) or failed
// (queued with backoff, parked after the limit). A peer that is down stops the stream: the cursor stays
// before the first item not handled, so the next run picks it up. Nothing stops the other streams.
import type { Resource } from 'fhir/r4';
import { CursorTracker, keyOf, scanChanges } from './change-scan';
import { forEachGroup } from './concurrency';
import type { ItemOutcome, Stream, SyncContext } from './context';
import { describeError, isTransient, ItemProblem, peerOf, WaitingForPatient } from './errors';
import type { QueuedItem } from './retry-queue';
import type { Cursor } from './sync-state';

export interface StreamCounts {
  created: number;
  updated: number;
  skipped: number;
  waiting: number;
  failed: number;
  retried: number;
  /** Failed items whose failure could not even be queued (logged as errors): lost until seen again. */
  unrecorded: number;
  /** A peer was down: the stream stopped early and resumes next run. */
  interrupted: boolean;
  error?: string;
  /** The peer that was down or failing, when `interrupted`. */
  unavailable?: string;
  /** How long the stream took in this run. */
  ms?: number;
}

type ItemResult = ItemOutcome | 'waiting' | 'failed' | 'unrecorded' | 'interrupted';

/**
 * The results of an item sent or tried: all but those skipped as already sent (mostly our own writes
 * read back) and those not reached (a peer was down). Progress counts these as done.
 */
export const SENT_RESULTS = ['created', 'updated', 'waiting', 'failed', 'unrecorded'] as const;

/** How many of the stream's items were sent or tried. */
export const sentCount = (counts: StreamCounts): number =>
  SENT_RESULTS.reduce((sum, result) => sum + counts[result], 0);
interface Attempted {
  result: ItemResult;
  error?: string;
  peer?: string;
}

export function emptyCounts(): StreamCounts {
  return {
    created: 0,
    updated: 0,
    skipped: 0,
    waiting: 0,
    failed: 0,
    retried: 0,
    unrecorded: 0,
    interrupted: false,
  };
}

async function attempt<T extends Resource, F>(
  context: SyncContext,
  stream: Stream<T, F>,
  focus: string,
  work: () => Promise<ItemOutcome>,
): Promise<Attempted> {
  let failure: unknown;
  try {
    return { result: await work() };
  } catch (error) {
    failure = error;
  }
  const message = describeError(failure);
  if (isTransient(failure)) return { result: 'interrupted', error: message, peer: peerOf(failure) };
  // No single item, and no failure to record one, may stop the stream.
  try {
    if (failure instanceof WaitingForPatient) {
      await context.queue.waitFor(stream.name, focus, failure.patient, message);
      return { result: 'waiting' };
    }
    const level = failure instanceof ItemProblem ? 'warn' : 'error';
    context.logger[level](
      { stream: stream.name, focus, error: message },
      'sync item failed; queued for retry',
    );
    await context.queue.failed(stream.name, focus, message);
    return { result: 'failed' };
  } catch (recording) {
    if (isTransient(recording))
      return { result: 'interrupted', error: describeError(recording), peer: peerOf(recording) };
    context.logger.error(
      { stream: stream.name, focus, error: message, recordingError: describeError(recording) },
      'SYNC ITEM LOST: it failed and its failure could not be queued; it is retried only when it changes again',
    );
    return { result: 'unrecorded', error: message };
  }
}

function count(counts: StreamCounts, { result, error, peer }: Attempted): void {
  if (result === 'interrupted') {
    counts.interrupted = true;
    counts.error ??= error;
    counts.unavailable ??= peer;
  } else counts[result] += 1;
}

/**
 * Runs the stream over what changed since `cursor`, then retries its due items. `open` holds every open
 * queue item, read once for the run: an item that succeeds through its changes also leaves the queue.
 */
export async function runStream<T extends Resource, F>(
  context: SyncContext,
  stream: Stream<T, F>,
  cursor: Cursor,
  open: QueuedItem[],
  deadline: number,
  saveCursor: (cursor: Cursor) => Promise<void>,
): Promise<{ counts: StreamCounts; cursor: Cursor }> {
  const counts = emptyCounts();
  const tracker = new CursorTracker(cursor, context.limits.overlapMs, stream.cursorPrecision);
  const queued = new Map(
    open.filter((item) => item.stream === stream.name).map((item) => [item.focus, item]),
  );
  await scanChanges<T>({
    tracker,
    query: (since) => stream.changes(context, since),
    deadline,
    batchSize: CHANGES_AT_ONCE,
    onProgress: saveCursor,
    handle: async (fresh) => {
      const facts = await prepare(context, stream, fresh);
      if ('down' in facts) {
        fresh.forEach((resource) => tracker.markUnhandled(resource));
        count(counts, facts.down);
        return 'stop';
      }
      await forEachGroup(
        fresh,
        (r) => stream.groupOf(r),
        context.limits.concurrency * PATIENTS_PER_REQUEST_SLOT,
        async (resource) => {
          if (counts.interrupted) return tracker.markUnhandled(resource);
          const focus = keyOf(resource).split('@')[0] as string;
          const attempted = await attempt(context, stream, focus, () =>
            stream.sync(context, resource, facts.facts),
          );
          const { result } = attempted;
          count(counts, attempted);
          context.progress?.itemDone(stream.name, result);
          if (result === 'interrupted') return tracker.markUnhandled(resource);
          tracker.markHandled(resource);
          const item = queued.get(focus);
          if (item && succeeded(result)) {
            await context.queue.done(item);
            queued.delete(focus);
          }
        },
      );
      return counts.interrupted ? 'stop' : 'continue';
    },
  });
  if (!counts.interrupted) await retryDue(context, stream, [...queued.values()], counts, deadline);
  return { counts, cursor: tracker.result() };
}

/**
 * Changes handed over at once, at least: OpenMRS's pages of 100 are put together, so that the look-ups
 * a page needs (its prepare) are made once for several, and do not wait on each other.
 */
const CHANGES_AT_ONCE = 500;

/**
 * Patients worked on at once per request allowed in flight: while one patient waits for an answer it
 * depends on, others fill the bound (OpenMRS's client holds the requests beyond it).
 */
const PATIENTS_PER_REQUEST_SLOT = 4;

/** The page's facts; a peer that is down stops the stream as an item's would. */
async function prepare<T extends Resource, F>(
  context: SyncContext,
  stream: Stream<T, F>,
  page: T[],
): Promise<{ facts?: F } | { down: Attempted }> {
  if (!stream.prepare) return {};
  try {
    return { facts: await stream.prepare(context, page) };
  } catch (error) {
    if (isTransient(error))
      return { down: { result: 'interrupted', error: describeError(error), peer: peerOf(error) } };
    context.logger.warn(
      { stream: stream.name, error: describeError(error) },
      'looking up a page at once failed; its items look up one by one',
    );
    return {};
  }
}

function succeeded(result: ItemResult): result is ItemOutcome {
  return result === 'created' || result === 'updated' || result === 'skipped';
}

/** Retries the stream's queued items whose next attempt is due, oldest first (parked and waiting ones wait). */
async function retryDue<T extends Resource, F>(
  context: SyncContext,
  stream: Stream<T, F>,
  open: QueuedItem[],
  counts: StreamCounts,
  deadline: number,
) {
  const now = Date.now();
  const due = open
    .filter((item) => item.task.status === 'requested' && Date.parse(item.nextAttempt) <= now)
    .sort((a, b) => a.nextAttempt.localeCompare(b.nextAttempt));
  for (const item of due) {
    if (Date.now() > deadline || counts.interrupted) return;
    const attempted = await attempt(context, stream, item.focus, () => stream.retry(context, item.focus));
    counts.retried += 1;
    count(counts, attempted);
    context.progress?.itemDone(stream.name, attempted.result);
    if (succeeded(attempted.result)) await context.queue.done(item);
  }
}
