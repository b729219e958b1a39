// The FHIR interactions, with HAPI JPA's rules (hapi-fhir-and-fhir-store.md §1): versions counted up
// from 1 (an update that changes nothing makes no new version), update-as-create with client ids (not
// purely numeric ones), If-Match conflicts answered 409, conditional create and update (412 on more than
// one match), referential integrity on write (400 HAPI-1094), soft delete (a later read gives 410), and
// deletes refused while another resource still references the target (409). Callers run each write in a
// transaction (group-commit.ts for requests, bundles.ts for bundle entries), so that its resource, history
// and index rows land together or not at all. No Express here.
import { isDeepStrictEqual } from 'node:util';
import type { Bundle, Coding, Meta, OperationOutcome, Resource } from 'fhir/r4';
import type { StoredRow, Store } from './database';
import { FhirStoreError, invalid, notFound } from './errors';
import { parseResource } from './parse';
import { isKnownResourceType } from './search-parameters';
import { matchingRows, queryOf } from './search';

export interface WriteResult {
  resource: Resource;
  status: 200 | 201;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function assertResourceType(type: string): void {
  if (!isKnownResourceType(type))
    throw new FhirStoreError(
      404,
      '0302',
      `Unknown resource type '${type}' - Server knows how to handle all R4 resource types`,
      'not-supported',
    );
}

function parse(row: StoredRow): Resource {
  return JSON.parse(row.json) as Resource;
}

/**
 * HAPI keeps a resource's tags and security labels across updates (its default, versioned tag storage):
 * an update adds the ones it carries to those stored, and only `$meta-delete` removes one.
 */
function withStoredLabels(resource: Resource, stored: Resource): Resource {
  const meta: Meta = { ...resource.meta };
  for (const key of ['tag', 'security'] as const) {
    const labels = [...(stored.meta?.[key] ?? [])];
    for (const label of meta[key] ?? []) {
      if (!labels.some((l) => l.system === label.system && l.code === label.code)) labels.push(label);
    }
    if (labels.length > 0) meta[key] = labels;
  }
  return Object.keys(meta).length > 0 ? { ...resource, meta } : resource;
}

function withoutServerMeta(resource: Resource): unknown {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, source: _s, ...keptMeta } = meta ?? {};
  return JSON.parse(JSON.stringify({ ...rest, meta: keptMeta }));
}

/** Every `reference` in a resource with the FHIRPath-like path it sits at (`Observation.subject`). */
export function referencesOf(
  resource: Resource,
): { reference: string; path: string; holder: { reference?: string } }[] {
  const found: { reference: string; path: string; holder: { reference?: string } }[] = [];
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, path));
    if (!node || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (typeof object.reference === 'string')
      found.push({ reference: object.reference, path, holder: object as { reference?: string } });
    for (const [key, value] of Object.entries(object)) {
      if (key !== 'reference' && key !== 'contained') walk(value, `${path}.${key}`);
    }
  };
  walk(resource, resource.resourceType);
  return found;
}

export class Repository {
  constructor(private readonly store: Store) {}

  read(type: string, id: string): Resource {
    assertResourceType(type);
    const row = this.store.current(type, id);
    if (!row) throw notFound(type, id);
    if (row.deleted)
      throw new FhirStoreError(
        410,
        '2244',
        `Resource ${type}/${id}/_history/${row.version} was deleted at ${row.last_updated}`,
        'deleted',
      );
    return parse(row);
  }

  vread(type: string, id: string, version: string): Resource {
    assertResourceType(type);
    const row = this.store.version(type, id, Number(version));
    if (!row)
      throw new FhirStoreError(
        404,
        '0979',
        `Version "${version}" is not valid for resource ${type}/${id}`,
        'not-found',
      );
    if (row.deleted)
      throw new FhirStoreError(
        410,
        '2244',
        `Resource ${type}/${id}/_history/${version} was deleted`,
        'deleted',
      );
    return parse(row);
  }

  history(type: string, id: string, base: string): Bundle {
    assertResourceType(type);
    const rows = this.store.history(type, id);
    if (rows.length === 0) throw notFound(type, id);
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: rows.length,
      entry: rows.map((row) => ({
        fullUrl: `${base}/${type}/${id}`,
        ...(row.deleted ? {} : { resource: parse(row) }),
        request: {
          method: row.deleted ? 'DELETE' : row.version === 1 ? 'POST' : 'PUT',
          url: `${type}/${id}`,
        },
        response: {
          status: row.deleted ? '204' : row.version === 1 ? '201' : '200',
          etag: `W/"${row.version}"`,
          lastModified: row.last_updated,
        },
      })),
    };
  }

  /** POST: the server assigns the id (a body id is ignored). With `ifNoneExist`, an existing match is returned instead. */
  create(resource: Resource, ifNoneExist?: string, pending?: Set<string>): WriteResult {
    assertResourceType(resource.resourceType);
    if (ifNoneExist) {
      const existing = this.findMatch(resource.resourceType, ifNoneExist);
      if (existing) return { resource: existing, status: 200 };
    }
    return this.put({ ...resource, id: this.store.nextId() }, undefined, pending);
  }

  /** PUT with an id: updates, or creates with the client's id (never a purely numeric one, as HAPI). */
  update(type: string, id: string, resource: Resource, ifMatch?: string, pending?: Set<string>): WriteResult {
    assertResourceType(type);
    if (resource.resourceType !== type)
      throw invalid('0451', `Resource of type ${resource.resourceType} does not match URL type ${type}`);
    if (!resource.id)
      throw invalid(
        '0419',
        'Can not update resource, resource body must contain an ID element for update (PUT) operation',
      );
    if (resource.id !== id)
      throw invalid(
        '0420',
        `Can not update resource, resource body ID of "${resource.id}" does not match URL ID of "${id}"`,
      );
    if (!FHIR_ID.test(id)) throw invalid('0521', `Invalid resource ID "${id}"`);
    const current = this.store.current(type, id);
    if (!current && /^\d+$/.test(id)) {
      throw invalid(
        '0960',
        `Can not create resource with ID[${id}], no resource with this ID exists and clients may only assign IDs which contain at least one non-numeric character`,
      );
    }
    return this.put(resource, ifMatch, pending);
  }

  /** PUT Type?criteria: updates the one match, creates when none (400 unless it matches), 412 when several. */
  conditionalUpdate(
    type: string,
    criteria: URLSearchParams,
    resource: Resource,
    pending?: Set<string>,
  ): WriteResult {
    assertResourceType(type);
    const existing = this.matches(type, criteria, 'UPDATE', '0988');
    if (existing)
      return this.update(
        type,
        existing.id as string,
        { ...resource, id: existing.id as string },
        undefined,
        pending,
      );
    // No match: as HAPI 8, a create with a server-assigned id (a body id is ignored), refused when the
    // resource does not itself satisfy the criteria. The caller's savepoint undoes the write then.
    const created = this.create(resource, undefined, pending);
    const check = new URLSearchParams(criteria);
    check.append('_id', created.resource.id as string);
    if (matchingRows(this.store, type, check).length === 0) {
      const url = `${type}?${decodeURIComponent(criteria.toString().replace(/\+/g, ' '))}`;
      throw invalid(
        '0929',
        `Failed to process conditional create. The supplied resource ${url} of type ${type} did not satisfy the conditional URL.`,
      );
    }
    return created;
  }

  delete(type: string, id: string): OperationOutcome {
    assertResourceType(type);
    const current = this.store.current(type, id);
    if (current && !current.deleted) {
      const referrer = this.store.referencing(`${type}/${id}`);
      if (referrer) {
        throw new FhirStoreError(
          409,
          '0550',
          `Unable to delete ${type}/${id} because at least one resource has a reference to this resource. First reference found was resource ${referrer.type}/${referrer.id} in path ${referrer.type}.${referrer.param}`,
          'conflict',
        );
      }
      const resource = parse(current);
      const version = current.version + 1;
      const lastUpdated = new Date().toISOString();
      this.store.write(
        { ...resource, meta: { ...resource.meta, versionId: String(version), lastUpdated } },
        version,
        lastUpdated,
        true,
      );
    }
    const text =
      current && !current.deleted
        ? `Successfully deleted 1 resource(s)`
        : `Not deleted, resource ${type}/${id} does not exist or was already deleted`;
    return {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', diagnostics: text }],
    };
  }

  /** The one resource matching `ifNoneExist` criteria (`identifier=…`), or none; 412 when several. */
  findMatch(type: string, criteria: string): Resource | undefined {
    return this.matches(
      type,
      queryOf(`?${criteria.replace(/^[A-Za-z]+\?/, '')}`),
      'CREATE',
      '0958',
      criteria,
    );
  }

  /** A create whose server id was assigned beforehand (transaction entries referenced by urn:uuid). */
  insertWithId(resource: Resource, pending?: Set<string>): WriteResult {
    return this.put(resource, undefined, pending);
  }

  /** The one current resource matching a conditional operation's criteria; 412 when several do. */
  private matches(
    type: string,
    criteria: URLSearchParams,
    operation: string,
    code: string,
    matchUrl = `${type}?${decodeURIComponent(criteria.toString().replace(/\+/g, ' '))}`,
  ): Resource | undefined {
    const rows = matchingRows(this.store, type, criteria);
    if (rows.length > 1) {
      throw new FhirStoreError(
        412,
        code,
        `Failed to ${operation} ${type} with match URL "${matchUrl}" because this search matched ${rows.length} resources`,
      );
    }
    if (rows.length === 0) return undefined;
    const row = this.store.db.prepare('SELECT json FROM resources WHERE rowid = ?').get(rows[0]) as {
      json: string;
    };
    return JSON.parse(row.json) as Resource;
  }

  /** References to resources that do not exist are refused, as HAPI does with integrity on. */
  private checkReferences(resource: Resource, pending?: Set<string>): void {
    for (const { reference, path } of referencesOf(resource)) {
      if (reference.startsWith('#')) continue;
      if (/^[a-z]+:/.test(reference)) {
        if (reference.startsWith('urn:'))
          throw invalid('1094', `Resource ${reference} not found, specified in path: ${path}`);
        throw invalid(
          '0507',
          `Resource contains external reference to URL "${reference}" but this server is not configured to allow external references`,
        );
      }
      const match = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(reference);
      if (!match) throw invalid('1100', `Invalid reference "${reference}" in path: ${path}`);
      const key = `${match[1]}/${match[2]}`;
      if (pending?.has(key)) continue;
      const target = this.store.current(match[1] as string, match[2] as string);
      if (!target || target.deleted)
        throw invalid('1094', `Resource ${key} not found, specified in path: ${path}`);
    }
  }

  /**
   * `$meta-delete`: removes these tags, security labels and profiles from the current version, in place
   * (no new version), as HAPI does; the only way to take a tag off, since updates keep them.
   */
  metaDelete(type: string, id: string, remove: Meta): Meta {
    const resource = this.read(type, id);
    const meta: Meta = { ...resource.meta };
    const same = (a: Coding) => (b: Coding) => a.system === b.system && a.code === b.code;
    for (const key of ['tag', 'security'] as const) {
      const kept = (meta[key] ?? []).filter((c) => !(remove[key] ?? []).some(same(c)));
      if (kept.length > 0) meta[key] = kept;
      else delete meta[key];
    }
    const profile = (meta.profile ?? []).filter((p) => !(remove.profile ?? []).includes(p));
    if (profile.length > 0) meta.profile = profile;
    else delete meta.profile;
    this.store.rewriteCurrent({ ...resource, meta });
    return meta;
  }

  private put(submitted: Resource, ifMatch: string | undefined, pending?: Set<string>): WriteResult {
    let resource = parseResource(submitted);
    const type = resource.resourceType;
    const id = resource.id as string;
    const current = this.store.current(type, id);
    // HAPI creates a resource that does not exist yet whatever If-Match says.
    if (ifMatch !== undefined && current && String(current.version) !== ifMatch) {
      throw new FhirStoreError(
        409,
        '0550',
        `HAPI-0989: Trying to update ${type}/${id}/_history/${ifMatch} but this is not the current version`,
      );
    }
    this.checkReferences(resource, pending);
    if (current && !current.deleted) {
      const stored = parse(current);
      resource = withStoredLabels(resource, stored);
      if (isDeepStrictEqual(withoutServerMeta(stored), withoutServerMeta(resource)))
        return { resource: stored, status: 200 };
    }
    const version = (current?.version ?? 0) + 1;
    const lastUpdated = new Date().toISOString();
    const written: Resource = {
      ...resource,
      meta: { ...resource.meta, versionId: String(version), lastUpdated },
    };
    this.store.write(written, version, lastUpdated, false);
    return { resource: written, status: current && !current.deleted ? 200 : 201 };
  }
}
