// Pages of a search as the resources of one type they match (included resources left out), each
// remembering when the server answered the search it came from (see change-scan.ts: what was surely
// visible then need not be read again) and whether it starts with the last row of the page before.
import type { Bundle, Resource } from 'fhir/r4';
import { servedAt } from '@cht-openmrs/common';
import { overlapsPrevious } from '../../openmrs/openmrs-client';

export interface PageFacts {
  /** When the server answered the search this page came from (epoch ms), if it said. */
  servedAt?: number;
  /** The page starts with the row the page before it ended with (OpenMRS's change queries). */
  overlapsPrevious?: boolean;
}

const FACTS = new WeakMap<object, PageFacts>();

export function factsOf(page: object): PageFacts {
  return FACTS.get(page) ?? {};
}

export function withFacts<T extends object>(page: T, facts: PageFacts): T {
  FACTS.set(page, facts);
  return page;
}

/** Keeps with `page` the answer time of `bundle`'s search (or of the search's first page) and its overlap. */
export function pageOf<T extends object>(page: T, bundle: Bundle, first?: Bundle): T {
  const at = servedAt(bundle) ?? (first ? servedAt(first) : undefined);
  return withFacts(page, {
    ...(at === undefined ? {} : { servedAt: at }),
    ...(overlapsPrevious(bundle) ? { overlapsPrevious: true } : {}),
  });
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
    yield pageOf(resources, page, first);
  }
}
