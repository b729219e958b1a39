// A record's path across the systems, built from what was gathered (pure): the FHIR resource and its
// versions (the version that first carried a link is when that step happened), the retry queue's item,
// OpenHIM's pushes, what OpenMRS holds now, and the run history (which run, and which OpenHIM
// transaction, wrote a version at a given time).
import type { Encounter, Observation, Patient, Resource } from 'fhir/r4';
import { identifierOf, NAMESPACE, originOf } from '@cht-openmrs/common';
import type { QueuedItem } from '../sync/retry-queue';
import { formOf } from '../sync/streams/encounters-to-openmrs';
import { nameOf, stateOf } from './failure-rows';

export interface TransactionRef {
  id: string;
  status?: string;
  time?: string;
  /** Not an OpenHIM transaction: a run started from the console, or one older than the run history. */
  note?: string;
}

export interface LineageStep {
  system: 'CHT' | 'FHIR server' | 'OpenMRS';
  what: string;
  id: string;
  version?: string;
  time?: string;
  status: string;
  detail?: string;
  transactions?: TransactionRef[];
}

export interface LineageRecord {
  kind: 'patient' | 'report';
  title: string;
  origin: string;
  steps: LineageStep[];
  /** Other records to follow (a patient's reports, a report's patient). */
  related: { label: string; id: string }[];
}

export interface Version {
  version: string;
  time: string;
  resource: Resource;
}

/** A run's summary as the sync state keeps it (SyncReport: startedAt, durationMs, transactionId, trigger…). */
export type RunRecord = Record<string, unknown>;

export interface ReportFacts {
  encounter: Encounter;
  versions: Version[];
  observations: Observation[];
  patient?: Patient | undefined;
  item?: QueuedItem | undefined;
  pushes: TransactionRef[];
  /** Each linked OpenMRS observation uuid → what OpenMRS holds now (undefined: not found). */
  live: Map<string, Observation | undefined>;
}

export interface PatientFacts {
  patient: Patient;
  versions: Version[];
  reports: Encounter[];
  item?: QueuedItem | undefined;
  pushes: TransactionRef[];
}

export const VISIT_SYSTEM = `${NAMESPACE}/identifier/openmrs-visit-uuid`;
export const JOINED_VISIT_SYSTEM = `${NAMESPACE}/identifier/openmrs-joined-visit-uuid`;
const OBSERVATION_LINKS = `${NAMESPACE}/StructureDefinition/openmrs-observations`;

/** FHIR Observation id → OpenMRS obs uuid, from the Encounter's link extension. */
export function observationLinks(encounter: Encounter): Record<string, string> {
  const value = encounter.extension?.find((e) => e.url === OBSERVATION_LINKS)?.valueString;
  const links = value ? (JSON.parse(value) as Record<string, string>) : {};
  return Object.fromEntries(Object.entries(links).map(([id, link]) => [id, link.split('|')[0] as string]));
}

export function describeObservation(o: Observation): string {
  const code = o.code?.coding?.find((c) => c.code)?.code ?? o.code?.text ?? '';
  const value =
    o.valueQuantity?.value ??
    o.valueCodeableConcept?.coding?.[0]?.code ??
    o.valueCodeableConcept?.text ??
    o.valueString ??
    o.valueBoolean ??
    o.valueDateTime ??
    o.valueInteger;
  return `${code} = ${value === undefined ? '(no value)' : String(value)}`;
}

/** The run (and its OpenHIM transaction) that wrote a version at this time, from the run history. */
export function runAt(runs: RunRecord[], time: string | undefined): TransactionRef[] {
  if (!time) return [];
  const at = Date.parse(time);
  const run = runs.find((r) => {
    const start = Date.parse(String(r.startedAt));
    return start <= at && at <= start + Number(r.durationMs ?? 0) + 1000;
  });
  if (!run) return [{ id: '', note: `a sync run at ${time} (older than the run history)` }];
  const id = typeof run.transactionId === 'string' ? run.transactionId : '';
  const note = `sync run started ${String(run.startedAt)} from ${String(run.trigger ?? 'a direct call')}`;
  return [{ id, time: String(run.startedAt), ...(id ? {} : { note }) }];
}

function pendingOf(item: QueuedItem | undefined): string | undefined {
  return item ? `${stateOf(item)}: ${item.lastError}` : undefined;
}

function fhirStep(what: string, reference: string, versions: Version[]): LineageStep {
  const current = versions.at(-1);
  return {
    system: 'FHIR server',
    what,
    id: reference,
    ...(current ? { version: current.version, time: current.time } : {}),
    status: 'stored',
    detail: `versions: ${versions.map((v) => `${v.version} at ${v.time}`).join('; ')}`,
  };
}

const firstWith = (versions: Version[], test: (r: Resource) => boolean) =>
  versions.find((v) => test(v.resource));

export function reportRecord(facts: ReportFacts, runs: RunRecord[]): LineageRecord {
  const { encounter, versions, observations, patient, item } = facts;
  const origin = originOf(encounter) ?? 'unknown';
  const docId = identifierOf(encounter, 'chtDocumentId');
  const form = formOf(encounter);
  const visit =
    encounter.identifier?.find((i) => i.system === VISIT_SYSTEM) ??
    encounter.identifier?.find((i) => i.system === JOINED_VISIT_SYSTEM);
  const encounterUuid = identifierOf(encounter, 'openmrsUuid');
  const visitAt = firstWith(
    versions,
    (r) =>
      (r as Encounter).identifier?.some(
        (i) => i.system === VISIT_SYSTEM || i.system === JOINED_VISIT_SYSTEM,
      ) ?? false,
  );
  const encounterAt = firstWith(versions, (r) => identifierOf(r as Encounter, 'openmrsUuid') !== undefined);
  const chtAt = firstWith(versions, (r) => identifierOf(r as Encounter, 'chtDocumentId') !== undefined);
  const pending = pendingOf(item);

  const chtStep: LineageStep = {
    system: 'CHT',
    what: `CHT report${form ? ` (${form})` : ''}`,
    id: docId ?? '—',
    ...(encounter.period?.start ? { time: encounter.period.start } : {}),
    status: docId ? (origin === 'cht' ? 'reported' : 'created by the sync') : 'not in CHT yet',
    transactions: origin === 'cht' ? facts.pushes : runAt(runs, chtAt?.time),
  };
  const encounterStep = fhirStep('FHIR Encounter', `Encounter/${encounter.id as string}`, versions);
  const observationSteps: LineageStep[] = observations.map((o) => ({
    system: 'FHIR server',
    what: 'FHIR Observation',
    id: `Observation/${o.id as string}`,
    ...(o.meta?.versionId ? { version: o.meta.versionId } : {}),
    ...(o.meta?.lastUpdated ? { time: o.meta.lastUpdated } : {}),
    status: 'stored',
    detail: describeObservation(o),
  }));
  const sent = encounterAt?.time;
  const openmrsObservations: LineageStep[] = Object.entries(observationLinks(encounter)).map(
    ([sourceId, uuid]) => {
      const live = facts.live.get(uuid);
      const source = live ?? observations.find((o) => o.id === sourceId);
      return {
        system: 'OpenMRS',
        what: 'OpenMRS observation',
        id: uuid,
        ...(sent ? { time: sent } : {}),
        status: live ? 'in OpenMRS' : 'not found in OpenMRS now',
        detail: `from Observation/${sourceId}${source ? `: ${describeObservation(source)}` : ''}`,
        transactions: runAt(runs, sent),
      };
    },
  );
  const openmrsSteps: LineageStep[] = [
    {
      system: 'OpenMRS',
      what:
        visit?.system === JOINED_VISIT_SYSTEM ? 'OpenMRS visit (joined, made in OpenMRS)' : 'OpenMRS visit',
      id: visit?.value ?? '—',
      ...(visitAt ? { time: visitAt.time } : {}),
      status: visit?.value ? 'created' : (pending ?? 'not in OpenMRS yet'),
      transactions: runAt(runs, visitAt?.time),
    },
    {
      system: 'OpenMRS',
      what: 'OpenMRS encounter',
      id: encounterUuid ?? '—',
      ...(sent ? { time: sent } : {}),
      status: encounterUuid ? (pending ?? 'synced') : (pending ?? 'not in OpenMRS yet'),
      transactions: runAt(runs, sent),
    },
    ...openmrsObservations,
  ];
  // A visit made in OpenMRS comes back as a copy of the visit and its observations, then a CHT report.
  const fromOpenmrs: LineageStep = {
    system: 'OpenMRS',
    what: 'OpenMRS visit (completed in OpenMRS)',
    id: visit?.value ?? '—',
    ...(encounter.period?.start ? { time: encounter.period.start } : {}),
    status: 'completed in OpenMRS',
  };
  const steps =
    origin === 'openmrs'
      ? [
          fromOpenmrs,
          { ...encounterStep, transactions: runAt(runs, versions[0]?.time) },
          ...observationSteps,
          chtStep,
        ]
      : [chtStep, encounterStep, ...observationSteps, ...openmrsSteps];
  const name = patient ? (nameOf(patient) ?? patient.id) : undefined;
  return {
    kind: 'report',
    title: `${form ? `${form} report` : 'Report'}${name ? ` of ${name}` : ''}`,
    origin,
    steps,
    related: patient ? [{ label: `patient ${nameOf(patient) ?? ''}`.trim(), id: patient.id as string }] : [],
  };
}

export function patientRecord(facts: PatientFacts, runs: RunRecord[]): LineageRecord {
  const { patient, versions } = facts;
  const fhirId = patient.id as string;
  const origin = originOf(patient) ?? 'unknown';
  const docId = identifierOf(patient, 'chtDocumentId');
  const shortcode = identifierOf(patient, 'chtPatientId');
  const uuid = identifierOf(patient, 'openmrsUuid');
  const chtAt = firstWith(versions, (r) => identifierOf(r as Patient, 'chtDocumentId') !== undefined)?.time;
  const openmrsAt = firstWith(versions, (r) => identifierOf(r as Patient, 'openmrsUuid') !== undefined)?.time;
  const pending = pendingOf(facts.item);
  const unplaced = patient.meta?.tag?.find((t) => t.code === 'unplaced')?.display;
  const chtStep: LineageStep = {
    system: 'CHT',
    what: 'CHT person',
    id: docId ?? '—',
    ...(shortcode ? { detail: `shortcode ${shortcode}` } : {}),
    ...(chtAt ? { time: chtAt } : {}),
    status: docId
      ? origin === 'cht'
        ? 'registered by a CHW'
        : 'created by the sync'
      : (pending ?? (unplaced ? `unplaced: ${unplaced}` : 'not in CHT yet')),
    transactions: origin === 'cht' ? facts.pushes : runAt(runs, chtAt),
  };
  const openmrsStep: LineageStep = {
    system: 'OpenMRS',
    what: 'OpenMRS patient',
    id: uuid ?? '—',
    ...(openmrsAt ? { time: openmrsAt } : {}),
    status: uuid
      ? origin === 'openmrs'
        ? 'registered in OpenMRS'
        : (pending ?? 'synced')
      : (pending ?? 'not in OpenMRS yet'),
    transactions: origin === 'openmrs' ? [] : runAt(runs, openmrsAt),
  };
  const patientStep = fhirStep('FHIR Patient', `Patient/${fhirId}`, versions);
  return {
    kind: 'patient',
    title: `Patient ${nameOf(patient) ?? fhirId}`,
    origin,
    steps: origin === 'openmrs' ? [openmrsStep, patientStep, chtStep] : [chtStep, patientStep, openmrsStep],
    related: facts.reports.map((r) => ({
      label: `report ${formOf(r) ?? ''} ${r.period?.start ?? ''}`.replace(/\s+/g, ' ').trim(),
      id: r.id as string,
    })),
  };
}
