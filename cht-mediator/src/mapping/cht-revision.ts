// Which version of a CHT document a FHIR resource holds: the generation of its CouchDB revision, kept
// as an extension when the push said it (cht-config maps `doc._rev`). A push of an older generation than
// the one stored arrives late and is not written: nothing a CHW saved is reverted by it.
import type { DomainResource } from 'fhir/r4';
import { NAMESPACE } from '@cht-openmrs/common';

export const CHT_REVISION_EXTENSION = `${NAMESPACE}/StructureDefinition/cht-revision`;

export function revisionOf(resource: DomainResource | undefined): number | undefined {
  return resource?.extension?.find((e) => e.url === CHT_REVISION_EXTENSION)?.valueInteger;
}

/** The resource saying it holds that revision of its CHT document (none said: left as it is). */
export function withRevision<T extends DomainResource>(resource: T, revision: number | undefined): T {
  if (revision === undefined) return resource;
  const others = (resource.extension ?? []).filter((e) => e.url !== CHT_REVISION_EXTENSION);
  return { ...resource, extension: [...others, { url: CHT_REVISION_EXTENSION, valueInteger: revision }] };
}

/** Whether `incoming` is an older version of the CHT document than the one `stored` holds. */
export function isOlder(incoming: DomainResource, stored: DomainResource | undefined): boolean {
  const theirs = revisionOf(incoming);
  const ours = revisionOf(stored);
  return theirs !== undefined && ours !== undefined && theirs < ours;
}
