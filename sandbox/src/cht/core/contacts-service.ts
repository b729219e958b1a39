// POST /api/v1/people and /api/v1/places (reference cht.md §2.2, §2.3; cht-core shared-libs/contacts):
// validation with CHT's messages, inline parents and contacts created first, parent lineage minified.
import type { AppSettings } from '../config/app-settings';
import { couchId, type MedicStore } from '../store/medic-store';
import { contactTypes, findType, isPersonType, isPlaceType, typeIdOf } from './contact-types';
import { ChtError } from './errors';
import { minify } from './lineage';
import { type ChtDoc, isObject } from './types';

const badRequest = (message: string) => new ChtError(400, message);

function reportedDate(value: unknown, now: number): number {
  if (value === undefined) return now;
  if (typeof value === 'number') return value;
  const parsed =
    typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(value)
      ? Date.parse(value)
      : NaN;
  if (Number.isNaN(parsed)) throw badRequest(`Reported date is invalid: ${String(value)}`);
  return parsed;
}

export interface CreatedContact {
  ok?: boolean;
  id: string;
  rev: string;
  contact?: { id: string };
}

export class ContactsService {
  constructor(
    private readonly store: MedicStore,
    private readonly settings: () => AppSettings,
    private readonly now: () => number,
  ) {}

  private async lineageOf(id: string, notFound: string): Promise<ChtDoc> {
    const doc = await this.store.get(id);
    if (!doc) throw new ChtError(404, notFound);
    return doc;
  }

  async createPerson(input: unknown): Promise<CreatedContact> {
    if (!isObject(input)) throw badRequest('Wrong type, this is not a person.');
    const settings = this.settings();
    const person: Record<string, unknown> = { ...input };
    if (person.type === undefined && contactTypes(settings).some((type) => type.id === 'person'))
      person.type = 'person';
    if (!isPersonType(settings, person)) throw badRequest('Wrong type, this is not a person.');
    if (person.name === undefined) throw badRequest('Person is missing a "name" property.');
    if (typeof person.name !== 'string') throw badRequest('Property "name" must be a string.');
    person.reported_date = reportedDate(person.reported_date, this.now());
    if (person.place !== undefined) {
      const placeId = isObject(person.place)
        ? (await this.createPlace(person.place)).id
        : String(person.place);
      const place = await this.lineageOf(placeId, 'Failed to find place.');
      person.parent = minify(place);
      delete person.place;
    }
    return this.store.put({ ...person, _id: couchId() });
  }

  private async validatePlace(place: Record<string, unknown>): Promise<void> {
    const settings = this.settings();
    if (!isPlaceType(settings, place)) throw badRequest('Wrong type, object is not a place.');
    if (place.name === undefined) throw badRequest('Place is missing a "name" property.');
    if (typeof place.name !== 'string')
      throw badRequest(`Property "name" on place ${String(place._id)} must be a string.`);
    if (place.contact !== undefined && typeof place.contact !== 'string' && !isObject(place.contact))
      throw badRequest(`Property "contact" on place ${String(place._id)} must be an object or string.`);
    if (isObject(place.contact) && !isPersonType(settings, { type: 'person', ...place.contact }))
      throw badRequest('Wrong type, this is not a person.');
    const parents = findType(settings, typeIdOf(place))?.parents ?? [];
    if (parents.length === 0) return;
    if (place.parent === undefined) throw badRequest('Place is missing a "parent" property.');
    const parentType = isObject(place.parent)
      ? typeIdOf(place.parent)
      : typeIdOf(await this.store.get(String(place.parent)));
    if (parentType !== undefined && !parents.includes(parentType))
      throw badRequest(
        `${String(typeIdOf(place))} "${String(place._id)}" should have one of the following parent types: "${parents.join(', ')}".`,
      );
  }

  async createPlace(input: unknown): Promise<CreatedContact> {
    if (!isObject(input)) throw badRequest('Wrong type, object is not a place.');
    const place: Record<string, unknown> = { ...input };
    await this.validatePlace(place);
    place.reported_date = reportedDate(place.reported_date, this.now());
    if (place.parent !== undefined) {
      const parentId = isObject(place.parent)
        ? (await this.createPlace(place.parent)).id
        : String(place.parent);
      place.parent = minify(await this.lineageOf(parentId, 'Failed to find place.'));
    }
    const inlineContact = isObject(place.contact) ? place.contact : undefined;
    if (typeof place.contact === 'string') await this.lineageOf(place.contact, 'Failed to find person.');
    if (inlineContact) delete place.contact;
    const id = couchId();
    const created = await this.store.put({ ...place, _id: id });
    if (typeof place.contact === 'string') return { ...created, contact: { id: place.contact } };
    if (!inlineContact) return created;
    // Inline contact: place first, then the person in it, then the place again (§2.3).
    const person = await this.createPerson({ type: 'person', ...inlineContact, place: id });
    const personDoc = await this.lineageOf(person.id, 'Failed to find person.');
    const saved = await this.lineageOf(id, 'Failed to find place.');
    const updated = await this.store.put({ ...saved, contact: minify(personDoc) });
    return { id, rev: updated.rev, contact: { id: person.id } };
  }

  /** POST /api/v1/places/{id} (§2.3 "Update"): only name, parent, contact and place_id change. */
  async updatePlace(id: string, input: unknown): Promise<{ id: string; rev: string }> {
    const place = await this.lineageOf(id, 'Failed to find place.');
    const body = isObject(input) ? input : {};
    const allowed = ['name', 'parent', 'contact', 'place_id'];
    if (!allowed.some((key) => body[key] !== undefined))
      throw badRequest(`One of the following fields are required: ${allowed.join(', ')}`);
    const updated: ChtDoc = { ...place };
    if (body.name !== undefined) updated.name = body.name;
    if (body.place_id !== undefined) updated.place_id = body.place_id;
    if (body.parent !== undefined) {
      const parentId = isObject(body.parent) ? (await this.createPlace(body.parent)).id : String(body.parent);
      updated.parent = minify(await this.lineageOf(parentId, 'Failed to find place.'));
    }
    if (body.contact !== undefined) {
      const contactId = isObject(body.contact)
        ? (await this.createPerson({ type: 'person', ...body.contact, place: id })).id
        : String(body.contact);
      updated.contact = minify(await this.lineageOf(contactId, 'Failed to find person.'));
    }
    await this.validatePlace(updated);
    const saved = await this.store.put(updated);
    return { id: saved.id, rev: saved.rev };
  }
}
