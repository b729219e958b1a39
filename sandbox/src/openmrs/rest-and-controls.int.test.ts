// REST v1 for the configurator, the /__sandbox test controls, and state kept across a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { startOpenmrsSandbox } from './index';
import { patientBody, startKit, WEIGHT, type Kit } from './test-support/openmrs-test-kit';

let kit: Kit;
beforeAll(async () => {
  kit = await startKit();
});
afterAll(() => kit.close());

const controls = () =>
  axios.create({ baseURL: kit.sandbox.url.replace(/\/openmrs$/, '/__sandbox'), validateStatus: () => true });

describe('REST v1', () => {
  it('session: anonymous is not authenticated; Basic authenticates', async () => {
    const anonymous = await axios.get(`${kit.sandbox.restUrl}/session`);
    expect(anonymous.data).toEqual({ sessionId: expect.any(String), authenticated: false });
    const admin = await kit.rest.get('/session');
    expect(admin.data).toMatchObject({ authenticated: true, user: { username: 'admin' } });
    const unauthenticated = await axios.get(`${kit.sandbox.restUrl}/visittype`, {
      validateStatus: () => true,
    });
    expect(unauthenticated.status).toBe(401);
  });

  it('patientidentifiertype: ?q= searches by name; create answers 201; a duplicate name is a 400 with a field error', async () => {
    const found = await kit.rest.get('/patientidentifiertype', { params: { q: 'OpenMRS', v: 'full' } });
    expect(found.data.results).toEqual([
      expect.objectContaining({
        uuid: '05a29f94-c0ed-11e2-94be-8c13b969e334',
        name: 'OpenMRS ID',
        uniquenessBehavior: 'UNIQUE',
      }),
    ]);
    const body = {
      name: 'CHT Patient ID',
      description: 'CHT shortcode',
      required: false,
      locationBehavior: 'NOT_USED',
      uniquenessBehavior: 'UNIQUE',
    };
    const created = await kit.rest.post('/patientidentifiertype', body);
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      uuid: expect.any(String),
      name: 'CHT Patient ID',
      locationBehavior: 'NOT_USED',
    });
    const duplicate = await kit.rest.post('/patientidentifiertype', body);
    expect(duplicate.status).toBe(400);
    expect(duplicate.data.error).toMatchObject({
      message: '[Invalid Submission]',
      fieldErrors: { name: [expect.objectContaining({ code: 'PatientIdentifierType.error.nameDuplicate' })] },
    });
    const unknownProperty = await kit.rest.post('/patientidentifiertype', { name: 'X', colour: 'red' });
    expect(unknownProperty.status).toBe(400);
    expect(unknownProperty.data.error.message).toBe('Some properties are not allowed to be set: colour');
  });

  it('a type created without locationBehavior requires an identifier location, as core does for null', async () => {
    await kit.rest.post('/patientidentifiertype', { name: 'No Behaviour', description: 'x' });
    const response = await kit.fhir.post(
      '/Patient',
      patientBody({ identifier: [{ type: { text: 'No Behaviour' }, value: 'NB-1' }] }),
    );
    expect(response.status).toBe(422);
    expect(response.data.issue[0].diagnostics).toContain('Identifier Location cannot be null for NB-1');
  });

  it('visittype, encountertype, location and concept by uuid; unknown uuids are 404', async () => {
    expect((await kit.rest.get('/visittype/d66e9fe0-7d51-4801-a550-5d462ad1c944')).data.display).toBe(
      'Home Visit',
    );
    expect((await kit.rest.get('/encountertype/d7151f82-c1f3-4152-a605-2f9ea7414a79')).data.display).toBe(
      'Visit Note',
    );
    expect((await kit.rest.get('/location/44c3efb0-2583-4c80-a79e-1f756a03c0a1')).data.display).toBe(
      'Outpatient Clinic',
    );
    const concept = await kit.rest.get(`/concept/${WEIGHT}`, { params: { v: 'full' } });
    expect(concept.data.datatype).toMatchObject({ display: 'Numeric' });
    const missing = await kit.rest.get('/visittype/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.data.error.message).toBe("Object with given uuid doesn't exist");
  });
});

describe('test controls (/__sandbox)', () => {
  it('counts requests by route, injects failures by count and match, and resets', async () => {
    await controls().delete('/counters');
    await kit.fhir.get('/Patient');
    await kit.fhir.get('/Patient');
    expect((await controls().get('/counters')).data.byRoute).toEqual({ 'GET /ws/fhir2/R4/Patient': 2 });

    await controls().put('/fault', { status: 503, count: 1, match: '^POST .+Patient$' });
    expect((await kit.fhir.post('/Patient', patientBody())).status).toBe(503);
    expect((await kit.fhir.post('/Patient', patientBody())).status).toBe(201);
    expect((await kit.fhir.get('/Patient')).status).toBe(200);

    await controls().put('/fault', { forMs: 60_000 });
    await expect(kit.fhir.get('/Patient')).rejects.toThrow(/socket hang up|ECONNRESET/);
    await controls().delete('/fault');

    expect((await controls().put('/fault', { status: 200 })).status).toBe(400);
    expect((await controls().post('/reset')).status).toBe(204);
    expect((await kit.fhir.get('/Patient')).data.total).toBe(0);
  });

  it('answers each request the latency after it arrived, having done its work at once', async () => {
    await controls().post('/reset');
    await controls().put('/latency', { ms: 400 });
    const started = process.hrtime.bigint();
    const creating = kit.fhir.post('/Patient', patientBody());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await controls().put('/latency', { ms: 0 });
    // Asked while the create's answer is still held: the patient is there already.
    const during = await kit.fhir.get('/Patient');
    const created = await creating;
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(during.data.total).toBe(1);
    expect(during.data.entry[0].resource.id).toBe(created.data.id);
    expect(elapsedMs).toBeGreaterThanOrEqual(390);
  });
});

describe('persistence', () => {
  it('keeps patients and created identifier types across a restart with the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openmrs-sandbox-'));
    try {
      const first = await startOpenmrsSandbox({ dataDir });
      const client = axios.create({
        baseURL: first.fhirUrl,
        auth: { username: 'admin', password: 'Admin123' },
      });
      const created = await client.post('/Patient', patientBody());
      await axios.post(
        `${first.restUrl}/patientidentifiertype`,
        { name: 'Kept', description: 'x' },
        { auth: { username: 'admin', password: 'Admin123' } },
      );
      await first.close();
      const second = await startOpenmrsSandbox({ dataDir });
      try {
        const read = await axios.get(`${second.fhirUrl}/Patient/${created.data.id}`, {
          auth: { username: 'admin', password: 'Admin123' },
        });
        expect(read.data.id).toBe(created.data.id);
        const types = await axios.get(`${second.restUrl}/patientidentifiertype`, {
          params: { q: 'Kept' },
          auth: { username: 'admin', password: 'Admin123' },
        });
        expect(types.data.results).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
