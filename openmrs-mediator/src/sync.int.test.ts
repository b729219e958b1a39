// The sync against the running FHIR store, OpenMRS stand-in and CHT stand-in over HTTP: each direction
// for patients and encounters, updates both ways without echoes, placement, crash recovery, failures.
import type { Observation, Patient } from 'fhir/r4';
import { identifierOf, identifierToken } from '@cht-openmrs/common';
import { openmrsFactories } from '@cht-openmrs/sandbox';
import { VISIT_TYPE_SYSTEM } from './openmrs/openmrs-fhir';
import { startSyncStack, type SyncStack } from './test-support/sync-harness';

const { addressWith, FACILITY_VISIT, HOME_VISIT, patientWith, recordCompletedVisit, VITALS, WEIGHT } =
  openmrsFactories;
const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };

describe('sync between the FHIR store, OpenMRS and CHT', () => {
  let stack: SyncStack;
  let clinic: { id: string; placeId: string };

  beforeEach(async () => {
    stack = await startSyncStack();
    const place = async (body: Record<string, unknown>) =>
      (await stack.chtApi.post('/api/v1/places', body, JSON_BODY)).data.id as string;
    const district = await place({ name: 'District', type: 'district_hospital' });
    const hc = await place({ name: 'Health centre', type: 'health_center', parent: district });
    const id = await place({ name: 'CHW area A', type: 'clinic', parent: hc });
    await stack.cht.sentinelPass();
    clinic = { id, placeId: (await stack.chtApi.get(`/medic/${id}`)).data.place_id as string };
  });
  afterEach(() => stack.close());

  const chtPerson = async (fields: Record<string, unknown> = {}) => {
    const body = {
      name: 'Amina Wanjiru',
      type: 'person',
      role: 'patient',
      sex: 'female',
      date_of_birth: '1995-02-03',
      phone: '+254712000111',
      place: clinic.id,
      ...fields,
    };
    const id = (await stack.chtApi.post('/api/v1/people', body, JSON_BODY)).data.id as string;
    await stack.cht.sentinelPass();
    return id;
  };
  const chtReport = async (id: string, patient: string, fields: Record<string, unknown>) => {
    const current = await stack.chtApi.get(`/medic/${id}`);
    const rev = current.status === 200 ? { _rev: current.data._rev } : {};
    const doc = {
      _id: id,
      ...rev,
      type: 'data_record',
      form: 'height_weight',
      reported_date: Date.parse('2024-06-01T10:00:00Z'),
      fields: { patient_uuid: patient, ...fields },
    };
    await stack.chtApi.put(`/medic/${id}`, doc, JSON_BODY);
    await stack.cht.sentinelPass();
  };
  const openmrsPatients = (docId: string) =>
    stack.openmrs.searchAll('Patient', { identifier: `CHT Document ID|${docId}` });
  const openmrsPatient = async (
    address: Record<string, string>,
    name = { given: ['Ali'], family: 'Hassan' },
  ) => {
    const identifier = { type: 'ID Card', value: `ID-${Math.random().toString(36).slice(2, 10)}` };
    const body = patientWith(identifier, {
      name: [name],
      gender: 'male',
      birthDate: '1980-01-01',
      address: [addressWith(address)],
    });
    return (await stack.openmrs.create(body)).resource;
  };
  const nothingChanged = (report: Awaited<ReturnType<SyncStack['sync']>>) =>
    Object.entries(report.streams)
      .map(([s, c]) => [s, c.created + c.updated + c.failed + c.waiting])
      .filter(([, n]) => n !== 0);

  it('sends a CHT patient to OpenMRS once, with both CHT identifiers, and links it', async () => {
    const docId = await chtPerson();
    const first = await stack.sync();
    expect(first.streams['patients-to-openmrs']?.created).toBe(1);
    const [created, ...others] = await openmrsPatients(docId);
    expect(others).toHaveLength(0);
    const shortcode = (await stack.chtApi.get(`/medic/${docId}`)).data.patient_id as string;
    expect(created?.identifier?.map((i) => [i.type?.text, i.value, i.use])).toEqual(
      expect.arrayContaining([
        ['CHT Document ID', docId, 'official'],
        ['CHT Patient ID', shortcode, 'usual'],
      ]),
    );
    const [copy] = await stack.fhir.searchAll('Patient', {
      identifier: identifierToken('chtDocumentId', docId),
    });
    expect(identifierOf(copy as Patient, 'openmrsUuid')).toBe(created?.id);
    expect(nothingChanged(await stack.sync())).toEqual([]);
    expect(await openmrsPatients(docId)).toHaveLength(1);
  });

  it('sends a CHT report as a Home Visit with an end, a Visit Note part of it, and its observations', async () => {
    const docId = await chtPerson();
    await chtReport('report-1', docId, { weight: '62.5', height: '165' });
    const report = await stack.sync();
    expect(report.streams['encounters-to-openmrs']?.created).toBe(1);
    const [patient] = await openmrsPatients(docId);
    const visits = await stack.openmrs.searchAll('Encounter', {
      patient: patient?.id as string,
      _tag: 'http://fhir.openmrs.org/ext/encounter-tag|visit',
    });
    expect(visits).toHaveLength(1);
    expect(visits[0]?.type?.[0]?.coding?.[0]).toMatchObject({ system: VISIT_TYPE_SYSTEM, code: HOME_VISIT });
    expect(visits[0]?.period?.end).toBeDefined();
    const encounters = await stack.openmrs.searchAll('Encounter', {
      patient: patient?.id as string,
      _tag: 'http://fhir.openmrs.org/ext/encounter-tag|encounter',
    });
    expect(encounters.map((e) => e.partOf?.reference)).toEqual([`Encounter/${visits[0]?.id}`]);
    const observations = await stack.openmrs.searchAll('Observation', { patient: patient?.id as string });
    expect(observations.map((o) => o.valueQuantity?.value).sort()).toEqual([165, 62.5]);
    expect(nothingChanged(await stack.sync())).toEqual([]);
  });

  it('sends an edited report as updated observations, without a second visit', async () => {
    const docId = await chtPerson();
    await chtReport('report-1', docId, { weight: '62.5', height: '165' });
    await stack.sync();
    await chtReport('report-1', docId, { weight: '64', height: '165' });
    expect((await stack.sync()).streams['encounters-to-openmrs']?.updated).toBe(1);
    const [patient] = await openmrsPatients(docId);
    const observations: Observation[] = await stack.openmrs.searchAll('Observation', {
      patient: patient?.id as string,
    });
    expect(observations.map((o) => o.valueQuantity?.value).sort()).toEqual([165, 64]);
    expect(
      await stack.openmrs.searchAll('Encounter', {
        patient: patient?.id as string,
        _tag: 'http://fhir.openmrs.org/ext/encounter-tag|visit',
      }),
    ).toHaveLength(1);
  });

  it('places an OpenMRS patient in CHT by [place_id], writes the CHT id back, and does not bounce it', async () => {
    const patient = await openmrsPatient({ address5: `CHW area A [${clinic.placeId}]` });
    expect((await stack.sync()).streams['patients-from-openmrs']?.created).toBe(1);
    const [copy] = await stack.fhir.searchAll('Patient', {
      identifier: identifierToken('openmrsUuid', patient.id as string),
    });
    const docId = identifierOf(copy as Patient, 'chtDocumentId') as string;
    const person = (await stack.chtApi.get(`/medic/${docId}`)).data;
    expect(person).toMatchObject({
      name: 'Ali Hassan',
      role: 'patient',
      external_id: patient.id,
      parent: { _id: clinic.id },
    });
    const inOpenmrs = await stack.openmrs.read('Patient', patient.id as string);
    expect(inOpenmrs.identifier?.find((i) => i.type?.text === 'CHT Document ID')?.value).toBe(docId);
    await stack.cht.sentinelPass(); // CHT gives it a shortcode and pushes it back to the CHT mediator
    await stack.sync();
    expect(nothingChanged(await stack.sync())).toEqual([]);
    expect(await stack.openmrs.searchAll('Patient', { identifier: `CHT Document ID|${docId}` })).toHaveLength(
      1,
    );
    expect(await stack.fhir.searchAll('Patient')).toHaveLength(1);
  });

  it('places by exact name, and keeps a patient with no matching place unplaced until one exists', async () => {
    await openmrsPatient({ address4: 'CHW area A' });
    const lost = await openmrsPatient({ address5: 'CHW area B' });
    const report = await stack.sync();
    expect(report.unplaced).toBe(1);
    const status = (await stack.mediator.get('/status')).data;
    expect(status.unplaced).toEqual([
      expect.objectContaining({ openmrsUuid: lost.id, reason: expect.stringContaining('CHW area B') }),
    ]);

    await stack.chtApi.post(
      '/api/v1/places',
      {
        name: 'CHW area B',
        type: 'clinic',
        parent: (await stack.chtApi.get(`/medic/${clinic.id}`)).data.parent._id,
      },
      JSON_BODY,
    );
    const later = await stack.sync();
    expect(later.unplaced).toBe(0);
    expect((await stack.mediator.get('/status')).data.unplaced).toEqual([]); // its unplaced tag is off
    const [copy] = await stack.fhir.searchAll('Patient', {
      identifier: identifierToken('openmrsUuid', lost.id as string),
    });
    expect(identifierOf(copy as Patient, 'chtDocumentId')).toBeDefined();
  });

  it('sends a completed OpenMRS visit to CHT as a report of the mapped form, and not our own visits back', async () => {
    const patient = await openmrsPatient({ address5: `CHW area A [${clinic.placeId}]` });
    await stack.sync();
    const { visit } = await recordCompletedVisit(
      async (body) => (await stack.openmrs.create(body)).resource,
      patient.id as string,
      {
        type: FACILITY_VISIT,
        encounterType: VITALS,
        start: '2024-06-02T08:00:00+00:00',
        end: '2024-06-02T09:00:00+00:00',
        encounterAt: '2024-06-02T08:10:00+00:00',
      },
      { [WEIGHT]: 71 },
    );
    expect((await stack.sync()).streams['visits-from-openmrs']?.created).toBe(1);
    const { data } = await stack.chtApi.post(
      '/medic/_find',
      { selector: { type: 'data_record', form: 'OPENMRS_VISIT' } },
      JSON_BODY,
    );
    expect(data.docs).toHaveLength(1);
    expect(data.docs[0].fields).toMatchObject({ openmrs_visit_uuid: visit.id, [WEIGHT.toLowerCase()]: '71' });
    expect(nothingChanged(await stack.sync())).toEqual([]);
  });

  it('takes over a patient a crashed run created in OpenMRS instead of creating a second', async () => {
    const docId = await chtPerson();
    // the previous run created it, then died before recording the link
    await stack.openmrs.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ use: 'official', type: { text: 'CHT Document ID' }, value: docId }],
      name: [{ given: ['Amina'] }],
      gender: 'female',
    });
    await stack.sync();
    const found = await openmrsPatients(docId);
    expect(found).toHaveLength(1);
    const [copy] = await stack.fhir.searchAll('Patient', {
      identifier: identifierToken('chtDocumentId', docId),
    });
    expect(identifierOf(copy as Patient, 'openmrsUuid')).toBe(found[0]?.id);
  });

  it('queues an item OpenMRS refuses, parks it after the attempts, and replays it on request', async () => {
    const stackWithFewRetries = await startSyncStack({ RETRY_MAX_ATTEMPTS: '2' });
    await stack.close();
    stack = stackWithFewRetries;
    const future = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const place = (
      await stack.chtApi.post('/api/v1/places', { name: 'D', type: 'district_hospital' }, JSON_BODY)
    ).data.id;
    const docId = (
      await stack.chtApi.post(
        '/api/v1/people',
        { name: 'Future Child', type: 'person', role: 'patient', date_of_birth: future, place },
        JSON_BODY,
      )
    ).data.id;
    await stack.cht.sentinelPass();
    expect((await stack.sync()).streams['patients-to-openmrs']?.failed).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await stack.sync();
    const failures = (await stack.mediator.get('/failures')).data as {
      id: string;
      state: string;
      focus: string;
      lastError: string;
    }[];
    expect(failures).toEqual([
      expect.objectContaining({ state: 'parked', lastError: expect.stringContaining('birthdate') }),
    ]);
    expect(await openmrsPatients(docId)).toHaveLength(0);
    const replayed = await stack.mediator.post(`/failures/${failures[0]?.id}/retry`);
    expect(replayed.status).toBe(200);
    expect(((await stack.mediator.get('/failures')).data as { state: string }[])[0]?.state).toBe('queued');
  });

  it('loses and duplicates nothing when OpenMRS fails mid-report (the stream stops), and finishes it on the next run', async () => {
    const docId = await chtPerson();
    await chtReport('report-1', docId, { weight: '62.5', height: '165' });
    // The visit and encounter are written, then OpenMRS answers 503 to the first observation.
    stack.openmrsSandbox.controls.setFault({ status: 503, count: 1, match: '^POST .+/Observation$' });
    const failed = await stack.sync();
    expect(failed.streams['encounters-to-openmrs']).toMatchObject({
      interrupted: true,
      error: expect.stringContaining('503'),
    });
    expect(failed.complete).toBe(false);
    const retried = await stack.sync();
    expect(retried.streams['encounters-to-openmrs']).toMatchObject({ interrupted: false, failed: 0 });
    const [patient] = await openmrsPatients(docId);
    const visits = await stack.openmrs.searchAll('Encounter', {
      patient: patient?.id as string,
      _tag: 'http://fhir.openmrs.org/ext/encounter-tag|visit',
    });
    expect(visits).toHaveLength(1);
    const observations = await stack.openmrs.searchAll('Observation', { patient: patient?.id as string });
    expect(observations.map((o) => o.valueQuantity?.value).sort()).toEqual([165, 62.5]);
    expect((await stack.mediator.get('/failures')).data).toEqual([]);
  });

  it('sends a CHT edit of a patient to OpenMRS as an update of the same patient', async () => {
    const docId = await chtPerson();
    await stack.sync();
    const current = (await stack.chtApi.get(`/medic/${docId}`)).data;
    await stack.chtApi.put(
      `/medic/${docId}`,
      { ...current, name: 'Amina Otieno', date_of_birth: '1994-02-03' },
      JSON_BODY,
    );
    await stack.cht.sentinelPass();
    expect((await stack.sync()).streams['patients-to-openmrs']?.updated).toBe(1);
    const [patient, ...others] = await openmrsPatients(docId);
    expect(others).toHaveLength(0);
    expect(patient?.birthDate).toBe('1994-02-03');
    expect(patient?.name?.map((n) => n.family)).toContain('Otieno');
    expect(nothingChanged(await stack.sync())).toEqual([]);
  });

  it('sends an OpenMRS edit of a placed patient to CHT as an update of the same person', async () => {
    const patient = await openmrsPatient({ address5: `CHW area A [${clinic.placeId}]` });
    await stack.sync();
    await stack.cht.sentinelPass();
    await stack.sync();
    const current = await stack.openmrs.read('Patient', patient.id as string);
    const nameId = current.name?.[0]?.id;
    await stack.openmrs.update<Patient>({
      ...current,
      gender: 'female',
      birthDate: '1981-05-06',
      name: [{ id: nameId, given: ['Alia'], family: 'Hassan' }],
    });
    expect((await stack.sync()).streams['patients-from-openmrs']?.updated).toBe(1);
    const [copy] = await stack.fhir.searchAll('Patient', {
      identifier: identifierToken('openmrsUuid', patient.id as string),
    });
    const person = (await stack.chtApi.get(`/medic/${identifierOf(copy as Patient, 'chtDocumentId')}`)).data;
    expect(person).toMatchObject({ name: 'Alia Hassan', sex: 'female', date_of_birth: '1981-05-06' });
    expect(
      (
        await stack.chtApi.post(
          '/medic/_find',
          { selector: { type: 'person', external_id: patient.id } },
          JSON_BODY,
        )
      ).data.docs,
    ).toHaveLength(1);
    expect(nothingChanged(await stack.sync())).toEqual([]);
  });

  it('loses and duplicates nothing while OpenMRS is down for several runs', async () => {
    const docId = await chtPerson();
    await chtReport('report-1', docId, { weight: '62.5', height: '165' });
    stack.openmrsSandbox.controls.setFault({ forMs: 60_000 });
    for (let run = 0; run < 2; run++) {
      const down = await stack.sync();
      expect(down.complete).toBe(false);
      expect(down.streams['observations-from-openmrs']?.error).toMatch(/^not run: OpenMRS is unavailable/);
    }
    stack.openmrsSandbox.controls.setFault(undefined);
    const back = await stack.sync();
    expect(back.complete).toBe(true);
    expect(back.streams['patients-to-openmrs']?.created).toBe(1);
    expect(back.streams['encounters-to-openmrs']?.created).toBe(1);
    const [patient, ...others] = await openmrsPatients(docId);
    expect(others).toHaveLength(0);
    expect(await stack.openmrs.searchAll('Observation', { patient: patient?.id as string })).toHaveLength(2);
    expect(nothingChanged(await stack.sync())).toEqual([]);
  });

  it('runs one sync at a time', async () => {
    await chtPerson();
    const [a, b] = await Promise.all([stack.sync(), stack.sync()]);
    expect([a.outcome, b.outcome].sort()).toEqual(['ran', 'skipped']);
  });
});
