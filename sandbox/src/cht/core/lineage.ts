// Lineage (reference cht.md §1.2, §3.1): stored parents are minified `{_id, parent:{…}}`; hydration
// replaces each step by the full doc, fills each contact's person doc, and for reports adds the
// submitter (`contact`), `patient` and `place` subjects.
import { isContactDoc } from './contact-types';
import { type ChtDoc, clone, isObject, type MinifiedLineage } from './types';

export interface DocSource {
  get(id: string): Promise<ChtDoc | undefined>;
  /** The contact whose place_id or patient_id is this shortcode (contacts_by_reference). */
  byShortcode(code: string): Promise<ChtDoc | undefined>;
}

/** `{_id, parent:{_id,…}}` of a doc (minify.js). */
export function minify(doc: unknown): MinifiedLineage | undefined {
  if (!isObject(doc) || typeof doc._id !== 'string') return undefined;
  const parent = minify(doc.parent);
  return parent ? { _id: doc._id, parent } : { _id: doc._id };
}

const idOf = (ref: unknown): string | undefined =>
  typeof ref === 'string' ? ref : isObject(ref) && typeof ref._id === 'string' ? ref._id : undefined;

async function withContact(doc: ChtDoc, source: DocSource): Promise<ChtDoc> {
  const contactId = idOf(doc.contact);
  if (contactId === undefined || contactId === doc._id) return doc;
  const contact = await source.get(contactId);
  return contact ? { ...doc, contact } : doc;
}

/** The parent chain as full docs (missing ancestors stay as their stub), each with its contact. */
async function hydrateParents(ref: unknown, source: DocSource, seen: Set<string>): Promise<unknown> {
  const id = idOf(ref);
  if (id === undefined || seen.has(id)) return ref;
  seen.add(id);
  const doc = await source.get(id);
  if (!doc) return isObject(ref) ? { ...ref, parent: await hydrateParents(ref.parent, source, seen) } : ref;
  const withParent = { ...doc, parent: await hydrateParents(doc.parent, source, seen) };
  if (withParent.parent === undefined) delete withParent.parent;
  return withContact(withParent, source);
}

/** A contact with its full lineage and contacts (fetchHydratedDoc for contacts). */
export async function hydrateContact(doc: ChtDoc, source: DocSource): Promise<ChtDoc> {
  const out = clone(doc);
  if (out.parent !== undefined) out.parent = await hydrateParents(out.parent, source, new Set([out._id]));
  return withContact(out, source);
}

async function subject(ref: unknown, source: DocSource): Promise<ChtDoc | undefined> {
  if (typeof ref !== 'string' && typeof ref !== 'number') return undefined;
  const found = (await source.byShortcode(String(ref))) ?? (await source.get(String(ref)));
  return found && isContactDoc(found) ? hydrateContact(found, source) : undefined;
}

/** A doc hydrated as Sentinel and outbound see it (hydration.js). */
export async function hydrate(doc: ChtDoc, source: DocSource): Promise<ChtDoc> {
  if (doc.type !== 'data_record') return isContactDoc(doc) ? hydrateContact(doc, source) : clone(doc);
  const out = clone(doc);
  const contactId = idOf(out.contact);
  if (contactId !== undefined) {
    const contact = await source.get(contactId);
    if (contact) out.contact = await hydrateContact(contact, source);
  }
  const fields = isObject(out.fields) ? out.fields : {};
  const patient = await subject(fields.patient_id || fields.patient_uuid || out.patient_id, source);
  if (patient) out.patient = patient;
  const place = await subject(fields.place_id || out.place_id, source);
  if (place) out.place = place;
  return out;
}
