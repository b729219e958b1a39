// CHT person → FHIR Patient (pure). CHT owns the demographics it sends; what other systems added to
// the same Patient (the OpenMRS uuid, an address from OpenMRS, the origin) is kept on merge.
import type { Extension, HumanName, Identifier, Patient } from 'fhir/r4';
import { IDENTIFIER_SYSTEMS, makeIdentifier, NAMESPACE, originOf, withOrigin } from '@cht-openmrs/common';
import type { ChtPatient } from '../push/payloads';
import { CHT_REVISION_EXTENSION, revisionOf, withRevision } from './cht-revision';

/** The CHT places above the person, nearest first, as "id/id/id": kept to help placement in OpenMRS. */
export const CHT_LINEAGE_EXTENSION = `${NAMESPACE}/StructureDefinition/cht-lineage`;

const GENDERS: Record<string, Patient['gender']> = {
  male: 'male',
  m: 'male',
  female: 'female',
  f: 'female',
  other: 'other',
};

/** "Jane Mary Doe" → given [Jane, Mary], family Doe. One word is a given name: OpenMRS requires one. */
export function nameOf(fullName: string): HumanName {
  const words = fullName.split(/\s+/).filter(Boolean);
  if (words.length === 1) return { text: fullName, given: words };
  return { text: words.join(' '), given: words.slice(0, -1), family: words[words.length - 1] as string };
}

export function patientToFhir(person: ChtPatient): Patient {
  const identifier: Identifier[] = [makeIdentifier('chtDocumentId', person.docId)];
  if (person.shortcode) identifier.push(makeIdentifier('chtPatientId', person.shortcode));
  const patient: Patient = {
    resourceType: 'Patient',
    identifier,
    active: true,
    name: [nameOf(person.name)],
    gender: GENDERS[person.sex ?? ''] ?? 'unknown',
  };
  if (person.birthDate) patient.birthDate = person.birthDate;
  if (person.phone) patient.telecom = [{ system: 'phone', value: person.phone }];
  if (person.lineage.length > 0)
    patient.extension = [{ url: CHT_LINEAGE_EXTENSION, valueString: person.lineage.join('/') }];
  return withOrigin(withRevision(patient, person.revision), 'cht');
}

/**
 * The stored Patient updated with what CHT says. Identifiers of other systems, address and any field
 * CHT does not send are kept; a field CHT leaves out (phone, birth date) keeps its stored value.
 * The origin stays where the record was born.
 */
export function mergePatient(stored: Patient, fromCht: Patient): Patient {
  // The OpenMRS uuid is the sync's to set, never a push's.
  const chtSystems = new Set(
    fromCht.identifier?.map((i) => i.system).filter((s) => s !== IDENTIFIER_SYSTEMS.openmrsUuid),
  );
  const identifier = [
    ...(stored.identifier ?? []).filter((i) => !chtSystems.has(i.system)),
    ...(fromCht.identifier ?? []).filter((i) => chtSystems.has(i.system)),
  ];
  const extension: Extension[] = [
    ...(stored.extension ?? []).filter(
      (e) =>
        e.url !== CHT_LINEAGE_EXTENSION &&
        !(e.url === CHT_REVISION_EXTENSION && revisionOf(fromCht) !== undefined),
    ),
    ...(fromCht.extension ?? []),
  ];
  const merged: Patient = {
    ...stored,
    identifier,
    active: true,
    name: fromCht.name ?? [],
    gender: fromCht.gender ?? 'unknown',
    ...(fromCht.birthDate ? { birthDate: fromCht.birthDate } : {}),
    ...(fromCht.telecom ? { telecom: fromCht.telecom } : {}),
  };
  if (extension.length > 0) merged.extension = extension;
  else delete merged.extension;
  return withOrigin(merged, originOf(stored) ?? 'cht');
}

export function chtDocumentIdOf(patient: Patient): string | undefined {
  return patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEMS.chtDocumentId)?.value;
}
