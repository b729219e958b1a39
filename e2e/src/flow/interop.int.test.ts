// The end-to-end scenarios: CHT outbound push (cht-config/app_settings.json) through OpenHIM's router,
// the sync triggered by OpenHIM's polling channel, against the FHIR store, OpenMRS and CHT stand-ins,
// all set up by the configurator. Each scenario checks all three systems and OpenHIM's transaction log.
import type { Patient } from 'fhir/r4';
import { identifierOf, identifierToken } from '@cht-openmrs/common';
import { openmrsFactories, type OpenhimTransaction as Transaction } from '@cht-openmrs/sandbox';
import { startStack, type Stack } from './stack';
import { everyVersionWritten, validationErrors } from './validation';

const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };
const {
  addressWith,
  FACILITY_VISIT,
  HOME_VISIT,
  patientWith,
  recordCompletedVisit,
  VISIT_NOTE,
  VITALS,
  WEIGHT,
} = openmrsFactories;

interface SyncReport {
  complete: boolean;
  streams: Record<string, { created: number; updated: number; failed: number; waiting: number }>;
}

const reportOf = (transaction: Transaction): SyncReport =>
  JSON.parse(String(transaction.response?.body)) as SyncReport;
const work = (report: SyncReport) =>
  Object.entries(report.streams)
    .map(([stream, c]) => [stream, c.created + c.updated + c.failed + c.waiting] as const)
    .filter(([, n]) => n > 0);

describe('CHT ⇄ OpenHIM ⇄ OpenMRS, end to end', () => {
  let stack: Stack;
  let clinic: { id: string; placeId: string };

  beforeAll(async () => {
    stack = await startStack();
    const place = async (body: Record<string, unknown>) =>
      (await stack.chtApi.post('/api/v1/places', body, JSON_BODY)).data.id as string;
    const district = await place({ name: 'Kisumu District', type: 'district_hospital' });
    const centre = await place({ name: 'Nyalenda Health Centre', type: 'health_center', parent: district });
    const id = await place({ name: 'CHW area Nyalenda A', type: 'clinic', parent: centre });
    await stack.cht.sentinelPass();
    clinic = { id, placeId: (await stack.chtApi.get(`/medic/${id}`)).data.place_id as string };
  });
  afterAll(() => stack.close());

  const chtPatientInOpenmrs = async (docId: string) =>
    stack.openmrsFhir.searchAll('Patient', { identifier: `CHT Document ID|${docId}` });

  it('configures OpenHIM, OpenMRS and CHT (credential and outbound push installed) without problems', () => {
    const steps = stack.configuration.sections.flatMap((s) => s.steps);
    expect(steps.filter((s) => s.outcome === 'problem')).toEqual([]);
    expect(steps.filter((s) => s.step.startsWith('outbound ')).map((s) => s.outcome)).toEqual(
      expect.arrayContaining(['created']),
    );
    expect(steps.find((s) => s.step === 'credential "openhim1"')?.outcome).toBe('updated');
    expect(stack.configuration.checks?.lines.filter((line) => !line.ok)).toEqual([]);
  });

  it('(1) a CHT patient reaches OpenMRS with both CHT identifiers', async () => {
    const docId = (
      await stack.chtApi.post(
        '/api/v1/people',
        {
          name: 'Achieng Odhiambo',
          type: 'person',
          role: 'patient',
          sex: 'female',
          date_of_birth: '1993-08-14',
          phone: '+254711000222',
          place: clinic.id,
        },
        JSON_BODY,
      )
    ).data.id as string;
    await stack.cht.sentinelPass();
    const pushes = (await stack.transactions()).filter((t) => t.request.path === '/mediator/cht/patient');
    // Created by the first push; CHT pushes again as Sentinel changes the document (its _rev is mapped).
    expect(pushes[0]).toMatchObject({ status: 'Successful', response: { status: 201 } });
    expect(pushes.every((p) => p.status === 'Successful')).toBe(true);

    const sync = await stack.poll();
    expect(sync.status).toBe('Successful');
    expect(sync.orchestrations.length).toBeGreaterThan(0);
    expect(reportOf(sync).streams['patients-to-openmrs']?.created).toBe(1);
    const [patient, ...others] = await chtPatientInOpenmrs(docId);
    expect(others).toEqual([]);
    const shortcode = (await stack.chtApi.get(`/medic/${docId}`)).data.patient_id as string;
    expect(patient?.identifier?.map((i) => [i.type?.text, i.value])).toEqual(
      expect.arrayContaining([
        ['CHT Document ID', docId],
        ['CHT Patient ID', shortcode],
      ]),
    );
  });

  it('(2) a CHT report reaches OpenMRS as a Home Visit with a Visit Note and its observations', async () => {
    const docId = (
      await stack.chtApi.post(
        '/api/v1/people',
        {
          name: 'Otieno Were',
          type: 'person',
          role: 'patient',
          sex: 'male',
          date_of_birth: '1988-01-20',
          place: clinic.id,
        },
        JSON_BODY,
      )
    ).data.id as string;
    await stack.cht.sentinelPass();
    // A CHW's submitted height_weight form, as the CHT app saves it.
    await stack.chtApi.put(
      '/medic/report-otieno-1',
      {
        type: 'data_record',
        form: 'height_weight',
        reported_date: Date.parse('2024-07-01T07:30:00Z'),
        fields: { patient_uuid: docId, weight: '71.5', height: '172' },
      },
      JSON_BODY,
    );
    await stack.cht.sentinelPass();
    expect(reportOf(await stack.poll()).streams['encounters-to-openmrs']?.created).toBe(1);

    const [patient] = await chtPatientInOpenmrs(docId);
    const visits = await stack.openmrsFhir.searchAll('Encounter', {
      patient: patient?.id ?? '',
      _tag: 'http://fhir.openmrs.org/ext/encounter-tag|visit',
    });
    expect(visits.map((v) => v.type?.[0]?.coding?.[0]?.code)).toEqual([HOME_VISIT]);
    expect(visits[0]?.period?.end).toBeDefined();
    const encounters = await stack.openmrsFhir.searchAll('Encounter', {
      patient: patient?.id ?? '',
      _tag: 'http://fhir.openmrs.org/ext/encounter-tag|encounter',
    });
    expect(encounters.map((e) => [e.type?.[0]?.coding?.[0]?.code, e.partOf?.reference])).toEqual([
      [VISIT_NOTE, `Encounter/${visits[0]?.id}`],
    ]);
    const observations = await stack.openmrsFhir.searchAll('Observation', { patient: patient?.id ?? '' });
    expect(observations.map((o) => o.valueQuantity?.value).sort()).toEqual([172, 71.5]);
  });

  it('(3) an OpenMRS patient reaches CHT under the place its address names', async () => {
    const created = await stack.openmrsFhir.create(
      patientWith(
        { type: 'ID Card', value: 'KE-44501' },
        {
          name: [{ given: ['Wanjiku'], family: 'Kamau' }],
          gender: 'female',
          birthDate: '1979-11-02',
          address: [addressWith({ address5: `CHW area Nyalenda A [${clinic.placeId}]` })],
        },
      ),
    );
    const openmrsUuid = created.resource.id as string;
    expect(reportOf(await stack.poll()).streams['patients-from-openmrs']?.created).toBe(1);
    const people = (
      await stack.chtApi.post(
        '/medic/_find',
        { selector: { type: 'person', external_id: openmrsUuid } },
        JSON_BODY,
      )
    ).data.docs;
    expect(people).toEqual([
      expect.objectContaining({ name: 'Wanjiku Kamau', parent: expect.objectContaining({ _id: clinic.id }) }),
    ]);
    const inOpenmrs = await stack.openmrsFhir.read('Patient', openmrsUuid);
    expect(inOpenmrs.identifier?.find((i) => i.type?.text === 'CHT Document ID')?.value).toBe(people[0]._id);
  });

  it('(4) a completed OpenMRS visit reaches CHT as a report of the mapped form', async () => {
    const patient = (
      await stack.openmrsFhir.create(
        patientWith(
          { type: 'ID Card', value: 'KE-44502' },
          {
            name: [{ given: ['Baraka'], family: 'Mwangi' }],
            gender: 'male',
            birthDate: '1990-03-03',
            address: [addressWith({ address5: 'CHW area Nyalenda A' })],
          },
        ),
      )
    ).resource;
    await stack.poll();
    const { visit } = await recordCompletedVisit(
      async (body) => (await stack.openmrsFhir.create(body)).resource,
      patient.id as string,
      {
        type: FACILITY_VISIT,
        encounterType: VITALS,
        start: '2024-07-02T09:00:00+03:00',
        end: '2024-07-02T10:00:00+03:00',
        encounterAt: '2024-07-02T09:15:00+03:00',
      },
      { [WEIGHT]: 80 },
    );
    expect(reportOf(await stack.poll()).streams['visits-from-openmrs']?.created).toBe(1);
    const reports = (
      await stack.chtApi.post(
        '/medic/_find',
        { selector: { type: 'data_record', form: 'OPENMRS_VISIT' } },
        JSON_BODY,
      )
    ).data.docs;
    expect(reports).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ openmrs_visit_uuid: visit.id }) }),
    ]);
  });

  it('(5) edits on either side reach the other and do not bounce back', async () => {
    const docId = (
      await stack.chtApi.post(
        '/api/v1/people',
        {
          name: 'Nekesa Wafula',
          type: 'person',
          role: 'patient',
          sex: 'female',
          date_of_birth: '2001-05-05',
          place: clinic.id,
        },
        JSON_BODY,
      )
    ).data.id as string;
    await stack.cht.sentinelPass();
    await stack.poll();

    const person = (await stack.chtApi.get(`/medic/${docId}`)).data;
    await stack.chtApi.put(`/medic/${docId}`, { ...person, name: 'Nekesa Simiyu' }, JSON_BODY);
    await stack.cht.sentinelPass();
    expect(reportOf(await stack.poll()).streams['patients-to-openmrs']?.updated).toBe(1);
    const [patient] = await chtPatientInOpenmrs(docId);
    expect(patient?.name?.map((n) => n.family)).toContain('Simiyu');

    const wanjiku = (
      await stack.openmrsFhir.searchAll('Patient', { identifier: 'ID Card|KE-44501' })
    )[0] as Patient;
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a clinician's edit comes later than its creation
    await stack.openmrsFhir.update<Patient>({
      ...wanjiku,
      birthDate: '1979-11-03',
      name: [{ id: wanjiku.name?.[0]?.id, given: ['Wanjiku'], family: 'Kamau-Otieno' }],
    });
    expect(reportOf(await stack.poll()).streams['patients-from-openmrs']?.updated).toBe(1);
    const [copy] = await stack.fhir.searchAll('Patient', {
      identifier: identifierToken('openmrsUuid', wanjiku.id as string),
    });
    const chtPerson = (await stack.chtApi.get(`/medic/${identifierOf(copy as Patient, 'chtDocumentId')}`))
      .data;
    expect(chtPerson).toMatchObject({ name: 'Wanjiku Kamau-Otieno', date_of_birth: '1979-11-03' });

    await stack.cht.sentinelPass(); // CHT pushes the edited person back to the CHT mediator
    await stack.poll();
    expect(work(reportOf(await stack.poll()))).toEqual([]);
  });

  it('logs every push and every sync in OpenHIM with the mediators’ orchestrations', async () => {
    await stack.cht.retryPass(); // CHT's outbound retries, which run every few minutes
    const transactions = await stack.transactions();
    const syncs = transactions.filter((t) => t.request.path === '/trigger');
    expect(syncs.length).toBeGreaterThanOrEqual(8);
    expect(syncs.every((t) => t.status === 'Successful' && t.orchestrations.length > 0)).toBe(true);
    expect(syncs.flatMap((t) => t.orchestrations.map((o) => o.name))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^OpenMRS POST /), expect.stringMatching(/^FHIR /)]),
    );
    const pushes = transactions.filter((t) => t.request.path.startsWith('/mediator/'));
    expect(pushes.length).toBeGreaterThanOrEqual(4);
    // CHT pushes a person the sync made for an OpenMRS patient as soon as it exists, which may be before
    // the sync has linked it on the FHIR server: that push is refused (409) and CHT's retry delivers it.
    const docOf = (t: Transaction) =>
      (JSON.parse(t.request.body ?? '{}') as { doc?: { _id?: string } }).doc?._id;
    const successful = pushes.filter((t) => t.status === 'Successful');
    const deliveredAfter = (refusal: Transaction) =>
      successful.some((t) => docOf(t) === docOf(refusal) && t.request.timestamp > refusal.request.timestamp);
    const refused = pushes.filter((t) => t.status !== 'Successful');
    expect(
      refused.map((t) => ({
        doc: docOf(t),
        status: t.response?.status,
        notLinkedYet: /which is not on the FHIR server yet/.test(t.response?.body ?? ''),
        deliveredLater: deliveredAfter(t),
      })),
    ).toEqual(refused.map((t) => ({ doc: docOf(t), status: 409, notLinkedYet: true, deliveredLater: true })));
  });

  it('wrote only valid R4: every version of every resource the mediators wrote passes the validator', async () => {
    const written = await everyVersionWritten(stack.fhir, stack.fhirUrl);
    expect(written.length).toBeGreaterThan(20);
    expect(await validationErrors(written)).toEqual([]);
  });
});
