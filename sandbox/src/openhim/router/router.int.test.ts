// The router over HTTP (openhim.md §3.3–§3.4, §4, §5, §8 F–G): matching, client authorisation,
// forwarding with core's header rules, the primary's answer, mediator responses and the transaction log.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { type OpenhimSandbox, startOpenhimSandbox, type OpenhimTransaction as Transaction } from '../index';
import {
  basicAuth,
  call,
  channelId,
  clientId,
  httpChannel,
  sha512Client,
  until,
} from '../test-support/api-client';
import { startUpstream, type Upstream } from '../test-support/upstream';

let oh: OpenhimSandbox;
let up: Upstream;
let other: Upstream;
const TESTER = basicAuth('tester-client', 'tester-pass');

beforeAll(async () => {
  oh = await startOpenhimSandbox({ polling: false });
  up = await startUpstream();
  other = await startUpstream();
  await call(oh.apiUrl, 'POST', '/clients', {
    body: sha512Client('tester-client', 'tester-pass', ['tester']),
  });
});
afterAll(async () => {
  await oh.close();
  await up.close();
  await other.close();
});
beforeEach(() => {
  up.arrived.length = 0;
  other.arrived.length = 0;
  up.answer({ status: 200, body: 'ok' });
  other.answer({ status: 200, body: 'ok' });
});

let n = 0;
/** Creates a channel with a unique name and pattern prefix; returns the prefix and the channel id. */
async function channel(
  extra: Record<string, unknown> = {},
  port = up.port,
): Promise<{ prefix: string; id: string }> {
  n += 1;
  const prefix = `/c${n}`;
  const name = `Router test ${n}`;
  const created = await call(oh.apiUrl, 'POST', '/channels', {
    body: httpChannel(name, `^${prefix}/`, port, extra),
  });
  if (created.status !== 201) throw new Error(`channel not created: ${created.text}`);
  return { prefix, id: await channelId(oh.apiUrl, name) };
}

const route = (
  method: string,
  path: string,
  options: { auth?: string | null; body?: unknown; headers?: Record<string, string> } = {},
) => call(oh.routerUrl, method, path, { auth: TESTER, ...options });

async function transactions(id: string): Promise<Transaction[]> {
  await oh.settled();
  const filters = encodeURIComponent(JSON.stringify({ channelID: id }));
  return (await call(oh.apiUrl, 'GET', `/transactions?filterRepresentation=full&filters=${filters}`)).json<
    Transaction[]
  >();
}

async function onlyTransaction(id: string): Promise<Transaction> {
  const [tx, ...more] = await transactions(id);
  if (!tx || more.length > 0) throw new Error(`expected one transaction, got ${more.length + (tx ? 1 : 0)}`);
  return tx;
}

describe('matching', () => {
  it('§8.22 only enabled channels take part, in priority order (channels without a priority last)', async () => {
    n += 1;
    const pattern = `^/prio${n}/`;
    const make = (name: string, path: string, extra: Record<string, unknown>) =>
      call(oh.apiUrl, 'POST', '/channels', {
        body: {
          ...httpChannel(`${name} ${n}`, pattern, up.port),
          routes: [{ name, host: '127.0.0.1', port: up.port, path, primary: true }],
          ...extra,
        },
      });
    await make('None', '/none', {});
    await make('Second', '/second', { priority: 2 });
    await make('First', '/first', { priority: 1 });
    await route('GET', `/prio${n}/x`);
    await call(oh.apiUrl, 'PUT', `/channels/${await channelId(oh.apiUrl, `First ${n}`)}`, {
      body: { status: 'disabled' },
    });
    await route('GET', `/prio${n}/x`);
    await call(oh.apiUrl, 'DELETE', `/channels/${await channelId(oh.apiUrl, `Second ${n}`)}`);
    await route('GET', `/prio${n}/x`);
    expect(up.arrived.map((r) => r.url)).toEqual(['/first', '/second', '/none']);
  });

  it('§8.22 urlPattern is an unanchored regular expression tested on the path only', async () => {
    n += 1;
    await call(oh.apiUrl, 'POST', '/channels', {
      body: httpChannel(`Unanchored ${n}`, `middle${n}`, up.port),
    });
    expect((await route('GET', `/a/middle${n}/b?x=1`)).status).toBe(200);
    n += 1;
    await call(oh.apiUrl, 'POST', '/channels', { body: httpChannel(`Query ${n}`, `q${n}=1`, up.port) });
    expect((await route('GET', `/zzz?q${n}=1`)).status).toBe(404);
  });

  it('§8.22 a method not in `methods` (an empty list included) gives 404, the request body echoed, and no transaction', async () => {
    const getOnly = await channel({ methods: ['GET'] });
    const reply = await route('POST', `${getOnly.prefix}/x`, { body: 'echoed' });
    expect(reply).toMatchObject({ status: 404, text: 'echoed' });
    expect(reply.headers.get('content-type')).toBe('application/octet-stream');
    const none = await channel({ methods: [] });
    expect((await route('GET', `${none.prefix}/x`)).status).toBe(404);
    expect(await transactions(getOnly.id)).toEqual([]);
    expect(await transactions(none.id)).toEqual([]);
    expect(up.arrived).toEqual([]);
  });
});

describe('client authorisation', () => {
  it('§8.23 no credentials or wrong ones on a private channel give 401 with WWW-Authenticate: Basic and no transaction', async () => {
    const { prefix, id } = await channel();
    for (const auth of [null, basicAuth('tester-client', 'wrong'), basicAuth('nobody', 'tester-pass')]) {
      const reply = await route('GET', `${prefix}/x`, { auth });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Basic');
    }
    expect(await transactions(id)).toEqual([]);
  });

  it('§8.23 a client passes when one of its roles or its clientID is in `allow`, or when the channel is public', async () => {
    await call(oh.apiUrl, 'POST', '/clients', { body: sha512Client('by-id', 'pw', ['unrelated']) });
    const byRole = await channel({ allow: ['other-role', 'tester'] });
    const byId = await channel({ allow: ['by-id'] });
    const open = await channel({ allow: [], authType: 'public' });
    expect((await route('GET', `${byRole.prefix}/x`)).status).toBe(200);
    expect((await route('GET', `${byId.prefix}/x`, { auth: basicAuth('by-id', 'pw') })).status).toBe(200);
    expect((await route('GET', `${byId.prefix}/x`)).status).toBe(401);
    expect((await route('GET', `${open.prefix}/x`, { auth: null })).status).toBe(200);
  });

  it('§8.24 client passwords: hex(sha512(password + salt)), and bcrypt when the algorithm is not a hash name', async () => {
    const { prefix } = await channel({ allow: ['sha', 'bcrypt-role'] });
    await call(oh.apiUrl, 'POST', '/clients', { body: sha512Client('sha-client', 'pw', ['sha'], 'salty') });
    expect((await route('GET', `${prefix}/x`, { auth: basicAuth('sha-client', 'pw') })).status).toBe(200);
    // The users' order (salt first) does not work for clients.
    const reversed = {
      ...sha512Client('reversed-client', 'pw', ['sha']),
      passwordHash: createHash('sha512').update('saltypw').digest('hex'),
      passwordSalt: 'salty',
    };
    await call(oh.apiUrl, 'POST', '/clients', { body: reversed });
    expect((await route('GET', `${prefix}/x`, { auth: basicAuth('reversed-client', 'pw') })).status).toBe(
      401,
    );
    const bcryptClient = {
      clientID: 'bcrypt-client',
      name: 'B',
      roles: ['bcrypt-role'],
      passwordAlgorithm: 'bcrypt',
      passwordHash: await bcrypt.hash('bc-pw', 4),
    };
    await call(oh.apiUrl, 'POST', '/clients', { body: bcryptClient });
    expect((await route('GET', `${prefix}/x`, { auth: basicAuth('bcrypt-client', 'bc-pw') })).status).toBe(
      200,
    );
    expect((await route('GET', `${prefix}/x`, { auth: basicAuth('bcrypt-client', 'nope') })).status).toBe(
      401,
    );
  });
});

describe('forwarding', () => {
  it('§8.25 `path` replaces the path, `pathTransform` rewrites it (first match, or all with /g), the query string is kept', async () => {
    const replaced = await channel({
      routes: [{ name: 'P', host: '127.0.0.1', port: up.port, path: '/fixed', primary: true }],
    });
    await route('GET', `${replaced.prefix}/anything?a=1&b=2`);
    const transformed = await channel({
      routes: [
        { name: 'T', host: '127.0.0.1', port: up.port, pathTransform: `s/\\/c${n + 1}/`, primary: true },
      ],
    });
    await route('GET', `${transformed.prefix}/patient?x=1`);
    const global = await channel({
      routes: [{ name: 'G', host: '127.0.0.1', port: up.port, pathTransform: 's/a/o/g', primary: true }],
    });
    await route('GET', `${global.prefix}/banana`);
    expect(up.arrived.map((r) => r.url)).toEqual([
      '/fixed?a=1&b=2',
      '/patient?x=1',
      `${global.prefix}/bonono`,
    ]);
  });

  it('§8.25 headers: host and (by default) authorization dropped; X-OpenHIM-TransactionID, X-OpenHIM-ClientID and X-Forwarded-For/Host added', async () => {
    const { prefix, id } = await channel();
    const reply = await route('GET', `${prefix}/x?y=2`, {
      headers: { 'x-custom': 'kept', accept: 'application/fhir+json' },
    });
    const [arrived] = up.arrived;
    const tx = await onlyTransaction(id);
    expect(arrived?.headers).toMatchObject({
      host: `127.0.0.1:${up.port}`,
      'x-custom': 'kept',
      accept: 'application/fhir+json',
      'x-openhim-transactionid': tx._id,
      'x-openhim-clientid': 'tester-client',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': new URL(oh.routerUrl).host,
    });
    expect(arrived?.headers).not.toHaveProperty('authorization');
    expect(reply.headers.get('x-openhim-transactionid')).toBe(tx._id);
    // The stored request keeps what the client sent, authorization included, as core does.
    expect(tx.request).toMatchObject({
      host: '127.0.0.1',
      port: new URL(oh.routerUrl).port,
      path: `${prefix}/x`,
      querystring: 'y=2',
      method: 'GET',
      body: '',
      headers: expect.objectContaining({
        authorization: TESTER,
        'X-OpenHIM-ClientID': 'tester-client',
        'X-Forwarded-For': '127.0.0.1',
      }),
    });
    expect(tx).toMatchObject({
      clientID: await clientId(oh.apiUrl, 'tester-client'),
      channelID: id,
      clientIP: '127.0.0.1',
    });
  });

  it("§8.25 route credentials become Basic; forwardAuthHeader keeps the client's Authorization", async () => {
    const withCredentials = await channel({
      routes: [
        {
          name: 'C',
          host: '127.0.0.1',
          port: up.port,
          username: 'route-user',
          password: 'route-pass',
          primary: true,
        },
      ],
    });
    await route('GET', `${withCredentials.prefix}/x`);
    const forwarding = await channel({
      routes: [{ name: 'F', host: '127.0.0.1', port: up.port, forwardAuthHeader: true, primary: true }],
    });
    await route('GET', `${forwarding.prefix}/x`);
    expect(up.arrived.map((r) => r.headers.authorization)).toEqual([
      basicAuth('route-user', 'route-pass'),
      TESTER,
    ]);
  });

  it('§8.25 the body is forwarded only for POST, PUT and PATCH (PATCH from core 8.4.2)', async () => {
    const { prefix } = await channel({ timeout: 300 });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      await route(method, `${prefix}/x`, { body: `body of ${method}` });
    await until(() => up.arrived.length === 4);
    expect(up.arrived.map((r) => [r.method, r.body])).toEqual([
      ['POST', 'body of POST'],
      ['PUT', 'body of PUT'],
      ['PATCH', 'body of PATCH'],
      ['DELETE', ''],
    ]);
    // Core still forwards the client's content-length: the route waits for a body that never comes,
    // until the timeout (core's quirk, reproduced).
    expect(up.arrived[3]).toMatchObject({ aborted: true, headers: { 'content-length': '14' } });
  });
});

describe('answers and the transaction log', () => {
  it("§8.26 only the primary route's answer is returned; every route is logged", async () => {
    up.answer({
      status: 201,
      headers: { 'content-type': 'application/json', 'x-upstream': 'primary' },
      body: '{"from":"primary"}',
    });
    other.answer({ status: 200, body: 'secondary' });
    const { prefix, id } = await channel({
      routes: [
        { name: 'Primary', host: '127.0.0.1', port: up.port, primary: true },
        { name: 'Secondary', host: '127.0.0.1', port: other.port },
      ],
    });
    const reply = await route('POST', `${prefix}/x`, { body: '{"in":1}' });
    expect(reply).toMatchObject({ status: 201, text: '{"from":"primary"}' });
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.headers.get('x-upstream')).toBe('primary');
    expect(other.arrived).toHaveLength(1);
    const tx = await onlyTransaction(id);
    expect(tx.status).toBe('Successful');
    expect(tx.response).toMatchObject({ status: 201, body: '{"from":"primary"}' });
    expect(tx.orchestrations).toEqual([
      expect.objectContaining({
        name: 'Primary',
        request: expect.objectContaining({
          host: '127.0.0.1',
          port: String(up.port),
          path: `${prefix}/x`,
          method: 'POST',
          body: '{"in":1}',
        }),
        response: expect.objectContaining({ status: 201, body: '{"from":"primary"}' }),
      }),
    ]);
    expect(tx.routes).toEqual([
      expect.objectContaining({
        name: 'Secondary',
        request: expect.objectContaining({ path: `${prefix}/x`, method: 'POST' }),
        response: expect.objectContaining({ status: 200, body: 'secondary' }),
      }),
    ]);
  });

  it('§8.26 a route that refuses the connection: 500 "An internal server error occurred" and status Failed', async () => {
    const closed = await startUpstream();
    await closed.close();
    const { prefix, id } = await channel({}, closed.port);
    const reply = await route('GET', `${prefix}/x`);
    expect(reply).toMatchObject({ status: 500, text: 'An internal server error occurred' });
    const tx = await onlyTransaction(id);
    expect(tx).toMatchObject({
      status: 'Failed',
      autoRetry: true,
      error: { message: expect.stringContaining('ECONNREFUSED') },
    });
    expect(tx.orchestrations[0]?.error?.message).toContain('ECONNREFUSED');
  });

  it('§8.26 a route that times out is the same', async () => {
    up.answer({ hang: true });
    const { prefix, id } = await channel({ timeout: 150 });
    const reply = await route('GET', `${prefix}/x`);
    expect(reply).toMatchObject({ status: 500, text: 'An internal server error occurred' });
    expect(await onlyTransaction(id)).toMatchObject({
      status: 'Failed',
      error: { message: 'Request took longer than 150ms' },
    });
  });

  it.each([
    [200, 200, 'Successful'],
    [404, 200, 'Completed'],
    [502, 200, 'Failed'],
    [200, 503, 'Completed with error(s)'],
    [200, 404, 'Completed'],
    [302, 200, 'Completed'],
  ])('§8.27 primary %i with another route %i ends %s', async (primary, secondary, status) => {
    up.answer({ status: primary, body: 'p' });
    other.answer({ status: secondary, body: 's' });
    const { prefix, id } = await channel({
      routes: [
        { name: 'P', host: '127.0.0.1', port: up.port, primary: true },
        { name: 'S', host: '127.0.0.1', port: other.port },
      ],
    });
    await route('GET', `${prefix}/x`);
    expect((await onlyTransaction(id)).status).toBe(status);
  });
});

describe('mediator responses', () => {
  const timestamp = '2024-09-16T10:00:00.000Z';
  const mediatorBody = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      'x-mediator-urn': 'urn:mediator:test',
      status: 'Completed',
      response: {
        status: 201,
        headers: { 'content-type': 'application/fhir+json', 'x-from': 'mediator' },
        body: '{"resourceType":"Patient"}',
        timestamp,
      },
      orchestrations: [
        {
          name: 'FHIR create Patient',
          request: {
            host: 'fhir',
            port: '8081',
            path: '/fhir/Patient',
            method: 'POST',
            headers: {},
            body: '{}',
            timestamp,
          },
          response: { status: 201, headers: {}, body: '{"id":"p1"}', timestamp },
        },
      ],
      properties: { patients: 1 },
      ...extra,
    });

  it("§8.28 an application/json+openhim answer: the client gets response.*, the transaction the mediator's status, orchestrations (mediator's, then OpenHIM's) and properties", async () => {
    up.answer({
      status: 200,
      headers: { 'content-type': 'application/json+openhim; charset=utf-8' },
      body: mediatorBody(),
    });
    const { prefix, id } = await channel();
    const reply = await route('POST', `${prefix}/patient`, { body: '{"doc":{}}' });
    expect(reply).toMatchObject({ status: 201, text: '{"resourceType":"Patient"}' });
    expect(reply.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(reply.headers.get('x-from')).toBe('mediator');
    const tx = await onlyTransaction(id);
    expect(tx).toMatchObject({ status: 'Completed', properties: { patients: 1 } });
    expect(tx.response).toMatchObject({ status: 201, body: '{"resourceType":"Patient"}', timestamp });
    expect(tx.orchestrations.map((o) => o.name)).toEqual(['FHIR create Patient', `Router test ${n} route`]);
    expect(tx.orchestrations[1]?.response?.headers?.['content-type']).toBe(
      'application/json+openhim; charset=utf-8',
    );
    expect(tx).not.toHaveProperty('_sandboxWarnings');
  });

  it('§8.28 a mediator `error` is stored on the transaction and marks it for auto-retry', async () => {
    up.answer({
      headers: { 'content-type': 'application/json+openhim' },
      body: mediatorBody({
        status: 'Failed',
        error: { message: 'FHIR server down', stack: 'Error: FHIR server down' },
      }),
    });
    const { prefix, id } = await channel();
    await route('GET', `${prefix}/x`);
    expect(await onlyTransaction(id)).toMatchObject({
      status: 'Failed',
      autoRetry: true,
      error: { message: 'FHIR server down' },
    });
  });

  it('§8.29 a plain JSON answer passes through unchanged: status computed by OpenHIM, one orchestration', async () => {
    up.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' });
    const { prefix, id } = await channel();
    const reply = await route('POST', `${prefix}/cht/patient`, { body: '{}' });
    expect(reply).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    const tx = await onlyTransaction(id);
    expect(tx.status).toBe('Successful');
    expect(tx.orchestrations).toHaveLength(1);
    expect(tx).not.toHaveProperty('properties');
  });

  it('§8.30 malformed +openhim JSON, or no `response`, gives the client 500', async () => {
    up.answer({ headers: { 'content-type': 'application/json+openhim' }, body: '{not json' });
    const malformed = await channel();
    expect(await route('GET', `${malformed.prefix}/x`)).toMatchObject({
      status: 500,
      text: 'An internal server error occurred',
    });
    expect(await onlyTransaction(malformed.id)).toMatchObject({
      status: 'Failed',
      error: { message: expect.stringMatching(/JSON/) },
    });

    up.answer({
      headers: { 'content-type': 'application/json+openhim' },
      body: JSON.stringify({ status: 'Successful', orchestrations: [] }),
    });
    const noResponse = await channel();
    expect((await route('GET', `${noResponse.prefix}/x`)).status).toBe(500);
    // The mediator's status still wins: core parsed the body before failing on the missing response.
    expect(await onlyTransaction(noResponse.id)).toMatchObject({
      status: 'Successful',
      response: { status: 500 },
    });
  });

  it('§8.30 orchestrations without request.timestamp are flagged on the transaction', async () => {
    const body = JSON.parse(mediatorBody()) as { orchestrations: { request: { timestamp?: string } }[] };
    delete body.orchestrations[0]?.request.timestamp;
    up.answer({ headers: { 'content-type': 'application/json+openhim' }, body: JSON.stringify(body) });
    const { prefix, id } = await channel();
    expect((await route('GET', `${prefix}/x`)).status).toBe(201);
    expect((await onlyTransaction(id))._sandboxWarnings).toEqual([
      'orchestration 0 "FHIR create Patient" has no request.timestamp: core\'s transaction schema requires it and may reject the whole response update',
    ]);
  });
});

describe('core 7.1 forwarding', () => {
  it('§8.25 core 7.1 forwards no PATCH body', async () => {
    const old = await startOpenhimSandbox({ coreVersion: '7.1', polling: false });
    try {
      await call(old.apiUrl, 'POST', '/clients', {
        body: sha512Client('tester-client', 'tester-pass', ['tester']),
      });
      await call(old.apiUrl, 'POST', '/channels', {
        body: httpChannel('Patch', '^/patch', up.port, { timeout: 200 }),
      });
      const reply = await call(old.routerUrl, 'PATCH', '/patch', { auth: TESTER, body: 'patch body' });
      expect(reply.status).toBe(500);
      await until(() => up.arrived.length === 1);
      expect(up.arrived.map((r) => [r.method, r.body, r.aborted])).toEqual([['PATCH', '', true]]);
    } finally {
      await old.close();
    }
  });
});
