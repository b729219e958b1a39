// FHIR server → OpenMRS, patients (design.md §3, §4). A Patient CHT knows (it has a CHT document id)
// goes to OpenMRS: created once (OpenMRS is searched by the CHT Document ID first, so a crash after a
// create never makes a second), its OpenMRS uuid recorded on the FHIR copy at once. Later changes are
// reconciled field by field with what OpenMRS holds now (patient-reconcile.ts): CHT's edits go to
// OpenMRS, OpenMRS's edits made meanwhile are kept and go to CHT. A copy whose content hashes as last
// synced is our own write coming back, and is skipped without asking OpenMRS.
import type { Patient } from 'fhir/r4';
import { FhirGoneError, identifierOf, withIdentifier } from '@cht-openmrs/common';
import { fieldsInCht, fieldsInOpenmrs } from '../../mapping/patient-fields';
import { openmrsView } from '../../mapping/patient-views';
import { patientForOpenmrs } from '../../mapping/patients';
import type { ItemOutcome, Stream, SyncContext } from '../context';
import { pagesOf } from './pages';
import { ItemProblem } from '../errors';
import { markSynced, reconcilePatient } from '../patient-reconcile';
import { hashOf, SYNCED_WITH_OPENMRS, syncedHash } from '../synced-hash';

export const PATIENTS_TO_OPENMRS = 'patients-to-openmrs';

/** For a page: what OpenMRS holds under each CHT Document ID of the patients it has no link for yet. */
export type KnownInOpenmrs = Map<string, Patient[]>;

async function lookUpPage(context: SyncContext, page: Patient[]): Promise<KnownInOpenmrs> {
  const docIds = page
    .filter((p) => !identifierOf(p, 'openmrsUuid'))
    .map((p) => identifierOf(p, 'chtDocumentId'))
    .filter((id): id is string => Boolean(id));
  const type = context.mapping.openmrs.identifierTypes.chtDocumentId;
  const known: KnownInOpenmrs = new Map(docIds.map((id) => [id, []]));
  if (docIds.length === 0) return known;
  for (const patient of await context.openmrs.findPatientsByIdentifiers(type, docIds)) {
    for (const i of patient.identifier ?? [])
      if (i.type?.text === type && known.has(i.value ?? '')) known.get(i.value as string)?.push(patient);
  }
  return known;
}

async function findInOpenmrs(
  context: SyncContext,
  docId: string,
  known: KnownInOpenmrs | undefined,
): Promise<Patient | undefined> {
  const found =
    known?.get(docId) ??
    (await context.openmrs.findPatients(context.mapping.openmrs.identifierTypes.chtDocumentId, docId));
  if (found.length > 1) {
    throw new ItemProblem(
      `OpenMRS has ${found.length} patients with CHT Document ID ${docId} (${found.map((p) => p.id).join(', ')}); merge them in OpenMRS`,
    );
  }
  return found[0];
}

async function storeCopy(context: SyncContext, patient: Patient, build: (base: Patient) => Patient) {
  const { resource } = await context.fhir.modifyFrom(patient, build);
  await context.queue.wake({ reference: `Patient/${patient.id}` });
  return resource;
}

export async function syncPatientToOpenmrs(
  context: SyncContext,
  patient: Patient,
  known?: KnownInOpenmrs,
): Promise<ItemOutcome> {
  const docId = identifierOf(patient, 'chtDocumentId');
  if (!docId) return 'skipped'; // an OpenMRS patient not (yet) in CHT: nothing of CHT's to send
  let uuid = identifierOf(patient, 'openmrsUuid');
  if (uuid && syncedHash(patient, SYNCED_WITH_OPENMRS) === hashOf(openmrsView(patient))) return 'skipped';

  if (!uuid) {
    const existing = await findInOpenmrs(context, docId, known);
    if (!existing) {
      const created = await context.openmrs.createPatient(patientForOpenmrs(patient, context.mapping));
      const last = { cht: fieldsInCht(patient), openmrs: fieldsInOpenmrs(created) };
      await storeCopy(context, patient, (current) =>
        markSynced(withIdentifier(current, 'openmrsUuid', created.id as string), patient, last),
      );
      return 'created';
    }
    uuid = existing.id as string;
  }

  let current: Patient;
  try {
    current = await context.openmrs.readPatient(uuid);
  } catch (error) {
    if (error instanceof FhirGoneError)
      throw new ItemProblem(`OpenMRS patient ${uuid} was voided; CHT patient ${docId} is not sent again`);
    throw error;
  }
  const linked = withIdentifier(patient, 'openmrsUuid', uuid);
  return reconcilePatient(context, linked, current, 'cht', (build) =>
    storeCopy(context, patient, (base) => build(withIdentifier(base, 'openmrsUuid', uuid))),
  );
}

export const patientsToOpenmrs: Stream<Patient, KnownInOpenmrs> = {
  name: PATIENTS_TO_OPENMRS,
  changes: (context, since) =>
    pagesOf<Patient>(
      context.fhir.pages('Patient', {
        _lastUpdated: `ge${since}`,
        _sort: '_lastUpdated',
        _count: context.limits.fhirPageSize,
      }),
      'Patient',
    ),
  cursorPrecision: 'millisecond',
  groupOf: (patient) => `Patient/${patient.id}`,
  prepare: lookUpPage,
  sync: syncPatientToOpenmrs,
  async retry(context, focus) {
    return syncPatientToOpenmrs(context, await context.fhir.read('Patient', focus.replace(/^Patient\//, '')));
  },
};
