// Where an OpenMRS patient belongs in CHT (design.md §1): the first address field that is set
// (address5, else address4, by configuration); a trailing "[12345]" names the CHT place by its
// place_id shortcode, anything else is the exact name of a CHT place.
import type { Patient } from 'fhir/r4';
import { addressFields } from '../openmrs/openmrs-fhir';

export type PlaceKey = { field: string; placeId: string } | { field: string; name: string };

const PLACE_ID = /\[\s*([A-Za-z0-9]+)\s*\]\s*$/;

export function placeKeyOf(patient: Patient, placeFields: string[]): PlaceKey | undefined {
  const fields = addressFields(patient);
  for (const field of placeFields) {
    const value = fields[field]?.trim();
    if (!value) continue;
    const placeId = PLACE_ID.exec(value)?.[1];
    return placeId ? { field, placeId } : { field, name: value };
  }
  return undefined;
}

export function describePlaceKey(key: PlaceKey | undefined): string {
  if (!key) return 'no address field names a CHT place';
  return 'placeId' in key
    ? `${key.field} names place_id ${key.placeId}`
    : `${key.field} names place "${key.name}"`;
}
