// The queries and writes the sync makes against OpenMRS's FHIR2 API, named for what they mean.
// Identifier search compares the token's system with the identifier type NAME (openmrs-fhir2.md §4.4);
// `_lastUpdated` is inclusive at whole seconds (§7); visits and encounters are told apart by `_tag` (§5.5).
import type { Bundle, Encounter, Observation, Patient } from 'fhir/r4';
import {
  anyOf,
  FhirClient,
  nextLink,
  searchValue,
  type FhirClientOptions,
  type ResourceType,
  type SearchParams,
} from '@cht-openmrs/common';
import { ENCOUNTERS_ONLY, VISITS_ONLY } from './openmrs-fhir';

export const OPENMRS_FHIR_PATH = '/ws/fhir2/R4';

/** Pages of one query that start with the last matched row of the page before (see `changePages`). */
const OVERLAPPING = new WeakSet<Bundle>();

/** This page starts with the row the page before it ended with. */
export function overlapsPrevious(page: Bundle): boolean {
  return OVERLAPPING.has(page);
}

export class OpenmrsClient {
  readonly fhir: FhirClient;
  /** Pages of a change query read at once: a quarter of the request bound, at most 8. */
  private readonly pagesAtOnce: number;

  constructor(options: Omit<FhirClientOptions, 'peer'>) {
    this.fhir = new FhirClient({ ...options, peer: 'OpenMRS' });
    this.pagesAtOnce = Math.max(1, Math.min(8, Math.floor((options.maxInFlight ?? 1) / 4)));
  }

  /**
   * Every page of a change query, several read at once. OpenMRS runs the search again for each page
   * (HAPI paging, `_getpagesoffset`), so rows that move meanwhile shift the pages read after it. Each
   * page after the first therefore starts one row early, at the last row of the page before: when that
   * row is not the same, the rows moved between the two reads and the scan reads again from there
   * (sync/change-scan.ts). A server that pages otherwise is followed link by link.
   */
  async *changePages(type: ResourceType, params: SearchParams): AsyncGenerator<Bundle> {
    const first = await this.fhir.search(type, params);
    yield first;
    const next = nextLink(first);
    if (!next) return;
    const link = new URL(next);
    const count = Number(link.searchParams.get('_count'));
    const total = first.total;
    if (!link.searchParams.has('_getpagesoffset') || !(count > 1) || total === undefined) {
      yield* this.fhir.pagesAfter(first);
      return;
    }
    const offsets: number[] = [];
    for (let at = count - 1; at < total - 1; at += count - 1) offsets.push(at);
    const read = (offset: number) => {
      link.searchParams.set('_getpagesoffset', String(offset));
      const page = this.fhir.page(link.toString()).then((bundle) => {
        OVERLAPPING.add(bundle);
        return bundle;
      });
      page.catch(() => undefined); // seen when awaited; not unhandled when the reader stops first
      return page;
    };
    const reading = offsets.slice(0, this.pagesAtOnce).map(read);
    for (let at = reading.length; reading.length > 0; at += 1) {
      const page = await (reading.shift() as Promise<Bundle>);
      if (at < offsets.length) reading.push(read(offsets[at] as number));
      yield page;
    }
  }

  /** Patients holding an identifier of that type (OpenMRS shows the type's name as `type.text`). */
  findPatients(identifierTypeName: string, value: string): Promise<Patient[]> {
    return this.fhir.findByIdentifier(
      'Patient',
      identifierTypeName,
      value,
      (i) => i.type?.text === identifierTypeName && i.value === value,
    );
  }

  /** Patients holding any of these identifiers of that type, in a few searches (comma is OR, §4.4). */
  findPatientsByIdentifiers(identifierTypeName: string, values: string[]): Promise<Patient[]> {
    return this.fhir.findByIdentifiers(
      'Patient',
      identifierTypeName,
      values,
      (i, wanted) => i.type?.text === identifierTypeName && wanted.has(i.value ?? ''),
    );
  }

  readPatient(uuid: string): Promise<Patient> {
    return this.fhir.read('Patient', uuid);
  }

  async createPatient(body: Patient): Promise<Patient> {
    return (await this.fhir.create(body)).resource;
  }

  async updatePatient(body: Patient): Promise<Patient> {
    return (await this.fhir.update(body)).resource;
  }

  /** Creates a visit or an encounter: OpenMRS routes by the type coding's system. */
  async createEncounter(body: Encounter): Promise<Encounter> {
    return (await this.fhir.create(body)).resource;
  }

  async createObservation(body: Observation): Promise<Observation> {
    return (await this.fhir.create(body)).resource;
  }

  /** OpenMRS voids the old Observation and answers with a new one under a new id (§6.3). */
  async updateObservation(body: Observation): Promise<Observation> {
    return (await this.fhir.update(body)).resource;
  }

  deleteObservation(uuid: string): Promise<void> {
    return this.fhir.delete('Observation', uuid);
  }

  /**
   * The patient's visits that started at or before `until` and had not ended before `from`, newest
   * first. OpenMRS searches visits by start only, so pages are read back in time until a visit ended
   * before `from` (visits of a patient do not overlap, so earlier ones ended earlier still).
   */
  async visitsAround(patientUuid: string, from: string, until: string): Promise<Encounter[]> {
    const visits: Encounter[] = [];
    const params = {
      patient: patientUuid,
      _tag: VISITS_ONLY,
      date: `le${until}`,
      _sort: '-date',
      _count: 10,
    };
    for await (const page of this.fhir.pages('Encounter', params)) {
      const found = (page.entry ?? []).map((e) => e.resource as Encounter);
      const ended = (v: Encounter) =>
        v.period?.end !== undefined && Date.parse(v.period.end) < Date.parse(from);
      visits.push(...found.filter((v) => !ended(v)));
      if (found.some(ended)) break;
    }
    return visits;
  }

  /**
   * The visits of several patients at once, newest first, each patient's read back in time until one
   * ended before that patient's `from` (as `visitsAround` does for one): `patient` takes alternatives.
   * Visits starting after `until` are included; callers filter by time.
   */
  async visitsOfPatients(from: Map<string, string>, until: string): Promise<Map<string, Encounter[]>> {
    const visits = new Map<string, Encounter[]>([...from.keys()].map((uuid) => [uuid, []]));
    const uuids = [...from.keys()];
    const chunks: Set<string>[] = [];
    for (let at = 0; at < uuids.length; at += 40) chunks.push(new Set(uuids.slice(at, at + 40)));
    // Chunks hold different patients: read all at once.
    await Promise.all(
      chunks.map(async (open) => {
        const params = {
          patient: anyOf([...open].map(searchValue)),
          _tag: VISITS_ONLY,
          date: `le${until}`,
          _sort: '-date',
          _count: 100,
        };
        for await (const page of this.fhir.pages('Encounter', params)) {
          for (const visit of (page.entry ?? []).map((e) => e.resource as Encounter)) {
            const patient = visit.subject?.reference?.split('/').pop() ?? '';
            if (!open.has(patient)) continue; // that patient's visits are read far enough back
            visits.get(patient)?.push(visit);
            const end = visit.period?.end;
            if (end !== undefined && Date.parse(end) < Date.parse(from.get(patient) as string))
              open.delete(patient);
          }
          if (open.size === 0) break;
        }
      }),
    );
    return visits;
  }

  async updateEncounter(body: Encounter): Promise<Encounter> {
    return (await this.fhir.update(body)).resource;
  }

  /** The patient's encounters between two times, with their observations. */
  async encountersBetween(
    patientUuid: string,
    from: string,
    to: string,
  ): Promise<{ encounters: Encounter[]; observations: Observation[] }> {
    const encounters: Encounter[] = [];
    const observations: Observation[] = [];
    const params = {
      patient: patientUuid,
      _tag: ENCOUNTERS_ONLY,
      date: [`ge${from}`, `le${to}`],
      _revinclude: 'Observation:encounter',
      _count: 100,
    };
    for await (const page of this.fhir.pages('Encounter', params)) {
      // OpenMRS gives no entry.search.mode: included resources are told apart by type (§7).
      for (const entry of page.entry ?? []) {
        if (entry.resource?.resourceType === 'Encounter') encounters.push(entry.resource as Encounter);
        if (entry.resource?.resourceType === 'Observation') observations.push(entry.resource as Observation);
      }
    }
    return { encounters, observations };
  }

  /** Pages of patients changed at or after `since`, oldest first. */
  changedPatients(since: string, count: number): AsyncGenerator<Bundle> {
    return this.changePages('Patient', { _lastUpdated: `ge${since}`, _sort: '_lastUpdated', _count: count });
  }

  /** Pages of visits changed at or after `since`, oldest first. */
  changedVisits(since: string, count: number): AsyncGenerator<Bundle> {
    return this.changePages('Encounter', {
      _tag: VISITS_ONLY,
      _lastUpdated: `ge${since}`,
      _sort: '_lastUpdated',
      _count: count,
    });
  }
}
