// End to end with a real mediator process built with common/'s mediator kit (test-support/kit-mediator.ts):
// it registers and heartbeats, its default channel is installed, a client request goes through the
// router, and the transaction shows the mediator's orchestrations; a config change is pushed back.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type OpenhimSandbox, startOpenhimSandbox, type OpenhimTransaction as Transaction } from './index';
import { basicAuth, call, sha512Client, until } from './test-support/api-client';
import { KIT_URN } from './test-support/kit-urn';
import { startUpstream, type Upstream } from './test-support/upstream';

let oh: OpenhimSandbox;
let upstream: Upstream;
let child: ChildProcess;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  oh = await startOpenhimSandbox({ polling: false });
  upstream = await startUpstream();
  upstream.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"thing":1}' });
  child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), join(__dirname, 'test-support/kit-mediator.ts')],
    {
      cwd: join(__dirname, '../..'),
      env: {
        ...process.env,
        OPENHIM_API_URL: oh.apiUrl,
        KIT_UPSTREAM_URL: upstream.url,
        KIT_HEARTBEAT_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  await until(() => lines.some((l) => l.ready === true), 20_000);
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await oh.close();
  await upstream.close();
});

it('a mediator process built with the common kit registers, heartbeats, and its transaction shows its orchestrations', async () => {
  const registered = (await call(oh.apiUrl, 'GET', `/mediators/${KIT_URN}`)).json<{
    endpoints: { port: number }[];
  }>();
  const port = lines.find((l) => l.ready === true)?.port;
  expect(registered.endpoints[0]?.port).toBe(port);
  // GET /heartbeat shows the mediator's uptime once its first heartbeat arrived.
  await until(async () => {
    const beat = (await call(oh.apiUrl, 'GET', '/heartbeat', { auth: null })).json<{
      mediators?: Record<string, unknown>;
    }>();
    return typeof beat.mediators?.[KIT_URN] === 'number';
  });

  await call(oh.apiUrl, 'POST', '/clients', { body: sha512Client('kit-client', 'kit-pass', ['kit']) });
  expect(
    (await call(oh.apiUrl, 'POST', `/mediators/${KIT_URN}/channels`, { body: ['Kit channel'] })).status,
  ).toBe(201);

  const reply = await call(oh.routerUrl, 'GET', '/kit/echo', { auth: basicAuth('kit-client', 'kit-pass') });
  expect(reply.status).toBe(200);
  expect(reply.json()).toEqual({ echo: { thing: 1 } });
  const id = reply.headers.get('x-openhim-transactionid');
  expect(upstream.arrived.map((r) => r.url)).toEqual(['/thing']);

  await oh.settled();
  const tx = (await call(oh.apiUrl, 'GET', `/transactions/${id}`)).json<Transaction>();
  expect(tx).toMatchObject({
    status: 'Successful',
    properties: { calls: 1 },
    response: { status: 200, body: '{"echo":{"thing":1}}' },
  });
  expect(tx.orchestrations.map((o) => o.name)).toEqual(['Upstream GET /thing', 'Kit route']);
  expect(tx.orchestrations[0]).toMatchObject({
    request: { method: 'GET', path: '/thing', timestamp: expect.any(String) },
    response: { status: 200, body: '{"thing":1}' },
  });
  expect(tx.orchestrations[1]?.request).toMatchObject({ path: '/echo', port: String(port) });
  expect(tx).not.toHaveProperty('_sandboxWarnings');
});

it('a config change made in OpenHIM reaches the running mediator with its next heartbeat', async () => {
  const put = await call(oh.apiUrl, 'PUT', `/mediators/${KIT_URN}/config`, { body: { greeting: 'bonjour' } });
  expect(put.status).toBe(200);
  await until(() =>
    lines.some((l) => (l.config as { greeting?: string } | undefined)?.greeting === 'bonjour'),
  );
});
