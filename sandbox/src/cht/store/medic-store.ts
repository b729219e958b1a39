// Reads and writes on the `medic` database that the CHT views would answer (contacts_by_reference,
// docs_by_shortcode, contacts_by_type, contacts_by_phone), done with Mango queries on PouchDB.
import { randomBytes } from 'node:crypto';
import type { DocSource } from '../core/lineage';
import { isContactDoc, typeIdOf } from '../core/contact-types';
import { normalisePhone } from '../core/phone';
import { generateShortcode, MIN_LENGTH } from '../core/shortcodes';
import type { ChtDoc } from '../core/types';
import { type Db, getOrUndefined } from './databases';

/** CouchDB-generated ids are 32 hex characters without dashes (§2.2). */
export const couchId = () => randomBytes(16).toString('hex');

/** The current shortcode length lives in medic-sentinel, out of the medic changes feed. */
const SHORTCODE_LENGTH_DOC = 'shortcode-id-length';

export class MedicStore implements DocSource {
  constructor(
    readonly db: Db,
    private readonly sentinelDb: Db,
  ) {}

  get(id: string): Promise<ChtDoc | undefined> {
    return getOrUndefined(this.db, id);
  }

  async put(doc: ChtDoc): Promise<{ ok: boolean; id: string; rev: string }> {
    const result = await this.db.put(doc);
    return { ok: true, id: result.id, rev: result.rev };
  }

  /** contacts_by_reference: only contact types are indexed by shortcode (§3.1). */
  async byShortcode(code: string): Promise<ChtDoc | undefined> {
    const { docs } = await this.db.find({ selector: { $or: [{ place_id: code }, { patient_id: code }] } });
    return docs.find(isContactDoc);
  }

  /** docs_by_shortcode: place_id, patient_id and case_id of any doc, reports included. */
  async shortcodeTaken(code: string): Promise<boolean> {
    const { docs } = await this.db.find({
      selector: { $or: [{ place_id: code }, { patient_id: code }, { case_id: code }] },
      limit: 1,
    });
    return docs.length > 0;
  }

  async newShortcode(): Promise<string> {
    const lengthDoc = await getOrUndefined(this.sentinelDb, SHORTCODE_LENGTH_DOC);
    const current = typeof lengthDoc?.current_length === 'number' ? lengthDoc.current_length : MIN_LENGTH;
    const { code, length } = await generateShortcode((candidate) => this.shortcodeTaken(candidate), current);
    if (length !== current)
      await this.sentinelDb.put({
        _id: SHORTCODE_LENGTH_DOC,
        ...(lengthDoc?._rev ? { _rev: lengthDoc._rev } : {}),
        current_length: length,
      });
    return code;
  }

  /** contacts_by_type, in id order, paged by skip. */
  async byContactType(typeId: string, skip: number, limit: number): Promise<ChtDoc[]> {
    const { docs } = await this.db.find({
      selector: { $or: [{ type: typeId }, { type: 'contact', contact_type: typeId }] },
    });
    return docs
      .filter((doc) => typeIdOf(doc) === typeId)
      .sort((a, b) => (a._id < b._id ? -1 : 1))
      .slice(skip, skip + limit);
  }

  /** contacts_by_phone: contacts whose normalised phone matches. */
  async byPhone(phone: string, countryCode?: string | number): Promise<ChtDoc[]> {
    const { docs } = await this.db.find({ selector: { phone: { $exists: true } } });
    return docs.filter((doc) => isContactDoc(doc) && normalisePhone(doc.phone, countryCode) === phone);
  }
}
