// OpenMRS → FHIR server → CHT, patients (design.md §1, §3). A new or changed OpenMRS patient is stored
// on the FHIR server (linked by its OpenMRS uuid). One not in CHT yet is created there as a person under
// the CHT place its address names; the CHT document id is written back to the FHIR copy and to OpenMRS.
// A patient with no matching place stays unplaced on the FHIR server (tagged, with the reason) and is
// tried again every run until a place matches. Changes of a patient CHT already has are reconciled
// field by field with its CHT person (patient-reconcile.ts).
import type { Patient } from 'fhir/r4';
import {
  identifierOf,
  IDENTIFIER_SYSTEMS,
  NAMESPACE,
  tokenValue,
  withIdentifier,
  type IdentifierKind,
} from '@cht-openmrs/common';
import { fieldsInCht, fieldsInOpenmrs, personFields } from '../../mapping/patient-fields';
import { openmrsView } from '../../mapping/patient-views';
import { patientFromOpenmrs, patientUpdateForOpenmrs } from '../../mapping/patients';
import { placeKeyOf } from '../../mapping/placement';
import type { ItemOutcome, Stream, SyncContext } from '../context';
import { pagesOf } from './pages';
import { ItemProblem } from '../errors';
import { markSynced, reconcilePatient } from '../patient-reconcile';
import { hashOf, SYNCED_WITH_OPENMRS, syncedHash, withSyncedHash } from '../synced-hash';

export const PATIENTS_FROM_OPENMRS = 'patients-from-openmrs';
export const UNPLACED_TAG_SYSTEM = `${NAMESPACE}/tag/unplaced`;

function withUnplaced(patient: Patient, reason: string | undefined): Patient {
  const tag = (patient.meta?.tag ?? []).filter((t) => t.system !== UNPLACED_TAG_SYSTEM);
  if (reason) tag.push({ system: UNPLACED_TAG_SYSTEM, code: 'unplaced', display: reason.slice(0, 500) });
  return { ...patient, meta: { ...patient.meta, tag } };
}

/** For a page: the FHIR copies of its OpenMRS patients, by OpenMRS uuid, asked of the FHIR server at once. */
export type CopiesByUuid = Map<string, Patient[]>;

async function copiesOf(context: SyncContext, page: Patient[]): Promise<CopiesByUuid> {
  const uuids = page.map((p) => p.id as string);
  const copies: CopiesByUuid = new Map(uuids.map((uuid) => [uuid, []]));
  for (const copy of await context.fhir.findByIdentifiers('Patient', IDENTIFIER_SYSTEMS.openmrsUuid, uuids))
    copies.get(identifierOf(copy, 'openmrsUuid') ?? '')?.push(copy);
  return copies;
}

async function findCopy(
  context: SyncContext,
  openmrs: Patient,
  known?: CopiesByUuid,
): Promise<Patient | undefined> {
  const search = async (kind: IdentifierKind, value: string) => {
    const found =
      (kind === 'openmrsUuid' ? known?.get(value) : undefined) ??
      (await context.fhir.findByIdentifier('Patient', IDENTIFIER_SYSTEMS[kind], value));
    if (found.length > 1)
      throw new ItemProblem(
        `${found.length} FHIR Patients carry ${kind} ${value}; merge them on the FHIR server`,
      );
    return found[0];
  };
  const byUuid = await search('openmrsUuid', openmrs.id as string);
  if (byUuid) return byUuid;
  const docId = openmrs.identifier?.find(
    (i) => i.type?.text === context.mapping.openmrs.identifierTypes.chtDocumentId,
  )?.value;
  return docId ? search('chtDocumentId', docId) : undefined;
}

type Build = (base: Patient | undefined) => Patient;

/**
 * Stores the FHIR copy built from what the FHIR server holds at the moment of writing, so that a
 * change another writer made meanwhile (CHT pushing the person's shortcode) is kept, not overwritten.
 */
async function storeCopy(context: SyncContext, stored: Patient | undefined, build: Build): Promise<Patient> {
  if (!stored) {
    const copy = build(undefined);
    const uuid = identifierOf(copy, 'openmrsUuid') as string;
    const { resource, created } = await context.fhir.createOnce(copy, IDENTIFIER_SYSTEMS.openmrsUuid, uuid);
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
  const linkedInOpenmrs = await linkInOpenmrs(context, openmrs, copy, docId);
  const saved = await storeCopy(context, stored, (base) => {
    const linked = withUnplaced(withIdentifier(copyOf(base), 'chtDocumentId', docId), undefined);
    const last = { cht: fieldsInCht(linked), openmrs: fieldsInOpenmrs(linkedInOpenmrs) };
    return markSynced(linked, linked, last);
  });
  // Placed now: the FHIR server keeps tags across updates, so the unplaced one is taken off.
  const unplacedTags = saved.meta?.tag?.filter((t) => t.system === UNPLACED_TAG_SYSTEM) ?? [];
  await context.fhir.removeTags('Patient', saved.id as string, unplacedTags);
  await context.queue.wake({ reference: `Patient/${saved.id}` }); // its visits waited for it
  return 'created';
}

/**
 * Writes the CHT document id into OpenMRS unless it is there: the step a failed run or a replay redoes.
 * Returns the OpenMRS patient as it now is.
 */
async function linkInOpenmrs(
  context: SyncContext,
  openmrs: Patient,
  copy: Patient,
  docId: string,
): Promise<Patient> {
  const update = patientUpdateForOpenmrs(
    openmrs,
    withIdentifier(copy, 'chtDocumentId', docId),
    context.mapping,
    [],
  );
  return update.identifier?.length !== openmrs.identifier?.length
    ? context.openmrs.updatePatient(update)
    : openmrs;
}

function linkedInOpenmrs(context: SyncContext, openmrs: Patient): boolean {
  const typeName = context.mapping.openmrs.identifierTypes.chtDocumentId;
  return openmrs.identifier?.some((i) => i.type?.text === typeName && i.value) ?? false;
}

export async function syncPatientFromOpenmrs(
  context: SyncContext,
  openmrs: Patient,
  known?: CopiesByUuid,
): Promise<ItemOutcome> {
  const stored = await findCopy(context, openmrs, known);
  const copy = patientFromOpenmrs(openmrs, stored, context.mapping);
  const viewHash = hashOf(openmrsView(copy));
  const unplaced = stored?.meta?.tag?.some((t) => t.system === UNPLACED_TAG_SYSTEM) ?? false;
  const docId = identifierOf(copy, 'chtDocumentId');
  const done = !unplaced && (!docId || linkedInOpenmrs(context, openmrs));
  if (stored && syncedHash(stored, SYNCED_WITH_OPENMRS) === viewHash && done) return 'skipped'; // our own write, or no change
  if (!docId) return placeInCht(context, stored, openmrs);
  const current = await linkInOpenmrs(context, openmrs, copy, docId);
  const chtSide = stored ? withIdentifier(stored, 'chtDocumentId', docId) : copy;
  const outcome = await reconcilePatient(context, chtSide, current, 'openmrs', (build) =>
    storeCopy(context, stored, build),
  );
  return stored ? outcome : 'created';
}

export const patientsFromOpenmrs: Stream<Patient, CopiesByUuid> = {
  name: PATIENTS_FROM_OPENMRS,
  changes: (context, since) =>
    pagesOf<Patient>(context.openmrs.changedPatients(since, context.limits.pageSize), 'Patient'),
  groupOf: (patient) => `Patient/${patient.id}`,
  prepare: copiesOf,
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
  return context.fhir.searchAll('Patient', {
    _tag: tokenValue(UNPLACED_TAG_SYSTEM, 'unplaced'),
    _count: count,
  });
}
