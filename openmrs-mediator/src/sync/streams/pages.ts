// Pages of a search as the resources of one type they match (included resources left out), each
// remembering when the server answered the search it came from (see change-scan.ts: what was surely
// visible then need not be read again).
import type { Bundle, Resource } from 'fhir/r4';
import { servedAt } from '@cht-openmrs/common';

const SERVED_AT = new WeakMap<object, number>();

/** When the server answered the search this page came from (epoch ms), if it said. */
export function pageServedAt(page: object): number | undefined {
  return SERVED_AT.get(page);
}

/** Records when the server answered the search this page came from. */
export function markServedAt<T extends object>(page: T, at: number): T {
  SERVED_AT.set(page, at);
  return page;
}

/** Keeps the server's answer time of `bundle`'s search (or of the search's first page) with `page`. */
export function servedWith<T extends object>(page: T, bundle: Bundle, first?: Bundle): T {
  const at = servedAt(bundle) ?? (first ? servedAt(first) : undefined);
  return at === undefined ? page : markServedAt(page, at);
}

export async function* pagesOf<T extends Resource>(
  pages: AsyncGenerator<Bundle>,
  type: T['resourceType'],
): AsyncGenerator<T[]> {
  let first: Bundle | undefined;
  for await (const page of pages) {
    first ??= page;
    const resources = (page.entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is T => r?.resourceType === type);
    yield servedWith(resources, page, first);
  }
}
