import type { Patient } from 'fhir/r4';
import { CursorTracker, EPOCH, scanChanges } from './change-scan';
import { withFacts } from './streams/pages';

const at = (id: string, lastUpdated: string, versionId = '1'): Patient => ({
  resourceType: 'Patient',
  id,
  meta: { versionId, lastUpdated },
});

/**
 * A server's change feed: the current version of each resource (the last one listed) with
 * `lastUpdated >= since`, oldest first, in pages.
 */
function feed(resources: Patient[], pageSize: number, log: string[] = [], servedAt?: number) {
  return async function* (since: string) {
    log.push(since);
    const current = new Map(resources.map((r) => [r.id, r]));
    const matching = [...current.values()]
      .filter((r) => Date.parse(r.meta?.lastUpdated ?? '') >= Date.parse(since))
      .sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? ''));
    for (let i = 0; i < matching.length || i === 0; i += pageSize) {
      const page = matching.slice(i, i + pageSize);
      yield servedAt === undefined ? page : withFacts(page, { servedAt });
    }
  };
}

/**
 * OpenMRS's change feed: the search run again on the live `resources` for each page (offset paging);
 * `afterPage` may change them between pages.
 */
function liveFeed(
  resources: Patient[],
  pageSize: number,
  afterPage?: (page: Patient[], offset: number) => void,
  { overlapping = false } = {},
) {
  const stride = overlapping ? pageSize - 1 : pageSize;
  return async function* (since: string) {
    for (let offset = 0; ; offset += stride) {
      const page = resources
        .filter((r) => Date.parse(r.meta?.lastUpdated ?? '') >= Date.parse(since))
        .sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? ''))
        .slice(offset, offset + pageSize);
      if (page.length === 0 || (offset > 0 && overlapping && page.length === 1)) return;
      yield overlapping && offset > 0 ? withFacts(page, { overlapsPrevious: true }) : page;
      afterPage?.(page, offset);
    }
  };
}

describe('change scan', () => {
  const forever = Date.now() + 60_000;

  it('hands every change over once, and an idle re-run reads one page and handles nothing', async () => {
    const resources = Array.from({ length: 25 }, (_, i) =>
      at(`p${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}.500Z`),
    );
    const seen: string[] = [];
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 2000);
    const handle = async (fresh: Patient[]) => {
      fresh.forEach((r) => (seen.push(r.id as string), tracker.markHandled(r)));
      return 'continue' as const;
    };
    await expect(
      scanChanges({ tracker, query: feed(resources, 10), handle, deadline: forever }),
    ).resolves.toEqual({ complete: true });
    expect(seen).toEqual(resources.map((r) => r.id));

    const cursor = tracker.result();
    expect(cursor.since).toBe('2024-01-01T00:00:22Z'); // newest minus the overlap, at a whole second
    const log: string[] = [];
    const again = new CursorTracker(cursor, 2000);
    const idle = await scanChanges({
      tracker: again,
      query: feed(resources, 10, log),
      handle,
      deadline: forever,
    });
    expect(idle.complete).toBe(true);
    expect(seen).toHaveLength(25);
    expect(log).toEqual(['2024-01-01T00:00:22Z']);
  });

  it('reads a burst to its end in one query, then once more from its last second', async () => {
    // 100 changes in 2 s, read long after (the server answers at 00:10): one query reads them page by
    // page; the next starts at the newest change's second, not the overlap (5 s) before it.
    const resources = Array.from({ length: 100 }, (_, i) =>
      at(`p${i}`, new Date(Date.parse('2024-01-01T00:00:00Z') + i * 20).toISOString()),
    );
    const log: string[] = [];
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 5000);
    const handle = async (fresh: Patient[]) => {
      fresh.forEach((r) => tracker.markHandled(r));
      return 'continue' as const;
    };
    const served = Date.parse('2024-01-01T00:00:10Z');
    await scanChanges({ tracker, query: feed(resources, 10, log, served), handle, deadline: forever });
    expect(log).toEqual([EPOCH, '2024-01-01T00:00:01Z']);
    // Read to its end with nothing new: everything before 00:05 was there and is handled.
    expect(tracker.result().since).toBe('2024-01-01T00:00:05Z');

    // Answered at 00:03 instead, what is later than 5 s before that may still fill in: read again.
    const recent = new CursorTracker({ since: EPOCH, seen: {} }, 5000);
    await scanChanges({
      tracker: recent,
      query: feed(resources, 10, [], Date.parse('2024-01-01T00:00:03Z')),
      handle: async (fresh) => (fresh.forEach((r) => recent.markHandled(r)), 'continue' as const),
      deadline: forever,
    });
    expect(recent.result().since).toBe('2023-12-31T23:59:58Z');
  });

  it('sees a new version of a handled resource, and changes that land inside the overlap', async () => {
    const resources = [at('a', '2024-01-01T00:00:10.000Z'), at('b', '2024-01-01T00:00:11.000Z')];
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 5000);
    const handled: string[] = [];
    const handle = async (fresh: Patient[]) => {
      fresh.forEach((r) => (handled.push(`${r.id}@${r.meta?.versionId}`), tracker.markHandled(r)));
      return 'continue' as const;
    };
    await scanChanges({ tracker, query: feed(resources, 10), handle, deadline: forever });
    // a late commit stamped before the newest change, and a new version of a
    resources.push(at('late', '2024-01-01T00:00:09.000Z'), at('a', '2024-01-01T00:00:12.000Z', '2'));
    const next = new CursorTracker(tracker.result(), 5000);
    const handle2 = async (fresh: Patient[]) => {
      fresh.forEach((r) => (handled.push(`${r.id}@${r.meta?.versionId}`), next.markHandled(r)));
      return 'continue' as const;
    };
    await scanChanges({ tracker: next, query: feed(resources, 10), handle: handle2, deadline: forever });
    expect(handled).toEqual(['a@1', 'b@1', 'late@1', 'a@2']);
  });

  it('keeps a cursor to the millisecond for a peer that searches so: a burst is not read again from its second', async () => {
    const burst = Array.from({ length: 30 }, (_, i) =>
      at(`p${i}`, new Date(Date.parse('2024-01-01T00:00:05Z') + i * 10).toISOString()),
    );
    const log: string[] = [];
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0, 'millisecond');
    const handle = async (fresh: Patient[]) => (
      fresh.forEach((r) => tracker.markHandled(r)),
      'continue' as const
    );
    await scanChanges({ tracker, query: feed(burst, 10, log), handle, deadline: forever });
    const cursor = tracker.result();
    expect(cursor.since).toBe('2024-01-01T00:00:05.290Z');
    expect(Object.keys(cursor.seen)).toEqual([expect.stringMatching(/^Patient\/p29@/)]);
    expect(log).toEqual(['1970-01-01T00:00:00.000Z', '2024-01-01T00:00:05.290Z']);
  });

  it('gets past more handled changes than a page holds inside the overlap window', async () => {
    const burst = Array.from({ length: 35 }, (_, i) => at(`p${i}`, '2024-01-01T00:00:05.000Z'));
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 5000);
    const handled = new Set<string>();
    const handle = async (fresh: Patient[]) => {
      fresh.forEach((r) => (handled.add(r.id as string), tracker.markHandled(r)));
      return 'continue' as const;
    };
    await scanChanges({ tracker, query: feed(burst, 10), handle, deadline: forever });
    expect(handled.size).toBe(35);
  });

  it('reads again when a search run again per page slipped: a row that changed before the offset', async () => {
    // OpenMRS runs the search again for each page (offset paging on live data), read with pages that
    // overlap by a row. While page 1 is handled, p3 changes: every later row moves up one place, so
    // page 2 starts with p10, not p9 (without the overlap, p10 would never be read).
    const resources = Array.from({ length: 25 }, (_, i) =>
      at(`p${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`),
    );
    const live = liveFeed(resources, 10, undefined, { overlapping: true });
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    const handled: string[] = [];
    const handle = async (fresh: Patient[]) => {
      fresh.forEach((r) => (handled.push(`${r.id}@${r.meta?.versionId}`), tracker.markHandled(r)));
      if (handled.length === 10) resources[3] = at('p3', '2024-01-01T00:01:00Z', '2');
      return 'continue' as const;
    };
    await expect(scanChanges({ tracker, query: live, handle, deadline: forever })).resolves.toEqual({
      complete: true,
    });
    expect(new Set(handled)).toEqual(
      new Set([...resources.map((r) => `${r.id}@${r.meta?.versionId}`), 'p3@1']),
    );
    expect(handled).toHaveLength(26);
  });

  it('reads again when rows leave the result while a query is read: its pages overlap by a row', async () => {
    // Read several pages at once, each starting with the last row of the page before. While page 1 is
    // handled, p3 and p4 are voided: every later row moves up two places and p10 would never be read;
    // page 2 then starts with p11, not p9.
    const resources = Array.from({ length: 25 }, (_, i) =>
      at(`p${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`),
    );
    const live = liveFeed(resources, 10, undefined, { overlapping: true });
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    const handled = new Set<string>();
    const handle = async (fresh: Patient[]) => {
      fresh.forEach((r) => (handled.add(r.id as string), tracker.markHandled(r)));
      if (handled.size === 10) resources.splice(3, 2);
      return 'continue' as const;
    };
    await expect(scanChanges({ tracker, query: live, handle, deadline: forever })).resolves.toEqual({
      complete: true,
    });
    expect(handled).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `p${i}`)));
  });

  it('hands small pages over together, up to the batch size, each change once where pages overlap', async () => {
    const resources = Array.from({ length: 47 }, (_, i) =>
      at(`p${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`),
    );
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    const batches: string[][] = [];
    const handle = async (fresh: Patient[]) => {
      batches.push(fresh.map((r) => r.id as string));
      fresh.forEach((r) => tracker.markHandled(r));
      return 'continue' as const;
    };
    const query = liveFeed(resources, 10, undefined, { overlapping: true });
    await scanChanges({ tracker, query, handle, deadline: forever, batchSize: 25 });
    // Pages of 10 overlapping by one bring 10, 9, 9, …: three pages make a batch, the rest comes last.
    expect(batches.map((b) => b.length)).toEqual([28, 19]);
    expect(batches.flat()).toEqual(resources.map((r) => r.id));
  });

  it('keeps its cursor where a slip could skip a row when rows change on every pass', async () => {
    // Each pass, a row read before the offset changes again: after a few passes the scan ends, and the
    // cursor stays where the last slip may have skipped a row, so the next run reads on from there.
    const start = Date.parse('2024-01-01T00:00:00Z');
    const resources = Array.from({ length: 60 }, (_, i) =>
      at(`p${i}`, new Date(start + i * 1000).toISOString()),
    );
    let edits = 0;
    const live = liveFeed(
      resources,
      10,
      (page, offset) => {
        if (offset > 0) return;
        edits += 1;
        const first = page[0] as Patient;
        resources[resources.indexOf(first)] = at(
          first.id as string,
          new Date(start + (60 + edits) * 1000).toISOString(),
          String(edits + 1),
        );
      },
      { overlapping: true },
    );
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    const handle = async (fresh: Patient[]) => (
      fresh.forEach((r) => tracker.markHandled(r)),
      'continue' as const
    );
    await expect(scanChanges({ tracker, query: live, handle, deadline: forever })).resolves.toEqual({
      complete: false,
    });
    expect(Date.parse(tracker.result().since)).toBeLessThan(start + 59_000);
  });

  it('works out its cursor after more handled changes than a function takes arguments (a 20,000-patient back-fill reads 200,000 observations back)', () => {
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 2000);
    const start = Date.parse('2024-01-01T00:00:00Z');
    for (let i = 0; i < 200_000; i++)
      tracker.markHandled(at(`o${i}`, new Date(start + i * 10).toISOString()));
    expect(tracker.handledCount).toBe(200_000);
    const cursor = tracker.result();
    expect(cursor.since).toBe(
      new Date(Math.floor((start + 1_999_990 - 2000) / 1000) * 1000).toISOString().replace('.000', ''),
    );
    // What the cursor keeps is the overlap's worth before the newest, not all it handled.
    expect(Object.keys(cursor.seen).length).toBeLessThan(500);
  });

  it('stops before an item that could not be handled, and starts from it next time', async () => {
    const resources = [
      at('a', '2024-01-01T00:00:01Z'),
      at('b', '2024-01-01T00:00:02Z'),
      at('c', '2024-01-01T00:00:03Z'),
    ];
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    const handle = async (fresh: Patient[]) => {
      tracker.markHandled(fresh[0] as Patient);
      tracker.markUnhandled(fresh[1] as Patient); // e.g. OpenMRS went down
      return 'stop' as const;
    };
    await expect(
      scanChanges({ tracker, query: feed(resources, 10), handle, deadline: forever }),
    ).resolves.toEqual({ complete: false });
    const cursor = tracker.result();
    expect(cursor.since).toBe('2024-01-01T00:00:02Z');
    const next = new CursorTracker(cursor, 0);
    const rest: string[] = [];
    await scanChanges({
      tracker: next,
      query: feed(resources, 10),
      handle: async (fresh) => (
        fresh.forEach((r) => (rest.push(r.id as string), next.markHandled(r))),
        'continue'
      ),
      deadline: forever,
    });
    expect(rest).toEqual(['b', 'c']);
  });

  it('refuses a handler that neither handles nor stops', async () => {
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    await expect(
      scanChanges({
        tracker,
        query: feed([at('a', '2024-01-01T00:00:01Z')], 10),
        handle: async () => 'continue',
        deadline: forever,
      }),
    ).rejects.toThrow(/read the same page for ever/);
  });

  it('ends a run when its time is up, with the cursor where it got to', async () => {
    const resources = Array.from({ length: 30 }, (_, i) =>
      at(`p${i}`, `2024-01-01T00:01:${String(i).padStart(2, '0')}Z`),
    );
    const tracker = new CursorTracker({ since: EPOCH, seen: {} }, 0);
    const handle = async (fresh: Patient[]) => (
      fresh.forEach((r) => tracker.markHandled(r)),
      'continue' as const
    );
    await expect(scanChanges({ tracker, query: feed(resources, 10), handle, deadline: 0 })).resolves.toEqual({
      complete: false,
    });
    expect(tracker.handledCount).toBe(10);
  });
});
