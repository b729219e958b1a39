// OpenMRS → FHIR server → CHT, patients (design.md §1, §3). A new or changed OpenMRS patient is stored
// on the FHIR server (linked by its OpenMRS uuid). One not in CHT yet is created there as a person under
// the CHT place its address names; the CHT document id is written back to the FHIR copy and to OpenMRS.
// A patient with no matching place stays unplaced on the FHIR server (tagged, with the reason) and is
// tried again every run until a place matches. Changes of a patient CHT already has update its person.
import type { Patient } from 'fhir/r4';
import { identifierOf, identifierToken, NAMESPACE, withIdentifier } from '@cht-openmrs/common';
import { demographicsOf, patientFromOpenmrs, patientUpdateForOpenmrs } from '../../mapping/patients';
import { placeKeyOf } from '../../mapping/placement';
import type { ItemOutcome, Stream, SyncContext } from '../context';
import { pagesOf } from './pages';
import { ItemProblem } from '../errors';
import { hashOf, SYNCED_WITH_CHT, SYNCED_WITH_OPENMRS, syncedHash, withSyncedHash } from '../synced-hash';
import { openmrsView } from './patients-to-openmrs';

export const PATIENTS_FROM_OPENMRS = 'patients-from-openmrs';
export const UNPLACED_TAG_SYSTEM = `${NAMESPACE}/tag/unplaced`;

const CHT_SEX: Record<string, string> = { male: 'male', female: 'female', other: 'other' };

/** What CHT holds of a patient that we keep in step. */
export function chtView(patient: Patient) {
  const d = demographicsOf(patient);
  return { name: d.name, sex: CHT_SEX[d.gender] ?? undefined, date_of_birth: d.birthDate, phone: d.phone };
}

/** CHT wants a full date; OpenMRS gives a year or a month for estimated birth dates. */
function chtDate(birthDate: string | undefined): string | undefined {
  if (!birthDate) return undefined;
  return birthDate.length === 4
    ? `${birthDate}-01-01`
    : birthDate.length === 7
      ? `${birthDate}-01`
      : birthDate;
}

function personFields(patient: Patient): Record<string, string> {
  const view = chtView(patient);
  const fields: Record<string, string> = { name: view.name };
  if (view.sex) fields.sex = view.sex;
  const dob = chtDate(view.date_of_birth);
  if (dob) fields.date_of_birth = dob;
  if (view.phone) fields.phone = view.phone;
  return fields;
}

function withUnplaced(patient: Patient, reason: string | undefined): Patient {
  const tag = (patient.meta?.tag ?? []).filter((t) => t.system !== UNPLACED_TAG_SYSTEM);
  if (reason) tag.push({ system: UNPLACED_TAG_SYSTEM, code: 'unplaced', display: reason.slice(0, 500) });
  return { ...patient, meta: { ...patient.meta, tag } };
}

async function findCopy(context: SyncContext, openmrs: Patient): Promise<Patient | undefined> {
  const search = async (token: string) => {
    const found = await context.fhir.searchAll('Patient', { identifier: token });
    if (found.length > 1)
      throw new ItemProblem(`${found.length} FHIR Patients carry ${token}; merge them on the FHIR server`);
    return found[0];
  };
  const byUuid = await search(identifierToken('openmrsUuid', openmrs.id as string));
  if (byUuid) return byUuid;
  const docId = openmrs.identifier?.find(
    (i) => i.type?.text === context.mapping.openmrs.identifierTypes.chtDocumentId,
  )?.value;
  return docId ? search(identifierToken('chtDocumentId', docId)) : undefined;
}

type Build = (base: Patient | undefined) => Patient;

/**
 * Stores the FHIR copy built from what the FHIR server holds at the moment of writing, so that a
 * change another writer made meanwhile (CHT pushing the person's shortcode) is kept, not overwritten.
 */
async function storeCopy(context: SyncContext, stored: Patient | undefined, build: Build): Promise<Patient> {
  if (!stored) {
    const copy = build(undefined);
    const criteria = `identifier=${identifierToken('openmrsUuid', identifierOf(copy, 'openmrsUuid') as string)}`;
    const { resource, created } = await context.fhir.create(copy, { ifNoneExist: criteria });
    if (created) return resource;
    stored = resource;
  }
  return (await context.fhir.modify('Patient', stored.id as string, (current) => build(current))).resource;
}

/** Creates the person in CHT (or finds the one a crashed run created), and links it everywhere. */
async function placeInCht(
  context: SyncContext,
  stored: Patient | undefined,
  openmrs: Patient,
): Promise<ItemOutcome> {
  const uuid = openmrs.id as string;
  const copyOf = (base: Patient | undefined) => patientFromOpenmrs(openmrs, base, context.mapping);
  const copy = copyOf(stored);
  const key = placeKeyOf(openmrs, context.mapping.openmrsToCht.patients.placeFields);
  const placement = await context.places.find(key);
  if ('problem' in placement) {
    await storeCopy(context, stored, (base) => {
      const next = copyOf(base);
      return withUnplaced(
        withSyncedHash(next, SYNCED_WITH_OPENMRS, hashOf(openmrsView(next))),
        placement.problem,
      );
    });
    context.logger.info(
      { openmrsUuid: uuid, problem: placement.problem },
      'OpenMRS patient not placed in CHT',
    );
    return 'skipped';
  }
  const [existing] = await context.cht.find({ type: 'person', external_id: uuid });
  const docId =
    existing?._id ??
    (await context.cht.createPerson({
      ...personFields(copy),
      type: 'person',
      role: context.mapping.openmrsToCht.patients.role,
      place: placement.place._id,
      external_id: uuid,
    }));
  // Link in OpenMRS first: the FHIR write below is what marks the patient as done.
  const update = patientUpdateForOpenmrs(
    openmrs,
    withIdentifier(copy, 'chtDocumentId', docId),
    context.mapping,
  );
  if (update.identifier?.length !== openmrs.identifier?.length) await context.openmrs.updatePatient(update);
  const saved = await storeCopy(context, stored, (base) => {
    const linked = withUnplaced(withIdentifier(copyOf(base), 'chtDocumentId', docId), undefined);
    return withSyncedHash(
      withSyncedHash(linked, SYNCED_WITH_OPENMRS, hashOf(openmrsView(linked))),
      SYNCED_WITH_CHT,
      hashOf(chtView(linked)),
    );
  });
  // Placed now: the FHIR server keeps tags across updates, so the unplaced one is taken off.
  const unplacedTags = saved.meta?.tag?.filter((t) => t.system === UNPLACED_TAG_SYSTEM) ?? [];
  await context.fhir.removeTags('Patient', saved.id as string, unplacedTags);
  await context.queue.wake({ reference: `Patient/${saved.id}` }); // its visits waited for it
  return 'created';
}

async function updateInCht(context: SyncContext, copy: Patient, docId: string): Promise<boolean> {
  const hash = hashOf(chtView(copy));
  if (syncedHash(copy, SYNCED_WITH_CHT) === hash) return false;
  const person = await context.cht.getDoc(docId);
  const fields = personFields(copy);
  const changed = Object.entries(fields).some(([k, v]) => person[k] !== v);
  if (changed) await context.cht.putDoc({ ...person, ...fields });
  return changed;
}

export async function syncPatientFromOpenmrs(context: SyncContext, openmrs: Patient): Promise<ItemOutcome> {
  const stored = await findCopy(context, openmrs);
  const copy = patientFromOpenmrs(openmrs, stored, context.mapping);
  const viewHash = hashOf(openmrsView(copy));
  const unplaced = stored?.meta?.tag?.some((t) => t.system === UNPLACED_TAG_SYSTEM) ?? false;
  if (stored && syncedHash(stored, SYNCED_WITH_OPENMRS) === viewHash && !unplaced) return 'skipped'; // our own write, or no change
  const docId = identifierOf(copy, 'chtDocumentId');
  if (!docId) return placeInCht(context, stored, openmrs);
  await updateInCht(context, copy, docId);
  await storeCopy(context, stored, (base) => {
    const next = patientFromOpenmrs(openmrs, base, context.mapping);
    return withSyncedHash(
      withSyncedHash(next, SYNCED_WITH_OPENMRS, hashOf(openmrsView(next))),
      SYNCED_WITH_CHT,
      hashOf(chtView(next)),
    );
  });
  return stored ? 'updated' : 'created';
}

export const patientsFromOpenmrs: Stream<Patient> = {
  name: PATIENTS_FROM_OPENMRS,
  changes: (context, since) =>
    pagesOf<Patient>(context.openmrs.changedPatients(since, context.limits.pageSize), 'Patient'),
  groupOf: (patient) => `Patient/${patient.id}`,
  sync: syncPatientFromOpenmrs,
  async retry(context, focus) {
    return syncPatientFromOpenmrs(
      context,
      await context.openmrs.readPatient(focus.replace(/^Patient\//, '')),
    );
  },
};

/** FHIR copies of OpenMRS patients that found no CHT place yet. */
export async function unplacedPatients(context: SyncContext, count = 100): Promise<Patient[]> {
  return context.fhir.searchAll('Patient', { _tag: `${UNPLACED_TAG_SYSTEM}|unplaced`, _count: count });
}
