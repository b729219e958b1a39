// Search as HAPI answers it (hapi-fhir-and-fhir-store.md §1.4): parameters from the R4 definitions,
// `system|value` tokens, references, date prefixes, case- and accent-insensitive string prefixes,
// `_sort`, `_count`, `_total`, `_include`/`_revinclude`, and paging over a stored snapshot of the result,
// reached through `?_getpages=` links that expire (410).
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from 'fhir/r4';
import type { Store } from './database';
import { FhirStoreError, invalid } from './errors';
import { knownParameters, normalise, parametersOf, precisionRange } from './search-parameters';
import { searchAlternatives, splitTokenValue, unescapeSearchValue } from '@cht-openmrs/common';

export interface SearchOptions {
  defaultCount: number;
  maxCount: number;
  /** How long a result snapshot can be paged (HAPI: 60 minutes). */
  pageLifetimeMs: number;
}

/** Parameters that control the search or the response, not the matching. */
const CONTROL = new Set([
  '_count',
  '_sort',
  '_include',
  '_revinclude',
  '_total',
  '_summary',
  '_elements',
  '_format',
  '_pretty',
  '_getpages',
  '_getpagesoffset',
  '_bundletype',
]);
/** Resource-level parameters matched on indexed meta values or ignored. */
const IGNORED = new Set(['_profile', '_security', '_source', '_content', '_text', '_list', '_has']);

interface Condition {
  sql: string;
  args: unknown[];
}

const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'] as const;

function prefixed(value: string): { prefix: (typeof PREFIXES)[number]; rest: string } {
  const prefix = PREFIXES.find((p) => value.startsWith(p) && /^\d/.test(value.slice(2)));
  return prefix ? { prefix, rest: value.slice(2) } : { prefix: 'eq', rest: value };
}

function dateBounds(param: string, value: string): { prefix: string; low: number; high: number } {
  const { prefix, rest } = prefixed(value);
  const range = precisionRange(rest);
  if (!range) throw invalid('1882', `Invalid date/time format: "${rest}" for parameter ${param}`);
  return { prefix, ...range };
}

/** A condition on a point in time `column` (the resource's lastUpdated). */
function instantCondition(column: string, param: string, values: string[]): Condition {
  const parts = values.map((value) => {
    const { prefix, low, high } = dateBounds(param, value);
    switch (prefix) {
      case 'gt':
      case 'sa':
        return { sql: `${column} >= ?`, args: [high] };
      case 'ge':
        return { sql: `${column} >= ?`, args: [low] };
      case 'lt':
      case 'eb':
        return { sql: `${column} < ?`, args: [low] };
      case 'le':
        return { sql: `${column} < ?`, args: [high] };
      case 'ne':
        return { sql: `(${column} < ? OR ${column} >= ?)`, args: [low, high] };
      default:
        return { sql: `(${column} >= ? AND ${column} < ?)`, args: [low, high] };
    }
  });
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, args: parts.flatMap((p) => p.args) };
}

/** A condition on indexed ranges [low, high) of a date parameter. */
function rangeCondition(param: string, values: string[]): Condition {
  const parts = values.map((value) => {
    const { prefix, low, high } = dateBounds(param, value);
    switch (prefix) {
      case 'gt':
      case 'sa':
        return { sql: 'd.high > ?', args: [high] };
      case 'ge':
        return { sql: 'd.high > ?', args: [low] };
      case 'lt':
      case 'eb':
        return { sql: 'd.low < ?', args: [low] };
      case 'le':
        return { sql: 'd.low < ?', args: [high] };
      case 'ne':
        return { sql: '(d.high <= ? OR d.low >= ?)', args: [low, high] };
      default:
        return { sql: '(d.low >= ? AND d.high <= ?)', args: [low, high] };
    }
  });
  return {
    sql: `r.rowid IN (SELECT d.resource FROM idx_date d WHERE d.param = ? AND (${parts.map((p) => p.sql).join(' OR ')}))`,
    args: [param, ...parts.flatMap((p) => p.args)],
  };
}

function tokenCondition(param: string, values: string[], negate: boolean): Condition {
  // The parameter in every alternative: each is then one look-up in the (param, value, system) index,
  // not a walk through every token of the parameter.
  const parts = values.map((value) => {
    const [system, code] = splitTokenValue(value);
    if (system === undefined) return { sql: '(t.param = ? AND t.value = ?)', args: [param, code] };
    if (system === '')
      return { sql: '(t.param = ? AND t.value = ? AND t.system IS NULL)', args: [param, code] };
    if (code === '') return { sql: '(t.param = ? AND t.system = ?)', args: [param, system] };
    return { sql: '(t.param = ? AND t.value = ? AND t.system = ?)', args: [param, code, system] };
  });
  const rows = `(SELECT t.resource FROM idx_token t WHERE ${parts.map((p) => p.sql).join(' OR ')})`;
  return {
    sql: `r.rowid ${negate ? 'NOT IN' : 'IN'} ${rows}`,
    args: parts.flatMap((p) => p.args),
  };
}

function referenceCondition(
  param: string,
  values: string[],
  typeModifier: string | undefined,
  targets: string[],
): Condition {
  const wanted = values.flatMap((value) => {
    const plain = value
      .replace(/^https?:\/\/[^?]*?\/([A-Z][A-Za-z]+\/[^/]+)$/, '$1')
      .replace(/\/_history\/.*$/, '');
    if (plain.includes('/')) return [plain];
    const types = typeModifier ? [typeModifier] : targets;
    return types.map((type) => `${type}/${plain}`);
  });
  return {
    sql: `r.rowid IN (SELECT x.resource FROM idx_reference x WHERE x.param = ? AND x.target IN (${wanted.map(() => '?').join(',')}))`,
    args: [param, ...wanted],
  };
}

function stringCondition(param: string, values: string[], modifier: string | undefined): Condition {
  const escape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
  // As for tokens: the parameter in every alternative, so that each can use the (param, value) index.
  const parts = values.map((value) => {
    const text = normalise(value);
    if (modifier === 'exact') return { sql: '(s.param = ? AND s.value = ?)', args: [param, text] };
    if (modifier === 'contains')
      return { sql: "(s.param = ? AND s.value LIKE ? ESCAPE '\\')", args: [param, `%${escape(text)}%`] };
    return { sql: "(s.param = ? AND s.value LIKE ? ESCAPE '\\')", args: [param, `${escape(text)}%`] };
  });
  return {
    sql: `r.rowid IN (SELECT s.resource FROM idx_string s WHERE ${parts.map((p) => p.sql).join(' OR ')})`,
    args: parts.flatMap((p) => p.args),
  };
}

function unknownParameter(type: string, name: string): FhirStoreError {
  return invalid(
    '0524',
    `Unknown search parameter "${name}" for resource type "${type}". Valid search parameters for this search are: [${knownParameters(type).join(', ')}]`,
  );
}

/** The SQL conditions a query asks for. Throws HAPI's 400 for unknown parameters. */
export function conditionsOf(type: string, query: URLSearchParams): Condition[] {
  const definitions = parametersOf(type);
  const conditions: Condition[] = [];
  for (const [key, raw] of query) {
    const [name = '', modifier] = key.split(':');
    if (CONTROL.has(name) || IGNORED.has(name)) continue;
    const escaped = searchAlternatives(raw);
    const values = escaped.map(unescapeSearchValue);
    if (values.length === 0) {
      // HAPI ignores an empty parameter, as the spec says, except a string one: a prefix of nothing, it
      // matches every resource with a value there (and, :exact, none).
      if (definitions.get(name)?.type === 'string')
        conditions.push(
          modifier === 'exact'
            ? { sql: '0', args: [] }
            : { sql: 'r.rowid IN (SELECT s.resource FROM idx_string s WHERE s.param = ?)', args: [name] },
        );
      continue;
    }
    if (name === '_id') {
      conditions.push({ sql: `r.id IN (${values.map(() => '?').join(',')})`, args: values });
      continue;
    }
    if (name === '_lastUpdated') {
      conditions.push(instantCondition('r.last_updated_ms', name, values));
      continue;
    }
    const definition = definitions.get(name);
    if (!definition) {
      if (name.startsWith('_') && name !== '_tag') continue; // HAPI ignores unknown _-parameters
      throw unknownParameter(type, name);
    }
    switch (definition.type) {
      case 'token':
        if (modifier && modifier !== 'not')
          throw invalid('1223', `Modifier :${modifier} is not supported for parameter ${name}`);
        if (['_tag', '_security'].includes(name) && escaped.some((v) => v.endsWith('|')))
          throw invalid('1218', `Missing ${name} parameter (must supply a value/code and not just a system)`);
        conditions.push(tokenCondition(name, escaped, modifier === 'not'));
        break;
      case 'reference':
        conditions.push(referenceCondition(name, values, modifier, definition.targets ?? []));
        break;
      case 'date':
        conditions.push(rangeCondition(name, values));
        break;
      case 'string':
      case 'uri':
        conditions.push(stringCondition(name, values, definition.type === 'uri' ? 'exact' : modifier));
        break;
    }
  }
  return conditions;
}

const ORDERS: Record<string, string> = {
  _lastUpdated: 'r.last_updated_ms ASC, r.rowid ASC',
  '-_lastUpdated': 'r.last_updated_ms DESC, r.rowid DESC',
  _id: 'r.id ASC',
  '-_id': 'r.id DESC',
};

/** The rowids of the current, not deleted resources that match, in order. */
export function matchingRows(store: Store, type: string, query: URLSearchParams): number[] {
  const conditions = conditionsOf(type, query);
  const sort = query.get('_sort') ?? '';
  const order = sort ? ORDERS[sort] : 'r.rowid ASC';
  if (!order)
    throw invalid(
      '1437',
      `Sorting by "${sort}" is not supported here; use _lastUpdated, -_lastUpdated, _id or -_id`,
    );
  // With a condition on an index table, let its (small) rowid list drive the query: `+r.type` keeps
  // SQLite from walking every resource of the type through the (type, lastUpdated) index instead.
  const indexed = conditions.some((c) => c.sql.startsWith('r.rowid IN'));
  const where = [
    indexed ? '+r.type = ?' : 'r.type = ?',
    'r.deleted = 0',
    ...conditions.map((c) => c.sql),
  ].join(' AND ');
  const rows = store.db
    .prepare(`SELECT r.rowid AS rowid FROM resources r WHERE ${where} ORDER BY ${order}`)
    .raw()
    .all(type, ...conditions.flatMap((c) => c.args)) as [number][];
  return rows.map(([rowid]) => rowid);
}

function resourcesByRowid(store: Store, rowids: number[]): Resource[] {
  if (rowids.length === 0) return [];
  const rows = store.db
    .prepare(
      `SELECT rowid, json FROM resources WHERE rowid IN (${rowids.map(() => '?').join(',')}) AND deleted = 0`,
    )
    .all(...rowids) as { rowid: number; json: string }[];
  const byRowid = new Map(rows.map((row) => [row.rowid, JSON.parse(row.json) as Resource]));
  return rowids.map((rowid) => byRowid.get(rowid)).filter((r): r is Resource => r !== undefined);
}

/** `_include=Observation:encounter` and `_revinclude=Observation:encounter` for one page. */
function included(store: Store, page: Resource[], query: URLSearchParams): Resource[] {
  const found = new Map<string, Resource>();
  const keys = new Set(page.map((r) => `${r.resourceType}/${r.id}`));
  const load = (rows: { json: string }[]) => {
    for (const { json } of rows) {
      const resource = JSON.parse(json) as Resource;
      const key = `${resource.resourceType}/${resource.id}`;
      if (!keys.has(key)) found.set(key, resource);
    }
  };
  for (const spec of query.getAll('_include')) {
    const [sourceType, param] = spec.split(':');
    const sources = page.filter((r) => r.resourceType === sourceType).map((r) => r.id as string);
    if (!param || sources.length === 0) continue;
    const targets = store.db
      .prepare(
        `SELECT DISTINCT x.target FROM resources s JOIN idx_reference x ON x.resource = s.rowid
         WHERE s.type = ? AND s.id IN (${sources.map(() => '?').join(',')}) AND x.param = ?`,
      )
      .pluck()
      .all(sourceType, ...sources, param) as string[];
    for (const target of targets) {
      const [type = '', id = ''] = target.split('/');
      const row = store.current(type, id);
      if (row && !row.deleted) load([row]);
    }
  }
  for (const spec of query.getAll('_revinclude')) {
    const [sourceType, param] = spec.split(':');
    if (!sourceType || !param || keys.size === 0) continue;
    load(
      store.db
        .prepare(
          `SELECT r.json FROM idx_reference x JOIN resources r ON r.rowid = x.resource
           WHERE x.param = ? AND x.target IN (${[...keys].map(() => '?').join(',')}) AND r.type = ? AND r.deleted = 0`,
        )
        .all(param, ...keys, sourceType) as { json: string }[],
    );
  }
  return [...found.values()];
}

/** HAPI marks a `_summary=count` answer as a subset. */
const SUBSETTED = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
  display: 'Resource encoded in summary mode',
};

export class Searches {
  constructor(
    private readonly store: Store,
    private readonly options: SearchOptions,
  ) {}

  private count(query: URLSearchParams): number {
    const asked = Number(query.get('_count') ?? this.options.defaultCount);
    if (!Number.isInteger(asked) || asked < 0)
      throw invalid('0375', `Invalid _count value: ${query.get('_count')}`);
    return Math.min(asked, this.options.maxCount);
  }

  search(type: string, query: URLSearchParams, base: string): Bundle {
    const matches = matchingRows(this.store, type, query);
    if (query.get('_summary') === 'count')
      return {
        resourceType: 'Bundle',
        id: randomUUID(),
        meta: { lastUpdated: new Date().toISOString(), tag: [SUBSETTED] },
        type: 'searchset',
        total: matches.length,
      };
    const count = this.count(query);
    const id = randomUUID();
    if (matches.length > count) {
      this.store.db
        .prepare(
          'INSERT INTO searches (id, created_ms, resource_type, matches, params) VALUES (?, ?, ?, ?, ?)',
        )
        .run(id, Date.now(), type, JSON.stringify(matches), query.toString());
    }
    const self = `${base}/${type}${query.toString() ? `?${query.toString()}` : ''}`;
    return this.page(id, type, matches, query, 0, count, base, self);
  }

  /** A later page of a stored search: `?_getpages=…&_getpagesoffset=…&_count=…`. */
  getPage(query: URLSearchParams, base: string): Bundle {
    const id = query.get('_getpages') ?? '';
    const row = this.store.db
      .prepare('SELECT created_ms, resource_type, matches, params FROM searches WHERE id = ?')
      .get(id) as { created_ms: number; resource_type: string; matches: string; params: string } | undefined;
    if (!row || Date.now() - row.created_ms > this.options.pageLifetimeMs) {
      if (row) this.store.db.prepare('DELETE FROM searches WHERE id = ?').run(id);
      throw new FhirStoreError(
        410,
        '0417',
        `Search ID "${id}" does not exist and may have expired`,
        'not-found',
      );
    }
    const params = new URLSearchParams(row.params);
    const offset = Math.max(0, Number(query.get('_getpagesoffset') ?? 0));
    const count = Math.min(
      Number(query.get('_count') ?? params.get('_count') ?? this.options.defaultCount),
      this.options.maxCount,
    );
    return this.page(
      id,
      row.resource_type,
      JSON.parse(row.matches) as number[],
      params,
      offset,
      count,
      base,
      `${base}?${query.toString()}`,
    );
  }

  /** Forgets stored searches past their lifetime. */
  expire(): void {
    this.store.db
      .prepare('DELETE FROM searches WHERE created_ms < ?')
      .run(Date.now() - this.options.pageLifetimeMs);
  }

  private page(
    id: string,
    type: string,
    matches: number[],
    query: URLSearchParams,
    offset: number,
    count: number,
    base: string,
    self: string,
  ): Bundle {
    const page = resourcesByRowid(this.store, matches.slice(offset, offset + count));
    const link: Bundle['link'] = [{ relation: 'self', url: self }];
    const pageLink = (at: number) =>
      `${base}?_getpages=${id}&_getpagesoffset=${at}&_count=${count}&_bundletype=searchset`;
    if (offset + count < matches.length) link.push({ relation: 'next', url: pageLink(offset + count) });
    if (offset > 0) link.push({ relation: 'previous', url: pageLink(Math.max(0, offset - count)) });
    const entry: BundleEntry[] = [
      ...page.map((resource) => ({
        fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'match' as const },
      })),
      ...included(this.store, page, query).map((resource) => ({
        fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'include' as const },
      })),
    ];
    // HAPI gives a total when it knows it; _total=accurate always asks for it.
    const knowsTotal = query.get('_total') === 'accurate' || matches.length <= count;
    return {
      resourceType: 'Bundle',
      id,
      meta: { lastUpdated: new Date().toISOString() },
      type: 'searchset',
      ...(knowsTotal ? { total: matches.length } : {}),
      link,
      entry,
    };
  }
}

/** The query string of a search URL as HAPI reads it (`Patient?identifier=…`). */
export function queryOf(url: string): URLSearchParams {
  const at = url.indexOf('?');
  return new URLSearchParams(at >= 0 ? url.slice(at + 1) : '');
}
