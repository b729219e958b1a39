// Hierarchy reads (reference cht.md §2.6): place/person by id with lineage, paging by contact type,
// hydrate, contacts-by-phone.
import type { AppSettings } from '../config/app-settings';
import type { MedicStore } from '../store/medic-store';
import { contactTypes, isContactDoc, isPersonType } from './contact-types';
import { ChtError, CouchError } from './errors';
import { hydrate, hydrateContact } from './lineage';
import { normalisePhone } from './phone';
import type { ChtDoc } from './types';

export type ContactKind = 'place' | 'person';

const label = (kind: ContactKind) => (kind === 'place' ? 'Place' : 'Person');

export class Reads {
  constructor(
    private readonly medic: MedicStore,
    private readonly settings: () => AppSettings,
  ) {}

  private isKind(doc: ChtDoc | undefined, kind: ContactKind): doc is ChtDoc {
    if (!doc || !isContactDoc(doc)) return false;
    return isPersonType(this.settings(), doc) === (kind === 'person');
  }

  async contact(kind: ContactKind, id: string, withLineage: boolean): Promise<ChtDoc> {
    const doc = await this.medic.get(id);
    if (!this.isKind(doc, kind)) throw new ChtError(404, `${label(kind)} not found`);
    return withLineage ? hydrateContact(doc, this.medic) : doc;
  }

  async page(kind: ContactKind, typeId: unknown, limitParam: unknown, cursorParam: unknown) {
    const type = contactTypes(this.settings()).find((candidate) => candidate.id === typeId);
    if (!type || Boolean(type.person) !== (kind === 'person'))
      throw new ChtError(400, `Invalid contact type [${String(typeId)}].`);
    const limit = limitParam === undefined ? 100 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1)
      throw new ChtError(400, `The limit must be a positive integer: [${String(limitParam)}].`);
    const skip = cursorParam === undefined || cursorParam === 'null' ? 0 : Number(cursorParam);
    if (!Number.isInteger(skip) || skip < 0)
      throw new ChtError(400, `Invalid cursor token: [${String(cursorParam)}].`);
    const data = await this.medic.byContactType(type.id, skip, limit);
    return { data, cursor: data.length < limit ? null : String(skip + limit) };
  }

  async hydrateIds(
    ids: unknown,
  ): Promise<({ id: string; doc: ChtDoc } | { id: string; error: 'not_found' })[]> {
    if (!Array.isArray(ids))
      throw new CouchError(400, 'bad_request', '`doc_ids` parameter must be a json array.');
    return Promise.all(
      ids.map(async (raw) => {
        const id = String(raw);
        const doc = await this.medic.get(id);
        return doc ? { id, doc: await hydrate(doc, this.medic) } : { id, error: 'not_found' as const };
      }),
    );
  }

  async byPhone(phone: unknown): Promise<{ ok: true; docs: ChtDoc[] }> {
    const normalised = normalisePhone(phone, this.settings().default_country_code);
    if (!normalised)
      throw new CouchError(
        400,
        'bad_request',
        '`phone` parameter is required and must be a valid phone number',
      );
    const docs = await this.medic.byPhone(normalised, this.settings().default_country_code);
    if (docs.length === 0) throw new CouchError(404, 'not_found', 'no matches found');
    return { ok: true, docs: await Promise.all(docs.map((doc) => hydrateContact(doc, this.medic))) };
  }
}
