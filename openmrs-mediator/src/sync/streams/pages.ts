// Pages of a search as the resources of one type they match (included resources left out).
import type { Bundle, Resource } from 'fhir/r4';

export async function* pagesOf<T extends Resource>(
  pages: AsyncGenerator<Bundle>,
  type: T['resourceType'],
): AsyncGenerator<T[]> {
  for await (const page of pages) {
    yield (page.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
  }
}
