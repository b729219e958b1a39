// The CHT API emulation over real HTTP (reference cht.md §6.12–§6.17).
import { type ChtSandbox, startChtSandbox } from '../index';
import { basic, call, type CallOptions } from '../test-support/client';
import { fixtureSettings } from '../test-support/harness';

let cht: ChtSandbox;
const api = (method: string, path: string, options?: CallOptions) => call(cht.url, method, path, options);
const idOf = (answer: { json: unknown }) => (answer.json as { id: string }).id;

async function start(options: Parameters<typeof startChtSandbox>[0] = {}) {
  cht = await startChtSandbox({ appSettings: { ...fixtureSettings(), outbound: {} }, ...options });
}
afterEach(async () => {
  await cht?.close();
});

async function clinicWithPlaceId(): Promise<{ clinic: string; placeId: string; hc: string }> {
  const hc = idOf(
    await api('POST', '/api/v1/places', {
      body: { type: 'health_center', name: 'HC', parent: { type: 'district_hospital', name: 'DH' } },
    }),
  );
  const clinic = idOf(
    await api('POST', '/api/v1/places', { body: { type: 'clinic', name: 'Clinic', parent: hc } }),
  );
  await cht.sentinelPass();
  const doc = (await api('GET', `/medic/${clinic}`)).json as { place_id: string };
  return { clinic, placeId: doc.place_id, hc };
}

describe('§6.12 POST /api/v2/records', () => {
  beforeEach(() => start());

  it('§6.12: form code upper-cased, keys lower-cased, undeclared fields dropped, uuid id, sms_message = _meta', async () => {
    const meta = { form: 'interop_follow_up', from: '+254700000009', reported_date: 1700000000000 };
    const answer = await api('POST', '/api/v2/records', {
      body: { _meta: meta, PATIENT_UUID: 'abc', extra: 'dropped' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      success: true,
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    const doc = (await api('GET', `/medic/${idOf(answer)}`)).json as Record<string, unknown>;
    expect(doc).toMatchObject({
      type: 'data_record',
      form: 'INTEROP_FOLLOW_UP',
      from: '+254700000009',
      fields: { patient_uuid: 'abc' },
      errors: [],
      tasks: [],
      reported_date: 1700000000000,
      sms_message: meta,
    });
    expect(doc.fields).toEqual({ patient_uuid: 'abc' });
  });

  it('§6.12: uppercase definition keys never match; missing fields and wrong types go into errors with 200', async () => {
    await api('PUT', '/api/v1/settings', {
      body: {
        forms: {
          UPPER: { fields: { '5090AAAA': { type: 'string', required: true }, count: { type: 'integer' } } },
        },
      },
    });
    const answer = await api('POST', '/api/v2/records', {
      body: { _meta: { form: 'upper' }, '5090AAAA': '170', count: 'ten' },
    });
    expect(answer.status).toBe(200);
    const doc = (await api('GET', `/medic/${idOf(answer)}`)).json as Record<string, unknown>;
    expect(doc.fields).toEqual({ count: 'ten' });
    expect(doc.errors).toEqual([
      { code: 'sys.incorrect_type', message: expect.stringContaining('count') },
      { code: 'sys.missing_fields', message: expect.stringContaining('5090AAAA') },
    ]);
  });

  it('§6.12: date → epoch ms, 1/0 → boolean (not "true"), _meta.reported_date as ms, 13-digit string or date', async () => {
    const post = async (body: Record<string, unknown>) =>
      (await api('GET', `/medic/${idOf(await api('POST', '/api/v2/records', { body }))}`)).json as {
        fields: Record<string, unknown>;
        reported_date: number;
      };
    const a = await post({
      _meta: { form: 'INTEROP_FOLLOW_UP', reported_date: '1700000000123' },
      patient_uuid: 'p',
      visit_date: '2024-01-02T00:00:00Z',
      referred: 1,
    });
    expect(a.fields).toEqual({ patient_uuid: 'p', visit_date: Date.UTC(2024, 0, 2), referred: true });
    expect(a.reported_date).toBe(1700000000123);
    const b = await post({
      _meta: { form: 'INTEROP_FOLLOW_UP', reported_date: '2024-03-04T05:06:07Z' },
      patient_uuid: 'p',
      referred: 'true',
    });
    expect(b.fields.referred).toBe('true');
    expect(b.reported_date).toBe(Date.UTC(2024, 2, 4, 5, 6, 7));
    const before = Date.now();
    const c = await post({ _meta: { form: 'INTEROP_FOLLOW_UP' }, patient_uuid: 'p', referred: 0 });
    expect(c.fields.referred).toBe(false);
    expect(c.reported_date).toBeGreaterThanOrEqual(before);
  });

  it('§6.12: missing _meta or unknown form → 500 with details; bad content type → 500 without details', async () => {
    expect(await api('POST', '/api/v2/records', { body: { patient_uuid: 'x' } })).toMatchObject({
      status: 500,
      json: { code: 500, error: 'Server error', details: 'Missing _meta property.' },
    });
    expect((await api('POST', '/api/v2/records', { body: { _meta: { form: 'foo' } } })).json).toEqual({
      code: 500,
      error: 'Server error',
      details: 'Form not found: FOO',
    });
    const text = await api('POST', '/api/v2/records', { body: 'x=1', contentType: 'text/plain' });
    expect(text).toMatchObject({ status: 500, json: { code: 500, error: 'Server error' } });
  });
});

describe('§6.12 records and update_clinics', () => {
  beforeEach(() => start());

  it('§6.12: without update_clinics a JSON record has no contact; with it, _meta.from matching a phone sets doc.contact', async () => {
    const { clinic } = await clinicWithPlaceId();
    const chw = idOf(
      await api('POST', '/api/v1/people', { body: { name: 'CHW', phone: '+254700000555', place: clinic } }),
    );
    const post = async () =>
      (
        await api(
          'GET',
          `/medic/${idOf(await api('POST', '/api/v2/records', { body: { _meta: { form: 'INTEROP_FOLLOW_UP', from: '0700000555' }, patient_uuid: 'p' } }))}`,
        )
      ).json as Record<string, unknown>;
    const without = await post();
    expect(without.from).toBe('+254700000555');
    expect(without).not.toHaveProperty('contact');
    await api('PUT', '/api/v1/settings', { body: { transitions: { update_clinics: true } } });
    expect((await post()).contact).toEqual({
      _id: chw,
      parent: { _id: clinic, parent: expect.objectContaining({ _id: expect.any(String) }) },
    });
  });
});

describe('§6.13 registration add_patient', () => {
  beforeEach(() => start());

  it('§6.13: sets doc.patient_id and creates the person with source_id, parent from place_id, ISO date_of_birth, phone, no sex/role', async () => {
    const { clinic, placeId, hc } = await clinicWithPlaceId();
    const answer = await api('POST', '/api/v2/records', {
      body: {
        _meta: { form: 'INTEROP_PATIENT', reported_date: Date.UTC(2024, 5, 10, 15) },
        patient_name: 'Baby',
        age_in_days: 10,
        external_id: 'E1',
        location_id: placeId,
        phone_number: '0712345678',
        sex: 'female',
      },
    });
    expect(answer.status).toBe(200);
    const report = (await api('GET', `/medic/${idOf(answer)}`)).json as {
      patient_id: string;
      birth_date: string;
    };
    expect(report.patient_id).toMatch(/^\d{5}$/);
    const found = await api('POST', '/medic/_find', { body: { selector: { source_id: idOf(answer) } } });
    const [person] = (found.json as { docs: Record<string, unknown>[] }).docs;
    expect(person).toMatchObject({
      type: 'person',
      name: 'Baby',
      patient_id: report.patient_id,
      source_id: idOf(answer),
      parent: { _id: clinic, parent: { _id: hc, parent: { _id: expect.any(String) } } },
      date_of_birth: report.birth_date,
      phone: '+254712345678',
      reported_date: Date.UTC(2024, 5, 10, 15),
    });
    expect(new Date(String(person?.date_of_birth)).getTime()).toBe(Date.UTC(2024, 4, 31));
    expect(person).not.toHaveProperty('sex');
    expect(person).not.toHaveProperty('role');
  });

  it('§6.13: rejections (parent_field_not_provided, parent_not_found, parent_invalid) go into errors with 200', async () => {
    const person = idOf(
      await api('POST', '/api/v1/people', { body: { name: 'Adult', patient_id: '12345' } }),
    );
    expect(person).toBeTruthy();
    const codes: string[] = [];
    for (const location of [undefined, '99999', '12345']) {
      const answer = await api('POST', '/api/v2/records', {
        body: {
          _meta: { form: 'INTEROP_PATIENT' },
          patient_name: 'X',
          age_in_days: 1,
          external_id: 'E',
          location_id: location,
        },
      });
      expect(answer.status).toBe(200);
      const doc = (await api('GET', `/medic/${idOf(answer)}`)).json as {
        errors: { code: string }[];
        patient_id?: string;
      };
      expect(doc.patient_id).toBeUndefined();
      codes.push(...doc.errors.map((error) => error.code));
    }
    expect(codes).toEqual(['parent_field_not_provided', 'parent_not_found', 'parent_invalid']);
  });
});

describe('§6.14 /api/v1/people and /api/v1/places', () => {
  beforeEach(() => start({ sentinel: 'manual' }));

  it('§6.14: Content-Type must be exactly application/json (charset → 400)', async () => {
    const answer = await api('POST', '/api/v1/people', {
      body: { name: 'A' },
      contentType: 'application/json; charset=utf-8',
    });
    expect(answer).toMatchObject({
      status: 400,
      json: { code: 400, error: 'Content-Type must be application/json' },
    });
  });

  it('§6.14: 400 for a non-person and for a wrong parent type; 404 for unknown place or person', async () => {
    expect((await api('POST', '/api/v1/people', { body: { name: 'A', type: 'clinic' } })).json).toEqual({
      code: 400,
      error: 'Wrong type, this is not a person.',
    });
    const dh = idOf(await api('POST', '/api/v1/places', { body: { type: 'district_hospital', name: 'DH' } }));
    const wrong = await api('POST', '/api/v1/places', { body: { type: 'clinic', name: 'C', parent: dh } });
    expect(wrong.status).toBe(400);
    expect((wrong.json as { error: string }).error).toMatch(
      /^clinic ".*" should have one of the following parent types: "health_center"\.$/,
    );
    expect((await api('POST', '/api/v1/people', { body: { name: 'A', place: 'nope' } })).json).toEqual({
      code: 404,
      error: 'Failed to find place.',
    });
    expect(
      (
        await api('POST', '/api/v1/places', {
          body: { type: 'district_hospital', name: 'D', contact: 'nope' },
        })
      ).json,
    ).toEqual({
      code: 404,
      error: 'Failed to find person.',
    });
  });

  it('§6.14: {ok,id,rev}; contact by uuid stored as a bare string; inline contact minified; parent minified; shortcodes only after Sentinel', async () => {
    const dh = await api('POST', '/api/v1/places', { body: { type: 'district_hospital', name: 'DH' } });
    expect(dh.json).toEqual({
      ok: true,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      rev: expect.stringMatching(/^1-/),
    });
    const person = idOf(await api('POST', '/api/v1/people', { body: { name: 'Boss', place: idOf(dh) } }));
    const hc = await api('POST', '/api/v1/places', {
      body: { type: 'health_center', name: 'HC', parent: idOf(dh), contact: person },
    });
    expect(hc.json).toEqual({
      ok: true,
      id: expect.any(String),
      rev: expect.any(String),
      contact: { id: person },
    });
    const hcDoc = (await api('GET', `/medic/${idOf(hc)}`)).json as Record<string, unknown>;
    expect(hcDoc.contact).toBe(person);
    expect(hcDoc.parent).toEqual({ _id: idOf(dh) });
    const clinic = await api('POST', '/api/v1/places', {
      body: { type: 'clinic', name: 'C', parent: idOf(hc), contact: { name: 'Inline' } },
    });
    expect(clinic.json).toEqual({
      id: expect.any(String),
      rev: expect.stringMatching(/^2-/),
      contact: { id: expect.any(String) },
    });
    const clinicDoc = (await api('GET', `/medic/${idOf(clinic)}`)).json as Record<string, unknown>;
    const contactId = (clinic.json as { contact: { id: string } }).contact.id;
    expect(clinicDoc.contact).toEqual({
      _id: contactId,
      parent: { _id: idOf(clinic), parent: { _id: idOf(hc), parent: { _id: idOf(dh) } } },
    });
    expect(clinicDoc).not.toHaveProperty('place_id');
    expect((await api('GET', `/medic/${person}`)).json).not.toHaveProperty('patient_id');
    await cht.sentinelPass();
    expect((await api('GET', `/medic/${idOf(clinic)}`)).json).toMatchObject({
      place_id: expect.stringMatching(/^\d{5}$/),
    });
    expect((await api('GET', `/medic/${person}`)).json).toMatchObject({
      patient_id: expect.stringMatching(/^\d{5}$/),
    });
  });
});

describe('§6.14 POST /api/v1/places/{id}', () => {
  beforeEach(() => start({ sentinel: 'manual' }));

  it('§6.14: updates only name, parent, contact and place_id; {id,rev}; 400 when none is given', async () => {
    const dh = idOf(await api('POST', '/api/v1/places', { body: { type: 'district_hospital', name: 'DH' } }));
    const hc = idOf(
      await api('POST', '/api/v1/places', { body: { type: 'health_center', name: 'HC', parent: dh } }),
    );
    const person = idOf(await api('POST', '/api/v1/people', { body: { name: 'Lead', place: hc } }));
    const answer = await api('POST', `/api/v1/places/${hc}`, {
      body: { name: 'HC renamed', contact: person, place_id: '12345', colour: 'red' },
    });
    expect(answer.json).toEqual({ id: hc, rev: expect.stringMatching(/^2-/) });
    const doc = (await api('GET', `/medic/${hc}`)).json as Record<string, unknown>;
    expect(doc).toMatchObject({
      name: 'HC renamed',
      place_id: '12345',
      contact: { _id: person, parent: { _id: hc, parent: { _id: dh } } },
    });
    expect(doc).not.toHaveProperty('colour');
    expect((await api('POST', `/api/v1/places/${hc}`, { body: { colour: 'blue' } })).json).toEqual({
      code: 400,
      error: 'One of the following fields are required: name, parent, contact, place_id',
    });
    expect((await api('POST', '/api/v1/places/nope', { body: { name: 'x' } })).status).toBe(404);
  });
});

describe('§6.15 permissions', () => {
  beforeEach(async () => {
    await start({
      users: [
        { name: 'chw', password: 'pw', roles: ['chw'] },
        { name: 'entry', password: 'pw', roles: ['data_entry'] },
        { name: 'analyst', password: 'pw', roles: ['analytics'] },
      ],
    });
  });

  it('§6.15: 401 for missing or bad credentials, JSON and text forms', async () => {
    const json = await api('GET', '/api/v1/place?type=clinic', { auth: null });
    expect(json).toMatchObject({ status: 401, json: { code: 401, error: 'unauthorized' } });
    expect(json.headers.get('logout-authorization')).toBe('CHT-Core API');
    const text = await api('POST', '/api/v2/records', { auth: basic('medic', 'wrong'), accept: null });
    expect(text.status).toBe(401);
    expect(text.text).toBe('not logged in');
    expect(text.headers.get('www-authenticate')).toBe('Basic realm="Medic Web Services"');
  });

  it('§6.15: 403 for missing can_create_records, can_create_people or can_edit', async () => {
    const records = await api('POST', '/api/v2/records', {
      auth: basic('analyst', 'pw'),
      body: { _meta: { form: 'X' } },
    });
    expect(records).toMatchObject({ status: 403, json: { code: 403, error: 'Insufficient privileges' } });
    const people = await api('POST', '/api/v1/people', { auth: basic('entry', 'pw'), body: { name: 'A' } });
    expect(people).toMatchObject({ status: 403, json: { code: 403, error: 'Insufficient privileges' } });
    const allowed = await api('POST', '/api/v2/records', {
      auth: basic('entry', 'pw'),
      body: { _meta: { form: 'INTEROP_FOLLOW_UP' }, patient_uuid: 'p' },
    });
    expect(allowed.status).toBe(200);
    const write = await api('PUT', '/medic/by-entry', { auth: basic('entry', 'pw'), body: { type: 'note' } });
    expect(write).toMatchObject({ status: 403, json: { code: 403, error: 'Insufficient privileges' } });
    const read = await api('POST', '/medic/_find', { auth: basic('entry', 'pw'), body: { selector: {} } });
    expect(read.status).toBe(200);
  });

  it('§6.15: offline users are firewalled from _find, hydrate and contacts-by-phone', async () => {
    const firewall = {
      code: 403,
      error: 'forbidden',
      details: 'Offline users are not allowed access to this endpoint',
    };
    const auth = basic('chw', 'pw');
    expect((await api('POST', '/medic/_find', { auth, body: { selector: {} } })).json).toEqual(firewall);
    expect((await api('GET', '/api/v1/hydrate?doc_ids=["a"]', { auth })).json).toEqual(firewall);
    expect((await api('GET', '/api/v1/contacts-by-phone?phone=%2B254700000001', { auth })).json).toEqual(
      firewall,
    );
  });

  it('§6.15: PUT /api/v1/credentials is for admins only', async () => {
    const denied = await api('PUT', '/api/v1/credentials/k', {
      auth: basic('entry', 'pw'),
      body: 'v',
      contentType: 'text/plain',
    });
    expect(denied).toMatchObject({ status: 403, json: { code: 403, error: 'Insufficient permissions' } });
    expect(
      (await api('PUT', '/api/v1/credentials/k', { body: 'v', contentType: 'text/plain' })).json,
    ).toEqual({ ok: true });
    expect((await api('PUT', '/api/v1/credentials/k', { body: '', contentType: 'text/plain' })).json).toEqual(
      {
        code: 400,
        error: 'Missing required request body',
      },
    );
  });

  it('§6.15: 429 after 10 failed logins in 10 s, even for good credentials from the same client', async () => {
    for (let i = 0; i < 10; i++)
      expect((await api('GET', '/api/v1/settings', { auth: basic('intruder', `guess${i}`) })).status).toBe(
        401,
      );
    expect((await api('GET', '/api/v1/settings', { auth: basic('intruder', 'again') })).status).toBe(429);
    expect((await api('GET', '/api/v1/settings')).status).toBe(429);
  });
});

describe('§6.16 reads', () => {
  beforeEach(() => start());

  it('§6.16: GET /api/v1/place/{id}?with_lineage=true returns the full parent chain', async () => {
    const { clinic, hc } = await clinicWithPlaceId();
    const plain = (await api('GET', `/api/v1/place/${clinic}`)).json as Record<string, unknown>;
    expect(plain.parent).toEqual({ _id: hc, parent: { _id: expect.any(String) } });
    const full = (await api('GET', `/api/v1/place/${clinic}?with_lineage=true`)).json as {
      parent: { name: string; parent: { name: string; type: string } };
    };
    expect(full.parent.name).toBe('HC');
    expect(full.parent.parent).toMatchObject({ name: 'DH', type: 'district_hospital' });
    expect((await api('GET', '/api/v1/place/nope')).status).toBe(404);
  });

  it('§6.16: /api/v1/place?type= pages with a cursor', async () => {
    for (const name of ['A', 'B', 'C'])
      await api('POST', '/api/v1/places', { body: { type: 'district_hospital', name } });
    const first = (await api('GET', '/api/v1/place?type=district_hospital&limit=2')).json as {
      data: { name: string }[];
      cursor: string;
    };
    expect(first.data).toHaveLength(2);
    expect(first.cursor).toBe('2');
    const second = (await api('GET', `/api/v1/place?type=district_hospital&limit=2&cursor=${first.cursor}`))
      .json as {
      data: { name: string }[];
      cursor: string | null;
    };
    expect(second.cursor).toBeNull();
    expect([...first.data, ...second.data].map((p) => p.name).sort()).toEqual(['A', 'B', 'C']);
    expect((await api('GET', '/api/v1/place?type=person')).status).toBe(400);
  });

  it('§6.16: /api/v1/hydrate keeps request order and reports not_found', async () => {
    const { clinic, hc } = await clinicWithPlaceId();
    const answer = await api('POST', '/api/v1/hydrate', { body: { doc_ids: [hc, 'missing', clinic] } });
    expect(answer.json).toEqual([
      { id: hc, doc: expect.objectContaining({ _id: hc }) },
      { id: 'missing', error: 'not_found' },
      {
        id: clinic,
        doc: expect.objectContaining({ _id: clinic, parent: expect.objectContaining({ name: 'HC' }) }),
      },
    ]);
    expect((await api('GET', '/api/v1/hydrate?doc_ids=notarray')).json).toEqual({
      error: 'bad_request',
      reason: '`doc_ids` parameter must be a json array.',
    });
  });

  it('§6.16: contacts-by-phone normalises phones and answers 404 when nothing matches', async () => {
    const person = idOf(
      await api('POST', '/api/v1/people', { body: { name: 'Phone', phone: '+254 700 000 123' } }),
    );
    const found = await api('GET', '/api/v1/contacts-by-phone?phone=0700000123');
    expect(found.json).toEqual({ ok: true, docs: [expect.objectContaining({ _id: person })] });
    expect(await api('GET', '/api/v1/contacts-by-phone?phone=0700999999')).toMatchObject({
      status: 404,
      json: { error: 'not_found', reason: 'no matches found' },
    });
    expect((await api('GET', '/api/v1/contacts-by-phone')).status).toBe(400);
  });

  it('§6.16: Mango _find: {docs, bookmark, warning}, fields, default limit 25, type:contact misses hardcoded places', async () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({
      _id: `n${String(i).padStart(2, '0')}`,
      type: 'note',
      n: i,
    }));
    expect((await api('POST', '/medic/_bulk_docs', { body: { docs } })).status).toBe(201);
    const first = (await api('POST', '/medic/_find', { body: { selector: { type: 'note' }, fields: ['n'] } }))
      .json as {
      docs: { n: number }[];
      bookmark: string;
      warning: string;
    };
    expect(first.docs).toHaveLength(25);
    expect(first.docs[0]).toEqual({ n: expect.any(Number) });
    expect(first.warning).toMatch(/No matching index found/);
    const rest = (
      await api('POST', '/medic/_find', { body: { selector: { type: 'note' }, bookmark: first.bookmark } })
    ).json as { docs: unknown[] };
    expect(rest.docs).toHaveLength(5);
    await api('POST', '/api/v1/places', { body: { type: 'district_hospital', name: 'Named' } });
    expect(
      (
        (await api('POST', '/medic/_find', { body: { selector: { type: 'contact', name: 'Named' } } }))
          .json as { docs: unknown[] }
      ).docs,
    ).toEqual([]);
  });

  it("§6.16: GET /medic/<id> 404 bodies are CouchDB's", async () => {
    expect(await api('GET', '/medic/nothing')).toMatchObject({
      status: 404,
      json: { error: 'not_found', reason: 'missing' },
    });
    const created = (await api('PUT', '/medic/short', { body: { type: 'note' } })).json as { rev: string };
    await api('DELETE', `/medic/short?rev=${created.rev}`);
    expect(await api('GET', '/medic/short')).toMatchObject({
      status: 404,
      json: { error: 'not_found', reason: 'deleted' },
    });
  });
});

describe('§6.17 absent endpoints', () => {
  beforeEach(() => start());

  it('§6.17: /api/v1/hierarchy, /api/v1/contacts and GET /api/v1/credentials/<key> are CouchDB 404s, not successes', async () => {
    await api('PUT', '/api/v1/credentials/k', { body: 'v', contentType: 'text/plain' });
    for (const path of ['/api/v1/hierarchy', '/api/v1/contacts', '/api/v1/credentials/k']) {
      expect(await api('GET', path)).toMatchObject({ status: 404, json: { error: 'not_found' } });
    }
  });
});

describe('app settings: GET and PUT /api/v1/settings (api/src/controllers/settings.js, services/settings.js)', () => {
  const outboundEntry = (path: string) => ({
    relevant_to: 'true',
    destination: { base_url: 'http://x', path },
    mapping: { id: 'doc._id' },
  });
  beforeEach(() =>
    start({
      appSettings: { ...fixtureSettings(), outbound: { theirs: outboundEntry('/theirs') } },
      users: [
        { name: 'officer', password: 'pw', roles: ['program_officer'] },
        { name: 'entry', password: 'pw', roles: ['data_entry'] },
      ],
    }),
  );
  const settings = async () => (await api('GET', '/api/v1/settings')).json as Record<string, unknown>;

  it('by default merges objects recursively, keeping the other keys; updated says whether anything changed', async () => {
    const ours = { outbound: { ours: outboundEntry('/ours') } };
    expect((await api('PUT', '/api/v1/settings', { body: ours })).json).toEqual({
      success: true,
      updated: true,
    });
    expect((await settings()).outbound).toEqual({
      theirs: outboundEntry('/theirs'),
      ours: outboundEntry('/ours'),
    });
    expect((await settings()).contact_types).toBeDefined();
    expect((await api('PUT', '/api/v1/settings', { body: ours })).json).toEqual({
      success: true,
      updated: false,
    });
  });

  it('?replace replaces only the top-level keys given (any value, even "false"); ?overwrite the whole document', async () => {
    await api('PUT', '/api/v1/settings?replace=false', {
      body: { outbound: { ours: outboundEntry('/ours') } },
    });
    expect((await settings()).outbound).toEqual({ ours: outboundEntry('/ours') });
    expect((await settings()).contact_types).toBeDefined();
    await api('PUT', '/api/v1/settings?overwrite=true', { body: { locale: 'fr' } });
    expect(await settings()).toEqual({ locale: 'fr' });
  });

  it('PUT needs exactly application/json and can_edit + can_configure; GET needs a user', async () => {
    expect(await api('PUT', '/api/v1/settings', { body: '{}', contentType: 'text/plain' })).toMatchObject({
      status: 400,
      json: { code: 400, error: 'Content-Type must be application/json' },
    });
    expect(
      await api('PUT', '/api/v1/settings', { auth: basic('entry', 'pw'), body: { locale: 'fr' } }),
    ).toMatchObject({ status: 403, json: { code: 403, error: 'Insufficient privileges' } });
    expect(
      (await api('PUT', '/api/v1/settings', { auth: basic('officer', 'pw'), body: { locale: 'fr' } })).status,
    ).toBe(200);
    expect((await api('GET', '/api/v1/settings', { auth: null })).status).toBe(401);
  });
});
