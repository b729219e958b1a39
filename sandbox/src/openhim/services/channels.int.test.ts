// The channel, client and metadata APIs over HTTP (openhim.md §3.2, §4, §8 E): core's validation and
// answers, soft deletion, clients with Basic credentials, and metadata import.
import { type OpenhimSandbox, startOpenhimSandbox } from '../index';
import { call, channelId, clientId, httpChannel, sha512Client } from '../test-support/api-client';
import { startUpstream, type Upstream } from '../test-support/upstream';

let oh: OpenhimSandbox;
let upstream: Upstream;
beforeAll(async () => {
  oh = await startOpenhimSandbox({ polling: false });
  upstream = await startUpstream();
});
afterAll(async () => {
  await oh.close();
  await upstream.close();
});

const api = (method: string, path: string, body?: unknown) => call(oh.apiUrl, method, path, { body });
const route = (extra: Record<string, unknown> = {}) => ({
  name: 'R',
  host: '127.0.0.1',
  port: 1,
  primary: true,
  ...extra,
});

describe('channels', () => {
  it('§8.18 POST /channels answers 201 with a text body and no id; the id is found by name; a duplicate name gives 400', async () => {
    const created = await api('POST', '/channels', httpChannel('Created', '^/created$', 1));
    expect(created).toMatchObject({ status: 201, text: 'Channel successfully created' });
    expect(created.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const id = await channelId(oh.apiUrl, 'Created');
    const stored = (await api('GET', `/channels/${id}`)).json<Record<string, unknown>>();
    expect(stored).toMatchObject({
      _id: id,
      name: 'Created',
      type: 'http',
      authType: 'private',
      status: 'enabled',
      updatedBy: { id: expect.any(String), name: 'Super User' },
      routes: [
        expect.objectContaining({ _id: expect.any(String), forwardAuthHeader: false, status: 'enabled' }),
      ],
    });
    const duplicate = await api('POST', '/channels', httpChannel('Created', '^/other$', 1));
    expect(duplicate).toMatchObject({
      status: 400,
      text: 'Could not add channel via the API: MongoServerError: E11000 duplicate key error collection: openhim.channels index: name_1 dup key: { name: "Created" }',
    });
    const missing = await api('GET', '/channels/0123456789abcdef01234567');
    expect(missing).toMatchObject({
      status: 404,
      text: "We could not find a channel with Id:'0123456789abcdef01234567'.",
    });
  });

  it.each([
    [
      'no enabled primary route',
      { routes: [route({ primary: false }), route({ primary: true, status: 'disabled' })] },
      'Channel must have a primary route',
    ],
    [
      'several enabled primaries',
      { routes: [route(), route({ name: 'R2' })] },
      'Channel cannot have a multiple primary routes',
    ],
    [
      'path and pathTransform',
      { routes: [route({ path: '/a', pathTransform: 's/a/b/' })] },
      'Channel cannot have both path and pathTransform. pathTransform must be of the form s/from/to[/g]',
    ],
    [
      'a malformed pathTransform',
      { routes: [route({ pathTransform: 'a/b' })] },
      'Channel cannot have both path and pathTransform. pathTransform must be of the form s/from/to[/g]',
    ],
    [
      'methods on a non-http type',
      { type: 'polling', methods: ['GET'] },
      "Channel method can't be defined if channel type is not http",
    ],
    [
      'repeated methods',
      { methods: ['GET', 'POST', 'GET', 'POST'] },
      "Channel methods can't be repeated. Repeated methods are GET, POST",
    ],
    ['a priority below 1', { priority: 0 }, 'Channel priority cannot be below 1 (= Highest priority)'],
    [
      'a bad timeout',
      { timeout: 0 },
      'Channel property timeoutSeconds has to be a number greater than 1 and less than an 3600',
    ],
    [
      'a missing urlPattern',
      { urlPattern: undefined },
      'Could not add channel via the API: ValidationError: Channel validation failed: urlPattern: Path `urlPattern` is required.',
    ],
  ])('§8.19 %s gives 400', async (_case, change, message) => {
    const reply = await api('POST', '/channels', {
      ...httpChannel(`Invalid ${_case}`, '^/x$', 1),
      ...change,
    });
    expect(reply).toMatchObject({ status: 400, text: message });
  });

  it('§8.19 a disabled second primary is allowed', async () => {
    const reply = await api('POST', '/channels', {
      ...httpChannel('Disabled primary', '^/dp$', 1),
      routes: [route(), route({ name: 'Old', status: 'disabled' })],
    });
    expect(reply.status).toBe(201);
  });

  it("§8.20 PUT /channels/:id answers 200 with core's checks; an unknown id is a bare 500", async () => {
    await api('POST', '/channels', httpChannel('Updated', '^/updated$', 1));
    const id = await channelId(oh.apiUrl, 'Updated');
    const updated = await api('PUT', `/channels/${id}`, { description: 'now described', priority: 2 });
    expect(updated).toMatchObject({ status: 200, text: 'The channel was successfully updated' });
    expect((await api('GET', `/channels/${id}`)).json()).toMatchObject({
      description: 'now described',
      priority: 2,
      urlPattern: '^/updated$',
    });
    const twoPrimaries = await api('PUT', `/channels/${id}`, { routes: [route(), route({ name: 'R2' })] });
    expect(twoPrimaries).toMatchObject({
      status: 400,
      text: 'Channel cannot have a multiple primary routes',
    });
    // Changing the type away from http without methods clears them.
    await api('PUT', `/channels/${id}`, { type: 'polling', pollingSchedule: '1 hour' });
    expect((await api('GET', `/channels/${id}`)).json()).toMatchObject({ type: 'polling', methods: [] });
    const unknown = await api('PUT', '/channels/0123456789abcdef01234567', { description: 'x' });
    expect(unknown).toMatchObject({ status: 500, text: 'Internal Server Error' });
  });

  it('§8.20 DELETE soft-deletes (status "deleted") when transactions reference the channel, else removes; 200 either way', async () => {
    await api('POST', '/clients', sha512Client('deleter', 'pw', ['tester']));
    await api('POST', '/channels', httpChannel('Used', '^/used$', upstream.port));
    await api('POST', '/channels', httpChannel('Unused', '^/unused$', upstream.port));
    const used = await channelId(oh.apiUrl, 'Used');
    const unused = await channelId(oh.apiUrl, 'Unused');
    await call(oh.routerUrl, 'GET', '/used', {
      auth: `Basic ${Buffer.from('deleter:pw').toString('base64')}`,
    });
    await oh.settled();

    for (const id of [used, unused])
      expect(await api('DELETE', `/channels/${id}`)).toMatchObject({
        status: 200,
        text: 'The channel was successfully deleted',
      });
    expect((await api('GET', `/channels/${used}`)).json()).toMatchObject({ name: 'Used', status: 'deleted' });
    expect((await api('GET', `/channels/${unused}`)).status).toBe(404);
    // GET /channels shows deleted channels to admins.
    expect((await api('GET', '/channels')).json<{ name: string }[]>().map((c) => c.name)).toContain('Used');
  });

  it('§8.21 POST /metadata answers 201 with {model, record, status, message, uid} per item, upserting by name, clientID, urn or email without API checks', async () => {
    const channel = {
      name: 'Imported',
      urlPattern: '^/imported$',
      routes: [{ name: 'No primary', host: 'h', port: 1 }],
    };
    const first = await api('POST', '/metadata', {
      Channels: [channel],
      Clients: [sha512Client('imported-client', 'pw', ['r'])],
      Mediators: [{ urn: 'urn:mediator:imported', version: '1.0.0', name: 'Imported' }],
      Users: [{ firstname: 'I', surname: 'U', email: 'iu@example.org', groups: [] }],
      ContactGroups: [],
    });
    expect(first.status).toBe(201);
    const results =
      first.json<{ model: string; status: string; message: string; uid: string; record: unknown }[]>();
    expect(results.map(({ model, status, uid, message }) => ({ model, status, uid, message }))).toEqual([
      { model: 'Channels', status: 'Inserted', uid: 'Imported', message: '' },
      { model: 'Clients', status: 'Inserted', uid: 'imported-client', message: '' },
      { model: 'Mediators', status: 'Inserted', uid: 'urn:mediator:imported', message: '' },
      { model: 'Users', status: 'Inserted', uid: 'iu@example.org', message: '' },
    ]);
    expect(results[0]?.record).toMatchObject({ _id: expect.any(String), name: 'Imported' });

    const second = await api('POST', '/metadata', {
      Channels: [{ ...channel, description: 'updated' }, { name: 'Broken' }],
      Unknown: [{}],
    });
    expect(second.status).toBe(201);
    expect(second.json()).toEqual([
      expect.objectContaining({ model: 'Channels', status: 'Updated', uid: 'Imported' }),
      expect.objectContaining({
        model: 'Channels',
        status: 'Error',
        uid: 'Broken',
        message: 'Channel validation failed: urlPattern: Path `urlPattern` is required.',
      }),
      expect.objectContaining({
        model: 'Unknown',
        status: 'Error',
        message: 'Invalid Collection in Import Object',
      }),
    ]);
    const id = await channelId(oh.apiUrl, 'Imported');
    expect((await api('GET', `/channels/${id}`)).json()).toMatchObject({ description: 'updated' });
    const validate = await api('POST', '/metadata/validate', {
      Channels: [channel, { name: 'Fresh', urlPattern: '^/f$' }],
    });
    expect(validate.json()).toEqual([
      expect.objectContaining({ status: 'Conflict', uid: 'Imported' }),
      expect.objectContaining({ status: 'Valid', uid: 'Fresh' }),
    ]);
  });

  it('§8.21 POST /metadata schedules enabled polling channels', async () => {
    await api('POST', '/metadata', {
      Channels: [
        {
          name: 'Imported poll',
          urlPattern: '^/trigger$',
          type: 'polling',
          pollingSchedule: '5 minutes',
          routes: [route()],
        },
      ],
    });
    expect(oh.pollingJob('Imported poll')).toMatchObject({
      pollingSchedule: '5 minutes',
      nextRunAt: expect.any(Number),
    });
  });
});

describe('clients', () => {
  it('POST /clients answers 201 with no id; GET returns the full document by _id or clientID', async () => {
    const created = await api('POST', '/clients', sha512Client('crud-client', 'pw', ['crud']));
    expect(created).toMatchObject({ status: 201, text: 'Client successfully created' });
    const id = await clientId(oh.apiUrl, 'crud-client');
    const byId = (await api('GET', `/clients/${id}`)).json();
    expect(byId).toMatchObject({
      _id: id,
      clientID: 'crud-client',
      roles: ['crud'],
      passwordAlgorithm: 'sha512',
      passwordHash: expect.any(String),
      passwordSalt: expect.any(String),
    });
    expect((await api('GET', '/clients')).json<{ clientID: string }[]>().map((c) => c.clientID)).toContain(
      'crud-client',
    );
    expect((await api('GET', `/clients/${id}/clientName`)).json()).toEqual({ name: 'crud-client client' });

    const updated = await api('PUT', `/clients/${id}`, { roles: ['crud', 'more'] });
    expect(updated).toMatchObject({ status: 200, text: 'Successfully updated client.' });
    expect((await api('GET', `/clients/${id}`)).json()).toMatchObject({ roles: ['crud', 'more'] });
    const removed = await api('DELETE', `/clients/${id}`);
    expect(removed).toMatchObject({ status: 200, text: `Successfully removed client with ID ${id}` });
    expect(await api('GET', `/clients/${id}`)).toMatchObject({
      status: 404,
      text: `Client with id ${id} could not be found.`,
    });
  });

  it('POST /clients: 409 when the clientID is a role in use, 400 when it is one of its own roles or a duplicate', async () => {
    await api('POST', '/channels', {
      ...httpChannel('Allows a client', '^/allow$', 1),
      allow: ['named-client'],
    });
    const conflict = await api('POST', '/clients', sha512Client('named-client', 'pw', ['r']));
    expect(conflict).toMatchObject({
      status: 409,
      text: "A role name conflicts with clientID 'named-client'. A role name cannot be the same as a clientID.",
    });
    const ownRole = await api('POST', '/clients', sha512Client('self-role', 'pw', ['self-role']));
    expect(ownRole).toMatchObject({
      status: 400,
      text: "ClientID 'self-role' cannot be the same as a role name.",
    });
    await api('POST', '/clients', sha512Client('twice', 'pw', ['r']));
    const twice = await api('POST', '/clients', sha512Client('twice', 'pw', ['r']));
    expect(twice).toMatchObject({
      status: 400,
      text: 'E11000 duplicate key error collection: openhim.clients index: clientID_1 dup key: { clientID: "twice" }',
    });
    const noName = await api('POST', '/clients', { clientID: 'nameless', roles: [] });
    expect(noName).toMatchObject({
      status: 400,
      text: 'Client validation failed: name: Path `name` is required.',
    });
  });
});
