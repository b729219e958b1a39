// Brings one linked patient's demographics in step on both sides, field by field: the fields CHT
// edited go to OpenMRS, the fields OpenMRS edited go to CHT and the FHIR copy, and the values now on
// each side are recorded as last synced (mapping/patient-fields.ts decides who won what). Both patient
// streams end here, so an edit is never undone by whichever of them sees the record first.
import type { Patient } from 'fhir/r4';
import { identifierOf } from '@cht-openmrs/common';
import {
  fieldsInCht,
  fieldsInOpenmrs,
  personFields,
  winners,
  wonBy,
  type LastSynced,
  type Side,
} from '../mapping/patient-fields';
import { patientFromOpenmrs, patientUpdateForOpenmrs } from '../mapping/patients';
import type { ItemOutcome, SyncContext } from './context';
import {
  hashOf,
  lastSyncedOf,
  SYNCED_WITH_CHT,
  SYNCED_WITH_OPENMRS,
  withLastSynced,
  withSyncedHash,
} from './synced-hash';
import { chtView, openmrsView } from '../mapping/patient-views';

/** The copy marked as in step with both sides: the hashes the streams skip on, and each field's values. */
export function markSynced(copy: Patient, synced: Patient, last: LastSynced): Patient {
  return withLastSynced(
    withSyncedHash(
      withSyncedHash(copy, SYNCED_WITH_OPENMRS, hashOf(openmrsView(synced))),
      SYNCED_WITH_CHT,
      hashOf(chtView(synced)),
    ),
    last,
  );
}

export type StoreCopy = (build: (base: Patient | undefined) => Patient) => Promise<Patient>;

/**
 * `chtSide` is the FHIR copy as read (what CHT holds), `openmrs` the OpenMRS patient as read, `source`
 * the side whose change is being synced (it wins when no last-synced state is known). The copy is
 * rebuilt from what the FHIR server holds when writing, so a CHT push that arrived meanwhile is kept,
 * and is seen as an edit next time, as the state recorded is the one this run resolved.
 */
export async function reconcilePatient(
  context: SyncContext,
  chtSide: Patient,
  openmrs: Patient,
  source: Side,
  storeCopy: StoreCopy,
): Promise<ItemOutcome> {
  const won = winners(
    {
      cht: fieldsInCht(chtSide),
      openmrs: fieldsInOpenmrs(openmrs),
      chtAt: chtSide.meta?.lastUpdated,
      openmrsAt: openmrs.meta?.lastUpdated,
    },
    lastSyncedOf(chtSide),
    source,
  );
  const toOpenmrs = wonBy(won, 'cht');
  const toCht = wonBy(won, 'openmrs');

  const update = patientUpdateForOpenmrs(openmrs, chtSide, context.mapping, toOpenmrs);
  const openmrsChanged =
    hashOf(fieldsInOpenmrs(update)) !== hashOf(fieldsInOpenmrs(openmrs)) ||
    update.identifier?.length !== openmrs.identifier?.length;
  const after = openmrsChanged ? await context.openmrs.updatePatient(update) : openmrs;

  const synced = patientFromOpenmrs(after, chtSide, context.mapping, toCht);
  const docId = identifierOf(chtSide, 'chtDocumentId');
  let chtChanged = false;
  if (docId && toCht.length > 0) {
    const person = await context.cht.getDoc(docId);
    const fields = personFields(synced, toCht);
    chtChanged = Object.entries(fields).some(([k, v]) => person[k] !== v);
    if (chtChanged) await context.cht.putDoc({ ...person, ...fields });
  }

  const last: LastSynced = { cht: fieldsInCht(synced), openmrs: fieldsInOpenmrs(after) };
  await storeCopy((base) =>
    markSynced(patientFromOpenmrs(after, base, context.mapping, toCht), synced, last),
  );
  return openmrsChanged || chtChanged ? 'updated' : 'skipped';
}
