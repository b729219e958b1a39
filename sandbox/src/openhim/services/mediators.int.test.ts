// The mediator API over HTTP (openhim.md §2, §8 B–D): registration and its semver rules, heartbeats
// and config push, config updates with masked passwords, installing default channels.
import { registerMediator } from '@cht-openmrs/common';
import { type OpenhimSandbox, startOpenhimSandbox } from '../index';
import { call } from '../test-support/api-client';

let clock = Date.now();
let oh: OpenhimSandbox;
beforeAll(async () => {
  oh = await startOpenhimSandbox({ polling: false, now: () => clock });
});
afterAll(() => oh.close());

let sequence = 0;
function mediator(extra: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    urn: `urn:mediator:test-${sequence}`,
    version: '1.0.0',
    name: `Test mediator ${sequence}`,
    endpoints: [{ name: 'Endpoint', host: '127.0.0.1', port: '6000', path: '/', primary: true }],
    defaultChannelConfig: [
      {
        name: `Channel ${sequence}`,
        urlPattern: `^/m${sequence}/.*$`,
        methods: ['GET'],
        allow: ['interop'],
        routes: [{ name: 'R', host: '127.0.0.1', port: 6000, primary: true }],
      },
      {
        name: `Poll ${sequence}`,
        urlPattern: '^/trigger$',
        type: 'polling',
        pollingSchedule: '1 minute',
        routes: [{ name: 'P', host: '127.0.0.1', port: 6000, path: '/sync', primary: true }],
      },
    ],
    ...extra,
  };
}

const api = (method: string, path: string, body?: unknown) => call(oh.apiUrl, method, path, { body });
const register = (body: unknown) => api('POST', '/mediators', body);
const stored = async (urn: string) =>
  (await api('GET', '/mediators')).json<Record<string, unknown>[]>().find((m) => m.urn === urn);
const channelNames = async () => (await api('GET', '/channels')).json<{ name: string; status: string }[]>();

describe('registration', () => {
  it('§8.6 a first registration answers 201 and appears in GET /mediators with _id, without _uptime or _lastHeartbeat', async () => {
    const m = mediator();
    const reply = await register(m);
    expect(reply).toMatchObject({ status: 201, text: 'User Authenticated Successfully' });
    const doc = await stored(m.urn);
    expect(doc).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      urn: m.urn,
      version: '1.0.0',
      __v: 0,
    });
    expect(doc).not.toHaveProperty('_uptime');
    expect(doc).not.toHaveProperty('_lastHeartbeat');
    // Stored as core's schema casts it: the port string becomes a number, defaults are filled in.
    expect(doc?.endpoints).toEqual([
      expect.objectContaining({ port: 6000, type: 'http', status: 'enabled', forwardAuthHeader: false }),
    ]);
  });

  it.each([
    [
      'a missing urn',
      { urn: undefined },
      'Could not add Mediator via the API: ValidationError: URN is required',
    ],
    [
      'a bad semver',
      { version: '1.0' },
      'Could not add Mediator via the API: ValidationError: Version is required. Must be in SemVer form x.y.z',
    ],
    [
      'a missing name',
      { name: undefined },
      'Could not add Mediator via the API: ValidationError: Mediator validation failed: name: Path `name` is required.',
    ],
    [
      'no endpoints',
      { endpoints: [] },
      'Could not add Mediator via the API: ValidationError: At least 1 endpoint is required',
    ],
    [
      'an endpoint without a name',
      { endpoints: [{ host: 'h', port: 1 }] },
      'Could not add Mediator via the API: ValidationError: Mediator validation failed: endpoints.0.name: Path `name` is required.',
    ],
    [
      'an option def without values',
      { configDefs: [{ param: 'p', type: 'option' }] },
      "Could not add Mediator via the API: ValidationError: Expected field 'values' to be an array (option param 'p')",
    ],
    [
      'a struct def without a template',
      { configDefs: [{ param: 's', type: 'struct' }] },
      "Could not add Mediator via the API: ValidationError: Must specify a template for struct param 's'",
    ],
    [
      'config without a def',
      { configDefs: [], config: { extra: 1 } },
      'Could not add Mediator via the API: ValidationError: No config definition found for parameter extra',
    ],
    [
      'config of the wrong type',
      { configDefs: [{ param: 'n', type: 'number' }], config: { n: 'five' } },
      'Could not add Mediator via the API: ValidationError: Expected config param n to be a number.',
    ],
  ])('§8.7 %s gives 400 with a text body', async (_case, change, message) => {
    const reply = await register({ ...mediator(), ...change });
    expect(reply).toMatchObject({ status: 400, text: message });
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('§8.7 endpoints are only required of a new mediator', async () => {
    const m = mediator();
    await register(m);
    expect((await register({ ...m, version: '1.1.0', endpoints: [] })).status).toBe(201);
  });

  it('§8.8 the same or a lower version answers 201 and changes nothing (a changed defaultChannelConfig is ignored)', async () => {
    const m = mediator({ version: '1.2.0' });
    await register(m);
    const before = await stored(m.urn);
    for (const version of ['1.2.0', '1.1.9', '0.9.0']) {
      const reply = await register({ ...m, version, name: 'Renamed', defaultChannelConfig: [] });
      expect(reply.status).toBe(201);
    }
    expect(await stored(m.urn)).toEqual(before);
  });

  it('§8.8 a higher version answers 201 and replaces the fields, keeping stored config values and adding new keys', async () => {
    const configDefs = [
      { param: 'days', type: 'number' },
      { param: 'label', type: 'string' },
    ];
    const m = mediator({ configDefs, config: { days: 1 } });
    await register(m);
    await api('PUT', `/mediators/${m.urn}/config`, { days: 7 });
    const reply = await register({
      ...m,
      version: '2.0.0',
      name: 'Upgraded',
      config: { days: 2, label: 'new' },
    });
    expect(reply.status).toBe(201);
    const doc = await stored(m.urn);
    expect(doc).toMatchObject({ version: '2.0.0', name: 'Upgraded', config: { days: 7, label: 'new' } });
  });

  it('§8.9 registration creates no channels, and DELETE /mediators/:urn leaves channels in place', async () => {
    const m = mediator();
    await register(m);
    expect((await channelNames()).map((c) => c.name)).not.toContain(`Channel ${sequence}`);
    await api('POST', `/mediators/${m.urn}/channels`, [`Channel ${sequence}`]);
    const removed = await api('DELETE', `/mediators/${m.urn}`);
    expect(removed).toMatchObject({
      status: 200,
      text: `Mediator with urn ${m.urn} has been successfully removed by root@openhim.org`,
    });
    expect(await stored(m.urn)).toBeUndefined();
    expect((await channelNames()).map((c) => c.name)).toContain(`Channel ${sequence}`);
  });

  it('§8.10 registration answers exactly 201 (the utils 0.2.4 contract); utils 0.4.0, used by common/, accepts it', async () => {
    const m = mediator();
    const reply = await register(m);
    expect(reply.status).toBe(201);
    const again = { ...m, version: '1.0.1' };
    await expect(
      registerMediator(
        {
          apiURL: oh.apiUrl,
          username: 'root@openhim.org',
          password: 'openhim-password',
          trustSelfSigned: false,
        },
        {
          ...again,
          description: 'd',
          endpoints: [{ name: 'E', host: 'h', port: 1 }],
          defaultChannelConfig: [],
        },
      ),
    ).resolves.toBeUndefined();
    expect((await stored(m.urn))?.version).toBe('1.0.1');
  });
});

describe('heartbeat and config', () => {
  const defs = [
    { param: 'url', type: 'string' },
    { param: 'secret', type: 'password' },
    { param: 'tokens', type: 'password', array: true },
  ];

  it('§8.11 a heartbeat before registration gives 404; a missing uptime 400', async () => {
    const unknown = await api('POST', '/mediators/urn:mediator:nobody/heartbeat', { uptime: 1 });
    expect(unknown.status).toBe(404);
    const m = mediator();
    await register(m);
    const missing = await api('POST', `/mediators/${m.urn}/heartbeat`, { config: true });
    expect(missing.status).toBe(400);
  });

  it('§8.12 the first heartbeat answers 200 with an empty text body and is shown by GET /heartbeat, which shows null 60 s after the last beat', async () => {
    const m = mediator();
    await register(m);
    const beat = await api('POST', `/mediators/${m.urn}/heartbeat`, { uptime: 12.5 });
    expect(beat).toMatchObject({ status: 200, text: '' });
    expect(beat.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await stored(m.urn)).toMatchObject({
      _uptime: 12.5,
      _lastHeartbeat: new Date(clock).toISOString(),
    });

    const heartbeat = async () =>
      (await call(oh.apiUrl, 'GET', '/heartbeat', { auth: null })).json<{
        master: number;
        mediators: Record<string, number | null>;
        now: number;
      }>();
    expect((await heartbeat()).mediators[m.urn]).toBe(12.5);
    expect(await heartbeat()).toEqual({
      master: expect.any(Number),
      mediators: expect.any(Object),
      now: clock,
    });
    clock += 60_000;
    expect((await heartbeat()).mediators[m.urn]).toBe(12.5);
    clock += 1_000;
    expect((await heartbeat()).mediators[m.urn]).toBeNull();
    clock = Date.now();
  });

  it('§8.13 {uptime, config: true} answers the config JSON, or the text "OK" when the mediator has none', async () => {
    const withConfig = mediator({ configDefs: defs, config: { url: 'http://x' } });
    await register(withConfig);
    const reply = await api('POST', `/mediators/${withConfig.urn}/heartbeat`, { uptime: 1, config: true });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.json()).toEqual({ url: 'http://x' });

    const without = mediator();
    await register(without);
    const ok = await api('POST', `/mediators/${without.urn}/heartbeat`, { uptime: 1, config: true });
    expect(ok).toMatchObject({ status: 200, text: 'OK' });
  });

  it('§8.14 PUT /mediators/:urn/config answers 200; the next heartbeat carries the config, later ones are empty', async () => {
    const m = mediator({ configDefs: defs, config: { url: 'http://a' } });
    await register(m);
    await api('POST', `/mediators/${m.urn}/heartbeat`, { uptime: 1 });
    clock += 1000;
    const put = await api('PUT', `/mediators/${m.urn}/config`, { url: 'http://b' });
    expect(put).toMatchObject({ status: 200, text: 'User Authenticated Successfully' });
    clock += 1000;
    const next = await api('POST', `/mediators/${m.urn}/heartbeat`, { uptime: 2 });
    expect(next.json()).toEqual({ url: 'http://b' });
    clock += 1000;
    const later = await api('POST', `/mediators/${m.urn}/heartbeat`, { uptime: 3 });
    expect(later.text).toBe('');
    clock = Date.now();
  });

  it('§8.14 a config PUT before any heartbeat is never pushed', async () => {
    const m = mediator({ configDefs: defs });
    await register(m);
    await api('PUT', `/mediators/${m.urn}/config`, { url: 'http://early' });
    clock += 1000;
    const first = await api('POST', `/mediators/${m.urn}/heartbeat`, { uptime: 1 });
    expect(first.text).toBe('');
    clock = Date.now();
  });

  it('§8.15 an invalid config PUT gives 400; passwords are masked in GET /mediators/:urn and masked values sent back are restored', async () => {
    const m = mediator({
      configDefs: defs,
      config: { url: 'http://a', secret: 's3cret', tokens: ['t1', 't2'] },
    });
    await register(m);
    const invalid = await api('PUT', `/mediators/${m.urn}/config`, { url: 5 });
    expect(invalid).toMatchObject({ status: 400, text: 'Expected config param url to be a string.' });
    const unknownUrn = await api('PUT', '/mediators/urn:mediator:nobody/config', {});
    expect(unknownUrn).toMatchObject({ status: 404, text: 'No mediator found for this urn.' });

    const shown = (await api('GET', `/mediators/${m.urn}`)).json<{ config: Record<string, unknown> }>();
    expect(shown.config).toEqual({
      url: 'http://a',
      secret: '**********',
      tokens: ['**********', '**********'],
    });
    // GET /mediators (the list) does not mask: core masks the array, not its items.
    expect((await stored(m.urn))?.config).toMatchObject({ secret: 's3cret' });

    await api('PUT', `/mediators/${m.urn}/config`, {
      ...shown.config,
      url: 'http://b',
      tokens: ['**********', 't3'],
    });
    expect((await stored(m.urn))?.config).toEqual({
      url: 'http://b',
      secret: 's3cret',
      tokens: ['t1', 't3'],
    });
  });
});

describe('installing default channels', () => {
  it('§8.16 [] or no body installs all; ["Name"] installs one; an unknown name 400; an unknown urn 404; a second install 500', async () => {
    const all = mediator();
    await register(all);
    const installedAll = await call(oh.apiUrl, 'POST', `/mediators/${all.urn}/channels`, {});
    expect(installedAll).toMatchObject({ status: 201, text: 'User Authenticated Successfully' });
    const names = (await channelNames()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining([`Channel ${sequence}`, `Poll ${sequence}`]));

    const one = mediator();
    await register(one);
    expect((await api('POST', `/mediators/${one.urn}/channels`, [])).status).toBe(201);
    const second = mediator();
    await register(second);
    expect((await api('POST', `/mediators/${second.urn}/channels`, [`Channel ${sequence}`])).status).toBe(
      201,
    );
    expect((await channelNames()).map((c) => c.name)).not.toContain(`Poll ${sequence}`);

    const unknownName = await api('POST', `/mediators/${second.urn}/channels`, ['Nope']);
    expect(unknownName).toMatchObject({
      status: 400,
      text: `Could not load mediator default channel config, one or more channels in the request body not found in the mediator config (urn: ${second.urn})`,
    });
    const unknownUrn = await api('POST', '/mediators/urn:mediator:nobody/channels', []);
    expect(unknownUrn).toMatchObject({ status: 404, text: 'No mediator found for this urn.' });
    const twice = await api('POST', `/mediators/${second.urn}/channels`, [`Channel ${sequence}`]);
    expect(twice.status).toBe(500);
    expect(twice.text).toBe(
      `Could not load mediator default channel config (urn: ${second.urn}): MongoServerError: E11000 duplicate key error collection: openhim.channels index: name_1 dup key: { name: "Channel ${sequence}" }`,
    );
  });

  it('§8.16 installing skips the channel API checks (a channel without an enabled primary route is stored)', async () => {
    const m = mediator({
      defaultChannelConfig: [
        {
          name: `Unchecked ${sequence + 1}`,
          urlPattern: '^/u$',
          routes: [{ name: 'R', host: 'h', port: 1 }],
        },
      ],
    });
    await register(m);
    expect((await api('POST', `/mediators/${m.urn}/channels`, [])).status).toBe(201);
  });

  it('§8.17 installed polling channels are not scheduled (faithful mode)', async () => {
    const m = mediator();
    await register(m);
    await api('POST', `/mediators/${m.urn}/channels`, []);
    expect(oh.pollingJob(`Poll ${sequence}`)).toBeUndefined();
    await expect(oh.runPollingChannel(`Poll ${sequence}`)).rejects.toThrow(/has no polling job/);
  });

  it('§8.17 with scheduleInstalledPollingChannels ("fixed" mode) they are scheduled at once', async () => {
    const fixed = await startOpenhimSandbox({ polling: false, scheduleInstalledPollingChannels: true });
    try {
      const m = mediator();
      await call(fixed.apiUrl, 'POST', '/mediators', { body: m });
      await call(fixed.apiUrl, 'POST', `/mediators/${m.urn}/channels`, { body: [] });
      expect(fixed.pollingJob(`Poll ${sequence}`)).toMatchObject({
        pollingSchedule: '1 minute',
        nextRunAt: expect.any(Number),
      });
    } finally {
      await fixed.close();
    }
  });
});
