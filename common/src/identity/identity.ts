// The link ledger (design.md §3): every resource on the FHIR server carries one identifier for each
// system it exists in, each with a system URI of ours and a type.text. From any one id the others can
// be found. Origin is a meta.tag, because HAPI rewrites meta.source.
import type { Coding, Identifier, Meta } from 'fhir/r4';
import { tokenValue } from '../fhir/search-values';

/** A namespace of ours. It names systems; it is not meant to resolve. */
export const NAMESPACE = 'https://cht-openmrs-interop.org/fhir';

export type IdentifierKind = 'chtDocumentId' | 'chtPatientId' | 'openmrsUuid';

export const IDENTIFIER_SYSTEMS: Readonly<Record<IdentifierKind, string>> = {
  chtDocumentId: `${NAMESPACE}/identifier/cht-document-id`,
  chtPatientId: `${NAMESPACE}/identifier/cht-patient-id`,
  openmrsUuid: `${NAMESPACE}/identifier/openmrs-uuid`,
};

/** The identifier type names; in OpenMRS, the patient identifier types of the same names. */
export const IDENTIFIER_TYPE_NAMES: Readonly<Record<IdentifierKind, string>> = {
  chtDocumentId: 'CHT Document ID',
  chtPatientId: 'CHT Patient ID',
  openmrsUuid: 'OpenMRS UUID',
};

export const ORIGIN_TAG_SYSTEM = `${NAMESPACE}/tag/origin`;
export type Origin = 'cht' | 'openmrs';

interface Identified {
  identifier?: Identifier[] | undefined;
}
interface Tagged {
  meta?: Meta | undefined;
}

export function makeIdentifier(kind: IdentifierKind, value: string): Identifier {
  return { system: IDENTIFIER_SYSTEMS[kind], value, type: { text: IDENTIFIER_TYPE_NAMES[kind] } };
}

/** The `identifier=` search value that matches exactly this identifier (escaped, see search-values.ts). */
export function identifierToken(kind: IdentifierKind, value: string): string {
  return tokenValue(IDENTIFIER_SYSTEMS[kind], value);
}

/** A resource's identifiers as a list, also when a lenient server gave a single object. */
export function identifiersOf(resource: object): Identifier[] {
  const identifier = (resource as { identifier?: Identifier | Identifier[] }).identifier;
  return identifier === undefined || identifier === null
    ? []
    : Array.isArray(identifier)
      ? identifier
      : [identifier];
}

export function identifierOf(resource: Identified, kind: IdentifierKind): string | undefined {
  return identifiersOf(resource).find((identifier) => identifier.system === IDENTIFIER_SYSTEMS[kind])?.value;
}

/** A copy of the resource with the identifier of that kind set to the value (replacing any other). */
export function withIdentifier<T extends Identified>(resource: T, kind: IdentifierKind, value: string): T {
  const others = identifiersOf(resource).filter(
    (identifier) => identifier.system !== IDENTIFIER_SYSTEMS[kind],
  );
  return { ...resource, identifier: [...others, makeIdentifier(kind, value)] };
}

export function originTag(origin: Origin): Coding {
  return { system: ORIGIN_TAG_SYSTEM, code: origin };
}

/** `_tag` search value for resources of that origin. */
export function originTagToken(origin: Origin): string {
  return tokenValue(ORIGIN_TAG_SYSTEM, origin);
}

export function originOf(resource: Tagged): Origin | undefined {
  const code = resource.meta?.tag?.find((tag) => tag.system === ORIGIN_TAG_SYSTEM)?.code;
  return code === 'cht' || code === 'openmrs' ? code : undefined;
}

/** A copy of the resource tagged with its origin (any other origin tag removed). */
export function withOrigin<T extends Tagged>(resource: T, origin: Origin): T {
  const tags = (resource.meta?.tag ?? []).filter((tag) => tag.system !== ORIGIN_TAG_SYSTEM);
  return { ...resource, meta: { ...resource.meta, tag: [...tags, originTag(origin)] } };
}
