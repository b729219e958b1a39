// Whether two versions of a resource say the same thing, whatever the server added (version, time,
// HAPI's meta.source). Lets writers skip no-op updates, which would otherwise look like changes to sync.
import { isDeepStrictEqual } from 'node:util';
import type { FhirResource } from 'fhir/r4';

function comparable(resource: FhirResource): unknown {
  const { meta, id: _id, ...rest } = resource;
  const tags = [...(meta?.tag ?? [])].map((t) => `${t.system}|${t.code}`).sort();
  return JSON.parse(JSON.stringify({ ...rest, tags }));
}

export function sameContent(a: FhirResource, b: FhirResource): boolean {
  return isDeepStrictEqual(comparable(a), comparable(b));
}
