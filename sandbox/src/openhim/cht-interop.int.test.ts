// The cht-interoperability stack against the stand-in (openhim.md §7, §8 I): its configurator's
// metadata import (token auth as root), its CHT mediator's registration and channel, and CHT outbound
// push from the CHT stand-in through the router.
import { createHash, randomBytes } from 'node:crypto';
import { FIXTURE_APP_SETTINGS, startChtSandbox } from '../cht';
import { type OpenhimSandbox, startOpenhimSandbox, type OpenhimTransaction as Transaction } from './index';
import { basicAuth, call, channelId, clientId } from './test-support/api-client';
import { startUpstream, type Upstream } from './test-support/upstream';

const sha512 = (text: string) => createHash('sha512').update(text).digest('hex');
const INTEROP = basicAuth('interop-client', 'interop-password');

/** The configurator's token headers (cht@openmrs-mediator:configurator/libs/authentication.js). */
async function configuratorHeaders(
  api: string,
  email: string,
  password: string,
): Promise<Record<string, string>> {
  const { salt } = (await call(api, 'GET', `/authenticate/${email}`, { auth: null })).json<{
    salt: string;
  }>();
  const passhash = sha512(salt + password);
  const ts = new Date().toString(); // a Date object sent as a header: its toString() form
  return {
    'auth-username': email,
    'auth-ts': ts,
    'auth-salt': salt,
    'auth-token': sha512(passhash + salt + ts),
  };
}

/** The configurator's one request body (openhim.md §7.1), aimed at the test's fake HAPI and OpenMRS. */
function configuratorPayload(hapiPort: number, openmrsPort: number) {
  const userSalt = randomBytes(16).toString('hex');
  const clientSalt = randomBytes(16).toString('hex');
  const channel = (name: string, urlPattern: string, route: Record<string, unknown>, type?: string) => ({
    name,
    description: name,
    urlPattern,
    type,
    methods: ['GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'PATCH'],
    allow: ['interop'],
    whitelist: [],
    authType: 'private',
    matchContentTypes: [],
    matchContentRegex: null,
    matchContentXpath: null,
    matchContentValue: null,
    matchContentJson: null,
    pollingSchedule: null,
    tcpHost: null,
    tcpPort: null,
    properties: [],
    txViewAcl: [],
    txViewFullAcl: [],
    txRerunAcl: [],
    status: 'enabled',
    rewriteUrls: false,
    addAutoRewriteRules: true,
    rewriteUrlsConfig: [],
    autoRetryEnabled: false,
    autoRetryPeriodMinutes: 60,
    requestBody: true,
    responseBody: true,
    priority: 1,
    alerts: [],
    routes: [
      {
        name,
        type,
        status: 'enabled',
        host: '127.0.0.1',
        path: '',
        primary: true,
        secured: false,
        forwardAuthHeader: false,
        ...route,
      },
    ],
  });
  return {
    Users: [
      {
        groups: ['admin'],
        firstname: 'Interop',
        surname: 'User',
        email: 'interop@openhim.org',
        passwordAlgorithm: 'sha512',
        passwordSalt: userSalt,
        passwordHash: sha512(userSalt + 'interop-password'),
      },
    ],
    Clients: [
      {
        roles: ['interop'],
        clientID: 'interop-client',
        name: 'Interoperability Client',
        passwordAlgorithm: 'sha512',
        passwordSalt: clientSalt,
        passwordHash: sha512('interop-password' + clientSalt),
      },
    ],
    Channels: [
      channel(
        'FHIR Server',
        '^/fhir/.*$',
        { port: hapiPort, pathTransform: '', username: '', password: '' },
        'http',
      ),
      // The generator's bug: `type` is undefined, and the schema's default (http) applies.
      channel('OpenMRS', '^/openmrs/.*$', {
        port: openmrsPort,
        pathTransform: 's/openmrs/openmrs\\/ws\\/fhir2\\/R4/g',
        username: 'admin',
        password: 'Admin123',
      }),
    ],
    Mediators: [],
    ContactGroups: [],
  };
}

let hapi: Upstream;
let openmrs: Upstream;
let mediator: Upstream;
beforeAll(async () => {
  [hapi, openmrs, mediator] = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
});
afterAll(async () => {
  await Promise.all([hapi.close(), openmrs.close(), mediator.close()]);
});
beforeEach(() => {
  for (const peer of [hapi, openmrs, mediator]) peer.arrived.length = 0;
});

async function configure(oh: OpenhimSandbox, extra: Record<string, unknown> = {}) {
  const headers = await configuratorHeaders(oh.apiUrl, 'root@openhim.org', 'openhim-password');
  const reply = await call(oh.apiUrl, 'POST', '/metadata', {
    auth: null,
    headers,
    body: { ...configuratorPayload(hapi.port, openmrs.port), ...extra },
  });
  expect(reply.status).toBe(201);
  return reply.json<{ model: string; status: string }[]>();
}

async function expectInteropClientRoutes(oh: OpenhimSandbox) {
  expect((await call(oh.routerUrl, 'GET', '/fhir/Patient?identifier=abc', { auth: INTEROP })).status).toBe(
    200,
  );
  expect((await call(oh.routerUrl, 'GET', '/openmrs/Patient/uuid-1', { auth: INTEROP })).status).toBe(200);
  expect(hapi.arrived.map((r) => r.url)).toEqual(['/fhir/Patient?identifier=abc']);
  expect(openmrs.arrived.map((r) => [r.url, r.headers.authorization])).toEqual([
    ['/openmrs/ws/fhir2/R4/Patient/uuid-1', basicAuth('admin', 'Admin123')],
  ]);
}

describe('the configurator of cht-interoperability', () => {
  it('§8.33 in 7.1 mode its metadata import works as is: the interop user authenticates and the client reaches HAPI with the path unchanged', async () => {
    const oh = await startOpenhimSandbox({ coreVersion: '7.1', polling: false });
    try {
      const results = await configure(oh);
      expect(results.map((r) => [r.model, r.status])).toEqual([
        ['Users', 'Inserted'],
        ['Clients', 'Inserted'],
        ['Channels', 'Inserted'],
        ['Channels', 'Inserted'],
      ]);
      const interop = await configuratorHeaders(oh.apiUrl, 'interop@openhim.org', 'interop-password');
      expect((await call(oh.apiUrl, 'GET', '/channels', { auth: null, headers: interop })).status).toBe(200);
      const channel = (
        await call(oh.apiUrl, 'GET', `/channels/${await channelId(oh.apiUrl, 'OpenMRS')}`)
      ).json();
      expect(channel).toMatchObject({ type: 'http', routes: [expect.objectContaining({ type: 'http' })] });
      await expectInteropClientRoutes(oh);
    } finally {
      await oh.close();
    }
  });

  it('§8.33 in 8.5 mode the imported user cannot log in until a token Passport is imported too; the client works either way', async () => {
    const oh = await startOpenhimSandbox({ polling: false });
    try {
      await configure(oh);
      const salt = await call(oh.apiUrl, 'GET', '/authenticate/interop@openhim.org', { auth: null });
      expect(salt.status).toBe(404);
      await expectInteropClientRoutes(oh);

      const [user] = configuratorPayload(0, 0).Users;
      await configure(oh, {
        Users: [user],
        Passports: [
          {
            protocol: 'token',
            email: 'interop@openhim.org',
            passwordAlgorithm: 'sha512',
            passwordSalt: user?.passwordSalt,
            passwordHash: user?.passwordHash,
          },
        ],
      });
      const interop = await configuratorHeaders(oh.apiUrl, 'interop@openhim.org', 'interop-password');
      expect((await call(oh.apiUrl, 'GET', '/channels', { auth: null, headers: interop })).status).toBe(200);
    } finally {
      await oh.close();
    }
  });
});

describe('the CHT mediator of cht-interoperability', () => {
  let oh: OpenhimSandbox;
  beforeAll(async () => {
    oh = await startOpenhimSandbox({ polling: false });
    await configure(oh);
    // utils 0.2.4 registers with token auth (as the root user here, see §8.33 for the interop user).
    const registered = await call(oh.apiUrl, 'POST', '/mediators', {
      auth: null,
      headers: await configuratorHeaders(oh.apiUrl, 'root@openhim.org', 'openhim-password'),
      body: {
        urn: 'urn:mediator:cht-mediator',
        version: '1.0.0',
        name: 'CHT Mediator',
        description: 'A mediator for CHT',
        endpoints: [
          {
            name: 'Mediator',
            host: '127.0.0.1',
            path: '/',
            port: String(mediator.port),
            primary: true,
            type: 'http',
          },
        ],
        defaultChannelConfig: [
          {
            name: 'Mediator',
            urlPattern: '^/mediator/.*$',
            methods: ['GET', 'POST', 'PUT', 'DELETE'],
            type: 'http',
            allow: ['interop'],
            routes: [
              {
                name: 'Mediator',
                host: '127.0.0.1',
                port: mediator.port,
                pathTransform: 's/\\/mediator/',
                primary: true,
                type: 'http',
              },
            ],
          },
        ],
      },
    });
    expect(registered).toMatchObject({ status: 201, text: 'Created' });
    const installed = await call(oh.apiUrl, 'POST', '/mediators/urn:mediator:cht-mediator/channels', {
      auth: null,
      headers: await configuratorHeaders(oh.apiUrl, 'root@openhim.org', 'openhim-password'),
      body: ['Mediator'],
    });
    expect(installed.status).toBe(201);
  });
  afterAll(() => oh.close());

  it("§8.34 its installed channel sends /mediator/ to the mediator's /, /mediator/cht/patient to /cht/patient; PATCH and /mediator give 404", async () => {
    mediator.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    expect((await call(oh.routerUrl, 'GET', '/mediator/', { auth: INTEROP })).status).toBe(200);
    expect(
      (await call(oh.routerUrl, 'POST', '/mediator/cht/patient', { auth: INTEROP, body: { doc: {} } }))
        .status,
    ).toBe(200);
    expect((await call(oh.routerUrl, 'PATCH', '/mediator/x', { auth: INTEROP, body: {} })).status).toBe(404);
    expect((await call(oh.routerUrl, 'GET', '/mediator', { auth: INTEROP })).status).toBe(404);
    expect(mediator.arrived.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/'],
      ['POST', '/cht/patient'],
    ]);
  });

  it("§8.35 CHT outbound push (the CHT stand-in, Basic as interop-client) is logged with clientID = the client's _id", async () => {
    mediator.answer({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"status":"created"}',
    });
    const cht = await startChtSandbox({
      appSettingsPath: FIXTURE_APP_SETTINGS,
      outboundBaseUrl: oh.routerUrl,
    });
    try {
      const chtAdmin = basicAuth('medic', 'password');
      await call(cht.url, 'PUT', '/api/v1/credentials/openhim1', {
        auth: chtAdmin,
        body: 'interop-password',
        headers: { 'content-type': 'text/plain' },
      });
      const hc = (
        await call(cht.url, 'POST', '/api/v1/places', {
          auth: chtAdmin,
          body: { type: 'health_center', name: 'HC', parent: { type: 'district_hospital', name: 'DH' } },
        })
      ).json<{ id: string }>();
      const clinic = (
        await call(cht.url, 'POST', '/api/v1/places', {
          auth: chtAdmin,
          body: { type: 'clinic', name: 'Clinic', parent: hc.id },
        })
      ).json<{ id: string }>();
      const person = (
        await call(cht.url, 'POST', '/api/v1/people', {
          auth: chtAdmin,
          body: {
            name: 'Jane Push',
            phone: '+254712345678',
            role: 'patient',
            sex: 'female',
            date_of_birth: '1990-01-01',
            place: clinic.id,
          },
        })
      ).json<{ id: string }>();
      await cht.sentinelPass();

      const push = mediator.arrived.find((r) => r.url === '/cht/patient');
      expect(push).toMatchObject({ method: 'POST', body: expect.stringContaining(person.id) });
      await oh.settled();
      const filters = encodeURIComponent(
        JSON.stringify({
          channelID: await channelId(oh.apiUrl, 'Mediator'),
          'request.path': '^/mediator/cht/patient$',
        }),
      );
      const logged = (
        await call(oh.apiUrl, 'GET', `/transactions?filterRepresentation=full&filters=${filters}`)
      ).json<Transaction[]>();
      const fromCht = logged.find((tx) => tx.request.body?.includes(person.id));
      expect(fromCht).toMatchObject({
        clientID: await clientId(oh.apiUrl, 'interop-client'),
        status: 'Successful',
        response: { status: 201 },
      });
      expect(fromCht?.request.headers['user-agent']).toMatch(/^Community Health Toolkit\//);
    } finally {
      await cht.close();
    }
  });
});
