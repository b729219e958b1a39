// CHT's real outbound push, configured by cht-config/app_settings.json, drives the CHT mediator, which
// stores FHIR resources on the embedded FHIR store: real configuration in, real requests out.
// OpenHIM is not in between here (the e2e scenarios put it there), so only its routing prefix
// (/mediator, which OpenHIM's channel strips) is taken off the destination paths.
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import type { Patient } from 'fhir/r4';
import { identifierOf } from '@cht-openmrs/common';
import { externalFhirUrl, startFhirStore, startTestFhirServer } from '@cht-openmrs/fhir-store';
import { readAppSettings, startChtSandbox, type AppSettings, type ChtSandbox } from '@cht-openmrs/sandbox';
import { revisionOf } from './mapping/cht-revision';
import { MEDIATOR_USER, startChtMediator, type RunningMediator } from './test-support/cht-mediator-harness';

const APP_SETTINGS = join(__dirname, '..', '..', 'cht-config', 'app_settings.json');

async function withoutOpenhimPrefix(mediatorUrl: string): Promise<AppSettings> {
  const settings = await readAppSettings(APP_SETTINGS);
  for (const config of Object.values(settings.outbound ?? {})) {
    config.destination.base_url = mediatorUrl;
    config.destination.path = (config.destination.path ?? '').replace(/^\/mediator/, '');
  }
  return settings;
}

describe('CHT outbound push → CHT mediator → FHIR store', () => {
  let store: { url: string; close(): Promise<void> };
  let mediator: RunningMediator;
  let cht: ChtSandbox;
  let api: AxiosInstance;
  let clinic: string;

  beforeEach(async () => {
    store = await startTestFhirServer();
    mediator = await startChtMediator(store.url);
    cht = await startChtSandbox({ appSettings: await withoutOpenhimPrefix(mediator.url) });
    api = axios.create({
      baseURL: cht.url,
      auth: { username: 'medic', password: 'password' },
      validateStatus: () => true,
    });
    await api.put('/api/v1/credentials/openhim1', MEDIATOR_USER.password, {
      headers: { 'Content-Type': 'text/plain' },
    });
    const json = { headers: { 'Content-Type': 'application/json' } };
    const district = (await api.post('/api/v1/places', { name: 'District', type: 'district_hospital' }, json))
      .data.id;
    const hc = (
      await api.post('/api/v1/places', { name: 'HC', type: 'health_center', parent: district }, json)
    ).data.id;
    clinic = (await api.post('/api/v1/places', { name: 'CHW area A', type: 'clinic', parent: hc }, json)).data
      .id;
    await cht.sentinelPass();
  });
  afterEach(async () => {
    await cht.close();
    await mediator.close();
    await store.close();
  });

  const createPatient = async (fields: Record<string, unknown> = {}) => {
    const person = {
      name: 'Amina Wanjiru',
      type: 'person',
      role: 'patient',
      sex: 'female',
      date_of_birth: '1995-02-03',
      phone: '+254712000111',
      place: clinic,
      ...fields,
    };
    const { data } = await api.post('/api/v1/people', person, {
      headers: { 'Content-Type': 'application/json' },
    });
    await cht.sentinelPass();
    return data.id as string;
  };

  const writeReport = async (id: string, patient: string, fields: Record<string, unknown>, rev?: string) => {
    const doc = {
      _id: id,
      ...(rev ? { _rev: rev } : {}),
      type: 'data_record',
      form: 'height_weight',
      reported_date: 1717236000000,
      fields: { patient_uuid: patient, ...fields },
    };
    const { data } = await api.put(`/medic/${id}`, doc, { headers: { 'Content-Type': 'application/json' } });
    await cht.sentinelPass();
    return data.rev as string;
  };

  it('stores a CHT patient with its document id and the shortcode Sentinel gave it', async () => {
    const id = await createPatient();
    const person = (await api.get(`/medic/${id}`)).data as { patient_id: string };
    const patients: Patient[] = await mediator.fhir.searchAll('Patient');
    expect(patients).toHaveLength(1);
    expect(identifierOf(patients[0] as Patient, 'chtDocumentId')).toBe(id);
    expect(identifierOf(patients[0] as Patient, 'chtPatientId')).toBe(person.patient_id);
    expect(patients[0]).toMatchObject({
      gender: 'female',
      birthDate: '1995-02-03',
      name: [{ given: ['Amina'], family: 'Wanjiru' }],
    });
    expect((await cht.outbound(id)).tasks).toEqual([]);
  });

  it('stores a report with its observations, and an edit updates them without a second Encounter', async () => {
    const patient = await createPatient();
    const rev = await writeReport('report-1', patient, { weight: '62.5', height: '165' });
    expect(await mediator.fhir.searchAll('Encounter')).toHaveLength(1);
    expect((await mediator.fhir.searchAll('Observation')).map((o) => o.valueQuantity?.value).sort()).toEqual([
      165, 62.5,
    ]);

    const edited = await writeReport('report-1', patient, { weight: '63', height: '165' }, rev);
    const [encounter, ...others] = await mediator.fhir.searchAll('Encounter');
    expect(others).toHaveLength(0);
    expect((await mediator.fhir.searchAll('Observation')).map((o) => o.valueQuantity?.value).sort()).toEqual([
      165, 63,
    ]);
    // The push said which CouchDB revision it was (cht-config maps doc._rev): an older one cannot win.
    expect(revisionOf(encounter)).toBe(Number(edited.split('-')[0]));
    expect(revisionOf(encounter)).toBeGreaterThan(Number(rev.split('-')[0]));
    const [person] = await mediator.fhir.searchAll('Patient');
    expect(revisionOf(person)).toBeGreaterThanOrEqual(1);
  });

  it('omits an unanswered question instead of failing the push', async () => {
    const patient = await createPatient();
    await writeReport('report-2', patient, { weight: '70' });
    expect((await mediator.fhir.searchAll('Observation')).map((o) => o.valueQuantity?.unit)).toEqual(['kg']);
    expect((await cht.outbound('report-2')).tasks).toEqual([]);
  });

  // An external server (npm run test:hapi) cannot be stopped and restarted by a test.
  (externalFhirUrl() ? it.skip : it)(
    'keeps pushes queued while the FHIR store is down, and stores them on CHT\u2019s retry',
    async () => {
      const url = store.url;
      await store.close();
      const id = await createPatient();
      expect((await cht.outbound(id)).tasks.length).toBeGreaterThan(0);

      store = await startFhirStore({ port: Number(new URL(url).port) });
      await cht.retryPass();
      expect(await mediator.fhir.searchAll('Patient')).toHaveLength(1);
      expect((await cht.outbound(id)).tasks).toEqual([]);
    },
  );
});
