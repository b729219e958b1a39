// §12.1–15 of openmrs-fhir2.md: authentication, transport and Patient, against the running stand-in.
import axios from 'axios';
import type { Bundle, Patient } from 'fhir/r4';
import { diagnostics, nextOpenmrsId, patientBody, startKit, type Kit } from './test-support/openmrs-test-kit';

let kit: Kit;
let now = Date.now();
beforeAll(async () => {
  kit = await startKit({ now: () => now });
});
afterAll(() => kit.close());

const anonymous = () => axios.create({ baseURL: kit.sandbox.fhirUrl, validateStatus: () => true });
const as = (username: string, password: string) =>
  axios.create({ baseURL: kit.sandbox.fhirUrl, auth: { username, password }, validateStatus: () => true });

describe('auth and transport', () => {
  it('§12.1 /metadata needs no credentials; /Patient without credentials is a 401 with an HTML body', async () => {
    const metadata = await anonymous().get('/metadata');
    expect(metadata.status).toBe(200);
    expect(metadata.data).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    const patients = await anonymous().get('/Patient');
    expect(patients.status).toBe(401);
    expect(patients.headers['content-type']).toMatch(/text\/html/);
    expect(String(patients.data)).toContain('Not authenticated');
    expect(patients.headers['www-authenticate']).toBeUndefined();
  });

  it('§12.2 wrong password 401; right password sets JSESSIONID which then suffices; ":" in a password fails; lockout after 8 failures', async () => {
    expect((await as('admin', 'wrong').get('/Patient')).status).toBe(401);
    const ok = await as('admin', 'Admin123').get('/Patient');
    expect(ok.status).toBe(200);
    const cookie = String(ok.headers['set-cookie']?.[0]).split(';')[0] ?? '';
    expect(cookie).toMatch(/^JSESSIONID=/);
    const withCookie = await anonymous().get('/Patient', { headers: { Cookie: cookie } });
    expect(withCookie.status).toBe(200);
    // Once the session is authenticated, a wrong Basic header on it is not checked again.
    const wrongOnSession = await as('admin', 'wrong').get('/Patient', { headers: { Cookie: cookie } });
    expect(wrongOnSession.status).toBe(200);

    const colon = await startKit({ users: [{ username: 'colon', password: 'pa:ss' }] });
    try {
      const response = await axios.get(`${colon.sandbox.fhirUrl}/Patient`, {
        auth: { username: 'colon', password: 'pa:ss' },
        validateStatus: () => true,
      });
      expect(response.status).toBe(401);
    } finally {
      await colon.close();
    }

    for (let i = 0; i < 8; i++) expect((await as('admin', `wrong-${i}`).get('/Patient')).status).toBe(401);
    expect((await as('admin', 'Admin123').get('/Patient')).status).toBe(401);
    now += 5 * 60 * 1000 + 1000;
    expect((await as('admin', 'Admin123').get('/Patient')).status).toBe(200);
  });

  it('§12.3 fullUrl, Location and next links use the request host and X-Forwarded-*', async () => {
    for (let i = 0; i < 11; i++) await kit.patient({ name: [{ given: ['Forwarded'], family: `Host${i}` }] });
    const headers = {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'emr.example.org',
      'X-Forwarded-Port': '443',
    };
    const created = await kit.fhir.post('/Patient', patientBody(), { headers });
    expect(created.headers.location).toBe(
      `https://emr.example.org/openmrs/ws/fhir2/R4/Patient/${created.data.id}`,
    );
    const page = (await kit.fhir.get('/Patient', { params: { family: 'Host' }, headers })).data as Bundle;
    expect(page.entry?.[0]?.fullUrl).toMatch(
      /^https:\/\/emr\.example\.org\/openmrs\/ws\/fhir2\/R4\/Patient\//,
    );
    expect(page.link?.find((l) => l.relation === 'next')?.url).toMatch(
      /^https:\/\/emr\.example\.org\/openmrs\/ws\/fhir2\/R4\?_getpages=/,
    );
    const plain = (await kit.fhir.get('/Patient', { params: { family: 'Host' } })).data as Bundle;
    expect(plain.entry?.[0]?.fullUrl?.startsWith(kit.sandbox.fhirUrl)).toBe(true);
  });
});

describe('Patient', () => {
  it('§12.4 POST with a valid OpenMRS ID: 201, Location, ETag W/"<ms>", a server uuid whatever the body id', async () => {
    const response = await kit.fhir.post('/Patient', { ...patientBody(), id: 'my-own-id' });
    expect(response.status).toBe(201);
    const patient = response.data as Patient;
    expect(patient.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.location).toBe(`${kit.sandbox.fhirUrl}/Patient/${patient.id}`);
    expect(response.headers.etag).toBe(`W/"${patient.meta?.versionId}"`);
    expect(Number(patient.meta?.versionId)).toBe(Date.parse(patient.meta?.lastUpdated ?? ''));
  });

  it('a list element sent as one object (as fhir2 PatientWebTest_create.json posts identifier) is read as a list: 201', async () => {
    const { identifier, name, ...rest } = patientBody();
    const response = await kit.fhir.post('/Patient', {
      ...rest,
      identifier: identifier?.[0],
      name: name?.[0],
    });
    expect(response.status).toBe(201);
    const patient = response.data as Patient;
    expect(patient.identifier?.map((i) => i.value)).toContain(identifier?.[0]?.value);
    expect(patient.name?.[0]?.family).toBe(name?.[0]?.family);
  });

  it('§12.5 an identifier typed only by type.coding code is dropped: 422 "Select a preferred identifier"', async () => {
    const body = patientBody({
      identifier: [
        {
          use: 'official',
          type: { coding: [{ code: '05a29f94-c0ed-11e2-94be-8c13b969e334' }] },
          value: nextOpenmrsId(),
        },
      ],
    });
    const response = await kit.fhir.post('/Patient', body);
    expect(response.status).toBe(422);
    expect(diagnostics(response.data)).toBe(
      "'Patient#null' failed to validate with reason: Select a preferred identifier",
    );
  });

  it('§12.6 an unknown identifier.system drops the identifier even with a valid type.text', async () => {
    const body = patientBody({
      identifier: [
        {
          use: 'official',
          system: 'https://example.org/ids',
          type: { text: 'OpenMRS ID' },
          value: nextOpenmrsId(),
        },
      ],
    });
    const response = await kit.fhir.post('/Patient', body);
    expect(response.status).toBe(422);
    expect(diagnostics(response.data)).toContain('Select a preferred identifier');
  });

  it('§12.7 two identifiers need one official; the official comes first, the other is usual', async () => {
    const two = (official: boolean) =>
      patientBody({
        identifier: [
          { type: { text: 'Legacy ID' }, value: `L-${nextOpenmrsId()}` },
          {
            ...(official ? { use: 'official' as const } : {}),
            type: { text: 'OpenMRS ID' },
            value: nextOpenmrsId(),
          },
        ],
      });
    expect((await kit.fhir.post('/Patient', two(false))).status).toBe(422);
    const response = await kit.fhir.post('/Patient', two(true));
    expect(response.status).toBe(201);
    const identifiers = (response.data as Patient).identifier ?? [];
    expect(identifiers.map((i) => [i.type?.text, i.use])).toEqual([
      ['OpenMRS ID', 'official'],
      ['Legacy ID', 'usual'],
    ]);
    expect(identifiers[0]?.type?.coding?.[0]).toEqual({ code: '05a29f94-c0ed-11e2-94be-8c13b969e334' });
    expect(identifiers[0]?.system).toBeUndefined();
  });

  it('§12.8 a bad check digit and letters outside the Luhn alphabet are 422s with their messages', async () => {
    const good = nextOpenmrsId();
    const bad = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    const badDigit = await kit.fhir.post(
      '/Patient',
      patientBody({ identifier: [{ use: 'official', type: { text: 'OpenMRS ID' }, value: bad }] }),
    );
    expect(badDigit.status).toBe(422);
    expect(diagnostics(badDigit.data)).toContain(`Invalid check digit for identifier: ${bad}`);
    const badLetters = await kit.fhir.post(
      '/Patient',
      patientBody({ identifier: [{ use: 'official', type: { text: 'OpenMRS ID' }, value: '10BZ0Q1' }] }),
    );
    expect(badLetters.status).toBe(422);
    expect(diagnostics(badLetters.data)).toContain(
      'Identifier 10BZ0Q1 is not appropriate for validation scheme Luhn Mod-30 Check-Digit Validator',
    );
  });

  it('§12.9 a second patient with the same identifier: 422 already in use by another patient', async () => {
    const value = nextOpenmrsId();
    const body = patientBody({ identifier: [{ use: 'official', type: { text: 'OpenMRS ID' }, value }] });
    expect((await kit.fhir.post('/Patient', body)).status).toBe(201);
    const second = await kit.fhir.post('/Patient', body);
    expect(second.status).toBe(422);
    expect(diagnostics(second.data)).toBe(
      `'Patient#null' failed to validate with reason: Identifier ${value} already in use by another patient`,
    );
  });

  it('§12.10 missing gender, name or given name, a future birthDate or deceased are 422s; no birthDate or family is fine', async () => {
    const cases: [Partial<Patient>, string][] = [
      [{ gender: undefined }, 'gender: Please select a gender'],
      [{ name: [] }, 'names: Person must have at least one non-deleted name'],
      [{ name: [{ family: 'Only' }] }, 'names[0].givenName: You must define the Given Name'],
      [{ birthDate: '2999-01-01' }, 'birthdate: Cannot be a date in the future'],
      [
        { deceasedBoolean: true },
        'causeOfDeath: Cause of Death or Cause of Death (non coded) is required for people marked as deceased.',
      ],
    ];
    for (const [overrides, message] of cases) {
      const response = await kit.fhir.post('/Patient', patientBody(overrides));
      expect(response.status).toBe(422);
      expect(diagnostics(response.data)).toContain(message);
    }
    const { birthDate: _b, ...noBirthDate } = patientBody();
    expect((await kit.fhir.post('/Patient', noBirthDate)).status).toBe(201);
    expect((await kit.fhir.post('/Patient', patientBody({ name: [{ given: ['Solo'] }] }))).status).toBe(201);
  });

  it('§12.11 a year-only birthDate is estimated and comes back as a year; a day comes back unchanged', async () => {
    const year = await kit.patient({ birthDate: '1980' });
    expect((await kit.fhir.get(`/Patient/${year.id}`)).data.birthDate).toBe('1980');
    const day = await kit.patient({ birthDate: '1985-07-09' });
    expect((await kit.fhir.get(`/Patient/${day.id}`)).data.birthDate).toBe('1985-07-09');
  });

  it('§12.12 address line is dropped, city kept, the address1 extension round-trips', async () => {
    const ext = 'http://fhir.openmrs.org/ext/address';
    const patient = await kit.patient({
      address: [
        {
          line: ['12 Long Road'],
          city: 'Kisumu',
          extension: [{ url: ext, extension: [{ url: `${ext}#address1`, valueString: 'Plot 7' }] }],
        },
      ],
    });
    const address = ((await kit.fhir.get(`/Patient/${patient.id}`)).data as Patient).address?.[0];
    expect(address?.city).toBe('Kisumu');
    expect(address?.line).toBeUndefined();
    expect(address?.extension?.[0]?.extension).toEqual([{ url: `${ext}#address1`, valueString: 'Plot 7' }]);
  });

  it('§12.13 two telecoms: only the last is stored, as telecom and as a Telephone Number attribute', async () => {
    const patient = await kit.patient({
      telecom: [
        { system: 'phone', value: '+254700000001' },
        { system: 'email', value: 'a@b.org' },
      ],
    });
    const read = (await kit.fhir.get(`/Patient/${patient.id}`)).data as Patient;
    expect(read.telecom).toEqual([{ id: expect.any(String), value: 'a@b.org' }]);
    const attribute = read.extension?.find((e) => e.url === 'http://fhir.openmrs.org/ext/person-attribute');
    expect(attribute?.extension).toEqual([
      { url: 'http://fhir.openmrs.org/ext/person-attribute-type', valueString: 'Telephone Number' },
      { url: 'http://fhir.openmrs.org/ext/person-attribute-value', valueString: 'a@b.org' },
    ]);
  });

  it('§4.2 on PUT, person-attribute extensions are applied after telecom: the Telephone Number read back wins', async () => {
    const patient = await kit.patient({ telecom: [{ value: '+254700000001' }] });
    const read = (await kit.fhir.get(`/Patient/${patient.id}`)).data as Patient;
    const telecom = [{ id: read.telecom?.[0]?.id, value: '+254700000002' }];
    await kit.fhir.put(`/Patient/${patient.id}`, { ...read, telecom });
    expect(((await kit.fhir.get(`/Patient/${patient.id}`)).data as Patient).telecom?.[0]?.value).toBe(
      '+254700000001',
    );
    const { extension: _attributes, ...withoutAttributes } = read;
    await kit.fhir.put(`/Patient/${patient.id}`, { ...withoutAttributes, telecom });
    expect(((await kit.fhir.get(`/Patient/${patient.id}`)).data as Patient).telecom?.[0]?.value).toBe(
      '+254700000002',
    );
  });

  it('§12.14 PUT: mismatched id 400, unknown id 404, identifiers merge, addresses without ids pile up', async () => {
    const patient = await kit.patient({ address: [{ city: 'Kisumu' }] });
    const mismatch = await kit.fhir.put(`/Patient/${patient.id}`, { ...patient, id: 'other' });
    expect(mismatch.status).toBe(400);
    expect(diagnostics(mismatch.data)).toMatch(/^HAPI-0420: .*"other" does not match URL ID of "/);
    const unknown = await kit.fhir.put('/Patient/00000000-0000-0000-0000-000000000000', {
      ...patient,
      id: '00000000-0000-0000-0000-000000000000',
    });
    expect(unknown.status).toBe(404);
    expect(diagnostics(unknown.data)).toBe(
      'Resource of type Patient with ID 00000000-0000-0000-0000-000000000000 is not known',
    );
    const added = await kit.fhir.put(`/Patient/${patient.id}`, {
      resourceType: 'Patient',
      id: patient.id,
      identifier: [{ type: { text: 'ID Card' }, value: `CARD-${nextOpenmrsId()}` }],
      address: [{ city: 'Kisumu' }],
    });
    expect(added.status).toBe(200);
    const read = (await kit.fhir.get(`/Patient/${patient.id}`)).data as Patient;
    expect(read.identifier?.map((i) => i.type?.text).sort()).toEqual(['ID Card', 'OpenMRS ID']);
    expect(read.address).toHaveLength(2);
  });

  it('§12.15 a deleted patient is 410; DELETE twice is 200 twice; its encounters stay searchable', async () => {
    const patient = await kit.patient();
    const visit = await kit.create({
      resourceType: 'Encounter',
      status: 'unknown',
      class: { code: 'AMB' },
      type: [
        {
          coding: [
            {
              system: 'http://fhir.openmrs.org/code-system/visit-type',
              code: 'd66e9fe0-7d51-4801-a550-5d462ad1c944',
            },
          ],
        },
      ],
      subject: { reference: `Patient/${patient.id}` },
      period: { start: '2024-01-01T08:00:00+00:00', end: '2024-01-01T09:00:00+00:00' },
    });
    expect((await kit.fhir.delete(`/Patient/${patient.id}`)).status).toBe(200);
    const again = await kit.fhir.delete(`/Patient/${patient.id}`);
    expect(again.status).toBe(200);
    expect(again.data.issue[0].details.coding[0].code).toBe('MSG_DELETED');
    const read = await kit.fhir.get(`/Patient/${patient.id}`);
    expect(read.status).toBe(410);
    expect(diagnostics(read.data)).toBe(`Resource of type Patient with ID ${patient.id} is gone/deleted`);
    const encounters = (await kit.fhir.get('/Encounter', { params: { subject: patient.id } })).data as Bundle;
    expect(encounters.entry?.map((e) => e.resource?.id)).toEqual([visit.id]);
  });
});
