// OpenMRS → FHIR server → CHT, completed visits (design.md §1). A visit with an end, of a type the
// mapping sends to CHT, is copied to the FHIR server (Encounter + Observations, deterministic ids) and
// written to CHT as a report of the mapped form, linked to the CHT patient. The CHT report id is kept
// on the FHIR copy; a crashed run's report is found again in CHT rather than made twice. Visits our own
// sync created from CHT reports are recognised and not sent back. Observations edited in OpenMRS get a
// new id without touching their visit, so a second stream reads changed observations and re-syncs
// their visit.
import type { Bundle, BundleEntry, Encounter, Observation, Patient } from 'fhir/r4';
import {
  identifierOf,
  IDENTIFIER_SYSTEMS,
  makeIdentifier,
  originOf,
  withOrigin,
  visitMapping,
} from '@cht-openmrs/common';
import { recordForCht } from '../../mapping/encounters';
import {
  ENCOUNTER_TYPE_SYSTEM,
  isVisit,
  referenceId,
  typeCode,
  VISIT_TYPE_SYSTEM,
} from '../../openmrs/openmrs-fhir';
import type { ItemOutcome, Stream, SyncContext } from '../context';
import { pagesOf, pageOf } from './pages';
import { ItemProblem, WaitingForPatient } from '../errors';
import { hashOf, SYNCED_WITH_CHT, syncedHash, withSyncedHash } from '../synced-hash';
import { OPENMRS_JOINED_VISIT_SYSTEM, OPENMRS_VISIT_SYSTEM } from '../visit-placement';

export const VISITS_FROM_OPENMRS = 'visits-from-openmrs';
export const OBSERVATIONS_FROM_OPENMRS = 'observations-from-openmrs';

const copyId = (prefix: string, uuid: string) => `omrs-${prefix}-${uuid}`.slice(0, 64);

async function fhirPatientFor(context: SyncContext, openmrsPatientUuid: string): Promise<Patient> {
  const [patient] = await context.fhir.findByIdentifier(
    'Patient',
    IDENTIFIER_SYSTEMS.openmrsUuid,
    openmrsPatientUuid,
  );
  if (!patient)
    throw new ItemProblem(
      `OpenMRS patient ${openmrsPatientUuid} is not on the FHIR server yet; the patients stream brings it`,
    );
  return patient;
}

function visitCopy(visit: Encounter, patient: Patient, stored: Encounter | undefined): Encounter {
  const copy: Encounter = {
    ...(stored ?? {}),
    resourceType: 'Encounter',
    id: copyId('visit', visit.id as string),
    status: 'finished',
    class: visit.class,
    type: visit.type?.map((t) => ({
      coding: t.coding?.map(({ system, code, display }) => ({ system, code, display })),
    })),
    subject: { reference: `Patient/${patient.id}` },
    period: visit.period,
    identifier: [
      ...(stored?.identifier ?? []).filter((i) => i.system !== OPENMRS_VISIT_SYSTEM),
      { system: OPENMRS_VISIT_SYSTEM, value: visit.id, type: { text: 'OpenMRS visit uuid' } },
    ],
  };
  return withOrigin<Encounter>(copy, 'openmrs');
}

/**
 * The FHIR server's copy of an OpenMRS observation. Only what CHT needs is copied: references to what
 * the FHIR server does not hold (orders, practitioners, group members) would be refused (HAPI-1094).
 */
function observationCopy(observation: Observation, visitCopyId: string, patient: Patient): Observation {
  const { status, code, category, effectiveDateTime, issued, interpretation, note } = observation;
  const {
    valueQuantity,
    valueCodeableConcept,
    valueString,
    valueBoolean,
    valueInteger,
    valueDateTime,
    valueTime,
  } = observation;
  const copy: Observation = {
    resourceType: 'Observation',
    id: copyId('obs', observation.id as string),
    identifier: [makeIdentifier('openmrsUuid', observation.id as string)],
    status,
    code,
    subject: { reference: `Patient/${patient.id}` },
    encounter: { reference: `Encounter/${visitCopyId}` },
  };
  const optional = {
    category,
    effectiveDateTime,
    issued,
    interpretation,
    note,
    valueQuantity,
    valueCodeableConcept,
    valueString,
    valueBoolean,
    valueInteger,
    valueDateTime,
    valueTime,
  };
  for (const [key, value] of Object.entries(optional))
    if (value !== undefined) Object.assign(copy, { [key]: value });
  return withOrigin<Observation>(copy, 'openmrs');
}

async function storeCopies(
  context: SyncContext,
  visit: Encounter,
  observations: Observation[],
  patient: Patient,
): Promise<Encounter> {
  const id = copyId('visit', visit.id as string);
  const [stored] = await context.fhir.searchAll('Encounter', { _id: id });
  const encounter = visitCopy(visit, patient, stored);
  const copies = observations.map((o) => observationCopy(o, id, patient));
  const before = await context.fhir.searchAll('Observation', { encounter: `Encounter/${id}` });
  const gone = before.filter((o) => !copies.some((c) => c.id === o.id));
  const entries: BundleEntry[] = [
    ...gone.map((o) => ({ request: { method: 'DELETE' as const, url: `Observation/${o.id}` } })),
    { resource: encounter, request: { method: 'PUT', url: `Encounter/${id}` } },
    ...copies.map((o) => ({ resource: o, request: { method: 'PUT' as const, url: `Observation/${o.id}` } })),
  ];
  await context.fhir.transaction(entries, { idempotent: true });
  return (await context.fhir.read('Encounter', id)) as Encounter;
}

/** For a page: which of its visits our sync made from CHT reports, asked of the FHIR server at once. */
export interface VisitOrigins {
  asked: Set<string>;
  fromCht: Set<string>;
}

async function visitOrigins(context: SyncContext, visitUuids: string[]): Promise<VisitOrigins> {
  const asked = new Set(visitUuids);
  const found = asked.size
    ? await context.fhir.findByIdentifiers('Encounter', OPENMRS_VISIT_SYSTEM, [...asked])
    : [];
  const fromCht = new Set(
    found
      .filter((e) => originOf(e) === 'cht')
      .flatMap((e) => e.identifier ?? [])
      .filter((i) => i.system === OPENMRS_VISIT_SYSTEM && asked.has(i.value ?? ''))
      .map((i) => i.value as string),
  );
  return { asked, fromCht };
}

/** Whether our sync made this OpenMRS visit from a CHT report (then it never goes back to CHT). */
async function madeFromChtReport(
  context: SyncContext,
  visitUuid: string,
  origins?: VisitOrigins,
): Promise<boolean> {
  if (origins?.asked.has(visitUuid)) return origins.fromCht.has(visitUuid);
  const [ours] = await context.fhir.findByIdentifier('Encounter', OPENMRS_VISIT_SYSTEM, visitUuid);
  return Boolean(ours && originOf(ours) === 'cht');
}

/** Encounters our sync put into this visit of OpenMRS users' (CHT reports that joined it). */
async function encountersWeAdded(context: SyncContext, visitUuid: string): Promise<Set<string | undefined>> {
  const reports = await context.fhir.findByIdentifier('Encounter', OPENMRS_JOINED_VISIT_SYSTEM, visitUuid);
  return new Set(reports.filter((r) => originOf(r) === 'cht').map((r) => identifierOf(r, 'openmrsUuid')));
}

export async function syncVisitFromOpenmrs(
  context: SyncContext,
  visit: Encounter,
  origins?: VisitOrigins,
): Promise<ItemOutcome> {
  if (!isVisit(visit) || !visit.period?.end) return 'skipped'; // only completed visits go to CHT
  if (await madeFromChtReport(context, visit.id as string, origins)) return 'skipped';
  const patientUuid = referenceId(visit.subject?.reference);
  if (!patientUuid) throw new ItemProblem(`visit ${visit.id} has no patient`);
  const start = visit.period.start ?? visit.period.end;
  const { encounters, observations } = await context.openmrs.encountersBetween(
    patientUuid,
    start,
    visit.period.end,
  );
  const ours = await encountersWeAdded(context, visit.id as string);
  const own = encounters.filter((e) => referenceId(e.partOf?.reference) === visit.id && !ours.has(e.id));
  const ownIds = new Set(own.map((e) => e.id));
  const types = own.map((e) => typeCode(e, ENCOUNTER_TYPE_SYSTEM)).filter((t): t is string => Boolean(t));
  const mapping = visitMapping(context.mapping, typeCode(visit, VISIT_TYPE_SYSTEM) ?? '', types);
  if (!mapping) return 'skipped'; // not a visit the mapping sends to CHT
  const visitObservations = observations.filter((o) => ownIds.has(referenceId(o.encounter?.reference)));

  const patient = await fhirPatientFor(context, patientUuid);
  const chtPatient = identifierOf(patient, 'chtDocumentId');
  if (!chtPatient)
    throw new WaitingForPatient(
      { reference: `Patient/${patient.id}` },
      `Patient/${patient.id} is not in CHT yet (unplaced)`,
    );

  const record = recordForCht(visit, visitObservations, chtPatient, mapping);
  const hash = hashOf(record);
  const copy = await storeCopies(context, visit, visitObservations, patient);
  if (syncedHash(copy, SYNCED_WITH_CHT) === hash) return 'skipped';
  let reportId = identifierOf(copy, 'chtDocumentId');
  const created = !reportId;
  if (reportId) {
    const doc = await context.cht.getDoc(reportId);
    const { _meta: _ignored, ...fields } = record;
    await context.cht.putDoc({ ...doc, fields: { ...(doc.fields as object), ...fields } });
  } else {
    const [found] = await context.cht.find({
      type: 'data_record',
      form: mapping.form.toUpperCase(),
      'fields.openmrs_visit_uuid': visit.id,
    });
    reportId = found?._id ?? (await context.cht.createRecord(record));
  }
  const id = reportId;
  await context.fhir.modify('Encounter', copy.id as string, (current) => {
    const others = (current.identifier ?? []).filter(
      (i) => i.system !== makeIdentifier('chtDocumentId', id).system,
    );
    return withSyncedHash(
      { ...current, identifier: [...others, makeIdentifier('chtDocumentId', id)] },
      SYNCED_WITH_CHT,
      hash,
    );
  });
  return created ? 'created' : 'updated';
}

export const visitsFromOpenmrs: Stream<Encounter, VisitOrigins> = {
  name: VISITS_FROM_OPENMRS,
  changes: (context, since) =>
    pagesOf<Encounter>(context.openmrs.changedVisits(since, context.limits.pageSize), 'Encounter'),
  groupOf: (visit) => visit.subject?.reference ?? `Encounter/${visit.id}`,
  prepare: (context, page) =>
    visitOrigins(
      context,
      page.filter((v) => isVisit(v) && v.period?.end).map((v) => v.id as string),
    ),
  sync: syncVisitFromOpenmrs,
  async retry(context, focus) {
    return syncVisitFromOpenmrs(
      context,
      await context.openmrs.fhir.read('Encounter', focus.replace(/^Encounter\//, '')),
    );
  },
};

/** Each changed observation's encounter, when the page included it (`_include=Observation:encounter`). */
const includedEncounter = new WeakMap<Observation, Encounter>();

async function* changedObservations(context: SyncContext, since: string): AsyncGenerator<Observation[]> {
  const pages = context.openmrs.changePages('Observation', {
    _lastUpdated: `ge${since}`,
    _sort: '_lastUpdated',
    _count: context.limits.pageSize,
    _include: 'Observation:encounter',
  });
  let first: Bundle | undefined;
  for await (const page of pages) {
    first ??= page;
    const resources = (page.entry ?? []).map((e) => e.resource);
    const encounters = new Map(
      resources.filter((r): r is Encounter => r?.resourceType === 'Encounter').map((e) => [e.id, e]),
    );
    const observations = resources.filter((r): r is Observation => r?.resourceType === 'Observation');
    for (const observation of observations) {
      const encounter = encounters.get(referenceId(observation.encounter?.reference));
      if (encounter) includedEncounter.set(observation, encounter);
    }
    yield pageOf(observations, page, first);
  }
}

/**
 * An observation changed in OpenMRS: its visit is synced again (unchanged visits cost a hash compare).
 * Our own observations coming back are recognised from their visit id alone, without reading OpenMRS.
 */
async function syncObservationVisit(
  context: SyncContext,
  observation: Observation,
  origins?: VisitOrigins,
): Promise<ItemOutcome> {
  const encounterUuid = referenceId(observation.encounter?.reference);
  if (!encounterUuid) return 'skipped';
  const encounter =
    includedEncounter.get(observation) ?? (await context.openmrs.fhir.read('Encounter', encounterUuid));
  const visitUuid = referenceId(encounter.partOf?.reference);
  if (!visitUuid || (await madeFromChtReport(context, visitUuid, origins))) return 'skipped';
  return syncVisitFromOpenmrs(context, await context.openmrs.fhir.read('Encounter', visitUuid));
}

export const observationsFromOpenmrs: Stream<Observation, VisitOrigins> = {
  name: OBSERVATIONS_FROM_OPENMRS,
  changes: changedObservations,
  groupOf: (observation) => observation.subject?.reference ?? `Observation/${observation.id}`,
  prepare: (context, page) =>
    visitOrigins(
      context,
      page
        .map((o) => referenceId(includedEncounter.get(o)?.partOf?.reference))
        .filter((uuid): uuid is string => Boolean(uuid)),
    ),
  sync: syncObservationVisit,
  async retry(context, focus) {
    return syncObservationVisit(
      context,
      await context.openmrs.fhir.read('Observation', focus.replace(/^Observation\//, '')),
    );
  },
};
