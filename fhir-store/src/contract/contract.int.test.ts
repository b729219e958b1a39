// The contract our mediators rely on (hapi-fhir-and-fhir-store.md §0, §1). The server comes from
// FHIR_CONTRACT_URL, so the same suite can run against a real HAPI; unset, it runs the embedded store.
import axios, { type AxiosInstance } from 'axios';
import type { Bundle, Encounter, Observation, OperationOutcome, Patient } from 'fhir/r4';
import { FhirClient, FhirGoneError, FhirVersionConflictError } from '@cht-openmrs/common';
import { startFhirStore, type RunningFhirStore } from '../index';

const external = process.env.FHIR_CONTRACT_URL;
let store: RunningFhirStore | undefined;
let base: string;
let http: AxiosInstance;
let fhir: FhirClient;
const run = Math.random().toString(36).slice(2, 8); // keeps runs apart on a shared server

beforeAll(async () => {
  store = external ? undefined : await startFhirStore({ pageLifetimeMs: 1500 });
  base = external ?? (store as RunningFhirStore).url;
  http = axios.create({
    baseURL: base,
    validateStatus: () => true,
    headers: { 'Content-Type': 'application/fhir+json' },
  });
  fhir = new FhirClient({ baseURL: base, retries: 0 });
});
afterAll(() => store?.close());

const patient = (value: string): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: `urn:test:${run}`, value }],
  name: [{ family: 'Test' }],
});
const diagnostics = (body: unknown) =>
  ((body as OperationOutcome).issue ?? []).map((i) => i.diagnostics).join(' ');

describe('create, read, update, delete', () => {
  it('assigns the id on create (a body id is ignored) and answers 201 with Location, ETag and versionId 1', async () => {
    const response = await http.post('/Patient', { ...patient('c1'), id: 'mine' });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(response.data.id).not.toBe('mine');
    expect(response.headers.etag).toBe('W/"1"');
    expect(response.headers.location).toMatch(new RegExp(`/Patient/${response.data.id}/_history/1$`));
    expect(response.data.meta).toMatchObject({ versionId: '1', lastUpdated: expect.any(String) });
  });

  it('creates with a client id on PUT (201), updates on the next PUT (200, version 2), and refuses purely numeric ids', async () => {
    const id = `cht-${run}-1`;
    const first = await http.put(`/Patient/${id}`, { ...patient('u1'), id });
    const second = await http.put(`/Patient/${id}`, { ...patient('u1'), id, gender: 'female' });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.data.meta.versionId).toBe('2');
    const numeric = await http.put('/Patient/987654321', { ...patient('u2'), id: '987654321' });
    expect(numeric.status).toBe(400);
    expect(diagnostics(numeric.data)).toMatch(/HAPI-0960/);
  });

  it('makes no new version for an update that changes nothing', async () => {
    const id = `same-${run}`;
    await http.put(`/Patient/${id}`, { ...patient('s1'), id });
    const again = await http.put(`/Patient/${id}`, { ...patient('s1'), id });
    expect(again.data.meta.versionId).toBe('1');
  });

  it('answers 409 to an If-Match that is not the current version', async () => {
    const { resource } = await fhir.create(patient('v1'));
    await fhir.update({ ...resource, gender: 'male' }, { ifMatch: '1' });
    await expect(fhir.update({ ...resource, gender: 'other' }, { ifMatch: '1' })).rejects.toBeInstanceOf(
      FhirVersionConflictError,
    );
    const stale = await http.put(
      `/Patient/${resource.id}`,
      { ...resource, gender: 'other' },
      { headers: { 'If-Match': 'W/"1"' } },
    );
    expect(stale.status).toBe(409);
  });

  it('soft-deletes: a later read answers 410, history keeps every version, vread reads an old one', async () => {
    const { resource } = await fhir.create(patient('d1'));
    expect((await http.delete(`/Patient/${resource.id}`)).status).toBe(200);
    await expect(fhir.read('Patient', resource.id as string)).rejects.toBeInstanceOf(FhirGoneError);
    expect((await http.get(`/Patient/${resource.id}/_history/1`)).data.id).toBe(resource.id);
    const history = (await http.get(`/Patient/${resource.id}/_history`)).data as Bundle;
    expect(history.entry).toHaveLength(2);
    expect((await http.get('/Patient/does-not-exist')).status).toBe(404);
  });

  it('refuses a reference to a missing resource (400 HAPI-1094), and a delete of a referenced one (409)', async () => {
    const missing = await http.post('/Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'Patient/nope' },
    });
    expect(missing.status).toBe(400);
    expect(diagnostics(missing.data)).toMatch(
      /HAPI-1094: Resource Patient\/nope not found, specified in path: Observation.subject/,
    );
    const { resource } = await fhir.create(patient('r1'));
    await fhir.create<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: `Patient/${resource.id}` },
    });
    expect((await http.delete(`/Patient/${resource.id}`)).status).toBe(409);
  });
});

describe('conditional writes', () => {
  it('returns the existing resource on a conditional create that matches (200), and refuses several matches (412)', async () => {
    const criteria = { identifier: `urn:test:${run}|k1` };
    const first = await fhir.create(patient('k1'), { ifNoneExist: criteria });
    const second = await fhir.create(patient('k1'), { ifNoneExist: criteria });
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.resource.id).toBe(first.resource.id);
    await fhir.create(patient('k2'));
    await fhir.create(patient('k2'));
    const several = await http.post('/Patient', patient('k2'), {
      headers: { 'If-None-Exist': `identifier=urn:test:${run}|k2` },
    });
    expect(several.status).toBe(412);
  });

  it('makes exactly one resource from many identical conditional creates at once', async () => {
    const criteria = { identifier: `urn:test:${run}|race` };
    const results = await Promise.all(
      Array.from({ length: 25 }, () => fhir.create(patient('race'), { ifNoneExist: criteria })),
    );
    expect(new Set(results.map((r) => r.resource.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('updates the one match of a conditional update, and creates when none matches', async () => {
    const created = await fhir.conditionalUpdate(patient('cu'), { identifier: `urn:test:${run}|cu` });
    const updated = await fhir.conditionalUpdate(
      { ...patient('cu'), gender: 'male' },
      { identifier: `urn:test:${run}|cu` },
    );
    expect([created.created, updated.created]).toEqual([true, false]);
    expect(updated.resource.id).toBe(created.resource.id);
  });
});

describe('conditional update with no match', () => {
  it('creates with a server id (a body id is ignored), and refuses a resource that does not satisfy the criteria', async () => {
    const created = await http.put(`/Patient?identifier=urn:test:${run}|cu-new`, {
      ...patient('cu-new'),
      id: `body-${run}`,
    });
    expect(created.status).toBe(201);
    expect(created.data.id).not.toBe(`body-${run}`);
    const unsatisfied = await http.put(`/Patient?identifier=urn:test:${run}|cu-other`, patient('cu-else'));
    expect(unsatisfied.status).toBe(400);
    expect(diagnostics(unsatisfied.data)).toMatch(/HAPI-0929/);
    expect(await fhir.searchAll('Patient', { identifier: `urn:test:${run}|cu-else` })).toHaveLength(0);
  });
});

describe('search', () => {
  it('matches identifiers as system|value, |value and value', async () => {
    await fhir.create(patient(`s-1-${run}`));
    await fhir.create({ resourceType: 'Patient', identifier: [{ value: `bare-${run}` }] });
    expect(await fhir.searchAll('Patient', { identifier: `urn:test:${run}|s-1-${run}` })).toHaveLength(1);
    expect(await fhir.searchAll('Patient', { identifier: `s-1-${run}` })).toHaveLength(1);
    expect(await fhir.searchAll('Patient', { identifier: `|bare-${run}` })).toHaveLength(1);
    expect(await fhir.searchAll('Patient', { identifier: `|s-1-${run}` })).toHaveLength(0);
  });

  it('filters by _lastUpdated with prefixes and sorts by it', async () => {
    const before = new Date().toISOString();
    const { resource } = await fhir.create({
      ...patient('lu'),
      meta: { tag: [{ system: `urn:tag:${run}`, code: 'x' }] },
    });
    const found = await fhir.searchAll('Patient', {
      _lastUpdated: `ge${before}`,
      _tag: `urn:tag:${run}|x`,
      _sort: '-_lastUpdated',
    });
    expect(found.map((p) => p.id)).toEqual([resource.id]);
    expect(
      await fhir.searchAll('Patient', { _lastUpdated: `lt${before}`, _tag: `urn:tag:${run}|x` }),
    ).toHaveLength(0);
  });

  it('compares _lastUpdated to the millisecond, whichever way the instant is written', async () => {
    const tag = `urn:ms:${run}|x`;
    const { resource } = await fhir.create<Patient>({
      ...patient('ms'),
      meta: { tag: [{ system: `urn:ms:${run}`, code: 'x' }] },
    });
    const at = resource.meta?.lastUpdated as string;
    expect(at).toMatch(/\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
    const utc = new Date(at).toISOString();
    for (const instant of [at, utc]) {
      expect(await fhir.searchAll('Patient', { _tag: tag, _lastUpdated: `ge${instant}` })).toHaveLength(1);
      expect(await fhir.searchAll('Patient', { _tag: tag, _lastUpdated: `gt${instant}` })).toHaveLength(0);
      expect(await fhir.searchAll('Patient', { _tag: tag, _lastUpdated: `le${instant}` })).toHaveLength(1);
    }
    const later = new Date(Date.parse(at) + 1).toISOString();
    expect(await fhir.searchAll('Patient', { _tag: tag, _lastUpdated: `ge${later}` })).toHaveLength(0);
  });

  it('refuses a _tag with a system and no code (400 HAPI-1218) and a _count that is not a number', async () => {
    const systemOnly = await http.get(`/Patient?_tag=${encodeURIComponent(`urn:tag:${run}|`)}`);
    expect(systemOnly.status).toBe(400);
    expect(diagnostics(systemOnly.data)).toMatch(/HAPI-1218/);
    const count = await http.get('/Patient?_count=abc');
    expect(count.status).toBe(400);
    expect(diagnostics(count.data)).toMatch(/HAPI-0375/);
  });

  it('answers 400 naming an unknown search parameter', async () => {
    const response = await http.get('/Patient?nonsense=1');
    expect(response.status).toBe(400);
    expect(diagnostics(response.data)).toMatch(/nonsense/);
  });

  it('pages through _getpages links exactly as given, and answers 410 once the stored search expires', async () => {
    const tag = `urn:page:${run}`;
    for (let i = 0; i < 7; i += 1)
      await fhir.create({ ...patient(`p${i}`), meta: { tag: [{ system: tag, code: 'p' }] } });
    const first = await fhir.search('Patient', { _tag: `${tag}|p`, _count: 3, _total: 'accurate' });
    expect(first.total).toBe(7);
    const next = first.link?.find((l) => l.relation === 'next')?.url as string;
    expect(next).toMatch(/\?_getpages=[^&]+&_getpagesoffset=3&_count=3/);
    expect(await fhir.searchAll('Patient', { _tag: `${tag}|p`, _count: 3 })).toHaveLength(7);
    // A search HAPI no longer holds (here: one it never had) answers 410, as an expired one does.
    const unknown = await axios.get(next.replace(/_getpages=[^&]+/, `_getpages=${run}-gone`), {
      validateStatus: () => true,
    });
    expect(unknown.status).toBe(410);
    expect(diagnostics(unknown.data)).toMatch(/HAPI-0417/);
    if (external) return; // HAPI keeps searches for 60 minutes
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const expired = await axios.get(next, { validateStatus: () => true });
    expect(expired.status).toBe(410);
    expect(diagnostics(expired.data)).toMatch(/HAPI-0417/);
  });

  it('includes referenced and referencing resources, marked as include', async () => {
    const { resource: subject } = await fhir.create(patient('inc'));
    const { resource: encounter } = await fhir.create<Encounter>({
      resourceType: 'Encounter',
      status: 'finished',
      class: { code: 'HH' },
      subject: { reference: `Patient/${subject.id}` },
    });
    await fhir.create<Observation>({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'w' },
      encounter: { reference: `Encounter/${encounter.id}` },
    });
    const bundle = await fhir.search('Encounter', {
      _id: encounter.id as string,
      _revinclude: 'Observation:encounter',
      _include: 'Encounter:patient',
    });
    expect(bundle.entry?.map((e) => [e.resource?.resourceType, e.search?.mode])).toEqual([
      ['Encounter', 'match'],
      expect.arrayContaining(['include']),
      expect.arrayContaining(['include']),
    ]);
    expect(new Set(bundle.entry?.map((e) => e.resource?.resourceType))).toEqual(
      new Set(['Encounter', 'Observation', 'Patient']),
    );
    expect(await fhir.searchAll('Observation', { encounter: `Encounter/${encounter.id}` })).toHaveLength(1);
  });
});

describe('bundles', () => {
  it('writes a transaction atomically, resolving urn:uuid references', async () => {
    const response = await fhir.transaction([
      { fullUrl: 'urn:uuid:p', resource: patient('tx'), request: { method: 'POST', url: 'Patient' } },
      {
        resource: {
          resourceType: 'Encounter',
          status: 'finished',
          class: { code: 'HH' },
          subject: { reference: 'urn:uuid:p' },
        } as Encounter,
        request: { method: 'POST', url: 'Encounter' },
      },
    ]);
    expect(response.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
    const encounterId = response.entry?.[1]?.response?.location?.split('/')[1] as string;
    const stored = await fhir.read('Encounter', encounterId);
    expect(stored.subject?.reference).toBe(
      `Patient/${response.entry?.[0]?.response?.location?.split('/')[1]}`,
    );

    const failing = await http.post('', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: patient('tx-rollback'), request: { method: 'POST', url: 'Patient' } },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'x' },
            subject: { reference: 'Patient/missing' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    expect(failing.status).toBe(400);
    expect(await fhir.searchAll('Patient', { identifier: `urn:test:${run}|tx-rollback` })).toHaveLength(0);
  });

  it('answers transaction entries with a bare-version etag, and their resources only when Prefer asks for them', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: patient('prefer'), request: { method: 'POST', url: 'Patient' } }],
    };
    const minimal = await http.post('', bundle);
    expect(minimal.data.entry[0].resource).toBeUndefined();
    expect(minimal.data.entry[0].response).toMatchObject({ status: '201 Created', etag: '1' });
    const full = await http.post('', bundle, { headers: { Prefer: 'return=representation' } });
    expect(full.data.entry[0].resource).toMatchObject({ resourceType: 'Patient' });
  });

  it('runs batch entries on their own', async () => {
    const response = await fhir.batch([
      { resource: patient('b1'), request: { method: 'POST', url: 'Patient' } },
      {
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'x' },
          subject: { reference: 'Patient/missing' },
        } as Observation,
        request: { method: 'POST', url: 'Observation' },
      },
    ]);
    expect(response.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['201', '400']);
    expect(await fhir.searchAll('Patient', { identifier: `urn:test:${run}|b1` })).toHaveLength(1);
  });
});

describe('parsing, as HAPI 8 parses', () => {
  it('makes a single value of a 0..* element a one-element list, and drops unknown and empty elements', async () => {
    const response = await http.post('/Patient', {
      resourceType: 'Patient',
      identifier: { system: `urn:test:${run}`, value: 'one' },
      name: { family: 'Single', given: 'Given' },
      contact: { name: { family: 'C' }, notAnElement: 1 },
      favouriteColour: 'blue',
      _unknown: { extension: [] },
      telecom: [{ value: '' }],
      gender: null,
    });
    expect(response.status).toBe(201);
    const { id: _id, meta: _meta, ...stored } = response.data as Patient;
    expect(stored).toEqual({
      resourceType: 'Patient',
      identifier: [{ system: `urn:test:${run}`, value: 'one' }],
      name: [{ family: 'Single', given: ['Given'] }],
      contact: [{ name: { family: 'C' } }],
    });
    expect(await fhir.searchAll('Patient', { identifier: `urn:test:${run}|one` })).toHaveLength(1);
  });

  it('converts primitives as HAPI does, and refuses (400 HAPI-1821) what it cannot read or a code its required value set lacks', async () => {
    const converted = await http.post('/Patient', {
      resourceType: 'Patient',
      active: 'true',
      multipleBirthInteger: '2',
      name: [{ family: 12 }],
      birthDate: '1990',
    });
    expect(converted.status).toBe(201);
    expect(converted.data).toMatchObject({ active: true, multipleBirthInteger: 2, name: [{ family: '12' }] });
    for (const bad of [
      { birthDate: '1990-02-30' },
      { birthDate: 19900501 },
      { deceasedDateTime: '2020-01-01T10:00' },
      { active: 'yes' },
      { multipleBirthInteger: 2.5 },
      { gender: 'Male' },
      { telecom: [{ system: 'fax2', value: '1' }] },
    ]) {
      const refused = await http.post('/Patient', { resourceType: 'Patient', ...bad });
      expect([Object.keys(bad)[0], refused.status]).toEqual([Object.keys(bad)[0], 400]);
      expect(diagnostics(refused.data)).toMatch(/HAPI-1821: \[element="\w+"\] Invalid attribute value/);
    }
  });

  it('refuses an extension given as an object (400 HAPI-1841)', async () => {
    const response = await http.post('/Patient', {
      resourceType: 'Patient',
      extension: { url: 'urn:test:x', valueString: 'x' },
    });
    expect(response.status).toBe(400);
    expect(diagnostics(response.data)).toMatch(/HAPI-1841/);
  });
});

describe('tags', () => {
  it('keeps a tag an update leaves out, and takes it off on $meta-delete without a new version', async () => {
    const tag = (code: string) => ({ system: `urn:tag:${run}`, code });
    const { resource } = await fhir.create({ ...patient('tg'), meta: { tag: [tag('a'), tag('b')] } });
    const { resource: updated } = await fhir.update({
      ...patient('tg'),
      id: resource.id,
      gender: 'male',
      meta: { tag: [tag('a')] },
    });
    expect(updated.meta?.tag?.map((t) => t.code).sort()).toEqual(['a', 'b']);
    await fhir.removeTags('Patient', resource.id as string, [tag('b')]);
    const read = await fhir.read('Patient', resource.id as string);
    expect(read.meta?.tag?.map((t) => t.code)).toEqual(['a']);
    expect(read.meta?.versionId).toBe('2');
    expect(await fhir.searchAll('Patient', { _tag: `urn:tag:${run}|b` })).toHaveLength(0);
  });
});

describe('what the mediators rely on', () => {
  it('ignores an empty token, reference or date parameter; an empty string one matches any value there', async () => {
    await fhir.create({ ...patient('empty'), name: [{ family: 'Empty' }] });
    await fhir.create({ resourceType: 'Patient', identifier: patient('empty').identifier });
    const search = (name?: string) => {
      const query = new URLSearchParams({ identifier: `urn:test:${run}|empty` });
      if (name) query.append(name, '');
      return fhir.searchAll('Patient', query);
    };
    expect(await search()).toHaveLength(2);
    for (const name of ['identifier', 'organization', 'birthdate', '_tag'])
      expect(await search(name)).toHaveLength(2);
    expect(await search('family')).toHaveLength(1);
    expect(await search('family:exact')).toHaveLength(0);
  });

  it('accepts If-Match as W/"n", "n" and n, and answers ETag W/"n"', async () => {
    const { resource } = await fhir.create(patient('etag'));
    const id = resource.id as string;
    const put = (ifMatch: string, gender: Patient['gender']) =>
      http.put(`/Patient/${id}`, { ...patient('etag'), id, gender }, { headers: { 'If-Match': ifMatch } });
    expect((await put('W/"1"', 'male')).headers.etag).toBe('W/"2"');
    expect((await put('"2"', 'female')).headers.etag).toBe('W/"3"');
    expect((await put('3', 'other')).headers.etag).toBe('W/"4"');
    expect((await put('W/"1"', 'unknown')).status).toBe(409);
    const fresh = `if-match-new-${run}`;
    const created = await http.put(
      `/Patient/${fresh}`,
      { ...patient('etag-new'), id: fresh },
      { headers: { 'If-Match': 'W/"3"' } },
    );
    expect(created.status).toBe(201); // If-Match does not stop a create
  });

  it('counts with _summary=count and with _total=accurate', async () => {
    await fhir.create(patient('cnt'));
    await fhir.create(patient('cnt'));
    const count = await http.get(`/Patient?identifier=urn:test:${run}|cnt&_summary=count`);
    expect(count.data).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(count.data.entry ?? []).toHaveLength(0);
    const accurate = await fhir.search('Patient', {
      identifier: `urn:test:${run}|cnt`,
      _total: 'accurate',
      _count: 1,
    });
    expect(accurate.total).toBe(2);
  });

  it('checks Task focus and for on write, and finds Tasks by focus and status, and Basic by identifier and code', async () => {
    const missing = await http.post('/Task', {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      focus: { reference: `Encounter/missing-${run}` },
    });
    expect(missing.status).toBe(400);
    expect(diagnostics(missing.data)).toMatch(/HAPI-1094: .*Task.focus/);
    const { resource: subject } = await fhir.create(patient('task'));
    const stream = `urn:stream:${run}`;
    await fhir.create({
      resourceType: 'Task',
      status: 'on-hold',
      intent: 'order',
      identifier: [{ system: `urn:test:${run}`, value: 'task-1' }],
      code: { coding: [{ system: stream, code: 'patients-to-openmrs' }] },
      focus: { reference: `Patient/${subject.id}` },
      for: { reference: `Patient/${subject.id}` },
    });
    // The retry queue's searches (openmrs-mediator/src/sync/retry-queue.ts).
    const byStream = {
      status: 'requested,on-hold,failed',
      code: `${stream}|patients-to-openmrs`,
      _count: 100,
    };
    expect(await fhir.searchAll('Task', byStream)).toHaveLength(1);
    expect(
      await fhir.searchAll('Task', { status: 'on-hold', subject: `Patient/${subject.id}` }),
    ).toHaveLength(1);
    expect(await fhir.searchAll('Task', { status: 'on-hold,failed', code: `${stream}|` })).toHaveLength(1);
    expect(await fhir.searchAll('Task', { identifier: `urn:test:${run}|task-1` })).toHaveLength(1);
    expect(
      await fhir.searchAll('Task', { focus: `Patient/${subject.id}`, status: 'requested' }),
    ).toHaveLength(0);
    const counted = await fhir.search('Task', {
      status: 'on-hold',
      code: `${stream}|patients-to-openmrs`,
      _summary: 'count',
      _total: 'accurate',
    });
    expect(counted.total).toBe(1);
    await fhir.create({
      resourceType: 'Basic',
      identifier: [{ system: `urn:test:${run}`, value: 'state' }],
      code: { coding: [{ system: `urn:code:${run}`, code: 'sync-state' }] },
    });
    const basics = await fhir.searchAll('Basic', {
      identifier: `urn:test:${run}|state`,
      code: `urn:code:${run}|sync-state`,
    });
    expect(basics).toHaveLength(1);
  });

  it('processes a transaction DELETE, POST, PUT, GET, whatever the order of its entries', async () => {
    const { resource: old } = await fhir.create(patient('order-old'));
    const response = await fhir.transaction([
      { request: { method: 'GET', url: `Patient?identifier=urn:test:${run}|order-new` } },
      {
        resource: { ...patient('order-put'), id: `order-${run}` },
        request: { method: 'PUT', url: `Patient/order-${run}` },
      },
      { fullUrl: 'urn:uuid:n', resource: patient('order-new'), request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'DELETE', url: `Patient/${old.id}` } },
    ]);
    const found = response.entry?.[0]?.resource as Bundle;
    expect(found.entry).toHaveLength(1);
    await expect(fhir.read('Patient', old.id as string)).rejects.toBeInstanceOf(FhirGoneError);
  });

  it('describes itself in /metadata: an instance with its implementation, resources, interactions and search parameters', async () => {
    const { data } = await http.get('/metadata');
    expect(data).toMatchObject({
      resourceType: 'CapabilityStatement',
      kind: 'instance',
      fhirVersion: '4.0.1',
      implementation: { description: expect.any(String), url: expect.stringMatching(/\/fhir$/) },
    });
    const rest = data.rest[0];
    expect(rest.mode).toBe('server');
    expect(rest.interaction.map((i: { code: string }) => i.code)).toContain('transaction');
    const byType = new Map(rest.resource.map((r: { type: string }) => [r.type, r]));
    for (const type of ['Patient', 'Encounter', 'Observation', 'Task', 'Basic']) {
      const resource = byType.get(type) as {
        interaction: { code: string }[];
        searchParam: { name: string; type: string }[];
        conditionalCreate: boolean;
        conditionalUpdate: boolean;
      };
      expect(resource.interaction.map((i) => i.code)).toEqual(
        expect.arrayContaining([
          'read',
          'vread',
          'update',
          'delete',
          'history-instance',
          'create',
          'search-type',
        ]),
      );
      expect(resource.conditionalCreate).toBe(true);
      expect(resource.conditionalUpdate).toBe(true);
      expect(resource.searchParam.map((p) => p.name)).toEqual(
        expect.arrayContaining(['_id', '_lastUpdated', '_tag', 'identifier']),
      );
    }
    const task = byType.get('Task') as { searchParam: { name: string }[] };
    expect(task.searchParam.map((p) => p.name)).toEqual(expect.arrayContaining(['focus', 'status']));
  });
});
