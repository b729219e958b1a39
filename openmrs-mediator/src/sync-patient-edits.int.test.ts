// Edits of a patient on both sides (issue #16): per field, the latest edit wins on both sides; our own
// writes coming back are never edits; no side loses its own latest edit to the sync.
import type { Patient } from 'fhir/r4';
import { openmrsFactories } from '@cht-openmrs/sandbox';
import {
  chtArea,
  chtDocIdOf,
  chtPerson,
  editChtDoc,
  fhirCopy,
  openmrsPatientOf,
  type ChtArea,
} from './test-support/sync-fixtures';
import { startSyncStack, type SyncStack, type SyncStackOptions } from './test-support/sync-harness';

const { addressWith, patientWith } = openmrsFactories;
const HOUR = 3_600_000;
const TELEPHONE_NUMBER = 'Telephone Number';

describe('patient edits on both sides', () => {
  let stack: SyncStack | undefined;
  let area: ChtArea;

  const start = async (options: SyncStackOptions = {}) => {
    stack = await startSyncStack({}, options);
    area = await chtArea(stack);
    return stack;
  };
  afterEach(() => stack?.close());

  const quiet = (report: Awaited<ReturnType<SyncStack['sync']>>) =>
    Object.entries(report.streams)
      .map(([s, c]) => [s, c.created + c.updated + c.failed + c.waiting])
      .filter(([, n]) => n !== 0);
  /** Runs the sync until a run changes nothing (CHT pushes our writes back in between). */
  const settle = async (s: SyncStack) => {
    for (let run = 0; run < 4; run++) {
      await s.cht.sentinelPass();
      if (quiet(await s.sync()).length === 0) return;
    }
    throw new Error('the sync did not settle in 4 runs');
  };
  const chtDoc = async (s: SyncStack, id: string) =>
    (await s.chtApi.get(`/medic/${id}`)).data as Record<string, unknown>;
  const phoneAttribute = (patient: Patient) =>
    patient.extension
      ?.find(
        (e) =>
          e.url === 'http://fhir.openmrs.org/ext/person-attribute' &&
          e.extension?.some((x) => x.valueString === TELEPHONE_NUMBER),
      )
      ?.extension?.find((x) => x.url === 'http://fhir.openmrs.org/ext/person-attribute-value')?.valueString;
  /** What an OpenMRS user's edit through the FHIR API does: the patient read, changed and put back. */
  const editInOpenmrs = async (s: SyncStack, uuid: string, change: (p: Patient) => Patient) => {
    const current = await s.openmrs.read('Patient', uuid);
    await s.openmrs.update<Patient>(change(current));
  };
  const newPhone = (p: Patient, value: string): Patient => ({
    ...p,
    // a FHIR client sets the telecom; the person-attribute extension it read would put the old number back
    extension: p.extension?.filter((e) => e.url !== 'http://fhir.openmrs.org/ext/person-attribute'),
    telecom: [{ id: p.telecom?.[0]?.id, value }],
  });
  const newName = (p: Patient, given: string, family: string): Patient => ({
    ...p,
    name: [{ id: p.name?.[0]?.id, given: [given], family }],
  });

  it('sends a phone number changed in CHT to OpenMRS, and never writes the old one back to CHT', async () => {
    const s = await start();
    const docId = await chtPerson(s, area, { phone: '+254712000111' });
    await settle(s);
    await editChtDoc(s, docId, { phone: '+254722000222' });
    await settle(s);

    const patient = await openmrsPatientOf(s, docId);
    expect(patient.telecom?.map((t) => t.value)).toEqual(['+254722000222']);
    expect(phoneAttribute(patient)).toBe('+254722000222');
    expect((await chtDoc(s, docId)).phone).toBe('+254722000222');
  });

  it('keeps both sides’ edits of different fields: name and phone from CHT, sex and birth date from OpenMRS', async () => {
    const s = await start();
    const docId = await chtPerson(s, area);
    await settle(s);
    const uuid = (await openmrsPatientOf(s, docId)).id as string;
    await editInOpenmrs(s, uuid, (p) => ({
      ...p,
      gender: 'male',
      birthDate: '1990-07-08',
      address: [...(p.address ?? []), addressWith({ address4: 'Kibera' })],
    }));
    await editChtDoc(s, docId, { name: 'Amina Achieng Otieno', phone: '+254733000333' });
    await settle(s);

    const patient = await openmrsPatientOf(s, docId);
    expect(patient).toMatchObject({ gender: 'male', birthDate: '1990-07-08' });
    expect(patient.name?.map((n) => n.text)).toEqual(['Amina Achieng Otieno']);
    expect(patient.telecom?.map((t) => t.value)).toEqual(['+254733000333']);
    expect(patient.address).toHaveLength(1);
    expect(await chtDoc(s, docId)).toMatchObject({
      name: 'Amina Achieng Otieno',
      phone: '+254733000333',
      sex: 'male',
      date_of_birth: '1990-07-08',
    });
    expect((await fhirCopy(s, 'chtDocumentId', docId)).address).toHaveLength(1);
  });

  it('keeps both sides’ edits of different fields: name and phone from OpenMRS, sex and birth date from CHT', async () => {
    const s = await start();
    const docId = await chtPerson(s, area);
    await settle(s);
    const uuid = (await openmrsPatientOf(s, docId)).id as string;
    await editInOpenmrs(s, uuid, (p) => newPhone(newName(p, 'Amina', 'Kamau'), '+254744000444'));
    await editChtDoc(s, docId, { sex: 'male', date_of_birth: '1991-01-02' });
    await settle(s);

    const patient = await openmrsPatientOf(s, docId);
    expect(patient).toMatchObject({ gender: 'male', birthDate: '1991-01-02' });
    expect(patient.name?.map((n) => n.text)).toEqual(['Amina Kamau']);
    expect(patient.telecom?.map((t) => t.value)).toEqual(['+254744000444']);
    expect(await chtDoc(s, docId)).toMatchObject({
      name: 'Amina Kamau',
      phone: '+254744000444',
      sex: 'male',
      date_of_birth: '1991-01-02',
    });
  });

  it('gives both sides the later edit when both edited the same fields (OpenMRS later)', async () => {
    const s = await start({ openmrsNow: () => Date.now() + HOUR });
    const docId = await chtPerson(s, area);
    await settle(s);
    await editChtDoc(s, docId, { sex: 'other', date_of_birth: '1993-03-03' });
    const uuid = (await openmrsPatientOf(s, docId)).id as string;
    await editInOpenmrs(s, uuid, (p) => ({ ...p, gender: 'male', birthDate: '1994-04-04' }));
    await settle(s);

    expect(await openmrsPatientOf(s, docId)).toMatchObject({ gender: 'male', birthDate: '1994-04-04' });
    expect(await chtDoc(s, docId)).toMatchObject({ sex: 'male', date_of_birth: '1994-04-04' });
  });

  it('gives both sides the later edit when both edited the same fields (CHT later)', async () => {
    const s = await start({ openmrsNow: () => Date.now() - HOUR });
    const docId = await chtPerson(s, area);
    await settle(s);
    const uuid = (await openmrsPatientOf(s, docId)).id as string;
    await editInOpenmrs(s, uuid, (p) => ({ ...p, gender: 'male', birthDate: '1994-04-04' }));
    await editChtDoc(s, docId, { sex: 'other', date_of_birth: '1993-03-03' });
    await settle(s);

    expect(await openmrsPatientOf(s, docId)).toMatchObject({ gender: 'other', birthDate: '1993-03-03' });
    expect(await chtDoc(s, docId)).toMatchObject({ sex: 'other', date_of_birth: '1993-03-03' });
  });

  it('keeps an OpenMRS patient’s edits on both sides when CHT edits other fields of its person', async () => {
    const s = await start();
    const created = await s.openmrs.create(
      patientWith(
        { type: 'ID Card', value: 'ID-edits-1' },
        {
          name: [{ given: ['Ali'], family: 'Hassan' }],
          gender: 'male',
          birthDate: '1980-01-01',
          telecom: [{ value: '+254755000555' }],
          address: [addressWith({ address5: `CHW area A [${area.placeId}]` })],
        },
      ),
    );
    const uuid = created.resource.id as string;
    await settle(s);
    const docId = chtDocIdOf(await fhirCopy(s, 'openmrsUuid', uuid));
    await editInOpenmrs(s, uuid, (p) => newPhone(newName(p, 'Alii', 'Hassan'), '+254766000666'));
    await editInOpenmrs(s, uuid, (p) => ({ ...p, birthDate: '1980-02-02' }));
    await editChtDoc(s, docId, { sex: 'other' });
    await settle(s);

    const patient = await s.openmrs.read('Patient', uuid);
    expect(patient).toMatchObject({ gender: 'other', birthDate: '1980-02-02' });
    expect(patient.name?.map((n) => n.text)).toEqual(['Alii Hassan']);
    expect(patient.telecom?.map((t) => t.value)).toEqual(['+254766000666']);
    expect(await chtDoc(s, docId)).toMatchObject({
      name: 'Alii Hassan',
      phone: '+254766000666',
      sex: 'other',
      date_of_birth: '1980-02-02',
    });
  });
});
