// FHIR server → OpenMRS, CHT reports (design.md §1, §3). A CHT-origin Encounter becomes an encounter
// `partOf` a visit (the patient's visit its time falls in, or a new one of the mapped type with an end:
// sync/visit-placement.ts), and one Observation per mapped entry. The
// links (visit uuid, encounter uuid, Observation id → OpenMRS obs uuid) and a hash of what was sent are
// kept on the FHIR Encounter. The visit uuid is recorded the moment the visit exists; if a run dies
// before the rest is recorded, the next one finds the visit, the encounter and the observations again
// in OpenMRS instead of creating them twice. Edits update only the observations that changed.
import type { Encounter, Extension, Observation, Patient } from 'fhir/r4';
import {
  anyOf,
  FhirError,
  identifierOf,
  IDENTIFIER_SYSTEMS,
  NAMESPACE,
  originOf,
  formMapping,
  searchValue,
} from '@cht-openmrs/common';
import { codeOf, MappingValueError, planVisit, type PlannedObservation } from '../../mapping/encounters';
import { ENCOUNTER_TYPE_SYSTEM, referenceId, typeCode } from '../../openmrs/openmrs-fhir';
import type { ItemOutcome, Stream, SyncContext } from '../context';
import { pagesOf } from './pages';
import { describeError, isTransient, ItemProblem, WaitingForPatient } from '../errors';
import { hashOf, SYNCED_WITH_OPENMRS, syncedHash, withSyncedHash } from '../synced-hash';
import {
  OPENMRS_JOINED_VISIT_SYSTEM,
  OPENMRS_VISIT_SYSTEM,
  placeInVisit,
  VisitBook,
  type PlacedVisit,
} from '../visit-placement';

export const ENCOUNTERS_TO_OPENMRS = 'encounters-to-openmrs';
const OBSERVATION_LINKS = `${NAMESPACE}/StructureDefinition/openmrs-observations`;
const CHT_FORM_SYSTEM = `${NAMESPACE}/code-system/cht-form`;
const REPORT_VERSION = `${NAMESPACE}/StructureDefinition/cht-report-version`;

type ObservationLinks = Record<string, string>;

function linksOf(encounter: Encounter): ObservationLinks {
  const value = encounter.extension?.find((e) => e.url === OBSERVATION_LINKS)?.valueString;
  return value ? (JSON.parse(value) as ObservationLinks) : {};
}

function visitOf(encounter: Encounter): PlacedVisit | undefined {
  const ours = encounter.identifier?.find((i) => i.system === OPENMRS_VISIT_SYSTEM)?.value;
  const joined = encounter.identifier?.find((i) => i.system === OPENMRS_JOINED_VISIT_SYSTEM)?.value;
  return ours ? { uuid: ours, ours: true } : joined ? { uuid: joined, ours: false } : undefined;
}

function withLinks(
  encounter: Encounter,
  links: { visit?: PlacedVisit; encounter?: string; observations?: ObservationLinks },
): Encounter {
  const ours = new Set([
    OPENMRS_VISIT_SYSTEM,
    OPENMRS_JOINED_VISIT_SYSTEM,
    ...(links.encounter ? [IDENTIFIER_SYSTEMS.openmrsUuid] : []),
  ]);
  const identifier = (encounter.identifier ?? []).filter((i) => !ours.has(i.system ?? ''));
  if (links.visit)
    identifier.push({
      system: links.visit.ours ? OPENMRS_VISIT_SYSTEM : OPENMRS_JOINED_VISIT_SYSTEM,
      value: links.visit.uuid,
      type: { text: links.visit.ours ? 'OpenMRS visit uuid' : 'OpenMRS joined visit uuid' },
    });
  if (links.encounter)
    identifier.push({
      system: IDENTIFIER_SYSTEMS.openmrsUuid,
      value: links.encounter,
      type: { text: 'OpenMRS UUID' },
    });
  const extension: Extension[] = (encounter.extension ?? []).filter((e) => e.url !== OBSERVATION_LINKS);
  if (links.observations)
    extension.push({ url: OBSERVATION_LINKS, valueString: JSON.stringify(links.observations) });
  return { ...encounter, identifier, extension };
}

/** Writes the links onto the FHIR Encounter, starting from the version we hold; returns the stored one. */
async function record(
  context: SyncContext,
  encounter: Encounter,
  change: (current: Encounter) => Encounter,
): Promise<Encounter> {
  return (await context.fhir.modifyFrom(encounter, change)).resource;
}

/**
 * What a page of reports needs, read at once: their FHIR Patients and Observations (FHIR server) and
 * their patients' OpenMRS visits. A report the page does not cover looks its own up.
 */
export interface ReportFacts {
  patients: Map<string, Patient>;
  observations: Map<string, Observation[]>;
  visits?: VisitBook;
}

const PER_SEARCH = 40;

async function inChunks<T>(values: string[], search: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const chunks: string[][] = [];
  for (let at = 0; at < values.length; at += PER_SEARCH) chunks.push(values.slice(at, at + PER_SEARCH));
  return (await Promise.all(chunks.map(search))).flat();
}

async function lookUpReports(context: SyncContext, page: Encounter[]): Promise<ReportFacts> {
  const reports = page.filter((e) => e.subject?.reference && toSend(context, e));
  const patientIds = [...new Set(reports.map((e) => referenceId(e.subject?.reference) as string))];
  const [patients, observations] = await Promise.all([
    inChunks(patientIds, (ids) =>
      context.fhir.searchAll('Patient', { _id: anyOf(ids.map(searchValue)), _count: ids.length }),
    ),
    inChunks(
      reports.map((e) => `Encounter/${e.id}`),
      (refs) =>
        context.fhir.searchAll('Observation', { encounter: anyOf(refs.map(searchValue)), _count: 500 }),
    ),
  ]);
  const facts: ReportFacts = {
    patients: new Map(patients.map((p) => [p.id as string, p])),
    observations: new Map(reports.map((e) => [e.id as string, []])),
  };
  for (const o of observations) facts.observations.get(referenceId(o.encounter?.reference) ?? '')?.push(o);
  // Visits are read for the patients whose reports will look for one (no visit recorded yet).
  const from = new Map<string, number>();
  let until = 0;
  for (const e of reports) {
    const uuid = identifierOf(
      facts.patients.get(referenceId(e.subject?.reference) ?? '') ?? {},
      'openmrsUuid',
    );
    const start = e.period?.start;
    if (!uuid || !start || visitOf(e)) continue;
    const at = Date.parse(start);
    const minutes = formMapping(context.mapping, formOf(e))?.visitDurationMinutes ?? 0;
    from.set(uuid, Math.min(at, from.get(uuid) ?? at));
    until = Math.max(until, at + minutes * 60_000);
  }
  if (from.size > 0) facts.visits = await VisitBook.read(context, from, until);
  return facts;
}

/** The CHT form a report's Encounter came from. */
export function formOf(encounter: Encounter): string | undefined {
  return encounter.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === CHT_FORM_SYSTEM)?.code;
}

/** A CHT report of a mapped form not yet sent as it now is: its form and the hash of what goes. */
function toSend(context: SyncContext, encounter: Encounter) {
  if (originOf(encounter) !== 'cht') return undefined;
  const form = formMapping(context.mapping, formOf(encounter));
  if (!form) return undefined; // no mapping: this form does not go to OpenMRS
  const version =
    encounter.extension?.find((e) => e.url === REPORT_VERSION)?.valueString ?? hashOf(encounter.period);
  const sentHash = hashOf([version, form]);
  return syncedHash(encounter, SYNCED_WITH_OPENMRS) === sentHash ? undefined : { form, sentHash };
}

export async function syncEncounterToOpenmrs(
  context: SyncContext,
  encounter: Encounter,
  facts?: ReportFacts,
): Promise<ItemOutcome> {
  const pending = toSend(context, encounter);
  if (!pending) return 'skipped';
  const { form, sentHash } = pending;
  if (!encounter.subject?.reference) return 'skipped'; // its CHT patient has not arrived: linked and seen again then

  const patientId = referenceId(encounter.subject.reference) as string;
  const patient = facts?.patients.get(patientId) ?? (await context.fhir.read('Patient', patientId));
  const patientUuid = identifierOf(patient, 'openmrsUuid');
  if (!patientUuid)
    throw new WaitingForPatient(encounter.subject, `Patient/${patient.id} is not in OpenMRS yet`);
  const observations =
    facts?.observations.get(encounter.id as string) ??
    (await context.fhir.searchAll('Observation', { encounter: `Encounter/${encounter.id}` }));
  let plan;
  try {
    plan = planVisit(encounter, observations, patientUuid, form, context.mapping.openmrs.locationUuid);
  } catch (error) {
    if (error instanceof MappingValueError)
      throw new ItemProblem(
        `Encounter/${encounter.id}: ${error.message}; fix the report in CHT or the mapping`,
      );
    throw error;
  }

  const start = plan.visit.period?.start as string;
  let visit = visitOf(encounter);
  let encounterUuid = identifierOf(encounter, 'openmrsUuid');
  let links = linksOf(encounter);
  const created = !visit;
  let stored = encounter;
  if (!visit) {
    const placed = await placeInVisit(
      context,
      patientUuid,
      start,
      form,
      ({ start: from, end: to }) => ({
        ...plan.visit,
        period: { start: new Date(from).toISOString(), end: new Date(to).toISOString() },
      }),
      facts?.visits,
    );
    visit = placed;
    stored = await record(context, encounter, (current) => withLinks(current, { visit: placed }));
  }
  const visitUuid = visit.uuid;
  let adopted: Observation[] = [];
  if (!encounterUuid && visit.fresh) {
    // A visit made just now holds nothing yet: no earlier run can have left an encounter in it.
    encounterUuid = (await context.openmrs.createEncounter(plan.encounter(visitUuid))).id as string;
  } else if (!encounterUuid) {
    // One a run that died before recording it left in the visit: of this form, at this report's second.
    // Another report of the patient's of the same form at the same second has one just like it; the
    // FHIR server's links tell which are taken (OpenMRS keeps no mark of the report on an encounter).
    const around = await context.openmrs.encountersBetween(patientUuid, start, start);
    const alike = around.encounters.filter(
      (e) =>
        referenceId(e.partOf?.reference) === visitUuid &&
        typeCode(e, ENCOUNTER_TYPE_SYSTEM) === form.encounterType,
    );
    const taken = await takenByOtherReports(context, encounter, alike);
    const mine = alike.find((e) => !taken.has(e.id as string));
    encounterUuid =
      mine?.id ?? ((await context.openmrs.createEncounter(plan.encounter(visitUuid))).id as string);
    adopted = around.observations.filter((o) => referenceId(o.encounter?.reference) === encounterUuid);
  }

  const report = `CHT report ${identifierOf(encounter, 'chtDocumentId') ?? '?'} (Encounter/${encounter.id})`;
  links = await syncObservations(context, plan.observations(encounterUuid), links, adopted, report);
  const final = {
    visit: { uuid: visit.uuid, ours: visit.ours },
    encounter: encounterUuid,
    observations: links,
  };
  await record(context, stored, (current) =>
    withSyncedHash(withLinks(current, final), SYNCED_WITH_OPENMRS, sentHash),
  );
  return created ? 'created' : 'updated';
}

/**
 * Which of these OpenMRS encounters another CHT report already records as its own (one search, and only
 * when there is something to tell apart).
 */
async function takenByOtherReports(
  context: SyncContext,
  report: Encounter,
  encounters: Encounter[],
): Promise<Set<string>> {
  if (encounters.length === 0) return new Set();
  const recorded = await context.fhir.findByIdentifiers(
    'Encounter',
    IDENTIFIER_SYSTEMS.openmrsUuid,
    encounters.map((e) => e.id as string),
  );
  return new Set(
    recorded
      .filter((e) => e.id !== report.id && originOf(e) === 'cht')
      .map((e) => identifierOf(e, 'openmrsUuid') as string),
  );
}

/**
 * Brings OpenMRS's observations in line with the planned ones: creates the new, updates the changed
 * (OpenMRS answers with a new id), deletes those no longer in the report. Links are kept as
 * `FHIR Observation id → "<OpenMRS obs uuid>|<hash of the value sent>"`. Returns the new links.
 */
async function syncObservations(
  context: SyncContext,
  planned: PlannedObservation[],
  links: ObservationLinks,
  adopted: Observation[],
  report: string,
): Promise<ObservationLinks> {
  // Decided first, in order (which adopted observation each takes); then written all at once, within
  // OpenMRS's bound: an encounter's observations do not depend on each other.
  const spare = [...adopted];
  const writes = planned.map(({ sourceId, body }) => {
    const wanted = hashOf(valueOf(body));
    const [uuid, hash] = links[sourceId]?.split('|') ?? [];
    if (uuid && hash === wanted) return { sourceId, wanted, write: async () => uuid };
    const named = (work: () => Promise<string>) => () => namingRefusal(report, body, work);
    if (uuid) return { sourceId, wanted, write: named(() => update(context, { ...body, id: uuid })) };
    // A run that died after creating it left it in OpenMRS: take it rather than make a second.
    const reuse = spare.findIndex((o) => codeOf(o.code) === codeOf(body.code));
    const found = reuse >= 0 ? spare.splice(reuse, 1)[0] : undefined;
    if (!found) return { sourceId, wanted, write: named(() => create(context, body)) };
    const stale = hashOf(valueOf(found)) !== wanted;
    const id = found.id as string;
    return {
      sourceId,
      wanted,
      write: stale ? named(() => update(context, { ...body, id })) : async () => id,
    };
  });
  const removed = Object.entries(links)
    .filter(([key]) => !planned.some((p) => p.sourceId === key))
    .map(([, link]) => link.split('|')[0] as string);
  // What an adopted encounter holds beyond the report goes too: a field the report no longer has, or
  // (when two reports at one second look alike) another report's, which that report writes again.
  removed.push(...spare.map((o) => o.id as string));
  const settled = await Promise.allSettled([
    ...writes.map((w) => w.write()),
    ...removed.map((uuid) => context.openmrs.deleteObservation(uuid)),
  ]);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  const next: ObservationLinks = {};
  writes.forEach(({ sourceId, wanted }, i) => {
    next[sourceId] = `${(settled[i] as PromiseFulfilledResult<string>).value}|${wanted}`;
  });
  return next;
}

async function create(context: SyncContext, body: Observation): Promise<string> {
  return (await context.openmrs.createObservation(body)).id as string;
}

/** OpenMRS answers an update with a new observation under a new id. */
async function update(context: SyncContext, body: Observation): Promise<string> {
  return (await context.openmrs.updateObservation(body)).id as string;
}

/** OpenMRS's refusal of one observation, with the report and the observation it was about (so an operator can find both). */
async function namingRefusal<T>(report: string, body: Observation, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof FhirError) || isTransient(error)) throw error;
    const value = JSON.stringify(valueOf(body), (_key, v: unknown) => v ?? undefined);
    throw new ItemProblem(
      `${report}, observation ${codeOf(body.code) ?? '?'} ${value}: ${describeError(error)}`,
    );
  }
}

function valueOf(observation: Observation): unknown {
  const { valueQuantity, valueCodeableConcept, valueString, valueBoolean, valueDateTime } = observation;
  return {
    value: valueQuantity?.value,
    code: valueCodeableConcept?.coding?.[0]?.code,
    valueString,
    valueBoolean,
    valueDateTime,
  };
}

export const encountersToOpenmrs: Stream<Encounter, ReportFacts> = {
  name: ENCOUNTERS_TO_OPENMRS,
  changes: (context, since) =>
    pagesOf<Encounter>(
      context.fhir.pages('Encounter', {
        _lastUpdated: `ge${since}`,
        _sort: '_lastUpdated',
        _count: context.limits.fhirPageSize,
      }),
      'Encounter',
    ),
  cursorPrecision: 'millisecond',
  groupOf: (encounter) => encounter.subject?.reference ?? `Encounter/${encounter.id}`,
  prepare: lookUpReports,
  sync: syncEncounterToOpenmrs,
  async retry(context, focus) {
    return syncEncounterToOpenmrs(
      context,
      await context.fhir.read('Encounter', focus.replace(/^Encounter\//, '')),
    );
  },
};
