// Deterministic FHIR ids for what CHT sends, so a re-push writes the same resources again instead of
// new ones. Ids are namespaced ("cht-…"): never purely numeric (HAPI-0960), at most 64 characters.
import { createHash } from 'node:crypto';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function fhirIdFor(prefix: string, ...key: string[]): string {
  const plain = `${prefix}-${key.join('-')}`;
  if (key.length === 1 && FHIR_ID.test(plain)) return plain;
  return `${prefix}-${createHash('sha256').update(key.join('\u0000')).digest('hex').slice(0, 40)}`;
}
