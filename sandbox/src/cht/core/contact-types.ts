// Contact types (reference cht.md §3.1): hardcoded `district_hospital > health_center > clinic >
// person`, or configurable `type:'contact'` + `contact_type`. Without contact_types, the hardcoded ones.
import type { AppSettings, ContactType } from '../config/app-settings';
import { isObject } from './types';

export const HARDCODED_TYPES: ContactType[] = [
  { id: 'district_hospital' },
  { id: 'health_center', parents: ['district_hospital'] },
  { id: 'clinic', parents: ['health_center'] },
  { id: 'person', parents: ['district_hospital', 'health_center', 'clinic'], person: true },
];
const HARDCODED_IDS = new Set([...HARDCODED_TYPES.map((type) => type.id), 'national_office']);

export function contactTypes(settings: AppSettings): ContactType[] {
  return settings.contact_types?.length ? settings.contact_types : HARDCODED_TYPES;
}

/** The contact type id of a doc: `contact_type` for `type:'contact'`, else `type`. */
export function typeIdOf(doc: unknown): string | undefined {
  if (!isObject(doc)) return undefined;
  const id = doc.type === 'contact' ? doc.contact_type : doc.type;
  return typeof id === 'string' ? id : undefined;
}

/** A contact doc as CHT's views see it: `type:'contact'` or one of the hardcoded types. */
export function isContactDoc(doc: unknown): boolean {
  return (
    isObject(doc) && typeof doc.type === 'string' && (doc.type === 'contact' || HARDCODED_IDS.has(doc.type))
  );
}

export function findType(settings: AppSettings, id: string | undefined): ContactType | undefined {
  return contactTypes(settings).find((type) => type.id === id);
}

export function isPersonType(settings: AppSettings, doc: unknown): boolean {
  const id = typeIdOf(doc);
  return id === 'person' || Boolean(findType(settings, id)?.person);
}

export function isPlaceType(settings: AppSettings, doc: unknown): boolean {
  const type = findType(settings, typeIdOf(doc));
  return Boolean(type) && !type?.person;
}
