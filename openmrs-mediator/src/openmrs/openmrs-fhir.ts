// Names and shapes of OpenMRS's FHIR2 module that the mappers need (openmrs-fhir2.md §4–§6).
import type { Encounter, Extension, Patient } from 'fhir/r4';

export const VISIT_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/visit-type';
export const ENCOUNTER_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/encounter-type';
export const ENCOUNTER_TAG_SYSTEM = 'http://fhir.openmrs.org/ext/encounter-tag';
export const ADDRESS_EXTENSION = 'http://fhir.openmrs.org/ext/address';

/** `_tag` values that narrow an Encounter search to visits or to encounters (§5.5). */
export const VISITS_ONLY = `${ENCOUNTER_TAG_SYSTEM}|visit`;
export const ENCOUNTERS_ONLY = `${ENCOUNTER_TAG_SYSTEM}|encounter`;

export function isVisit(encounter: Encounter): boolean {
  return encounter.type?.some((t) => t.coding?.some((c) => c.system === VISIT_TYPE_SYSTEM)) ?? false;
}

export function typeCode(encounter: Encounter, system: string): string | undefined {
  return encounter.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === system)?.code;
}

/** `address1`…`address15` of a Patient's address, from the OpenMRS address extension. */
export function addressFields(patient: Patient, index = 0): Record<string, string> {
  const extension: Extension | undefined = patient.address?.[index]?.extension?.find(
    (e) => e.url === ADDRESS_EXTENSION,
  );
  const fields: Record<string, string> = {};
  for (const part of extension?.extension ?? []) {
    const name = part.url.split('#')[1];
    if (name && part.valueString) fields[name] = part.valueString;
  }
  return fields;
}

/** The identifier of that OpenMRS identifier type (by name, as OpenMRS emits `type.text`). */
export function identifierByTypeName(patient: Patient, typeName: string): string | undefined {
  return patient.identifier?.find((i) => i.type?.text === typeName)?.value;
}

export function referenceId(reference: string | undefined): string | undefined {
  return reference?.match(/([^/]+)\/([^/]+?)(\/_history\/[^/]+)?$/)?.[2];
}
