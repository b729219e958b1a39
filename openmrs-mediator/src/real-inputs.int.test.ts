// What the field sends, through the running services over HTTP: CHT app-form documents as CHT stores
// them (every answer a string, unanswered ones ''), pushed by the CHT stand-in with cht-config's
// outbound settings; ids holding FHIR search syntax; OpenMRS refusing one item; hostile transport.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { Encounter, Patient } from 'fhir/r4';
import { identifierOf, identifierToken, type MediatorResponse } from '@cht-openmrs/common';
import { openmrsFactories } from '@cht-openmrs/sandbox';
import { chtArea } from './test-support/sync-fixtures';
import { startSyncStack, type SyncStack } from './test-support/sync-harness';

const { addressWith, patientWith } = openmrsFactories;
const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };
const WEIGHT = '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HEIGHT = '5090AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const bodyOf = (data: unknown) =>
  JSON.parse((data as MediatorResponse).response.body) as Record<string, unknown>;

describe('real-world inputs through the running services', () => {
  let stack: SyncStack;
  let clinic: { id: string; name: string };

  beforeEach(async () => {
    stack = await startSyncStack();
    clinic = { id: (await chtArea(stack)).id, name: 'CHW area A' };
  });
  afterEach(() => stack.close());

  /** A person saved as CHT saves it, under our clinic, with the document id given. */
  const putPerson = async (id: string, fields: Record<string, unknown> = {}) => {
    const parent = (await stack.chtApi.get(`/medic/${clinic.id}`)).data as Record<string, unknown>;
    const doc = {
      _id: id,
      type: 'person',
      role: 'patient',
      name: 'Amina Wanjiru',
      sex: 'female',
      date_of_birth: '1995-02-03',
      phone: '+254712000111',
      reported_date: Date.now(),
      parent: { _id: clinic.id, parent: parent.parent },
      ...fields,
    };
    const saved = await stack.chtApi.put(`/medic/${encodeURIComponent(id)}`, doc, JSON_BODY);
    expect(saved.status).toBe(201);
    await stack.cht.sentinelPass();
  };
  /** An app-form report as CHT stores it: every field a string. */
  const putReport = async (
    id: string,
    form: string,
    fields: Record<string, string>,
    at = '2024-06-01T10:00:00Z',
  ) => {
    const doc = { _id: id, type: 'data_record', form, reported_date: Date.parse(at), fields };
    expect((await stack.chtApi.put(`/medic/${encodeURIComponent(id)}`, doc, JSON_BODY)).status).toBe(201);
    await stack.cht.sentinelPass();
  };
  const pushesOf = async (docId: string) =>
    (await stack.chtApi.get(`/__sandbox/outbound/${encodeURIComponent(docId)}`)).data as {
      attempts: { outcome: string; status?: number; payload?: unknown }[];
      tasks: unknown[];
    };
  const fhirPatients = (docId: string) =>
    stack.fhir.searchAll('Patient', { identifier: identifierToken('chtDocumentId', docId) });
  const openmrsPatient = async (family: string, address: Record<string, string>) => {
    const identifier = { type: 'ID Card', value: `ID-${family}` };
    const body = patientWith(identifier, {
      name: [{ given: ['Ali'], family }],
      gender: 'male',
      birthDate: '1980-01-01',
      address: [addressWith(address)],
    });
    return (await stack.openmrs.create(body)).resource;
  };

  describe('blank answers (an unanswered question is saved as "")', () => {
    it('stores the answered fields of a report whose other fields are blank, and says what it left out', async () => {
      await putPerson('person-1');
      await putReport('report-1', 'height_weight', { patient_uuid: 'person-1', weight: '61.5', height: '' });

      const { attempts, tasks } = await pushesOf('report-1');
      expect(tasks).toEqual([]); // nothing left for CHT to retry
      const push = attempts.find((a) => a.outcome === 'sent');
      expect(push?.status).toBe(201);
      const [encounter] = await stack.fhir.searchAll('Encounter', {
        identifier: identifierToken('chtDocumentId', 'report-1'),
      });
      const observations = await stack.fhir.searchAll('Observation', {
        encounter: `Encounter/${encounter?.id}`,
      });
      expect(observations.map((o) => [o.code.coding?.[0]?.code, o.valueQuantity?.value])).toEqual([
        [WEIGHT, 61.5],
      ]);

      await stack.sync();
      const [inOpenmrs] = await stack.openmrs.searchAll('Patient', {
        identifier: 'CHT Document ID|person-1',
      });
      const obs = await stack.openmrs.searchAll('Observation', { patient: inOpenmrs?.id as string });
      expect(obs.map((o) => o.valueQuantity?.value)).toEqual([61.5]);
    });

    it('names each left-out observation and why, for blank, whitespace and null values of any type', async () => {
      await putPerson('person-1');
      const response = await stack.chtMediator.post('/cht/encounter', {
        id: 'report-2',
        form: 'referral',
        patient_uuid: 'person-1',
        reported_date: '1717236000000',
        observations: [
          { code: '5088AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueDecimal: '37.5' },
          { code: '5085AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueInteger: '  ' },
          { code: '5086AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueInteger: null },
          { code: WEIGHT, valueQuantity: { value: '', unit: 'kg' } },
          { code: HEIGHT, valueQuantity: { value: '170' } },
        ],
      });
      expect(response.status).toBe(201);
      const body = bodyOf(response.data);
      expect(body.observations).toBe(2);
      expect(body.omitted).toEqual([
        { code: '5085AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', reason: 'not answered (valueInteger is blank)' },
        { code: '5086AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', reason: 'not answered (valueInteger is null)' },
        { code: WEIGHT, reason: 'not answered (valueQuantity.value is blank)' },
      ]);
    });
  });

  describe('ids holding FHIR search syntax match only themselves', () => {
    it('a pushed _id with a comma or a percent-encoded comma never updates another patient', async () => {
      await putPerson('victim-1', { name: 'Victim Person' });
      const [before] = await fhirPatients('victim-1');
      await putPerson('attacker,victim-1', { name: 'Attacker One' });
      await putPerson('attacker%2Cvictim-1', { name: 'Attacker Two' });
      await putPerson(`x,${identifierToken('chtDocumentId', 'victim-1')}`, { name: 'Attacker Three' });
      await putPerson('back\\slash|pipe$dollar', { name: 'Odd Id' });

      const [victim] = await fhirPatients('victim-1');
      expect(victim?.name?.[0]?.text).toBe('Victim Person');
      expect(victim?.meta?.versionId).toBe(before?.meta?.versionId);
      for (const [id, name] of [
        ['attacker,victim-1', 'Attacker One'],
        ['attacker%2Cvictim-1', 'Attacker Two'],
        [`x,${identifierToken('chtDocumentId', 'victim-1')}`, 'Attacker Three'],
        ['back\\slash|pipe$dollar', 'Odd Id'],
      ]) {
        const found = await fhirPatients(id as string);
        expect(found.map((p) => p.name?.[0]?.text)).toEqual([name]);
      }

      await stack.sync();
      const inOpenmrs = await stack.openmrs.searchAll('Patient', { name: 'Victim' });
      expect(inOpenmrs.map((p) => p.name?.[0]?.family)).toEqual(['Person']);
      const all = await stack.openmrs.searchAll('Patient');
      expect(all).toHaveLength(5);
    });

    it("a report's patient_uuid holding search syntax is not attached to another patient", async () => {
      await putPerson('victim-1', { name: 'Victim Person' });
      await putReport('report-x', 'height_weight', {
        patient_uuid: 'nobody,victim-1',
        weight: '70',
        height: '170',
      });
      const [encounter] = await stack.fhir.searchAll('Encounter', {
        identifier: identifierToken('chtDocumentId', 'report-x'),
      });
      expect(encounter).toBeDefined();
      expect(encounter?.subject).toBeUndefined();
    });

    it('an OpenMRS user typing search syntax into a CHT Document ID links nothing to another patient', async () => {
      await putPerson('victim-1', { name: 'Victim Person' });
      await stack.sync();
      const [victim] = await fhirPatients('victim-1');
      const typed = patientWith(
        { type: 'CHT Document ID', value: 'typo,victim-1' },
        {
          name: [{ given: ['Ali'], family: 'Typed' }],
          gender: 'male',
          address: [addressWith({ address5: clinic.name })],
        },
      );
      typed.identifier?.push({ use: 'usual', type: { text: 'ID Card' }, value: 'ID-typed' });
      await stack.openmrs.create(typed);
      await stack.sync();

      const [after] = await fhirPatients('victim-1');
      expect(after?.meta?.versionId).toBe(victim?.meta?.versionId);
      expect(after?.name?.[0]?.text).toBe('Victim Person');
      // Its CHT document does not exist: the item is queued with CHT's answer, nobody else is touched.
      const failures = (await stack.mediator.get('/failures')).data as { lastError: string }[];
      expect(failures.map((f) => f.lastError)).toEqual([
        expect.stringContaining('GET /medic/typo%2Cvictim-1 failed: 404'),
      ]);
    });

    it('a shortcode link naming an OpenMRS uuid with search syntax links nothing', async () => {
      const created = await openmrsPatient('Hassan', { address5: clinic.name });
      await stack.sync();
      const response = await stack.chtMediator.post('/cht/patient_ids', {
        doc: { _id: 'someone', patient_id: '99999', external_id: `nothing,${created.id}` },
      });
      expect(response.status).toBe(404);
      expect(
        await stack.fhir.searchAll('Patient', { identifier: identifierToken('chtPatientId', '99999') }),
      ).toEqual([]);
    });
  });

  describe('ownership of patients that came from OpenMRS', () => {
    it('refuses, with 409 naming both documents and the uuid, a new CHT document claiming an OpenMRS patient', async () => {
      const created = await openmrsPatient('Hassan', { address5: clinic.name });
      await stack.sync();
      await stack.cht.sentinelPass(); // CHT's pushes of the new person (its shortcode) have landed
      const [copy] = await stack.fhir.searchAll('Patient', {
        identifier: identifierToken('openmrsUuid', created.id as string),
      });
      const linkedDoc = identifierOf(copy as Patient, 'chtDocumentId') as string;
      expect(linkedDoc).toBeTruthy();

      const claim = await stack.chtMediator.post('/cht/patient', {
        doc: { _id: 'intruder', name: 'Somebody Else', external_id: created.id },
      });
      expect(claim.status).toBe(409);
      const error = String(bodyOf(claim.data).error);
      expect(error).toContain('intruder');
      expect(error).toContain(linkedDoc);
      expect(error).toContain(created.id as string);
      const [after] = await stack.fhir.searchAll('Patient', {
        identifier: identifierToken('openmrsUuid', created.id as string),
      });
      // Untouched by the intruder (CHT's own pushes of the linked person may still add its shortcode).
      expect(identifierOf(after as Patient, 'chtDocumentId')).toBe(linkedDoc);
      expect(after?.name).toEqual(copy?.name);

      const link = await stack.chtMediator.post('/cht/patient_ids', {
        doc: { _id: 'intruder', patient_id: '77777', external_id: created.id },
      });
      expect(link.status).toBe(409);
    });
  });

  describe('one item that OpenMRS refuses', () => {
    it('does not stop the stream: the other new OpenMRS patients reach CHT, the refused one is queued', async () => {
      const made: Patient[] = [];
      for (let i = 0; i < 6; i += 1) made.push(await openmrsPatient(`Family${i}`, { address5: clinic.name }));
      const refused = made[2]?.id as string;
      await stack.openmrsSandbox.controls.setFault({ status: 422, match: `^PUT .*/Patient/${refused}$` });

      const report = await stack.sync();
      expect(report.streams['patients-from-openmrs']).toMatchObject({
        created: 5,
        failed: 1,
        interrupted: false,
      });
      const people = (await stack.chtApi.post('/medic/_find', { selector: { type: 'person' } }, JSON_BODY))
        .data.docs as { external_id?: string }[];
      expect(made.filter((p) => !people.some((d) => d.external_id === p.id))).toHaveLength(0);
      const failures = (await stack.mediator.get('/failures')).data as { focus: string; lastError: string }[];
      expect(failures.map((f) => f.focus)).toEqual([`Patient/${refused}`]);
      expect(failures[0]?.lastError).toContain('422');
    });

    it('replays a refused write-back for real: completed only once OpenMRS took it', async () => {
      const created = await openmrsPatient('Hassan', { address5: clinic.name });
      await stack.openmrsSandbox.controls.setFault({ status: 422, match: `^PUT .*/Patient/${created.id}$` });
      await stack.sync();
      const [failure] = (await stack.mediator.get('/failures')).data as { id: string }[];
      expect(failure).toBeDefined();

      // Replayed while OpenMRS still refuses: the step runs again, fails again, stays listed.
      expect((await stack.mediator.post(`/failures/${failure?.id}/retry`)).status).toBe(200);
      await stack.sync();
      expect((await stack.mediator.get('/failures')).data).toHaveLength(1);
      const stillWithout = await stack.openmrs.read('Patient', created.id as string);
      expect(stillWithout.identifier?.some((i) => i.type?.text === 'CHT Document ID')).toBe(false);

      await stack.openmrsSandbox.controls.setFault(undefined);
      expect((await stack.mediator.post(`/failures/${failure?.id}/retry`)).status).toBe(200);
      await stack.sync();
      expect((await stack.mediator.get('/failures')).data).toEqual([]);
      const linked = await stack.openmrs.read('Patient', created.id as string);
      expect(linked.identifier?.some((i) => i.type?.text === 'CHT Document ID')).toBe(true);
    });
  });

  describe('forms the mapping does not list', () => {
    it('go to OpenMRS as a Home Visit with a Visit Note, observations coded by their concept codes', async () => {
      await putPerson('person-1');
      const pushed = await stack.chtMediator.post('/cht/encounter', {
        id: 'report-unmapped',
        patient_uuid: 'person-1',
        reported_date: 1717236000000,
        observations: [
          { code: '5088AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueDecimal: '38.2' },
          { code: '1576AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueString: 'fever, cough' },
        ],
      });
      expect(pushed.status).toBe(201);
      const report = await stack.sync();
      expect(report.streams['encounters-to-openmrs']).toMatchObject({ created: 1, failed: 0 });
      const [patient] = await stack.openmrs.searchAll('Patient', { identifier: 'CHT Document ID|person-1' });
      const encounters: Encounter[] = await stack.openmrs.searchAll('Encounter', {
        patient: patient?.id as string,
      });
      expect(encounters.map((e) => e.type?.[0]?.coding?.[0]?.display).sort()).toEqual([
        'Home Visit',
        'Visit Note',
      ]);
      const obs = await stack.openmrs.searchAll('Observation', { patient: patient?.id as string });
      expect(obs.map((o) => o.valueQuantity?.value ?? o.valueString).sort()).toEqual([38.2, 'fever, cough']);
    });
  });

  describe('transport input', () => {
    const push = (body: Buffer | string, headers: Record<string, string>) =>
      stack.chtMediator.post('/cht/patient', body, { headers, transformRequest: (d: unknown) => d });
    const person = JSON.stringify({ doc: { _id: 'p-1', name: 'Amina' } });

    it('answers 415 for an unsupported charset or content encoding', async () => {
      const charset = await push(person, { 'Content-Type': 'application/json; charset=klingon' });
      expect(charset.status).toBe(415);
      expect(bodyOf(charset.data).error).toContain('KLINGON');
      const unknown = await push(person, { 'Content-Type': 'application/json', 'Content-Encoding': 'zz' });
      expect(unknown.status).toBe(415);
      expect(bodyOf(unknown.data).error).toContain('"zz"');
    });

    it('answers 400 for a corrupt gzip or br body, and accepts good ones', async () => {
      for (const encoding of ['gzip', 'br']) {
        const corrupt = await push(Buffer.from('not compressed at all'), {
          'Content-Type': 'application/json',
          'Content-Encoding': encoding,
        });
        expect(corrupt.status).toBe(400);
        expect(bodyOf(corrupt.data).error).toContain(`could not be decompressed as ${encoding}`);
      }
      const gzip = await push(gzipSync(person), {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
      });
      expect(gzip.status).toBe(201);
      const br = await push(brotliCompressSync(person), {
        'Content-Type': 'application/json',
        'Content-Encoding': 'br',
      });
      expect(br.status).toBe(200);
    });

    it('answers 400 naming the limit for an over-long id or name, and 413 for an over-large body', async () => {
      const longId = await stack.chtMediator.post('/cht/patient', {
        doc: { _id: 'a'.repeat(300_000), name: 'A' },
      });
      expect(longId.status).toBe(400);
      expect(bodyOf(longId.data).error).toContain('doc._id: longer than 256 characters');
      const longName = await stack.chtMediator.post('/cht/patient', {
        doc: { _id: 'p-2', name: 'n'.repeat(2_000) },
      });
      expect(longName.status).toBe(400);
      expect(bodyOf(longName.data).error).toContain('doc.name: longer than 1000 characters');
      const huge = await stack.chtMediator.post('/cht/patient', {
        doc: { _id: 'p-3', name: 'n'.repeat(4_900_000) },
      });
      expect(huge.status).toBe(413);
      expect(await stack.fhir.searchAll('Patient')).toEqual([]);
    });
  });

  it('answers exactly one of many identical concurrent pushes of a new patient with 201', async () => {
    const doc = { doc: { _id: 'same-person', name: 'Amina Wanjiru', sex: 'female' } };
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => stack.chtMediator.post('/cht/patient', doc)),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(39);
    expect(await fhirPatients('same-person')).toHaveLength(1);
  });
});
