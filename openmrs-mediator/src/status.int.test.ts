// /status names each peer the mediator cannot reach or log in to, with the setting to fix, and shows how
// far a back-log has got, during a run as well as after it.
import { startHeldBackfill } from './test-support/held-backfill';
import { chtArea, chtPerson, chtReport } from './test-support/sync-fixtures';
import { startSyncStack, type SyncStack } from './test-support/sync-harness';

let stack: SyncStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('GET /status: peers', () => {
  it('says all peers are reachable and accept the login', async () => {
    stack = await startSyncStack();
    const { data } = await stack.mediator.get('/status');
    expect(data.peers.map((p: { peer: string; ok: boolean }) => [p.peer, p.ok])).toEqual([
      ['the FHIR server', true],
      ['OpenMRS', true],
      ['CHT', true],
    ]);
  });

  it('names OPENMRS_PASSWORD and CHT_PASSWORD when they are refused', async () => {
    stack = await startSyncStack({ OPENMRS_PASSWORD: 'wrong', CHT_PASSWORD: 'wrong' });
    const { data } = await stack.mediator.get('/status');
    const problems = data.peers.map((p: { problem?: string }) => p.problem);
    const openmrs = stack.openmrsSandbox.url.replace(/\/$/, '');
    expect(problems).toEqual([
      undefined,
      `OPENMRS_PASSWORD: OpenMRS at ${openmrs} answered 401 for user admin`,
      `CHT_PASSWORD: CHT at ${stack.cht.url} answered 401 for user medic`,
    ]);
  });
});

describe('GET /status: progress of the back-log', () => {
  it('counts what remains before a run, and what was done, at what rate, when nothing remains', async () => {
    stack = await startSyncStack();
    const area = await chtArea(stack);
    for (let i = 0; i < 3; i++) {
      const person = await chtPerson(stack, area, { name: `Person ${i}` });
      await chtReport(stack, `hw-${i}`, person, 'height_weight', '2024-06-01T08:00:00Z', {
        weight: '61.5',
        height: '158',
      });
    }
    const before = (await stack.mediator.get('/status')).data.progress;
    expect(before).toMatchObject({
      done: 0,
      remaining: 6,
      remainingByStream: { 'patients-to-openmrs': 3, 'encounters-to-openmrs': 3 },
      rate: 0,
      estimatedEnd: null,
      running: false,
    });
    await stack.sync();
    const after = (await stack.mediator.get('/status')).data.progress;
    // 3 patients and 3 reports sent; their links read back (skipped as already sent) are not work done,
    // or the rate would double and the estimated end come early.
    expect(after.done).toBe(6);
    expect(after.rate).toBeGreaterThan(0);
    expect(after.since).toEqual(expect.any(String));
    // What remains is what the cursors will read again (their boundary second): nothing left to send.
    expect((await stack.sync()).streams['encounters-to-openmrs']).toMatchObject({ created: 0 });
  });

  it('shows what the run going now has done, what remains and its estimated end', async () => {
    const held = await startHeldBackfill();
    try {
      const during = (await held.stack.mediator.get('/status')).data.progress;
      expect(during.running).toBe(true);
      expect(during.done).toBeGreaterThan(0);
      expect(during.done).toBeLessThan(5);
      expect(during.remainingByStream['patients-to-openmrs']).toBeGreaterThan(0);
      expect(during.rate).toBeGreaterThan(0);
      expect(during.estimatedEnd).toEqual(expect.any(String));
      await held.release();
      const after = (await held.stack.mediator.get('/status')).data.progress;
      expect(after.running).toBe(false);
      expect(after.done).toBeGreaterThanOrEqual(5);
    } finally {
      await held.close();
    }
  });
});
