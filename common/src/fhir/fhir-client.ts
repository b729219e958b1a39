// A small typed FHIR R4 REST client for HAPI, the embedded fhir-store and OpenMRS's FHIR2 module.
// It follows paging links exactly as the server gives them, asks for fresh search results (HAPI caches
// identical searches for 60 s), and turns failures into the typed errors of fhir-errors.ts.
// Deciding what to write is the callers' job; this only speaks the protocol.
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import type { Bundle, BundleEntry, Coding, FhirResource, Identifier } from 'fhir/r4';
import { createHttpClient, type HttpClientOptions } from '../http/http-client';
import { identifiersOf } from '../identity/identity';
import { FhirError, FhirVersionConflictError, toFhirError } from './fhir-errors';
import { anyOf, tokenValue } from './search-values';

export type ResourceType = FhirResource['resourceType'];
export type ResourceOf<K extends ResourceType> = Extract<FhirResource, { resourceType: K }>;
export type SearchParams =
  URLSearchParams | Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined>;

export interface WriteResult<T> {
  resource: T;
  /** True when the server created the resource (201), false when it updated or matched one (200). */
  created: boolean;
}

export type FhirClientOptions = Omit<HttpClientOptions, 'peer'> & { peer?: string };

const FHIR_JSON = 'application/fhir+json';

const SERVED_AT = new WeakMap<Bundle, number>();

/**
 * When the server answered the search that gave this first page, by its own clock (the HTTP `Date`
 * header, whole seconds, so never later than the real time), capped by ours; undefined when it did not
 * say.
 */
export function servedAt(page: Bundle): number | undefined {
  return SERVED_AT.get(page);
}

export function toSearchParams(params: SearchParams = {}): URLSearchParams {
  if (params instanceof URLSearchParams) return params;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) query.append(key, String(v));
  }
  return query;
}

export class FhirClient {
  readonly http: AxiosInstance;
  readonly peer: string;
  private readonly base: URL;

  constructor(options: FhirClientOptions) {
    this.peer = options.peer ?? 'FHIR';
    this.base = new URL(options.baseURL.endsWith('/') ? options.baseURL : `${options.baseURL}/`);
    this.http = createHttpClient({
      ...options,
      peer: this.peer,
      baseURL: this.base.toString(),
      headers: { Accept: FHIR_JSON, ...options.headers },
    });
  }

  /** GET [type]/[id]. Throws FhirNotFoundError (404) or FhirGoneError (410, deleted). */
  async read<K extends ResourceType>(type: K, id: string): Promise<ResourceOf<K>> {
    return (await this.send<ResourceOf<K>>({ method: 'GET', url: `${type}/${encodeURIComponent(id)}` })).data;
  }

  /** GET [type]/[id]/_history/[version]. */
  async vread<K extends ResourceType>(type: K, id: string, version: string): Promise<ResourceOf<K>> {
    const url = `${type}/${encodeURIComponent(id)}/_history/${encodeURIComponent(version)}`;
    return (await this.send<ResourceOf<K>>({ method: 'GET', url })).data;
  }

  /** The first page of a search. Always fresh: `Cache-Control: no-cache`. */
  async search(type: ResourceType, params?: SearchParams): Promise<Bundle> {
    const query = toSearchParams(params).toString();
    const response = await this.send<Bundle>({
      method: 'GET',
      url: query ? `${type}?${query}` : type,
      headers: { 'Cache-Control': 'no-cache' },
    });
    const date = Date.parse(String(response.headers.date ?? ''));
    // Never later than our own clock either: a proxy whose clock runs ahead must not move cursors early.
    if (Number.isFinite(date) && response.data && typeof response.data === 'object')
      SERVED_AT.set(response.data, Math.min(date, Date.now()));
    return response.data;
  }

  /**
   * Every page of a search, following `link[next]` as the server gives it. Only the scheme and host
   * are swapped when the server names itself differently from our base (behind OpenHIM).
   * A page that expired throws FhirGoneError: restart the scan from your own checkpoint.
   */
  async *pages(type: ResourceType, params?: SearchParams): AsyncGenerator<Bundle> {
    const first = await this.search(type, params);
    yield first;
    yield* this.pagesAfter(first);
  }

  /** The pages that follow `page`, by its `link[next]` and theirs. */
  async *pagesAfter(page: Bundle): AsyncGenerator<Bundle> {
    for (let next = nextLink(page); next; next = nextLink(page)) {
      page = await this.page(next);
      yield page;
    }
  }

  /** The page of a search a paging link the server gave (or one made from it) names. */
  async page(link: string): Promise<Bundle> {
    return (
      await this.send<Bundle>({
        method: 'GET',
        url: this.sameOrigin(link),
        headers: { 'Cache-Control': 'no-cache' },
      })
    ).data;
  }

  /** The matched resources of a search, across all pages (included resources are left out). */
  async *resources<K extends ResourceType>(type: K, params?: SearchParams): AsyncGenerator<ResourceOf<K>> {
    for await (const page of this.pages(type, params)) {
      for (const entry of page.entry ?? []) {
        if (isMatch(entry, type)) yield entry.resource as ResourceOf<K>;
      }
    }
  }

  /** All matched resources of a search, in memory. For searches known to be small. */
  async searchAll<K extends ResourceType>(type: K, params?: SearchParams): Promise<ResourceOf<K>[]> {
    const found: ResourceOf<K>[] = [];
    for await (const resource of this.resources(type, params)) found.push(resource);
    return found;
  }

  /**
   * Resources carrying exactly this identifier. The value is escaped for the search, and a result that
   * does not carry it exactly is dropped: a server that read the value differently must never hand us
   * another record to update. `carries` says what "exactly" means where the server shows it otherwise.
   */
  async findByIdentifier<K extends ResourceType>(
    type: K,
    system: string,
    value: string,
    carries: (identifier: Identifier) => boolean = (i) => i.system === system && i.value === value,
  ): Promise<ResourceOf<K>[]> {
    const found = await this.searchAll(type, { identifier: tokenValue(system, value) });
    return found.filter((resource) => identifiersOf(resource).some(carries));
  }

  /**
   * Resources carrying any of these identifiers, in searches of at most `perSearch` values each (one
   * URL stays short); as `findByIdentifier`, a result carrying none of them exactly is dropped.
   */
  async findByIdentifiers<K extends ResourceType>(
    type: K,
    system: string,
    values: readonly string[],
    carries: (identifier: Identifier, wanted: ReadonlySet<string>) => boolean = (i, wanted) =>
      i.system === system && wanted.has(i.value ?? ''),
    perSearch = 40,
  ): Promise<ResourceOf<K>[]> {
    const chunks: string[][] = [];
    for (let from = 0; from < values.length; from += perSearch)
      chunks.push(values.slice(from, from + perSearch));
    const found = await Promise.all(
      chunks.map(async (chunk) => {
        const wanted = new Set(chunk);
        const matches = await this.searchAll(type, {
          identifier: anyOf(chunk.map((value) => tokenValue(system, value))),
          _count: Math.max(chunk.length, 10),
        });
        return matches.filter((r) => identifiersOf(r).some((i) => carries(i, wanted)));
      }),
    );
    return found.flat();
  }

  /**
   * POST [type]. With `ifNoneExist` (search parameters, e.g. `{identifier: tokenValue(sys, value)}`) it
   * is a conditional create: an existing match is returned with created=false, and it is safe to retry.
   * Throws FhirMultipleMatchesError when the criteria match more than one resource.
   */
  async create<T extends FhirResource>(
    resource: T,
    options: { ifNoneExist?: SearchParams } = {},
  ): Promise<WriteResult<T>> {
    const headers: Record<string, string> = { 'Content-Type': FHIR_JSON, Prefer: 'return=representation' };
    const criteria = options.ifNoneExist ? toSearchParams(options.ifNoneExist).toString() : '';
    if (criteria) headers['If-None-Exist'] = criteria;
    const post = () =>
      this.send<T>(
        {
          method: 'POST',
          url: resource.resourceType,
          data: resource,
          headers,
          idempotent: Boolean(criteria),
        },
        { conditional: Boolean(criteria) },
      );
    // HAPI answers 409 to a conditional create that lost a race with an identical one (HAPI-2745 on H2;
    // on PostgreSQL, HAPI-0550 naming the unique constraint it hit); asked again, it finds the winner.
    let response: AxiosResponse<T> | undefined;
    for (let attempt = 1; !response; attempt += 1) {
      try {
        response = await post();
      } catch (error) {
        const lostRace = criteria && error instanceof FhirError && error.status === 409;
        if (!lostRace || attempt === 3) throw error;
      }
    }
    return { resource: await this.representation(response), created: response.status === 201 };
  }

  /**
   * Creates the resource unless one carrying this identifier exists (a conditional create), and checks
   * that a match really carries it. Throws when the server matched a resource without it.
   */
  async createOnce<T extends FhirResource & { identifier?: Identifier[] }>(
    resource: T,
    system: string,
    value: string,
  ): Promise<WriteResult<T>> {
    const result = await this.create(resource, { ifNoneExist: { identifier: tokenValue(system, value) } });
    const carried = identifiersOf(result.resource).some((i) => i.system === system && i.value === value);
    if (!carried)
      throw new Error(
        `${this.peer} matched ${resource.resourceType}/${result.resource.id} for identifier ${system}|${value}, which it does not carry`,
      );
    return result;
  }

  /**
   * PUT [type]/[id] (update, or create with a client id). With `ifMatch` (a versionId) the write only
   * happens if the stored version is that one; otherwise FhirVersionConflictError (HAPI: 409, spec: 412).
   */
  async update<T extends FhirResource>(
    resource: T,
    options: { ifMatch?: string } = {},
  ): Promise<WriteResult<T>> {
    if (!resource.id) throw new Error(`update needs an id on the ${resource.resourceType}`);
    const headers: Record<string, string> = { 'Content-Type': FHIR_JSON, Prefer: 'return=representation' };
    if (options.ifMatch !== undefined) headers['If-Match'] = `W/"${options.ifMatch}"`;
    const url = `${resource.resourceType}/${encodeURIComponent(resource.id)}`;
    const response = await this.send<T>(
      { method: 'PUT', url, data: resource, headers },
      { versioned: options.ifMatch !== undefined },
    );
    return { resource: await this.representation(response), created: response.status === 201 };
  }

  /**
   * Read, change, write with If-Match; when another writer came first, read again and re-apply the
   * change. `change` returns the new resource, or undefined when there is nothing to write.
   * Returns the stored resource (changed or not). Gives up after `attempts` conflicts.
   * Tags read are not sent back, only tags the change adds: the server keeps a resource's tags across
   * updates (HAPI, and the embedded store), and `$meta-delete` does not change the version, so a tag
   * sent back from an older read would undo a removal made meanwhile.
   */
  async modify<K extends ResourceType>(
    type: K,
    id: string,
    change: (current: ResourceOf<K>) => ResourceOf<K> | undefined,
    attempts = 5,
  ): Promise<WriteResult<ResourceOf<K>>> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.read(type, id);
      const next = change(current);
      if (next === undefined) return { resource: current, created: false };
      try {
        return await this.update(withoutTagsOf(next, current), { ifMatch: current.meta?.versionId ?? '1' });
      } catch (error) {
        if (!(error instanceof FhirVersionConflictError) || attempt >= attempts) throw error;
      }
    }
  }

  /**
   * `modify` starting from a version the caller already holds (from a search page or an earlier write):
   * one request when nobody wrote since; otherwise read again and re-apply, as `modify` does.
   */
  async modifyFrom<T extends FhirResource>(
    known: T,
    change: (current: T) => T | undefined,
  ): Promise<WriteResult<T>> {
    const next = change(known);
    if (next === undefined) return { resource: known, created: false };
    try {
      return await this.update(next, { ifMatch: known.meta?.versionId ?? '1' });
    } catch (error) {
      if (!(error instanceof FhirVersionConflictError)) throw error;
    }
    const type = known.resourceType as ResourceType;
    const again = await this.modify(
      type,
      known.id as string,
      (current) => change(current as unknown as T) as unknown as ResourceOf<typeof type> | undefined,
    );
    return again as unknown as WriteResult<T>;
  }

  /** PUT [type]?[criteria]: updates the one match, creates when none, FhirMultipleMatchesError when several. */
  async conditionalUpdate<T extends FhirResource>(
    resource: T,
    criteria: SearchParams,
  ): Promise<WriteResult<T>> {
    const headers = { 'Content-Type': FHIR_JSON, Prefer: 'return=representation' };
    const url = `${resource.resourceType}?${toSearchParams(criteria).toString()}`;
    const response = await this.send<T>(
      { method: 'PUT', url, data: resource, headers },
      { conditional: true },
    );
    return { resource: await this.representation(response), created: response.status === 201 };
  }

  async delete(type: ResourceType, id: string): Promise<void> {
    await this.send({ method: 'DELETE', url: `${type}/${encodeURIComponent(id)}` });
  }

  /** An atomic transaction bundle: all entries are written, or none. */
  async transaction(entries: BundleEntry[], options: { idempotent?: boolean } = {}): Promise<Bundle> {
    return this.postBundle(
      { resourceType: 'Bundle', type: 'transaction', entry: entries },
      options.idempotent,
    );
  }

  /**
   * POST [type]/[id]/$meta-delete: takes these tags off the current version. An update cannot: HAPI keeps
   * a resource's tags across updates (and so does the embedded store).
   */
  async removeTags(type: ResourceType, id: string, tags: Coding[]): Promise<void> {
    if (tags.length === 0) return;
    await this.send({
      method: 'POST',
      url: `${type}/${encodeURIComponent(id)}/$meta-delete`,
      data: { resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { tag: tags } }] },
      headers: { 'Content-Type': FHIR_JSON },
      idempotent: true,
    });
  }

  /** A batch bundle: each entry succeeds or fails on its own; read `entry[i].response.status`. */
  async batch(entries: BundleEntry[], options: { idempotent?: boolean } = {}): Promise<Bundle> {
    return this.postBundle({ resourceType: 'Bundle', type: 'batch', entry: entries }, options.idempotent);
  }

  private async postBundle(bundle: Bundle, idempotent = false): Promise<Bundle> {
    // The searches a batch holds must be fresh too: HAPI hands its sub-requests the bundle's headers.
    const headers = {
      'Content-Type': FHIR_JSON,
      Prefer: 'return=representation',
      'Cache-Control': 'no-cache',
    };
    return (await this.send<Bundle>({ method: 'POST', url: '', data: bundle, headers, idempotent })).data;
  }

  private async send<T>(
    config: AxiosRequestConfig,
    context: { versioned?: boolean; conditional?: boolean } = {},
  ): Promise<AxiosResponse<T>> {
    try {
      return await this.http.request<T>(config);
    } catch (error) {
      const url = config.url ? new URL(config.url, this.base).toString() : this.base.toString();
      throw toFhirError(error, { peer: this.peer, method: config.method ?? 'GET', url }, context);
    }
  }

  /** Servers may answer a write with no body (Prefer ignored); then the Location header names it. */
  private async representation<T extends FhirResource>(response: AxiosResponse<T>): Promise<T> {
    if (response.data && typeof response.data === 'object') return response.data;
    const location = String(response.headers['content-location'] ?? response.headers.location ?? '');
    const match = /([A-Za-z]+)\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(location);
    if (!match) throw new Error(`${this.peer} answered a write with no body and no Location header`);
    return (await this.send<T>({ method: 'GET', url: `${match[1]}/${match[2]}` })).data;
  }

  private sameOrigin(link: string): string {
    const url = new URL(link, this.base);
    if (url.origin !== this.base.origin) {
      url.protocol = this.base.protocol;
      url.host = this.base.host;
    }
    return url.toString();
  }
}

export function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((link) => link.relation === 'next')?.url;
}

function isMatch(entry: BundleEntry, type: ResourceType): boolean {
  return entry.resource?.resourceType === type && (entry.search?.mode ?? 'match') === 'match';
}

/** The resource without the tags `read` already had (the server keeps those). */
function withoutTagsOf<T extends FhirResource>(resource: T, read: FhirResource): T {
  const known = read.meta?.tag ?? [];
  if (!resource.meta?.tag || known.length === 0) return resource;
  const tag = resource.meta.tag.filter((t) => !known.some((k) => k.system === t.system && k.code === t.code));
  const { tag: _dropped, ...meta } = resource.meta;
  return { ...resource, meta: tag.length > 0 ? { ...meta, tag } : meta };
}
