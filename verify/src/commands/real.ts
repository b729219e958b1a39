// What the commands act on: the running world, the CHT places made at the start of a history, and the
// counters the summary prints. Plus the few calls every command shares, each one a person's or a
// peer's action on a public API or a documented test control.
import type { Patient } from 'fhir/r4';
import type { Model, Person } from '../model/model';
import type { World } from '../world/world';

export interface Area {
  /** CHT place uuid, its place_id shortcode and its name. */
  id: string;
  placeId: string;
  name: string;
  /** Its lineage, as a person under it stores it in `parent`. */
  lineage: Record<string, unknown>;
}

export interface Places {
  /** Two CHW areas with names of their own. */
  areas: Area[];
  /** A name two CHW areas share (under different health centres): it places nobody. */
  sharedName: string;
}

export interface Stats {
  histories: number;
  operations: number;
  /** Operations that ran in each history (a generated one whose precondition failed does not run). */
  perHistory: number[];
  faults: Record<string, number>;
  /** Histories that broke an invariant (shrinking included). */
  failed: number;
  /** Told one line per history (the CLI prints it as progress). */
  progress?: (line: string) => void;
}

export interface Real {
  world: World;
  places: Places;
  stats: Stats;
  /** Violations seen during the history (no revert is checked after every sync). */
  violations: string[];
  /** Operations this history ran (stats are shared by the histories of a run's workers). */
  operations: number;
}

export const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };

export function countFault(real: Real, kind: string) {
  real.stats.faults[kind] = (real.stats.faults[kind] ?? 0) + 1;
}

export async function makePlaces(world: World): Promise<Places> {
  const place = async (body: Record<string, unknown>) => {
    const { status, data } = await world.chtApi.post('/api/v1/places', body, JSON_BODY);
    if (status !== 200) throw new Error(`CHT refused place ${JSON.stringify(body)}: ${JSON.stringify(data)}`);
    return data.id as string;
  };
  const district = await place({ name: 'Siaya District', type: 'district_hospital' });
  const north = await place({ name: 'Ugunja HC', type: 'health_center', parent: district });
  const south = await place({ name: 'Sigomere HC', type: 'health_center', parent: district });
  const areas = [
    {
      id: await place({ name: 'Rang’ala (Ugunja)', type: 'clinic', parent: north }),
      name: 'Rang’ala (Ugunja)',
    },
    {
      id: await place({ name: 'Kagonya, Sidindi', type: 'clinic', parent: south }),
      name: 'Kagonya, Sidindi',
    },
  ];
  await place({ name: 'Umala', type: 'clinic', parent: north });
  await place({ name: 'Umala', type: 'clinic', parent: south });
  await sentinel(world);
  const withIds: Area[] = [];
  for (const area of areas) {
    const { data } = await world.chtApi.get(`/medic/${area.id}`);
    withIds.push({
      ...area,
      placeId: data.place_id as string,
      lineage: { _id: area.id, parent: data.parent },
    });
  }
  return { areas: withIds, sharedName: 'Umala' };
}

/** Sentinel's pass over the changes (marks documents for outbound push, which then pushes). */
export async function sentinel(world: World) {
  await world.chtControls.post('/sentinel');
}

export function personAt(model: Model, index: number): Person | undefined {
  return model.persons.length ? model.persons[index % model.persons.length] : undefined;
}

/** Fills in the ids the sync gave a person on the other side, once it has. */
export async function resolveIds(real: Real, person: Person): Promise<void> {
  const { world } = real;
  if (person.chtId && !person.openmrsUuid) {
    const [found] = await openmrsPatientsOf(real, person.chtId);
    if (found?.id) person.openmrsUuid = found.id;
  }
  if (person.openmrsUuid && !person.chtId) {
    const { data } = await world.chtApi.post(
      '/medic/_find',
      { selector: { type: 'person', external_id: person.openmrsUuid }, limit: 10 },
      JSON_BODY,
    );
    const [doc] = (data.docs ?? []) as { _id: string }[];
    if (doc) person.chtId = doc._id;
  }
}

export async function openmrsPatientsOf(real: Real, chtId: string): Promise<Patient[]> {
  const all = await real.world.openmrsFhir.searchAll('Patient', {});
  return all.filter((p) =>
    p.identifier?.some((i) => i.type?.text === 'CHT Document ID' && i.value === chtId),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
