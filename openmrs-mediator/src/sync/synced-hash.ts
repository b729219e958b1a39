// Echo suppression (design.md §4): the FHIR copy remembers a hash of what was last synced with each
// peer. A change whose content hashes the same is our own write coming back, and is not sent again.
// For patients it also keeps each field's last-synced value per side, which decides who wins a field.
import { createHash } from 'node:crypto';
import type { DomainResource } from 'fhir/r4';
import { NAMESPACE } from '@cht-openmrs/common';
import type { LastSynced } from '../mapping/patient-fields';

export const SYNCED_WITH_OPENMRS = `${NAMESPACE}/StructureDefinition/synced-with-openmrs`;
export const SYNCED_WITH_CHT = `${NAMESPACE}/StructureDefinition/synced-with-cht`;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, stable(v)]),
    );
  }
  return value;
}

export function hashOf(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(stable(value)))
    .digest('hex')
    .slice(0, 32);
}

export function syncedHash(resource: DomainResource, url: string): string | undefined {
  return resource.extension?.find((e) => e.url === url)?.valueString;
}

export function withSyncedHash<T extends DomainResource>(resource: T, url: string, hash: string): T {
  return {
    ...resource,
    extension: [...(resource.extension ?? []).filter((e) => e.url !== url), { url, valueString: hash }],
  };
}

/** Per field, the value last synced with each side (mapping/patient-fields.ts), kept on the FHIR copy. */
export const SYNCED_FIELDS = `${NAMESPACE}/StructureDefinition/synced-fields`;

export function lastSyncedOf(resource: DomainResource): LastSynced | undefined {
  const value = resource.extension?.find((e) => e.url === SYNCED_FIELDS)?.valueString;
  return value ? (JSON.parse(value) as LastSynced) : undefined;
}

export function withLastSynced<T extends DomainResource>(resource: T, last: LastSynced): T {
  return {
    ...resource,
    extension: [
      ...(resource.extension ?? []).filter((e) => e.url !== SYNCED_FIELDS),
      { url: SYNCED_FIELDS, valueString: JSON.stringify(last) },
    ],
  };
}
