// Reading the transaction log (openhim.md §3.4; core@v8.5.0:src/api/transactions.js): newest first,
// `filterPage`/`filterLimit`, `filters` (JSON, equality on dotted paths; regexes for request paths
// and query strings; "2xx"-style response status), and core's projections: bodies, headers,
// orchestrations and routes are left out unless `filterRepresentation=full`.
import { assertObjectId } from '../model/object-id';
import { isPlainObject } from '../model/schema';
import type { Transaction, User } from '../model/types';
import type { State } from '../store/state';
import { type ApiReply, describe, isAdmin, json, text } from './reply';

type Representation = 'simple' | 'simpledetails' | 'full' | 'fulltruncate' | 'bulkrerun';

const TRUNCATE_SIZE = 15000;
const TRUNCATE_APPEND = '\n[truncated ...]';

function valueAt(doc: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (isPlainObject(value) ? value[key] : undefined), doc);
}

/** One filter of core's query language, as far as the console and our tests use it. */
function matchesFilter(tx: Transaction, path: string, expected: unknown): boolean {
  const actual = valueAt(tx, path);
  if (
    ['request.path', 'request.querystring', 'routes.request.path'].includes(path) &&
    typeof expected === 'string'
  )
    return new RegExp(expected, 'i').test(String(actual ?? ''));
  if (path === 'response.status' && typeof expected === 'string' && /\dxx/.test(expected)) {
    const low = Number(expected[0]) * 100;
    return typeof actual === 'number' && actual >= low && actual < low + 100;
  }
  if (path === 'properties' && isPlainObject(expected)) {
    const [key] = Object.keys(expected);
    if (key === undefined) return true;
    const props = tx.properties ?? {};
    return expected[key] === null ? key in props : props[key] === expected[key];
  }
  if (isPlainObject(expected) && Array.isArray(expected.$in)) return expected.$in.includes(actual);
  return String(actual) === String(expected);
}

function project(tx: Transaction, representation: Representation): Record<string, unknown> {
  const copy = structuredClone(tx) as unknown as Record<string, unknown>;
  const drop = (record: unknown, ...fields: string[]) => {
    if (isPlainObject(record)) for (const field of fields) delete record[field];
  };
  if (representation === 'full') return copy;
  if (representation === 'fulltruncate') {
    const cut = (record: unknown) => {
      if (isPlainObject(record) && typeof record.body === 'string' && record.body.length > TRUNCATE_SIZE)
        record.body = record.body.slice(0, TRUNCATE_SIZE) + TRUNCATE_APPEND;
    };
    for (const part of [copy.request, copy.response]) cut(part);
    for (const list of [copy.routes, copy.orchestrations])
      for (const item of Array.isArray(list) ? list : []) {
        cut((item as Record<string, unknown>).request);
        cut((item as Record<string, unknown>).response);
      }
    return copy;
  }
  if (representation === 'bulkrerun') return { _id: tx._id, canRerun: tx.canRerun, channelID: tx.channelID };
  if (representation === 'simpledetails') {
    drop(copy.request, 'body');
    drop(copy.response, 'body');
    for (const list of [copy.routes, copy.orchestrations])
      for (const item of Array.isArray(list) ? list : []) {
        drop((item as Record<string, unknown>).request, 'body');
        drop((item as Record<string, unknown>).response, 'body');
      }
    return copy;
  }
  drop(copy.request, 'body', 'headers');
  drop(copy.response, 'body', 'headers');
  delete copy.orchestrations;
  delete copy.routes;
  return copy;
}

const asRepresentation = (value: unknown): Representation =>
  value === 'full' || value === 'fulltruncate' || value === 'simpledetails' || value === 'bulkrerun'
    ? value
    : 'simple';

export class TransactionQueries {
  constructor(private readonly state: State) {}

  private viewableChannelIds(user: User, acl: 'txViewAcl' | 'txViewFullAcl'): Set<string> {
    return new Set(
      this.state.channels.find((c) => c[acl].some((g) => user.groups.includes(g))).map((c) => c._id),
    );
  }

  list(user: User, query: Record<string, unknown>): ApiReply {
    try {
      const limit = Number(query.filterLimit ?? 0) || 0;
      const page = Number(query.filterPage ?? 0) || 0;
      let representation = asRepresentation(query.filterRepresentation);
      const filters: Record<string, unknown> =
        typeof query.filters === 'string' ? (JSON.parse(query.filters) as Record<string, unknown>) : {};
      if (!isAdmin(user)) {
        const full = this.viewableChannelIds(user, 'txViewFullAcl');
        const part = this.viewableChannelIds(user, 'txViewAcl');
        const all = new Set([...full, ...part]);
        if (filters.channelID) {
          if (!all.has(String(filters.channelID)))
            return text(403, `Forbidden: Unauthorized channel ${String(filters.channelID)}`);
        } else filters.channelID = { $in: [...all] };
        if (representation !== 'bulkrerun')
          representation = full.size > 0 ? 'full' : part.size > 0 ? 'simpledetails' : 'simple';
      }
      const found = this.state.transactions
        .find((tx) => Object.entries(filters).every(([path, value]) => matchesFilter(tx, path, value)))
        .sort((a, b) => Date.parse(b.request.timestamp) - Date.parse(a.request.timestamp));
      if (representation === 'bulkrerun') return json({ count: found.length });
      const paged = limit > 0 ? found.slice(page * limit, page * limit + limit) : found.slice(page * limit);
      return json(paged.map((tx) => project(tx, representation)));
    } catch (error) {
      return text(500, `Could not retrieve transactions via the API: ${describe(error)}`);
    }
  }

  get(user: User, id: string, query: Record<string, unknown>): ApiReply {
    try {
      let representation = asRepresentation(query.filterRepresentation ?? 'full');
      const tx = this.state.transactions.findById(assertObjectId(id, 'Transaction'));
      if (!tx) return text(404, `Could not find transaction with ID: ${id}`);
      if (!isAdmin(user)) {
        representation = this.viewableChannelIds(user, 'txViewFullAcl').has(tx.channelID)
          ? 'full'
          : 'simpledetails';
        if (!this.viewableChannelIds(user, 'txViewAcl').has(tx.channelID))
          return text(403, `User ${user.email} is not authenticated to retrieve transaction ${id}`);
      }
      return json(project(tx, representation));
    } catch (error) {
      return text(500, `Could not get transaction by ID via the API: ${describe(error)}`);
    }
  }
}
