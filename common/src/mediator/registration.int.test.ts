// Registration, config at start-up and heartbeats against a loopback peer that answers as OpenHIM core
// does (openhim.md §2.2–§2.4): 201 on register, heartbeat bodies '' / config JSON / 'OK'.
import { createLogger } from '../logging/logger';
import { startLoopbackPeer, type LoopbackPeer } from '../test-support/loopback-server';
import { fetchMediatorConfig, startMediator, type MediatorConfig, type MediatorHandle } from './registration';

const config: MediatorConfig = {
  urn: 'urn:mediator:test-kit',
  version: '1.2.3',
  name: 'Test mediator',
  description: 'registration test',
  endpoints: [{ name: 'Test', host: '127.0.0.1', port: 6000, path: '/', primary: true, type: 'http' }],
  configDefs: [{ param: 'visitDays', displayName: 'Visit days', description: 'd', type: 'number' }],
  config: { visitDays: 1 },
};

const until = async (condition: () => boolean, ms = 3000) => {
  for (const started = Date.now(); !condition();) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('mediator registration with OpenHIM', () => {
  let openhim: LoopbackPeer;
  let handle: MediatorHandle | undefined;
  const basic = `Basic ${Buffer.from('root@openhim.org:openhim-password').toString('base64')}`;

  beforeEach(async () => {
    openhim = await startLoopbackPeer();
  });
  afterEach(async () => {
    handle?.stop();
    await openhim.close();
  });

  it('retries until OpenHIM accepts, fetches config at start-up, heartbeats, and takes config pushes', async () => {
    let registerAttempts = 0;
    let stored: Record<string, unknown> = { visitDays: 2 };
    let changedSinceHeartbeat = false;
    openhim.answer((req, res) => {
      if (req.headers.authorization !== basic) return res.status(401).send('Unauthorized');
      if (req.method === 'POST' && req.path === '/mediators') {
        registerAttempts += 1;
        if (registerAttempts < 3) return res.status(503).send('starting');
        return res.status(201).send('User Authenticated Successfully');
      }
      if (req.path === `/mediators/${config.urn}/heartbeat`) {
        const body = req.body as { uptime?: number; config?: boolean };
        if (typeof body.uptime !== 'number') return res.status(400).send('uptime required');
        if (body.config === true || changedSinceHeartbeat) {
          changedSinceHeartbeat = false;
          return res.json(stored);
        }
        return res.type('text/plain').send('');
      }
      res.status(404).end();
    });

    const seen: Record<string, unknown>[] = [];
    handle = startMediator(
      {
        apiURL: openhim.url,
        username: 'root@openhim.org',
        password: 'openhim-password',
        trustSelfSigned: false,
      },
      config,
      {
        logger: createLogger('test', 'silent'),
        onConfig: (c) => seen.push(c),
        heartbeatMs: 20,
        firstRetryDelayMs: 10,
      },
    );
    await handle.ready;

    expect(registerAttempts).toBe(3);
    const registration = openhim.received.find((r) => r.method === 'POST' && r.url === '/mediators');
    expect(registration?.body).toMatchObject({
      urn: config.urn,
      version: '1.2.3',
      endpoints: config.endpoints,
    });
    expect(seen).toEqual([{ visitDays: 2 }]);

    await until(() => openhim.received.filter((r) => r.url.endsWith('/heartbeat')).length >= 3);
    stored = { visitDays: 5 };
    changedSinceHeartbeat = true;
    await until(() => seen.length === 2);
    expect(seen[1]).toEqual({ visitDays: 5 });
  });

  it('treats an "OK" heartbeat reply (config asked, none stored) as no config', async () => {
    openhim.answer((_req, res) => {
      res.type('text/plain').send('OK');
    });
    const connection = { apiURL: openhim.url, username: 'u', password: 'p', trustSelfSigned: false };
    await expect(fetchMediatorConfig(connection, config.urn)).resolves.toEqual({});
    expect(openhim.received[0]?.body).toMatchObject({ config: true });
  });

  it('stops retrying when stopped', async () => {
    openhim.answer((_req, res) => {
      res.status(401).send('Unauthorized');
    });
    handle = startMediator(
      { apiURL: openhim.url, username: 'u', password: 'wrong', trustSelfSigned: false },
      config,
      { logger: createLogger('test', 'silent'), firstRetryDelayMs: 10 },
    );
    await until(() => openhim.received.length >= 2);
    handle.stop();
    await handle.ready;
    const attempts = openhim.received.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openhim.received.length).toBe(attempts);
  });
});
