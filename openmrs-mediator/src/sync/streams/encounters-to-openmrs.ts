// FHIR server → OpenMRS, CHT reports (design.md §1, §3). A CHT-origin Encounter becomes an encounter
// `partOf` a visit (the patient's visit its time falls in, or a new one of the mapped type with an end:
// sync/visit-placement.ts), and one Observation per mapped entry. The
// links (visit uuid, encounter uuid, Observation id → OpenMRS obs uuid) and a hash of what was sent are
// kept on the FHIR Encounter. The visit uuid is recorded the moment the visit exists; if a run dies
// before the rest is recorded, the next one finds the visit, the encounter and the observations again
// in OpenMRS instead of creating them twice. Edits update only the observations that changed.
import type { Encounter, Extension, Observation } from 'fhir/r4';
import {
  FhirError,
  identifierOf,
  IDENTIFIER_SYSTEMS,
  NAMESPACE,
  originOf,
  formMapping,
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

async function record(
  context: SyncContext,
  encounter: Encounter,
  change: (current: Encounter) => Encounter,
): Promise<void> {
  await context.fhir.modify('Encounter', encounter.id as string, change);
}

function formOf(encounter: Encounter): string | undefined {
  return encounter.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === CHT_FORM_SYSTEM)?.code;
}

export async function syncEncounterToOpenmrs(
  context: SyncContext,
  encounter: Encounter,
): Promise<ItemOutcome> {
  if (originOf(encounter) !== 'cht') return 'skipped';
  const form = formMapping(context.mapping, formOf(encounter));
  if (!form) return 'skipped'; // no mapping: this form does not go to OpenMRS
  const version =
    encounter.extension?.find((e) => e.url === REPORT_VERSION)?.valueString ?? hashOf(encounter.period);
  const sentHash = hashOf([version, form]);
  if (syncedHash(encounter, SYNCED_WITH_OPENMRS) === sentHash) return 'skipped';
  if (!encounter.subject?.reference) return 'skipped'; // its CHT patient has not arrived: linked and seen again then

  const patient = await context.fhir.read('Patient', referenceId(encounter.subject.reference) as string);
  const patientUuid = identifierOf(patient, 'openmrsUuid');
  if (!patientUuid)
    throw new WaitingForPatient(encounter.subject, `Patient/${patient.id} is not in OpenMRS yet`);
  const observations = await context.fhir.searchAll('Observation', {
    encounter: `Encounter/${encounter.id}`,
  });
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
  if (!visit) {
    const placed = await placeInVisit(context, patientUuid, start, form, ({ start: from, end: to }) => ({
      ...plan.visit,
      period: { start: new Date(from).toISOString(), end: new Date(to).toISOString() },
    }));
    visit = placed;
    await record(context, encounter, (current) => withLinks(current, { visit: placed }));
  }
  const visitUuid = visit.uuid;
  let adopted: Observation[] = [];
  if (!encounterUuid) {
    const around = await context.openmrs.encountersBetween(patientUuid, start, start);
    const mine = around.encounters.find(
      (e) =>
        referenceId(e.partOf?.reference) === visitUuid &&
        typeCode(e, ENCOUNTER_TYPE_SYSTEM) === form.encounterType,
    );
    encounterUuid =
      mine?.id ?? ((await context.openmrs.createEncounter(plan.encounter(visitUuid))).id as string);
    adopted = around.observations.filter((o) => referenceId(o.encounter?.reference) === encounterUuid);
  }

  const report = `CHT report ${identifierOf(encounter, 'chtDocumentId') ?? '?'} (Encounter/${encounter.id})`;
  links = await syncObservations(context, plan.observations(encounterUuid), links, adopted, report);
  const final = { visit, encounter: encounterUuid, observations: links };
  await record(context, encounter, (current) =>
    withSyncedHash(withLinks(current, final), SYNCED_WITH_OPENMRS, sentHash),
  );
  return created ? 'created' : 'updated';
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
  const next: ObservationLinks = {};
  const spare = [...adopted];
  for (const { sourceId, body } of planned)
    await namingRefusal(report, body, () => syncObservation(context, sourceId, body, links, spare, next));
  for (const [key, link] of Object.entries(links)) {
    if (!(key in next)) await context.openmrs.deleteObservation(link.split('|')[0] as string);
  }
  return next;
}

/** OpenMRS's refusal of one observation, with the report and the observation it was about (so an operator can find both). */
async function namingRefusal(report: string, body: Observation, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof FhirError) || isTransient(error)) throw error;
    const value = JSON.stringify(valueOf(body), (_key, v: unknown) => v ?? undefined);
    throw new ItemProblem(
      `${report}, observation ${codeOf(body.code) ?? '?'} ${value}: ${describeError(error)}`,
    );
  }
}

async function syncObservation(
  context: SyncContext,
  sourceId: string,
  body: Observation,
  links: ObservationLinks,
  spare: Observation[],
  next: ObservationLinks,
): Promise<void> {
  const wanted = hashOf(valueOf(body));
  const [uuid, hash] = links[sourceId]?.split('|') ?? [];
  if (uuid && hash === wanted) next[sourceId] = `${uuid}|${hash}`;
  else if (uuid)
    next[sourceId] = `${(await context.openmrs.updateObservation({ ...body, id: uuid })).id}|${wanted}`;
  else {
    // A run that died after creating it left it in OpenMRS: take it rather than make a second.
    const reuse = spare.findIndex((o) => codeOf(o.code) === codeOf(body.code));
    const found = reuse >= 0 ? spare.splice(reuse, 1)[0] : undefined;
    const stale = found && hashOf(valueOf(found)) !== wanted;
    const written = stale
      ? await context.openmrs.updateObservation({ ...body, id: found.id as string })
      : found;
    const id = written?.id ?? (await context.openmrs.createObservation(body)).id;
    next[sourceId] = `${id}|${wanted}`;
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

export const encountersToOpenmrs: Stream<Encounter> = {
  name: ENCOUNTERS_TO_OPENMRS,
  changes: (context, since) =>
    pagesOf<Encounter>(
      context.fhir.pages('Encounter', {
        _lastUpdated: `ge${since}`,
        _sort: '_lastUpdated',
        _count: context.limits.pageSize,
      }),
      'Encounter',
    ),
  groupOf: (encounter) => encounter.subject?.reference ?? `Encounter/${encounter.id}`,
  sync: syncEncounterToOpenmrs,
  async retry(context, focus) {
    return syncEncounterToOpenmrs(
      context,
      await context.fhir.read('Encounter', focus.replace(/^Encounter\//, '')),
    );
  },
};
