import type { Patient } from 'fhir/r4';
import { CursorTracker, EPOCH, scanChanges } from './change-scan';
import { markServedAt } from './streams/pages';

const at = (id: string, lastUpdated: string, versionId = '1'): Patient => ({
  resourceType: 'Patient',
  id,
  meta: { versionId, lastUpdated },
});

/** A server's change feed: resources with `lastUpdated >= since`, oldest first, in pages. */
function feed(resources: Patient[], pageSize: number, log: string[] = [], servedAt?: number) {
  return async function* (since: string) {
    log.push(since);
    const matching = resources
      .filter((r) => Date.parse(r.meta?.lastUpdated ?? '') >= Date.parse(since))
      .sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? ''));
    for (let i = 0; i < matching.length || i === 0; i += pageSize) {
      const page = matching.slice(i, i + pageSize);
      yield servedAt === undefined ? page : markServedAt(page, servedAt);
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

  it('re-reads only the boundary second of changes the server surely showed: a burst costs no overlap re-reads', async () => {
    // 100 changes in 2 s, read long after (the server answers at 00:10): each round starts at the newest
    // change's second, not the overlap (5 s) before it, and the cursor ends there too.
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
    expect(new Set(log.slice(1))).toEqual(new Set(['2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z']));
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
