// Polling channels over HTTP (openhim.md §3.5, §2.3, §8 H): what each run sends and logs, the manual
// trigger, and when core schedules, reschedules and drops a job. Runs are started with
// runPollingChannel and schedules checked by their computed run times, never by waiting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenhimSandbox, startOpenhimSandbox, type OpenhimTransaction as Transaction } from '../index';
import { basicAuth, call, channelId, until } from '../test-support/api-client';
import { startUpstream, type Upstream } from '../test-support/upstream';

const clock = Date.parse('2024-09-16T10:00:30.000Z');
let oh: OpenhimSandbox;
let up: Upstream;
beforeAll(async () => {
  oh = await startOpenhimSandbox({ polling: false, now: () => clock });
  up = await startUpstream();
});
afterAll(async () => {
  await oh.close();
  await up.close();
});
beforeEach(() => {
  up.arrived.length = 0;
  up.answer({ status: 200, body: 'synced' });
});

const api = (method: string, path: string, body?: unknown) => call(oh.apiUrl, method, path, { body });

let n = 0;
async function pollingChannel(
  route: Record<string, unknown> = { path: '/sync' },
  extra: Record<string, unknown> = {},
) {
  n += 1;
  const name = `Poll ${n}`;
  const created = await api('POST', '/channels', {
    name,
    urlPattern: '^/trigger$',
    type: 'polling',
    pollingSchedule: '1 minute',
    allow: ['interop'],
    routes: [{ name: 'Sync route', host: '127.0.0.1', port: up.port, primary: true, ...route }],
    ...extra,
  });
  if (created.status !== 201) throw new Error(created.text);
  return { name, id: await channelId(oh.apiUrl, name) };
}

async function transactions(id: string): Promise<Transaction[]> {
  await oh.settled();
  const filters = encodeURIComponent(JSON.stringify({ channelID: id }));
  return (await api('GET', `/transactions?filterRepresentation=full&filters=${filters}`)).json<
    Transaction[]
  >();
}

describe('a polling run', () => {
  it('§8.31 GETs the route path with channel-id and X-OpenHIM-LastRunAt, without X-Forwarded-*, and is logged as a transaction', async () => {
    const { name, id } = await pollingChannel({
      path: '/sync',
      username: 'sync-user',
      password: 'sync-pass',
    });
    const outcome = await oh.runPollingChannel(name);
    expect(outcome).toMatchObject({ ok: true, status: 200, transactionId: expect.any(String) });
    const [arrived] = up.arrived;
    expect(arrived).toMatchObject({ method: 'GET', url: '/sync', body: '' });
    expect(arrived?.headers).toMatchObject({
      'channel-id': id,
      'x-openhim-lastrunat': new Date(clock).toString(),
      accept: 'application/json, text/plain, */*',
      'user-agent': 'axios/0.21.4',
      'x-openhim-transactionid': outcome.transactionId,
      authorization: basicAuth('sync-user', 'sync-pass'),
    });
    for (const header of ['x-forwarded-for', 'x-forwarded-host', 'x-openhim-clientid'])
      expect(arrived?.headers).not.toHaveProperty(header);

    await oh.runPollingChannel(name);
    const logged = await transactions(id);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({
      status: 'Successful',
      clientID: oh.core.pollingClientId,
      request: {
        host: 'localhost',
        port: '7788',
        path: '/trigger',
        method: 'GET',
        querystring: '',
        body: '',
      },
      response: { status: 200, body: 'synced' },
    });
  });

  it('§8.31 without a path the route gets /trigger, or its pathTransform applied to /trigger', async () => {
    const plain = await pollingChannel({});
    await oh.runPollingChannel(plain.name);
    const transformed = await pollingChannel({ pathTransform: 's/trigger/openmrs\\/sync/' });
    await oh.runPollingChannel(transformed.name);
    expect(up.arrived.map((r) => r.url)).toEqual(['/trigger', '/openmrs/sync']);
  });

  it('§8.31 POST /channels/:id/trigger polls now: 200 when the route answered 2xx, 500 otherwise, 404 for an unknown channel', async () => {
    const { id } = await pollingChannel();
    const ok = await api('POST', `/channels/${id}/trigger`);
    expect(ok).toMatchObject({ status: 200, text: 'User Authenticated Successfully' });
    expect(up.arrived[0]?.headers['x-openhim-lastrunat']).toBe(new Date(clock).toString());
    up.answer({ status: 503, body: 'busy' });
    const failed = await api('POST', `/channels/${id}/trigger`);
    expect(failed.status).toBe(500);
    const unknown = await api('POST', '/channels/0123456789abcdef01234567/trigger');
    expect(unknown).toMatchObject({
      status: 404,
      text: "We could not find a channel with Id:'0123456789abcdef01234567'.",
    });
    // Both runs share the test clock's timestamp, so their order in the (newest-first) list is not defined.
    expect((await transactions(id)).map((t) => t.status).sort()).toEqual(['Failed', 'Successful']);
  });
});

describe('scheduling', () => {
  it('§8.31 "1 minute" (agenda form): due at once on registration, then one minute after each run started', async () => {
    const { name } = await pollingChannel();
    expect(oh.pollingJob(name)).toMatchObject({
      pollingSchedule: '1 minute',
      nextRunAt: clock,
      dueAt: clock,
    });
    await oh.runPollingChannel(name);
    expect(oh.pollingJob(name)).toMatchObject({ lastRunAt: clock, nextRunAt: clock + 60_000 });
  });

  it('§8.31 "30 seconds": the next run is 30 s after the run started', async () => {
    const { name } = await pollingChannel({}, { pollingSchedule: '30 seconds' });
    await oh.runPollingChannel(name);
    expect(oh.pollingJob(name)?.nextRunAt).toBe(clock + 30_000);
  });

  it('§8.31 a cron schedule runs first at its next occurrence, not at registration', async () => {
    const { name } = await pollingChannel({}, { pollingSchedule: '*/5 * * * *' });
    expect(oh.pollingJob(name)?.nextRunAt).toBe(Date.parse('2024-09-16T10:05:00.000Z'));
    await oh.runPollingChannel(name);
    expect(oh.pollingJob(name)?.nextRunAt).toBe(Date.parse('2024-09-16T10:05:00.000Z'));
  });

  it('§8.31 an unusable schedule gets no run time (core only logs the error)', async () => {
    const { name } = await pollingChannel({}, { pollingSchedule: 'every so often' });
    expect(oh.pollingJob(name)).toMatchObject({
      problem: expect.stringContaining('invalid repeat interval'),
    });
    expect(oh.pollingJob(name)).not.toHaveProperty('nextRunAt');
  });

  it('§8.32 disabling or deleting the channel removes its schedule; a PUT re-registers it (due at once again)', async () => {
    const { name, id } = await pollingChannel();
    await oh.runPollingChannel(name);
    expect(oh.pollingJob(name)?.nextRunAt).toBe(clock + 60_000);
    await api('PUT', `/channels/${id}`, { status: 'disabled' });
    expect(oh.pollingJob(name)).toBeUndefined();
    await api('PUT', `/channels/${id}`, { status: 'enabled' });
    expect(oh.pollingJob(name)).toMatchObject({ nextRunAt: clock });
    await api('PUT', `/channels/${id}`, { description: 'any edit re-registers' });
    expect(oh.pollingJob(name)).toMatchObject({ nextRunAt: clock });
    await api('DELETE', `/channels/${id}`);
    expect(oh.pollingJob(name)).toBeUndefined();
  });

  it('§8.17 channels installed from a mediator are scheduled only after a PUT /channels/:id or a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openhim-sandbox-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startOpenhimSandbox({ polling: false, stateFile });
      const urn = 'urn:mediator:poller';
      await call(first.apiUrl, 'POST', '/mediators', {
        body: {
          urn,
          version: '1.0.0',
          name: 'Poller',
          endpoints: [{ name: 'E', host: '127.0.0.1', port: up.port }],
          defaultChannelConfig: [
            {
              name: 'Sync',
              urlPattern: '^/trigger$',
              type: 'polling',
              pollingSchedule: '1 minute',
              routes: [{ name: 'R', host: '127.0.0.1', port: up.port, primary: true }],
            },
            {
              name: 'Sync too',
              urlPattern: '^/trigger$',
              type: 'polling',
              pollingSchedule: '1 minute',
              routes: [{ name: 'R', host: '127.0.0.1', port: up.port, primary: true }],
            },
          ],
        },
      });
      await call(first.apiUrl, 'POST', `/mediators/${urn}/channels`, { body: [] });
      expect(first.pollingJob('Sync')).toBeUndefined();
      await call(first.apiUrl, 'PUT', `/channels/${await channelId(first.apiUrl, 'Sync')}`, { body: {} });
      expect(first.pollingJob('Sync')).toBeDefined();
      expect(first.pollingJob('Sync too')).toBeUndefined();
      await first.close();

      const restarted = await startOpenhimSandbox({ polling: false, stateFile });
      expect(restarted.pollingJob('Sync too')).toBeDefined();
      await restarted.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed poll leaves the job locked: it is picked up again only when the 10-minute lock expires, and not at all after 5 such runs', async () => {
    up.answer({ status: 500, body: 'down' });
    const { name } = await pollingChannel();
    expect((await oh.runPollingChannel(name)).ok).toBe(false);
    expect(oh.pollingJob(name)).toMatchObject({
      lockedAt: clock,
      stuckRuns: 1,
      nextRunAt: clock + 60_000,
      dueAt: clock + 600_000,
    });
    for (let run = 2; run <= 5; run += 1) await oh.runPollingChannel(name);
    expect(oh.pollingJob(name)).toMatchObject({ stuckRuns: 5 });
    expect(oh.pollingJob(name)).not.toHaveProperty('dueAt');
  });
});

describe('automatic runs', () => {
  it('§8.31 with polling on, a newly created "1 minute" channel runs at once by itself', async () => {
    const auto = await startOpenhimSandbox();
    try {
      await call(auto.apiUrl, 'POST', '/channels', {
        body: {
          name: 'Auto',
          urlPattern: '^/trigger$',
          type: 'polling',
          pollingSchedule: '1 minute',
          routes: [{ name: 'R', host: '127.0.0.1', port: up.port, path: '/auto', primary: true }],
        },
      });
      await until(() => up.arrived.some((r) => r.url === '/auto'));
      expect(auto.pollingJob('Auto')?.nextRunAt).toBeGreaterThan(Date.now() + 50_000);
    } finally {
      await auto.close();
    }
  });
});
