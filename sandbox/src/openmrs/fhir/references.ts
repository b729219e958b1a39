// References as the FHIR2 module reads and writes them (openmrs-fhir2.md §3): written as
// `{reference: "Type/uuid", type, display?}`; read by regex, with the type from `Reference.type` or
// the `Type/` prefix. A typed reference to the wrong (or an undeterminable) type is a 500.
import type { Reference } from 'fhir/r4';
import { invalidReference } from './errors';

const FHIR_URL = /^(?:https?:\/\/\S*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

export function referenceTo(type: string, uuid: string, display?: string): Reference {
  return { reference: `${type}/${uuid}`, type, ...(display ? { display } : {}) };
}

/** The id in a reference, or undefined when the reference has no `Type/id` form. */
export function referencedId(reference: Reference | undefined): string | undefined {
  return FHIR_URL.exec(reference?.reference ?? '')?.[2];
}

/** The id a reference of that type names; throws the module's 500 when the type is wrong or unknown. */
export function typedReferenceId(reference: Reference | undefined, expected: string): string | undefined {
  if (!reference) return undefined;
  const type = reference.type ?? FHIR_URL.exec(reference.reference ?? '')?.[1];
  if (type !== expected) throw invalidReference(expected, type);
  return referencedId(reference);
}
