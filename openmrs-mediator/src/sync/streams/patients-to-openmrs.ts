// FHIR server → OpenMRS, patients (design.md §3, §4). A Patient CHT knows (it has a CHT document id)
// goes to OpenMRS: created once (OpenMRS is searched by the CHT Document ID first, so a crash after a
// create never makes a second), its OpenMRS uuid recorded on the FHIR copy at once, and later changes
// sent as updates. What OpenMRS already has (same content hash) is not sent again: that is how our
// own writes coming back from OpenMRS are recognised.
import type { Patient } from 'fhir/r4';
import { FhirGoneError, identifierOf, withIdentifier } from '@cht-openmrs/common';
import { demographicsOf, patientForOpenmrs, patientUpdateForOpenmrs } from '../../mapping/patients';
import { addressFields } from '../../openmrs/openmrs-fhir';
import type { ItemOutcome, Stream, SyncContext } from '../context';
import { pagesOf } from './pages';
import { ItemProblem } from '../errors';
import { hashOf, SYNCED_WITH_OPENMRS, syncedHash, withSyncedHash } from '../synced-hash';

export const PATIENTS_TO_OPENMRS = 'patients-to-openmrs';

/** What OpenMRS holds of a patient that we keep in step. */
export function openmrsView(patient: Patient) {
  return {
    demographics: demographicsOf(patient),
    chtDocumentId: identifierOf(patient, 'chtDocumentId'),
    chtPatientId: identifierOf(patient, 'chtPatientId'),
    address: addressFields(patient),
  };
}

async function recordLink(context: SyncContext, patient: Patient, uuid: string, hash: string): Promise<void> {
  await context.fhir.modify('Patient', patient.id as string, (current) => {
    const next = withSyncedHash(withIdentifier(current, 'openmrsUuid', uuid), SYNCED_WITH_OPENMRS, hash);
    return identifierOf(current, 'openmrsUuid') === uuid && syncedHash(current, SYNCED_WITH_OPENMRS) === hash
      ? undefined
      : next;
  });
  await context.queue.wake({ reference: `Patient/${patient.id}` });
}

async function findInOpenmrs(context: SyncContext, docId: string): Promise<Patient | undefined> {
  const found = await context.openmrs.findPatients(
    context.mapping.openmrs.identifierTypes.chtDocumentId,
    docId,
  );
  if (found.length > 1) {
    throw new ItemProblem(
      `OpenMRS has ${found.length} patients with CHT Document ID ${docId} (${found.map((p) => p.id).join(', ')}); merge them in OpenMRS`,
    );
  }
  return found[0];
}

export async function syncPatientToOpenmrs(context: SyncContext, patient: Patient): Promise<ItemOutcome> {
  const docId = identifierOf(patient, 'chtDocumentId');
  if (!docId) return 'skipped'; // an OpenMRS patient not (yet) in CHT: nothing of CHT's to send
  const hash = hashOf(openmrsView(patient));
  let uuid = identifierOf(patient, 'openmrsUuid');
  if (uuid && syncedHash(patient, SYNCED_WITH_OPENMRS) === hash) return 'skipped';

  if (!uuid) {
    const existing = await findInOpenmrs(context, docId);
    if (!existing) {
      const created = await context.openmrs.createPatient(patientForOpenmrs(patient, context.mapping));
      await recordLink(context, patient, created.id as string, hash);
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
  const update = patientUpdateForOpenmrs(current, patient, context.mapping);
  const changed =
    hashOf(openmrsView(update)) !== hashOf(openmrsView(current)) ||
    update.identifier?.length !== current.identifier?.length;
  if (changed) await context.openmrs.updatePatient(update);
  await recordLink(context, patient, uuid, hash);
  return changed ? 'updated' : 'skipped';
}

export const patientsToOpenmrs: Stream<Patient> = {
  name: PATIENTS_TO_OPENMRS,
  changes: (context, since) =>
    pagesOf<Patient>(
      context.fhir.pages('Patient', {
        _lastUpdated: `ge${since}`,
        _sort: '_lastUpdated',
        _count: context.limits.pageSize,
      }),
      'Patient',
    ),
  groupOf: (patient) => `Patient/${patient.id}`,
  sync: syncPatientToOpenmrs,
  async retry(context, focus) {
    return syncPatientToOpenmrs(context, await context.fhir.read('Patient', focus.replace(/^Patient\//, '')));
  },
};
