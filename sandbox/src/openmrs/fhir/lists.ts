// OpenMRS parses request bodies with HAPI's lenient JSON parser, which reads a single object where a
// list (0..*) belongs as a one-element list: openmrs-module-fhir2's own PatientWebTest_create.json posts
// `identifier` as an object and expects 201. The elements here are the lists of the resources the
// stand-in serves, at the depths its validators read.
import type { Resource } from 'fhir/r4';

type Json = Record<string, unknown>;

const TOP_LEVEL: Record<string, string[]> = {
  Patient: ['name', 'telecom', 'address', 'contact', 'link', 'generalPractitioner', 'communication'],
  Encounter: ['type', 'location', 'participant', 'reasonCode', 'diagnosis', 'statusHistory'],
  Observation: [
    'category',
    'performer',
    'interpretation',
    'note',
    'component',
    'basedOn',
    'partOf',
    'hasMember',
  ],
};
const EVERY_RESOURCE = ['identifier', 'extension', 'modifierExtension', 'contained'];
const NESTED: Record<string, string[]> = { name: ['given', 'prefix', 'suffix'], address: ['line'] };
const CODEABLE = ['type', 'category', 'code', 'valueCodeableConcept', 'interpretation', 'reasonCode'];

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** The body as HAPI's parser reads it: single objects in list elements become one-element lists. */
export function withLists<T extends Resource>(resource: T): T {
  const body: Json = { ...(resource as unknown as Json) };
  for (const key of [...EVERY_RESOURCE, ...(TOP_LEVEL[resource.resourceType] ?? [])])
    if (body[key] !== undefined && body[key] !== null) body[key] = asList(body[key]);
  for (const [key, inner] of Object.entries(NESTED)) {
    if (!Array.isArray(body[key])) continue;
    body[key] = (body[key] as unknown[]).map((item) => {
      if (!isObject(item)) return item;
      const copy: Json = { ...item };
      for (const field of inner) if (copy[field] !== undefined) copy[field] = asList(copy[field]);
      return copy;
    });
  }
  for (const key of CODEABLE) {
    const concepts = body[key];
    const fix = (concept: unknown) =>
      isObject(concept) && concept.coding !== undefined
        ? { ...concept, coding: asList(concept.coding) }
        : concept;
    if (Array.isArray(concepts)) body[key] = concepts.map(fix);
    else if (concepts !== undefined) body[key] = fix(concepts);
  }
  return body as unknown as T;
}
