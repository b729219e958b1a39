// Finds the CHT place an OpenMRS patient belongs under (design.md §1), through the CHT API only:
// places of the configured types are listed with `GET /api/v1/place?type=` and indexed by place_id
// and by exact name. The index is kept for a while and rebuilt once when a lookup misses, so a place
// created since is found. A name shared by several places is refused: a patient is never misplaced.
import type { PlaceKey } from '../mapping/placement';
import { describePlaceKey } from '../mapping/placement';
import type { ChtClient, ChtPlace } from './cht-client';

export type Placement = { place: ChtPlace } | { problem: string };

interface Index {
  builtAt: number;
  byPlaceId: Map<string, ChtPlace>;
  byName: Map<string, ChtPlace[]>;
}

export class PlaceDirectory {
  private index: Index | undefined;
  private building: Promise<Index> | undefined;

  constructor(
    private readonly cht: ChtClient,
    private readonly placeTypes: string[],
    private readonly maxAgeMs = 10 * 60_000,
    private readonly minRebuildMs = 30_000,
  ) {}

  async find(key: PlaceKey | undefined): Promise<Placement> {
    if (!key) return { problem: describePlaceKey(key) };
    let index = await this.current();
    let found = lookup(index, key);
    if ('problem' in found && Date.now() - index.builtAt > this.minRebuildMs) {
      index = await this.rebuild();
      found = lookup(index, key);
    }
    return found;
  }

  private async current(): Promise<Index> {
    if (this.index && Date.now() - this.index.builtAt < this.maxAgeMs) return this.index;
    return this.rebuild();
  }

  private rebuild(): Promise<Index> {
    this.building ??= this.build().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async build(): Promise<Index> {
    const index: Index = { builtAt: Date.now(), byPlaceId: new Map(), byName: new Map() };
    for (const type of this.placeTypes) {
      for await (const page of this.cht.places(type)) {
        for (const place of page) {
          if (place.place_id) index.byPlaceId.set(String(place.place_id), place);
          if (place.name) index.byName.set(place.name, [...(index.byName.get(place.name) ?? []), place]);
        }
      }
    }
    this.index = index;
    return index;
  }
}

function lookup(index: Index, key: PlaceKey): Placement {
  if ('placeId' in key) {
    const place = index.byPlaceId.get(key.placeId);
    return place
      ? { place }
      : { problem: `${describePlaceKey(key)}, and CHT has no place with that place_id` };
  }
  const places = index.byName.get(key.name) ?? [];
  if (places.length === 1) return { place: places[0] as ChtPlace };
  return {
    problem:
      places.length === 0
        ? `${describePlaceKey(key)}, and CHT has no place of that exact name`
        : `${describePlaceKey(key)}, and ${places.length} CHT places have that name (${places.map((p) => p._id).join(', ')}); add "[place_id]" to the address`,
  };
}
