import type { Bundle, OperationOutcome, Patient } from 'fhir/r4';
import { startLoopbackPeer, type LoopbackPeer } from '../test-support/loopback-server';
import { FhirClient } from './fhir-client';
import {
  FhirError,
  FhirGoneError,
  FhirMultipleMatchesError,
  FhirNotFoundError,
  FhirVersionConflictError,
} from './fhir-errors';

const outcome = (diagnostics: string): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'processing', diagnostics }],
});

const patient = (id: string): Patient => ({ resourceType: 'Patient', id, meta: { versionId: '1' } });

describe('FhirClient against a loopback FHIR peer', () => {
  let peer: LoopbackPeer;
  let client: FhirClient;

  beforeEach(async () => {
    peer = await startLoopbackPeer('/fhir');
    client = new FhirClient({ baseURL: peer.url, retries: 2, retryDelayMs: 5, timeoutMs: 2000 });
  });
  afterEach(() => peer.close());

  it('follows next links across 3 pages exactly as given, swapping only scheme and host', async () => {
    // The server names itself by an internal host (as HAPI behind OpenHIM does); its links must still
    // reach it through our base, with path and query untouched.
    const link = (offset: number) =>
      `https://hapi-internal:8443/fhir?_getpages=abc-123&_getpagesoffset=${offset}&_count=2&_bundletype=searchset`;
    const page = (ids: string[], next?: string): Bundle => ({
      resourceType: 'Bundle',
      type: 'searchset',
      link: next ? [{ relation: 'next', url: next }] : [],
      entry: ids.map((id) => ({ resource: patient(id), search: { mode: 'match' } })),
    });
    peer.answer((req, res) => {
      const offset = req.query._getpagesoffset;
      if (!offset) return res.json(page(['p1', 'p2'], link(2)));
      if (offset === '2') return res.json(page(['p3', 'p4'], link(4)));
      res.json(page(['p5']));
    });

    const found = await client.searchAll('Patient', { identifier: 'sys|1', _count: 2 });

    expect(found.map((p) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(peer.received.map((r) => r.url)).toEqual([
      '/fhir/Patient?identifier=sys%7C1&_count=2',
      '/fhir?_getpages=abc-123&_getpagesoffset=2&_count=2&_bundletype=searchset',
      '/fhir?_getpages=abc-123&_getpagesoffset=4&_count=2&_bundletype=searchset',
    ]);
    expect(peer.received.every((r) => r.headers['cache-control'] === 'no-cache')).toBe(true);
  });

  it('leaves included resources out of search results', async () => {
    peer.answer((_req, res) => {
      res.json({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          { resource: patient('p1'), search: { mode: 'match' } },
          {
            resource: { resourceType: 'Encounter', id: 'e1', status: 'finished', class: {} },
            search: { mode: 'include' },
          },
        ],
      });
    });
    expect((await client.searchAll('Patient')).map((p) => p.id)).toEqual(['p1']);
  });

  it('conditional create returns the existing resource, and says it did not create it', async () => {
    const stored = new Map<string, Patient>();
    peer.answer((req, res) => {
      const criteria = String(req.headers['if-none-exist']);
      const existing = stored.get(criteria);
      if (existing) return res.status(200).json(existing);
      const created = { ...(req.body as Patient), id: `p${stored.size + 1}`, meta: { versionId: '1' } };
      stored.set(criteria, created);
      res.status(201).location(`Patient/${created.id}/_history/1`).json(created);
    });

    const first = await client.create<Patient>(
      { resourceType: 'Patient' },
      { ifNoneExist: { identifier: 'sys|42' } },
    );
    const second = await client.create<Patient>(
      { resourceType: 'Patient' },
      { ifNoneExist: { identifier: 'sys|42' } },
    );

    expect(first).toMatchObject({ created: true, resource: { id: 'p1' } });
    expect(second).toMatchObject({ created: false, resource: { id: 'p1' } });
    expect(peer.received.map((r) => r.headers['if-none-exist'])).toEqual([
      'identifier=sys%7C42', // a query string, URL-encoded like any other (HAPI decodes it)
      'identifier=sys%7C42',
    ]);
  });

  it('reads the resource from Location when a write answers with no body', async () => {
    peer.answer((req, res) => {
      if (req.method === 'POST') return res.status(201).location(`${peer.url}/Patient/p9/_history/1`).end();
      res.json(patient('p9'));
    });
    const result = await client.create<Patient>({ resourceType: 'Patient' });
    expect(result).toMatchObject({ created: true, resource: { id: 'p9' } });
    expect(peer.received[1]?.url).toBe('/fhir/Patient/p9');
  });

  it.each([409, 412])(
    'If-Match conflict answered %i is a FhirVersionConflictError with the diagnostics',
    async (status) => {
      peer.answer((req, res) => {
        if (req.headers['if-match'] === 'W/"2"') return res.json(req.body);
        res
          .status(status)
          .json(
            outcome('HAPI-0989: Trying to update Patient/p1/_history/1 but this is not the current version'),
          );
      });

      const stale = client.update(patient('p1'), { ifMatch: '1' });
      await expect(stale).rejects.toBeInstanceOf(FhirVersionConflictError);
      await expect(stale).rejects.toMatchObject({
        status,
        diagnostics: expect.stringContaining('HAPI-0989'),
        message: expect.stringContaining(`PUT ${peer.url}/Patient/p1 failed: ${status} HAPI-0989`),
      });
      await expect(client.update(patient('p1'), { ifMatch: '2' })).resolves.toMatchObject({ created: false });
      expect(peer.received.filter((r) => r.method === 'PUT')).toHaveLength(2); // a 4xx is never retried
    },
  );

  it('modify re-reads and re-applies the change when another writer came first', async () => {
    let version = 1;
    let family = 'Old';
    peer.answer((req, res) => {
      if (req.method === 'GET')
        return res.json({
          resourceType: 'Patient',
          id: 'p1',
          meta: { versionId: String(version) },
          name: [{ family }],
        });
      const ifMatch = req.headers['if-match'];
      if (version === 1) {
        version = 2; // someone else writes between our read and our write
        family = 'Theirs';
        return res.status(409).json(outcome('HAPI-0989: version conflict'));
      }
      if (ifMatch !== `W/"${version}"`) return res.status(409).json(outcome('HAPI-0989: version conflict'));
      version += 1;
      res.json({ ...(req.body as Patient), meta: { versionId: String(version) } });
    });
    const seen: string[] = [];
    const result = await client.modify('Patient', 'p1', (current) => {
      seen.push(current.name?.[0]?.family ?? '');
      return { ...current, gender: 'female' };
    });
    expect(seen).toEqual(['Old', 'Theirs']);
    expect(result.resource).toMatchObject({
      gender: 'female',
      meta: { versionId: '3' },
      name: [{ family: 'Theirs' }],
    });
    await expect(client.modify('Patient', 'p1', () => undefined)).resolves.toMatchObject({
      created: false,
      resource: { id: 'p1' },
    });
    expect(peer.received.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });

  it('modify sends only the tags the change adds: the server keeps the ones it read', async () => {
    const tag = (code: string) => ({ system: 'urn:tag', code });
    peer.answer((req, res) => {
      if (req.method === 'GET')
        return res.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1', tag: [tag('kept')] } });
      res.json({ ...(req.body as Patient), meta: { versionId: '2', tag: [tag('kept'), tag('new')] } });
    });
    await client.modify('Patient', 'p1', (current) => ({
      ...current,
      meta: { ...current.meta, tag: [...(current.meta?.tag ?? []), tag('new')] },
    }));
    const put = peer.received.find((r) => r.method === 'PUT')?.body as Patient;
    expect(put.meta?.tag).toEqual([tag('new')]);
  });

  it('writes again when HAPI answers 409 HAPI-0823 (two writes of one resource at once), unless If-Match named a version', async () => {
    let calls = 0;
    peer.answer((req, res) => {
      calls += 1;
      if (calls === 1 || req.headers['if-match'])
        return res
          .status(409)
          .json(outcome('HAPI-0550: HAPI-0823: The operation has failed with a version constraint failure.'));
      res.json({ ...(req.body as Patient), meta: { versionId: '2' } });
    });
    await expect(client.update(patient('p1'))).resolves.toMatchObject({ resource: { id: 'p1' } });
    expect(calls).toBe(2);
    await expect(client.update(patient('p1'), { ifMatch: '1' })).rejects.toBeInstanceOf(
      FhirVersionConflictError,
    );
    expect(calls).toBe(3);
  });

  it('modifyFrom writes once from a known version, and re-reads only when another writer came first', async () => {
    let version = 1;
    peer.answer((req, res) => {
      if (req.method === 'GET')
        return res.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: String(version) } });
      if (req.headers['if-match'] !== `W/"${version}"`)
        return res.status(409).json(outcome('HAPI-0989: version conflict'));
      version += 1;
      res.json({ ...(req.body as Patient), meta: { versionId: String(version) } });
    });
    const first = await client.modifyFrom(patient('p1'), (p) => ({ ...p, gender: 'female' }));
    expect(first.resource.meta?.versionId).toBe('2');
    expect(peer.received.map((r) => r.method)).toEqual(['PUT']);
    version = 5; // someone else wrote meanwhile
    const second = await client.modifyFrom(first.resource, (p) => ({ ...p, gender: 'male' }));
    expect(second.resource).toMatchObject({ gender: 'male', meta: { versionId: '6' } });
    expect(peer.received.map((r) => r.method)).toEqual(['PUT', 'PUT', 'GET', 'PUT']);
  });

  it('findByIdentifiers asks for many identifiers in few searches, and keeps only exact carriers', async () => {
    peer.answer((req, res) => {
      const wanted = String(req.query.identifier).split(',');
      res.json({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [...wanted, 'sys|other'].map((token) => ({
          resource: {
            ...patient(token),
            identifier: [{ system: 'sys', value: token.split('|')[1]?.replace(/\\/g, '') }],
          },
          search: { mode: 'match' },
        })),
      });
    });
    const values = Array.from({ length: 5 }, (_, i) => `v${i}`);
    const found = await client.findByIdentifiers('Patient', 'sys', values, undefined, 2);
    expect(found.map((p) => p.identifier?.[0]?.value)).toEqual(values);
    expect(peer.received.map((r) => new URL(r.url, 'http://x').searchParams.get('identifier'))).toEqual([
      'sys|v0,sys|v1',
      'sys|v2,sys|v3',
      'sys|v4',
    ]);
  });

  it('412 on a conditional create is a FhirMultipleMatchesError', async () => {
    peer.answer((_req, res) => {
      res
        .status(412)
        .json(
          outcome(
            'HAPI-0958: Failed to CREATE resource with match URL because this search matched 2 resources',
          ),
        );
    });
    await expect(client.create(patient('x'), { ifNoneExist: { identifier: 'a|b' } })).rejects.toBeInstanceOf(
      FhirMultipleMatchesError,
    );
  });

  it('asks a conditional create again when HAPI answers 409 (it lost a race), and gets the winner', async () => {
    let calls = 0;
    peer.answer((_req, res) => {
      calls += 1;
      if (calls === 1)
        return res
          .status(409)
          .json(
            outcome('HAPI-0550: HAPI-2745: The operation has failed with a conditional constraint failure.'),
          );
      res.status(200).json(patient('winner'));
    });
    await expect(client.create(patient('x'), { ifNoneExist: { identifier: 'a|b' } })).resolves.toMatchObject({
      resource: { id: 'winner' },
      created: false,
    });
    expect(calls).toBe(2);
  });

  it('turns OperationOutcome errors into FhirError that keeps the outcome', async () => {
    const body = outcome('HAPI-1094: Resource Patient/x not found, specified in path: Observation.subject');
    peer.answer((_req, res) => {
      res.status(400).json(body);
    });
    const error = await client
      .create({ resourceType: 'Observation', status: 'final', code: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirError);
    expect(error).toMatchObject({ status: 400, outcome: body, transient: false });
    expect((error as Error).message).toContain('HAPI-1094: Resource Patient/x not found');
  });

  it('maps 404 and 410 to their own errors', async () => {
    peer.answer((req, res) => {
      res
        .status(req.path.endsWith('gone') ? 410 : 404)
        .json(outcome('HAPI-2001: Resource Patient/x is not known'));
    });
    await expect(client.read('Patient', 'x')).rejects.toBeInstanceOf(FhirNotFoundError);
    await expect(client.read('Patient', 'gone')).rejects.toBeInstanceOf(FhirGoneError);
  });

  it('retries an idempotent request on 503 and then succeeds', async () => {
    let calls = 0;
    peer.answer((_req, res) => {
      calls += 1;
      if (calls <= 2) return res.status(503).send('Service Unavailable');
      res.json(patient('p1'));
    });
    await expect(client.read('Patient', 'p1')).resolves.toMatchObject({ id: 'p1' });
    expect(calls).toBe(3);
  });

  it('does not retry a plain create on 503, and says the failure is transient', async () => {
    peer.answer((_req, res) => {
      res.status(503).send('<html><body>Service Unavailable</body></html>');
    });
    const error = await client.create(patient('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, transient: true, diagnostics: 'Service Unavailable' });
    expect(peer.received).toHaveLength(1);
  });

  it('retries a conditional create (safe to repeat) on 503', async () => {
    let calls = 0;
    peer.answer((req, res) => {
      calls += 1;
      if (calls === 1) return res.status(503).end();
      res.status(201).json({ ...(req.body as Patient), id: 'p1' });
    });
    await expect(client.create(patient('x'), { ifNoneExist: { identifier: 'a|b' } })).resolves.toMatchObject({
      created: true,
    });
    expect(calls).toBe(2);
  });

  it('reports an unreachable server as a transient error with no status, after retrying', async () => {
    const url = peer.url;
    await peer.close();
    const down = new FhirClient({ baseURL: url, retries: 1, retryDelayMs: 5 });
    const error = await down.read('Patient', 'p1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirError);
    expect(error).toMatchObject({
      status: undefined,
      transient: true,
      diagnostics: expect.stringContaining('ECONNREFUSED'),
    });
    peer = await startLoopbackPeer('/fhir'); // for afterEach
  });

  it('times out a slow answer', async () => {
    peer.answer((_req, res) => {
      setTimeout(() => res.json(patient('late')), 3000);
    });
    // undici checks its timeouts about every half second
    const impatient = new FhirClient({ baseURL: peer.url, timeoutMs: 500, retries: 0 });
    await expect(impatient.read('Patient', 'late')).rejects.toMatchObject({
      status: undefined,
      transient: true,
    });
  });

  it('sends transactions as one Bundle and returns the response bundle', async () => {
    peer.answer((req, res) => {
      const bundle = req.body as Bundle;
      res.json({
        resourceType: 'Bundle',
        type: 'transaction-response',
        entry: bundle.entry?.map(() => ({ response: { status: '201 Created' } })),
      });
    });
    const response = await client.transaction([
      { fullUrl: 'urn:uuid:1', resource: patient('a'), request: { method: 'POST', url: 'Patient' } },
      { resource: patient('b'), request: { method: 'PUT', url: 'Patient/b' } },
    ]);
    expect(response.type).toBe('transaction-response');
    expect(response.entry).toHaveLength(2);
    expect(peer.received[0]).toMatchObject({ method: 'POST', url: '/fhir/', body: { type: 'transaction' } });
  });

  it('sends Basic credentials and conditional updates with the criteria in the URL', async () => {
    const authed = new FhirClient({ baseURL: peer.url, username: 'u', password: 'p' });
    peer.answer((req, res) => {
      res.status(201).json(req.body);
    });
    await expect(authed.conditionalUpdate(patient('x'), { identifier: 'sys|1' })).resolves.toMatchObject({
      created: true,
    });
    expect(peer.received[0]).toMatchObject({ method: 'PUT', url: '/fhir/Patient?identifier=sys%7C1' });
    expect(peer.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });
});
