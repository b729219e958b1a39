// Transaction and batch bundles (hapi-fhir-and-fhir-store.md §1.5). A transaction is all or nothing:
// it runs in one SQLite transaction, `urn:uuid:` fullUrls become server ids and references to them are
// rewritten, conditional entries (ifNoneExist, `PUT Type?criteria`) are resolved, entries run in
// DELETE, POST, PUT, GET order, and any failure rolls everything back and answers that entry's error.
// A batch runs each entry on its own and reports each entry's status.
import type { Bundle, BundleEntry, BundleEntryResponse, Resource } from 'fhir/r4';
import type { Store } from './database';
import { FhirStoreError, invalid } from './errors';
import { referencesOf, type Repository, type WriteResult } from './repository';
import { queryOf, type Searches } from './search';

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 };

/** What the first pass of a transaction decided for a POST entry. */
type Planned = { existing: Resource } | { id: string };

function response(result: WriteResult): BundleEntryResponse {
  const { resource } = result;
  return {
    status: result.status === 201 ? '201 Created' : '200 OK',
    location: `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`,
    etag: String(resource.meta?.versionId), // HAPI gives the bare version here, not W/"n"
    lastModified: resource.meta?.lastUpdated as string,
  };
}

export class Bundles {
  private representation = false;

  constructor(
    private readonly store: Store,
    private readonly repository: Repository,
    private readonly searches: Searches,
  ) {}

  /** With `representation` (Prefer: return=representation), written entries carry their resource, as on HAPI. */
  process(bundle: Bundle, base: string, representation = false): Bundle {
    this.representation = representation;
    if (bundle.resourceType !== 'Bundle')
      throw invalid('0450', `Expected a Bundle, got ${bundle.resourceType}`);
    if (bundle.type === 'transaction') return this.transaction(bundle.entry ?? [], base);
    if (bundle.type === 'batch') return this.batch(bundle.entry ?? [], base);
    throw invalid(
      '0527',
      `Unable to process bundle of type "${bundle.type}": only transaction and batch are processed`,
    );
  }

  private batch(entries: BundleEntry[], base: string): Bundle {
    const entry = entries.map((item): BundleEntry => {
      try {
        return this.store.transaction(() => this.run(item, base, new Set(), undefined));
      } catch (error) {
        if (!(error instanceof FhirStoreError)) throw error;
        return { response: { status: String(error.status), outcome: error.outcome() } };
      }
    });
    return { resourceType: 'Bundle', type: 'batch-response', entry };
  }

  private transaction(entries: BundleEntry[], base: string): Bundle {
    return this.store.transaction(() => {
      for (const item of entries) {
        if (!item.request?.method || !item.request.url || !(item.request.method in ORDER)) {
          throw invalid(
            '0541',
            `Transaction entries need request.method (${Object.keys(ORDER).join(', ')}) and request.url`,
          );
        }
      }
      // First pass: the id of everything the transaction creates, so that references can point at it.
      const planned = new Map<BundleEntry, Planned>();
      const urns = new Map<string, string>();
      const pending = new Set<string>();
      for (const item of entries) {
        const resource = item.resource;
        if (!resource) continue;
        let key: string | undefined;
        if (item.request?.method === 'POST') {
          const existing = item.request.ifNoneExist
            ? this.repository.findMatch(resource.resourceType, item.request.ifNoneExist)
            : undefined;
          const plan: Planned = existing ? { existing } : { id: this.store.nextId() };
          planned.set(item, plan);
          key = `${resource.resourceType}/${'existing' in plan ? plan.existing.id : plan.id}`;
        } else if (item.request?.method === 'PUT' && !item.request.url.includes('?')) {
          key = item.request.url.replace(/^\/+|\/+$/g, '');
        }
        if (!key) continue;
        pending.add(key);
        if (item.fullUrl?.startsWith('urn:uuid:')) urns.set(item.fullUrl, key);
      }
      for (const item of entries) {
        if (!item.resource) continue;
        for (const { reference, holder } of referencesOf(item.resource)) {
          const key = urns.get(reference);
          if (key) holder.reference = key;
        }
      }
      const order = entries
        .map((item, index) => ({ item, index }))
        .sort(
          (a, b) =>
            (ORDER[a.item.request?.method ?? ''] ?? 9) - (ORDER[b.item.request?.method ?? ''] ?? 9) ||
            a.index - b.index,
        );
      const responses: BundleEntry[] = new Array(entries.length);
      for (const { item, index } of order)
        responses[index] = this.run(item, base, pending, planned.get(item));
      return { resourceType: 'Bundle', type: 'transaction-response', entry: responses } satisfies Bundle;
    });
  }

  private run(item: BundleEntry, base: string, pending: Set<string>, plan: Planned | undefined): BundleEntry {
    const { method, url = '', ifMatch, ifNoneExist } = item.request ?? {};
    const [path = '', query = ''] = url.split('?');
    const [type = '', id] = path.replace(/^\/+|\/+$/g, '').split('/');
    const resource = item.resource as Resource;
    const written = (result: WriteResult): BundleEntry => ({
      fullUrl: `${base}/${result.resource.resourceType}/${result.resource.id}`,
      ...(this.representation ? { resource: result.resource } : {}),
      response: response(result),
    });
    switch (method) {
      case 'POST':
        if (!resource) throw invalid('0541', `POST ${url}: the entry has no resource`);
        if (plan && 'existing' in plan) return written({ resource: plan.existing, status: 200 });
        if (plan) return written(this.repository.insertWithId({ ...resource, id: plan.id }, pending));
        return written(this.repository.create(resource, ifNoneExist, pending));
      case 'PUT': {
        if (!resource) throw invalid('0541', `PUT ${url}: the entry has no resource`);
        const version = ifMatch?.match(/W\/"(.+)"/)?.[1] ?? ifMatch;
        return written(
          id
            ? this.repository.update(type, id, resource, version, pending)
            : this.repository.conditionalUpdate(type, queryOf(`?${query}`), resource, pending),
        );
      }
      case 'DELETE':
        if (!id) throw invalid('0543', 'Conditional delete in a bundle is not supported here');
        return { response: { status: '200 OK', outcome: this.repository.delete(type, id) } };
      case 'GET':
        return {
          resource: id
            ? this.repository.read(type, id)
            : this.searches.search(type, queryOf(`?${query}`), base),
          response: { status: '200 OK' },
        };
      default:
        throw invalid('0542', `Unsupported method in bundle entry: ${method}`);
    }
  }
}
