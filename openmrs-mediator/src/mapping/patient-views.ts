// What each side holds of a patient that the sync keeps in step (pure): hashed on the FHIR copy so a
// change that is only our own write coming back is skipped without asking the other side.
import type { Patient } from 'fhir/r4';
import { identifierOf } from '@cht-openmrs/common';
import { addressFields } from '../openmrs/openmrs-fhir';
import { fieldsInCht } from './patient-fields';
import { demographicsOf } from './patients';

/** What OpenMRS holds of a patient that we keep in step. */
export function openmrsView(patient: Patient) {
  return {
    demographics: demographicsOf(patient),
    chtDocumentId: identifierOf(patient, 'chtDocumentId'),
    chtPatientId: identifierOf(patient, 'chtPatientId'),
    address: addressFields(patient),
  };
}

/** What CHT holds of a patient that we keep in step. */
export const chtView = fieldsInCht;
