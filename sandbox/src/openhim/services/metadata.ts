// `POST /metadata` (import), `POST /metadata/validate` and `GET /metadata` (openhim.md §3.2;
// core@v8.5.0:src/api/metadata.js): raw documents upserted by their natural key, with only the
// model's own validation (no API checks, no hashing, no passports created), and enabled polling
// channels scheduled. The answer is 201 with one result per item, even when items failed.
import type { CoreVersion } from '../auth/credentials';
import { createDocument, isPlainObject, setFields, type Doc, validateDocument } from '../model/schema';
import { models } from '../model/schemas';
import type { Channel, Stored, User } from '../model/types';
import type { Collection } from '../store/collection';
import type { State } from '../store/state';
import { type ApiReply, auditFields, json, requireAdmin } from './reply';

interface Kind {
  model: (typeof models)[keyof typeof models];
  collection: (state: State) => Collection<Stored>;
  /** The natural key core upserts by, e.g. {name} for channels. */
  key: (doc: Doc) => Doc;
}

const KINDS: Record<string, Kind> = {
  Channels: {
    model: models.Channel,
    collection: (s) => s.channels as unknown as Collection<Stored>,
    key: (d) => ({ name: d.name }),
  },
  Clients: {
    model: models.Client,
    collection: (s) => s.clients as unknown as Collection<Stored>,
    key: (d) => ({ clientID: d.clientID }),
  },
  Mediators: {
    model: models.Mediator,
    collection: (s) => s.mediators as unknown as Collection<Stored>,
    key: (d) => ({ urn: d.urn }),
  },
  Users: {
    model: models.User,
    collection: (s) => s.users as unknown as Collection<Stored>,
    key: (d) => ({ email: d.email }),
  },
  Passports: {
    model: models.Passport,
    collection: (s) => s.passports as unknown as Collection<Stored>,
    key: (d) => ({ protocol: d.protocol, email: d.email }),
  },
  ContactGroups: {
    model: models.ContactGroup,
    collection: (s) => s.contactGroups as unknown as Collection<Stored>,
    key: (d) => ({ groups: d.groups }),
  },
};

export interface MetadataResult {
  model: string;
  record: unknown;
  status: 'Inserted' | 'Updated' | 'Valid' | 'Conflict' | 'Error';
  message: string;
  uid: unknown;
}

function matches(key: Doc) {
  return (doc: Stored) =>
    Object.entries(key).every(([field, value]) => (doc as unknown as Doc)[field] === value);
}

export class MetadataService {
  constructor(
    private readonly state: State,
    private readonly version: CoreVersion,
    private readonly now: () => number,
    private readonly scheduled: (channel: Channel) => void,
  ) {}

  private kind(key: string): Kind | undefined {
    // Passports became importable in core 7.2.1.
    if (key === 'Passports' && this.version === '7.1') return undefined;
    return KINDS[key];
  }

  exportAll(user: User): ApiReply {
    requireAdmin(user, 'getMetadata');
    const strip = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(strip);
      if (!isPlainObject(value)) return value;
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== '_id' && k !== '__v')
          .map(([k, v]) => [k, strip(v)]),
      );
    };
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(KINDS)) {
      const kind = this.kind(name);
      if (kind) out[name] = strip(kind.collection(this.state).all());
    }
    return json([out]);
  }

  post(user: User, body: unknown, action: 'import' | 'validate'): ApiReply {
    requireAdmin(user, 'importMetadata');
    const results: MetadataResult[] = [];
    const input = isPlainObject(body) ? body : {};
    for (const [key, docs] of Object.entries(input)) {
      for (const doc of Array.isArray(docs) ? (docs as unknown[]) : []) {
        const given = isPlainObject(doc) ? { ...doc } : {};
        const kind = this.kind(key);
        let uid: unknown;
        try {
          if (!kind) throw new Error('Invalid Collection in Import Object');
          const natural = kind.key(given);
          uid = Object.values(natural)[0];
          const existing = kind.collection(this.state).findOne(matches(natural));
          const result =
            action === 'import'
              ? this.upsert(user, kind, key, given, existing)
              : this.check(user, kind, key, given, existing);
          results.push({ ...result, uid });
        } catch (error) {
          results.push({
            model: key,
            record: given,
            status: 'Error',
            message: (error as Error).message,
            uid,
          });
        }
      }
    }
    return json(results, 201);
  }

  private upsert(user: User, kind: Kind, key: string, given: Doc, existing: Stored | undefined) {
    const collection = kind.collection(this.state);
    let saved: Stored;
    let status: MetadataResult['status'];
    let record: unknown;
    if (existing) {
      delete given._id;
      const next = setFields(kind.model, existing, { ...given, updatedBy: auditFields(user) });
      saved = collection.save(validateDocument(kind.model, next, this.now) as unknown as Stored);
      status = 'Updated';
      record = given;
    } else {
      saved = collection.save(
        createDocument(kind.model, { ...given, updatedBy: auditFields(user) }, this.now) as unknown as Stored,
      );
      status = 'Inserted';
      record = saved;
    }
    if (key === 'Channels') {
      const channel = saved as Channel;
      if (channel.type === 'polling' && channel.status === 'enabled') this.scheduled(channel);
    }
    return { model: key, record, status, message: '' };
  }

  private check(user: User, kind: Kind, key: string, given: Doc, existing: Stored | undefined) {
    if (existing) return { model: key, record: given, status: 'Conflict' as const, message: '' };
    try {
      const doc = createDocument(kind.model, { ...given, updatedBy: auditFields(user) }, this.now);
      return { model: key, record: doc, status: 'Valid' as const, message: '' };
    } catch (error) {
      throw new Error(`Document Validation failed: ValidationError: ${(error as Error).message}`);
    }
  }
}
