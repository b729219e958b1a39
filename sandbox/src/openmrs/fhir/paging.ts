// Search bundles and HAPI's paging store as the FHIR2 module has them (openmrs-fhir2.md §7): default
// 10, max 100, a server-wide FIFO of 100 stored searches with no time-to-live (410 HAPI-0417 once
// evicted), each page re-run on live data with the first page's total, `next` links at the base.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleLink, Resource } from 'fhir/r4';
import type { Row } from '../model/database';
import { fhirInstant } from '../model/time';
import type { OpenmrsContext } from './context';
import { FhirProblem } from './errors';
import type { ResourceType } from './resources';
import { includedResources, searchRows, type ParsedSearch } from './search';

export interface PagingSettings {
  defaultCount: number;
  maximumCount: number;
  storedSearches: number;
}

interface StoredSearch {
  bundleId: string;
  search: ParsedSearch;
  total: number;
  created: number;
}

export interface SearchRenderer {
  toFhir(type: ResourceType, row: Row): Resource;
  location(uuid: string): Resource | undefined;
}

/** Stored searches whose matching rows are kept while the tables stay as they were. */
const REMEMBERED_RESULTS = 4;

export class PagedSearches {
  private readonly stored = new Map<string, StoredSearch>();
  private readonly results = new Map<string, { version: number; zone: string; rows: Row[] }>();

  constructor(
    private readonly context: OpenmrsContext,
    private readonly settings: PagingSettings,
    private readonly renderer: SearchRenderer,
  ) {}

  clear(): void {
    this.stored.clear();
    this.results.clear();
  }

  /**
   * The search run on live data, as the module runs it for every page; while nothing in the tables has
   * changed, the rows of its last run are its answer (a large read, page after page, costs the stand-in
   * one run instead of one per page).
   */
  private rowsOf(key: string, search: ParsedSearch): Row[] {
    const known = this.results.get(key);
    if (known && known.version === this.context.db.version && known.zone === this.context.clock.zone)
      return known.rows;
    const rows = searchRows(this.context, search);
    this.remember(key, rows);
    return rows;
  }

  private remember(key: string, rows: Row[]): void {
    this.results.delete(key);
    this.results.set(key, { version: this.context.db.version, zone: this.context.clock.zone, rows });
    for (const oldest of this.results.keys()) {
      if (this.results.size <= REMEMBERED_RESULTS) break;
      this.results.delete(oldest);
    }
  }

  private pageSize(search: ParsedSearch): number {
    return Math.min(search.count ?? this.settings.defaultCount, this.settings.maximumCount);
  }

  /** The first page of a search; the search is stored only when it has more than one page. */
  first(base: string, search: ParsedSearch): Bundle {
    const rows = searchRows(this.context, search);
    const entry = { bundleId: randomUUID(), search, total: rows.length, created: this.context.clock.now() };
    if (search.totalOnly) return this.bundle(base, entry, [], [], this.selfLink(base, search));
    const count = this.pageSize(search);
    let key: string | undefined;
    if (rows.length > count) {
      key = randomUUID();
      this.stored.set(key, entry);
      this.remember(key, rows);
      while (this.stored.size > this.settings.storedSearches) {
        const oldest = this.stored.keys().next().value;
        if (oldest === undefined) break;
        this.stored.delete(oldest);
        this.results.delete(oldest);
      }
    }
    return this.page(base, entry, rows, 0, count, key, this.selfLink(base, search));
  }

  /** `?_getpages=…&_getpagesoffset=…&_count=…`: re-runs the stored search on live data. */
  next(base: string, key: string, offset: number, count: number | undefined, selfUrl: string): Bundle {
    const entry = this.stored.get(key);
    if (!entry)
      throw new FhirProblem(410, `HAPI-0417: Search ID "${key}" does not exist and may have expired`);
    const size = Math.min(count ?? this.pageSize(entry.search), this.settings.maximumCount);
    return this.page(base, entry, this.rowsOf(key, entry.search), offset, size, key, selfUrl);
  }

  private page(
    base: string,
    entry: StoredSearch,
    rows: Row[],
    offset: number,
    count: number,
    key: string | undefined,
    self: string,
  ): Bundle {
    const matches = rows.slice(offset, offset + count);
    const links: BundleLink[] = [{ relation: 'self', url: self }];
    const pagingLink = (at: number) =>
      `${base}?_getpages=${key}&_getpagesoffset=${at}&_count=${count}` +
      entry.search.include.map((i) => `&_include=${encodeURIComponent(i)}`).join('') +
      '&_bundletype=searchset';
    if (key && matches.length > 0 && offset + count < entry.total)
      links.push({ relation: 'next', url: pagingLink(offset + count) });
    if (key && offset > 0) links.push({ relation: 'previous', url: pagingLink(Math.max(0, offset - count)) });
    const included = includedResources(
      this.context,
      entry.search,
      matches,
      this.renderer.toFhir,
      this.renderer.location,
    );
    const resources = [...matches.map((row) => this.renderer.toFhir(entry.search.type, row)), ...included];
    return this.bundle(base, entry, resources, links);
  }

  private bundle(
    base: string,
    entry: StoredSearch,
    resources: Resource[],
    links: BundleLink[],
    self?: string,
  ): Bundle {
    return {
      resourceType: 'Bundle',
      id: entry.bundleId,
      meta: { lastUpdated: fhirInstant(entry.created, this.context.clock.zone) },
      type: 'searchset',
      total: entry.total,
      ...(entry.search.totalOnly
        ? self
          ? { link: [{ relation: 'self', url: self }] }
          : {}
        : {
            link: links,
            entry: resources.map((resource) => ({
              fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
              resource,
            })),
          }),
    };
  }

  /** `{base}/{Type}?{parameters sorted alphabetically}` (§7). */
  private selfLink(base: string, search: ParsedSearch): string {
    const query = search.params
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .sort()
      .join('&');
    return `${base}/${search.type}${query ? `?${query}` : ''}`;
  }
}
