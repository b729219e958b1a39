// Reads what changed since a stream's cursor and moves the cursor only past what was handled
// (design.md §4). A query is `_lastUpdated=ge<since>` sorted by `_lastUpdated`, read page by page to its
// end; OpenMRS runs it again for each page, so its pages overlap by a row to show when rows moved
// between two reads (then the scan reads again from there). The boundary second is read again, so
// handled versions are remembered and skipped. An `overlap` re-reads a few seconds before the newest
// change, for writes that commit after a later one (HAPI, concurrent writers): a change becomes visible
// at most the overlap after its lastUpdated. So what a query answered at server time W returned up to
// the newest handled change, older than W less the overlap, was all there was: the next query starts no
// earlier than that (a back-fill re-scanning a burst re-reads one second, not the overlap's worth of
// pages each round); and once a query read to its end brings nothing new, the cursor moves up to it, so
// that a run with nothing to do reads one empty page per stream.
import { createHash } from 'node:crypto';
import type { Resource } from 'fhir/r4';
import { DateTime } from 'luxon';
import type { CursorPrecision } from './context';
import type { Cursor } from './sync-state';
import { factsOf } from './streams/pages';

export const EPOCH = '1970-01-01T00:00:00Z';

/**
 * A handled version: `Type/id@versionId#content`. OpenMRS's versionId is lastUpdated at whole seconds,
 * so a second edit within the same second keeps the versionId; the content digest tells it apart.
 */
export function keyOf(resource: Resource): string {
  const known = KEYS.get(resource);
  if (known !== undefined) return known;
  const { meta: _meta, ...content } = resource;
  const digest = createHash('sha1').update(JSON.stringify(content)).digest('base64url').slice(0, 12);
  const key = `${resource.resourceType}/${resource.id}@${resource.meta?.versionId ?? ''}#${digest}`;
  KEYS.set(resource, key);
  return key;
}

/** Keys already worked out, per resource object as read (the scan asks for each several times). */
const KEYS = new WeakMap<Resource, string>();

function lastUpdatedOf(resource: Resource): number {
  return Date.parse(resource.meta?.lastUpdated ?? EPOCH);
}

/** `ms` as a `since` its peer can search: cut to the whole second, or to the millisecond. */
export function sinceOf(ms: number, precision: CursorPrecision = 'second'): string {
  if (precision === 'millisecond') return new Date(ms).toISOString();
  return DateTime.fromMillis(Math.floor(ms / 1000) * 1000, { zone: 'utc' }).toISO({
    suppressMilliseconds: true,
  }) as string;
}

/** Handled versions a tracker remembers before it forgets those the cursor has passed. */
const FORGET_ABOVE = 20_000;

export class CursorTracker {
  private readonly handled = new Map<string, number>();
  private handledTotal = 0;
  private newest = -Infinity;
  private forgetAbove = FORGET_ABOVE;
  private firstUnhandled: number | undefined;
  /** Changes before this (server time) were all visible to the last query. */
  private settledBefore = -Infinity;
  /** Set when the last query was read to its end with nothing new: every change before it is handled. */
  private readAllBefore = -Infinity;

  constructor(
    private readonly start: Cursor,
    private readonly overlapMs: number,
    readonly precision: CursorPrecision = 'second',
  ) {}

  /** How many versions were marked handled (the ones forgotten since included). */
  get handledCount(): number {
    return this.handledTotal;
  }

  get since(): string {
    return this.result().since;
  }

  isHandled(resource: Resource): boolean {
    const key = keyOf(resource);
    return key in this.start.seen || this.handled.has(key);
  }

  markHandled(resource: Resource): void {
    const at = lastUpdatedOf(resource);
    this.handled.set(keyOf(resource), at);
    this.handledTotal += 1;
    this.newest = Math.max(this.newest, at);
    if (this.handled.size > this.forgetAbove) this.forgetPassed();
  }

  /**
   * Forgets handled versions older than the newest less the overlap and a second: no later query of
   * the scan starts before that, and the cursor keeps none of them. A re-read after a slip may then
   * hand one over again, which does no harm (handling is idempotent). Keeps a long scan's memory flat.
   */
  private forgetPassed(): void {
    if (this.firstUnhandled === undefined) {
      const keepFrom = this.newest - this.overlapMs - 1000;
      for (const [key, at] of this.handled) if (at < keepFrom) this.handled.delete(key);
    }
    this.forgetAbove = Math.max(FORGET_ABOVE, 2 * this.handled.size);
  }

  /**
   * The last query was answered at `servedAt` (server clock): all before it less the overlap was
   * visible. `toTheEnd`: it was read to its end and held nothing new, so all of that is handled.
   */
  queried(servedAt: number, toTheEnd = false): void {
    this.settledBefore = servedAt - this.overlapMs;
    if (toTheEnd) this.readAllBefore = this.settledBefore;
  }

  /** The scan stops before this resource: the cursor must not pass it. */
  markUnhandled(resource: Resource): void {
    this.holdAt(lastUpdatedOf(resource));
  }

  /** The cursor must not pass this time (something at or after it may not have been read). */
  holdAt(at: number): void {
    this.firstUnhandled = this.firstUnhandled === undefined ? at : Math.min(this.firstUnhandled, at);
  }

  result(): Cursor {
    const startMs = Date.parse(this.start.since);
    const newest = Math.max(startMs, this.newest);
    // Stopped: start again from the first change not handled. Else: from the newest, less the overlap
    // unless the last query already saw everything up to the newest that late commits could touch, or
    // up to its own time less the overlap when it was read to its end.
    const floor =
      this.firstUnhandled ??
      Math.max(newest - this.overlapMs, Math.min(newest, this.settledBefore), this.readAllBefore);
    const since = sinceOf(Math.max(startMs, floor), this.precision);
    const sinceMs = Date.parse(since);
    const seen: Record<string, string> = {};
    for (const [key, at] of [
      ...Object.entries(this.start.seen).map(([k, t]) => [k, Date.parse(t)] as const),
      ...this.handled,
    ]) {
      if (at >= sinceMs) seen[key] = new Date(at).toISOString();
    }
    return { since, seen };
  }
}

const MAX_SLIP_PASSES = 3;

/** The pages of a query, the next one asked for while the caller works on this one. */
async function* readingAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  try {
    for (;;) {
      const { value, done } = await next;
      if (done) return;
      next = pages.next();
      next.catch(() => undefined); // seen when awaited; not unhandled when the caller stops first
      yield value;
    }
  } finally {
    // Not waited for: a peer that went down may take its time to fail the page read ahead.
    void next.then(
      () => pages.return(undefined),
      () => undefined,
    );
  }
}

export type PageOutcome = 'continue' | 'stop';

/**
 * Watches one query's pages for a sign that its paging slipped. OpenMRS runs a search again for each
 * page, so a row before the offset that changes (it moves to the end) or leaves the result (voided)
 * meanwhile moves every later row one place up, and the row at the next page boundary goes unread. Its
 * change queries are read with pages that overlap by one row (`OpenmrsClient.changePages`): a page that
 * does not start with the last row of the page before shows such a move, and what was passed over lies
 * after that row. (The FHIR server's pages are a snapshot of the matches taken at the first page.)
 */
class SlipWatch {
  private last: Resource | undefined;
  /** The oldest time from which rows of this query may have gone unread. */
  readAgainFrom: number | undefined;

  constructor(private readonly from: number) {}

  see(page: Resource[]): void {
    if (factsOf(page).overlapsPrevious) {
      const [shared] = page;
      if (!shared || !this.last || idOf(shared) !== idOf(this.last)) {
        const at = this.last ? lastUpdatedOf(this.last) : this.from;
        this.readAgainFrom = Math.min(this.readAgainFrom ?? Infinity, at);
      }
    }
    this.last = page.at(-1) ?? this.last;
  }
}

const idOf = (resource: Resource) => `${resource.resourceType}/${resource.id}`;

/**
 * Scans what changed since the cursor. A query from the cursor is read page by page to its end; pages
 * holding only handled versions (the re-read boundary) are skipped, and what is new is handed to
 * `handle` (pages put together up to `batchSize` changes, so that a handler's look-ups for them are made
 * once), which marks what it handled and says whether to go on. Then a fresh query from the moved cursor
 * picks up what committed late; the scan ends when a query brings nothing new, or time is up. A query
 * whose paging slipped is followed by one from where it started, so nothing is passed over.
 */
export async function scanChanges<T extends Resource>(options: {
  tracker: CursorTracker;
  query: (since: string) => AsyncGenerator<T[]>;
  handle: (fresh: T[]) => Promise<PageOutcome>;
  deadline: number;
  batchSize?: number;
  onProgress?: (cursor: Cursor) => Promise<void>;
}): Promise<{ complete: boolean }> {
  const { tracker, query, handle, deadline, batchSize = 1, onProgress } = options;
  let from = tracker.since;
  let slips = 0;
  /** Hands a batch over; true when the scan must end here. */
  const handled = async (batch: Map<string, T>): Promise<boolean> => {
    const before = tracker.handledCount;
    const outcome = await handle([...batch.values()]);
    batch.clear();
    if (outcome === 'continue' && tracker.handledCount === before) {
      throw new Error(
        'a change scan handled nothing of a page and did not stop: it would read the same page for ever',
      );
    }
    await onProgress?.(tracker.result());
    return outcome === 'stop' || Date.now() > deadline;
  };
  for (;;) {
    let servedAt: number | undefined;
    let anythingNew = false;
    const watch = new SlipWatch(Date.parse(from));
    // By key: pages that overlap by a row bring that row twice.
    const batch = new Map<string, T>();
    for await (const page of readingAhead(query(from))) {
      if (servedAt === undefined) {
        servedAt = factsOf(page).servedAt;
        if (servedAt !== undefined) tracker.queried(servedAt);
      }
      watch.see(page);
      for (const resource of page) if (!tracker.isHandled(resource)) batch.set(keyOf(resource), resource);
      if (batch.size === 0) continue;
      anythingNew = true;
      if (batch.size >= batchSize && (await handled(batch))) return { complete: false };
    }
    if (batch.size > 0 && (await handled(batch))) return { complete: false };
    if (watch.readAgainFrom !== undefined) {
      // Rows that change on every pass cannot hold a scan for ever: after a few passes the cursor stays
      // where the slip may have skipped a row, and the next run reads again from there.
      if (slips >= MAX_SLIP_PASSES) {
        tracker.holdAt(watch.readAgainFrom);
        return { complete: false };
      }
      slips += 1;
      from = sinceOf(Math.min(Date.parse(tracker.since), watch.readAgainFrom), tracker.precision);
      continue;
    }
    if (!anythingNew) {
      if (servedAt !== undefined) tracker.queried(servedAt, true);
      return { complete: true };
    }
    from = tracker.since;
  }
}
