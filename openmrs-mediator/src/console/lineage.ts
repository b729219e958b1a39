// Lineage: from any id (CHT document id or shortcode, OpenMRS uuid, FHIR id, OpenHIM transaction id) to
// the record's path across the three systems, read from the link ledger (identifiers per system on the
// FHIR resources, the visit and observation links on Encounters), the FHIR versions (when each link was
// recorded), the retry queue (what is waiting or failed) and OpenHIM's log (which transaction carried it).
import type { Bundle, Encounter, Observation, Patient, Resource } from 'fhir/r4';
import {
  FhirGoneError,
  FhirNotFoundError,
  identifierOf,
  NAMESPACE,
  originOf,
  searchValue,
} from '@cht-openmrs/common';
import type { SyncContext } from '../sync/context';
import type { SyncStateStore } from '../sync/sync-state';
import { formOf, nameOf } from './failure-rows';
import type { OpenhimTransactions, TransactionSummary } from './openhim-transactions';

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

export interface Lineage {
  query: string;
  records: LineageRecord[];
  transaction?: TransactionSummary;
  /** When the id is a sync run's OpenHIM transaction: that run's report from the run history. */
  run?: Record<string, unknown>;
  /** No id matched and the records are the patients whose name matched. */
  byName?: boolean;
}

/** Patients listed when a name is searched instead of an id. */
const MAX_BY_NAME = 5;

interface Version {
  version: string;
  time: string;
  resource: Resource;
}

const VISIT_SYSTEM = `${NAMESPACE}/identifier/openmrs-visit-uuid`;
const JOINED_VISIT_SYSTEM = `${NAMESPACE}/identifier/openmrs-joined-visit-uuid`;
const OBSERVATION_LINKS = `${NAMESPACE}/StructureDefinition/openmrs-observations`;

async function orNothing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FhirNotFoundError || error instanceof FhirGoneError) return undefined;
    throw error;
  }
}

export class LineageReader {
  constructor(
    private readonly context: SyncContext,
    private readonly states: SyncStateStore,
    private readonly openhim: OpenhimTransactions,
  ) {}

  async trace(query: string): Promise<Lineage> {
    // "Patient/abc" as a failure names its item: the id is what follows the type
    const id = query.trim().replace(/^(Patient|Encounter|Observation)\//, '');
    const lineage: Lineage = { query: id, records: [] };
    if (!id) return lineage;
    const ids = new Set([id]);
    const transaction = await this.openhim.byId(id).catch(() => undefined);
    if (transaction) {
      lineage.transaction = transaction;
      const doc = transaction.properties?.chtDocument;
      if (typeof doc === 'string') ids.add(doc);
    }
    const patients = new Map<string, Patient>();
    const encounters = new Map<string, Encounter>();
    for (const value of ids) {
      const [byIdP, byIdE, obs] = await Promise.all([
        orNothing(() => this.context.fhir.read('Patient', value)),
        orNothing(() => this.context.fhir.read('Encounter', value)),
        orNothing(() => this.context.fhir.read('Observation', value)),
      ]);
      if (byIdP) patients.set(byIdP.id as string, byIdP);
      if (byIdE) encounters.set(byIdE.id as string, byIdE);
      const encounterOfObs = obs?.encounter?.reference?.replace(/^Encounter\//, '');
      if (encounterOfObs) {
        const e = await orNothing(() => this.context.fhir.read('Encounter', encounterOfObs));
        if (e) encounters.set(e.id as string, e);
      }
      for (const p of await this.context.fhir.searchAll('Patient', { identifier: searchValue(value) }))
        patients.set(p.id as string, p);
      for (const e of await this.context.fhir.searchAll('Encounter', { identifier: searchValue(value) }))
        encounters.set(e.id as string, e);
    }
    if (patients.size === 0 && encounters.size === 0) {
      // An OpenMRS observation uuid: OpenMRS names its encounter, which the ledger knows.
      const observation = await orNothing(() => this.context.openmrs.fhir.read('Observation', id)).catch(
        () => undefined,
      );
      const uuid = observation?.encounter?.reference?.replace(/^Encounter\//, '');
      if (uuid)
        for (const e of await this.context.fhir.searchAll('Encounter', { identifier: searchValue(uuid) }))
          encounters.set(e.id as string, e);
    }
    if (patients.size === 0 && encounters.size === 0 && /\p{L}{3}/u.test(id)) {
      // No id matched: a person's name ("where is this CHW's referral?"), its first few matches.
      const page = await this.context.fhir.search('Patient', { name: searchValue(id), _count: MAX_BY_NAME });
      for (const resource of (page.entry ?? []).map((e) => e.resource).slice(0, MAX_BY_NAME))
        if (resource?.resourceType === 'Patient') patients.set(resource.id as string, resource as Patient);
      if (patients.size > 0) lineage.byName = true;
    }
    const runs = (await this.states.read())?.history ?? [];
    const run = transaction && runs.find((r) => r.transactionId === transaction.id);
    if (run) lineage.run = run;
    for (const encounter of encounters.values()) lineage.records.push(await this.report(encounter, runs));
    for (const patient of patients.values()) lineage.records.push(await this.patient(patient, runs));
    await this.addStatuses(lineage.records);
    return lineage;
  }

  private async versions(type: 'Patient' | 'Encounter', id: string): Promise<Version[]> {
    const { data } = await this.context.fhir.http.get<Bundle>(`${type}/${encodeURIComponent(id)}/_history`, {
      params: { _count: 100 },
    });
    return (data.entry ?? [])
      .map((e) => e.resource as Resource)
      .filter(Boolean)
      .map((resource) => ({
        version: resource.meta?.versionId ?? '',
        time: resource.meta?.lastUpdated ?? '',
        resource,
      }))
      .sort((a, b) => Number(a.version) - Number(b.version));
  }

  private async pushes(docId: string | undefined): Promise<TransactionRef[]> {
    if (!docId) return [];
    const found = await this.openhim.withProperty('chtDocument', docId).catch(() => []);
    return found.map((t) => ({
      id: t.id,
      ...(t.status ? { status: t.status } : {}),
      ...(t.time ? { time: t.time } : {}),
    }));
  }

  private async report(encounter: Encounter, runs: Record<string, unknown>[]): Promise<LineageRecord> {
    const fhirId = encounter.id as string;
    const origin = originOf(encounter) ?? 'unknown';
    const [versions, observations, patient, item] = await Promise.all([
      this.versions('Encounter', fhirId),
      this.context.fhir.searchAll('Observation', { encounter: `Encounter/${fhirId}` }),
      this.subject(encounter),
      this.context.queue.find(
        origin === 'openmrs' ? 'visits-from-openmrs' : 'encounters-to-openmrs',
        `Encounter/${origin === 'openmrs' ? (identifierOf(encounter, 'openmrsUuid') ?? fhirId) : fhirId}`,
      ),
    ]);
    const docId = identifierOf(encounter, 'chtDocumentId');
    const form = formOf(encounter);
    const visit =
      encounter.identifier?.find((i) => i.system === VISIT_SYSTEM) ??
      encounter.identifier?.find((i) => i.system === JOINED_VISIT_SYSTEM);
    const encounterUuid = identifierOf(encounter, 'openmrsUuid');
    const links = JSON.parse(
      encounter.extension?.find((e) => e.url === OBSERVATION_LINKS)?.valueString ?? '{}',
    ) as Record<string, string>;
    const firstWith = (test: (r: Resource) => boolean) => versions.find((v) => test(v.resource));
    const visitAt = firstWith(
      (r) =>
        (r as Encounter).identifier?.some(
          (i) => i.system === VISIT_SYSTEM || i.system === JOINED_VISIT_SYSTEM,
        ) ?? false,
    );
    const encounterAt = firstWith((r) => identifierOf(r as Encounter, 'openmrsUuid') !== undefined);
    const chtAt = firstWith((r) => identifierOf(r as Encounter, 'chtDocumentId') !== undefined);
    const pending = item
      ? `${item.task.status === 'failed' ? 'parked' : item.task.status === 'on-hold' ? 'waiting' : 'queued'}: ${item.lastError}`
      : undefined;
    const current = versions.at(-1);

    const chtStep: LineageStep = {
      system: 'CHT',
      what: `CHT report${form ? ` (${form})` : ''}`,
      id: docId ?? '—',
      ...(encounter.period?.start ? { time: encounter.period.start } : {}),
      status: docId ? (origin === 'cht' ? 'reported' : 'created by the sync') : 'not in CHT yet',
      transactions: origin === 'cht' ? await this.pushes(docId) : this.runAt(runs, chtAt?.time),
    };
    const fhirStep: LineageStep = {
      system: 'FHIR server',
      what: 'FHIR Encounter',
      id: `Encounter/${fhirId}`,
      ...(current ? { version: current.version, time: current.time } : {}),
      status: 'stored',
      detail: `versions: ${versions.map((v) => `${v.version} at ${v.time}`).join('; ')}`,
    };
    const observationSteps: LineageStep[] = observations.map((o) => ({
      system: 'FHIR server',
      what: 'FHIR Observation',
      id: `Observation/${o.id}`,
      ...(o.meta?.versionId ? { version: o.meta.versionId } : {}),
      ...(o.meta?.lastUpdated ? { time: o.meta.lastUpdated } : {}),
      status: 'stored',
      detail: describeObservation(o),
    }));
    const openmrsSteps: LineageStep[] = [
      {
        system: 'OpenMRS',
        what:
          visit?.system === JOINED_VISIT_SYSTEM ? 'OpenMRS visit (joined, made in OpenMRS)' : 'OpenMRS visit',
        id: visit?.value ?? '—',
        ...(visitAt ? { time: visitAt.time } : {}),
        status: visit?.value ? 'created' : (pending ?? 'not in OpenMRS yet'),
        transactions: this.runAt(runs, visitAt?.time),
      },
      {
        system: 'OpenMRS',
        what: 'OpenMRS encounter',
        id: encounterUuid ?? '—',
        ...(encounterAt ? { time: encounterAt.time } : {}),
        status: encounterUuid ? (pending ?? 'synced') : (pending ?? 'not in OpenMRS yet'),
        transactions: this.runAt(runs, encounterAt?.time),
      },
      ...(await this.openmrsObservations(links, observations, encounterAt?.time, runs)),
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
            { ...fhirStep, transactions: this.runAt(runs, versions[0]?.time) },
            ...observationSteps,
            chtStep,
          ]
        : [chtStep, fhirStep, ...observationSteps, ...openmrsSteps];
    return {
      kind: 'report',
      title: `${form ? `${form} report` : 'Report'}${patient ? ` of ${nameOf(patient) ?? patient.id}` : ''}`,
      origin,
      steps,
      related: patient
        ? [{ label: `patient ${nameOf(patient) ?? ''}`.trim(), id: patient.id as string }]
        : [],
    };
  }

  private async openmrsObservations(
    links: Record<string, string>,
    observations: Observation[],
    time: string | undefined,
    runs: Record<string, unknown>[],
  ): Promise<LineageStep[]> {
    return Promise.all(
      Object.entries(links).map(async ([sourceId, link]) => {
        const uuid = link.split('|')[0] as string;
        const live = await orNothing(() => this.context.openmrs.fhir.read('Observation', uuid)).catch(
          () => undefined,
        );
        const source = observations.find((o) => o.id === sourceId);
        return {
          system: 'OpenMRS' as const,
          what: 'OpenMRS observation',
          id: uuid,
          ...(time ? { time } : {}),
          status: live ? 'in OpenMRS' : 'not found in OpenMRS now',
          detail: `from Observation/${sourceId}${live ? `: ${describeObservation(live)}` : source ? `: ${describeObservation(source)}` : ''}`,
          transactions: this.runAt(runs, time),
        };
      }),
    );
  }

  private async subject(encounter: Encounter): Promise<Patient | undefined> {
    const id = encounter.subject?.reference?.match(/^Patient\/(.+)$/)?.[1];
    return id ? orNothing(() => this.context.fhir.read('Patient', id)) : undefined;
  }

  private async patient(patient: Patient, runs: Record<string, unknown>[]): Promise<LineageRecord> {
    const fhirId = patient.id as string;
    const origin = originOf(patient) ?? 'unknown';
    const [versions, reports, item] = await Promise.all([
      this.versions('Patient', fhirId),
      this.context.fhir.searchAll('Encounter', { subject: `Patient/${fhirId}`, _count: 50 }),
      origin === 'openmrs'
        ? this.context.queue.find(
            'patients-from-openmrs',
            `Patient/${identifierOf(patient, 'openmrsUuid') ?? ''}`,
          )
        : this.context.queue.find('patients-to-openmrs', `Patient/${fhirId}`),
    ]);
    const docId = identifierOf(patient, 'chtDocumentId');
    const shortcode = identifierOf(patient, 'chtPatientId');
    const uuid = identifierOf(patient, 'openmrsUuid');
    const firstWith = (kind: 'chtDocumentId' | 'openmrsUuid') =>
      versions.find((v) => identifierOf(v.resource as Patient, kind) !== undefined);
    const pending = item
      ? `${item.task.status === 'failed' ? 'parked' : item.task.status === 'on-hold' ? 'waiting' : 'queued'}: ${item.lastError}`
      : undefined;
    const unplaced = patient.meta?.tag?.find((t) => t.code === 'unplaced')?.display;
    const current = versions.at(-1);
    const chtStep: LineageStep = {
      system: 'CHT',
      what: 'CHT person',
      id: docId ?? '—',
      ...(shortcode ? { detail: `shortcode ${shortcode}` } : {}),
      ...(firstWith('chtDocumentId')?.time ? { time: firstWith('chtDocumentId')?.time as string } : {}),
      status: docId
        ? origin === 'cht'
          ? 'registered by a CHW'
          : 'created by the sync'
        : (pending ?? (unplaced ? `unplaced: ${unplaced}` : 'not in CHT yet')),
      transactions:
        origin === 'cht' ? await this.pushes(docId) : this.runAt(runs, firstWith('chtDocumentId')?.time),
    };
    const fhirStep: LineageStep = {
      system: 'FHIR server',
      what: 'FHIR Patient',
      id: `Patient/${fhirId}`,
      ...(current ? { version: current.version, time: current.time } : {}),
      status: 'stored',
      detail: `versions: ${versions.map((v) => `${v.version} at ${v.time}`).join('; ')}`,
    };
    const openmrsStep: LineageStep = {
      system: 'OpenMRS',
      what: 'OpenMRS patient',
      id: uuid ?? '—',
      ...(firstWith('openmrsUuid')?.time ? { time: firstWith('openmrsUuid')?.time as string } : {}),
      status: uuid
        ? origin === 'openmrs'
          ? 'registered in OpenMRS'
          : (pending ?? 'synced')
        : (pending ?? 'not in OpenMRS yet'),
      transactions: origin === 'openmrs' ? [] : this.runAt(runs, firstWith('openmrsUuid')?.time),
    };
    return {
      kind: 'patient',
      title: `Patient ${nameOf(patient) ?? fhirId}`,
      origin,
      steps: origin === 'openmrs' ? [openmrsStep, fhirStep, chtStep] : [chtStep, fhirStep, openmrsStep],
      related: reports.map((r) => ({
        label: `report ${formOf(r) ?? ''} ${r.period?.start ?? ''}`.replace(/\s+/g, ' ').trim(),
        id: r.id as string,
      })),
    };
  }

  /** OpenHIM's status of each sync transaction named (pushes come with theirs). */
  private async addStatuses(records: LineageRecord[]): Promise<void> {
    const refs = records
      .flatMap((r) => r.steps.flatMap((s) => s.transactions ?? []))
      .filter((t) => t.id && !t.status);
    const ids = [...new Set(refs.map((t) => t.id))];
    const found = await Promise.all(ids.map((id) => this.openhim.byId(id).catch(() => undefined)));
    const statuses = new Map(found.filter((t) => t?.status).map((t) => [t?.id, t?.status as string]));
    for (const ref of refs) {
      const status = statuses.get(ref.id);
      if (status) ref.status = status;
    }
  }

  /** The run (and its OpenHIM transaction) that wrote a version at this time, from the run history. */
  private runAt(runs: Record<string, unknown>[], time: string | undefined): TransactionRef[] {
    if (!time) return [];
    const at = Date.parse(time);
    const run = runs.find((r) => {
      const start = Date.parse(String(r.startedAt));
      return start <= at && at <= start + Number(r.durationMs ?? 0) + 1000;
    });
    if (!run) return [{ id: '', note: `a sync run at ${time} (older than the run history)` }];
    const id = typeof run.transactionId === 'string' ? run.transactionId : '';
    return [
      {
        id,
        time: String(run.startedAt),
        ...(id
          ? {}
          : {
              note: `sync run started ${String(run.startedAt)} from ${String(run.trigger ?? 'a direct call')}`,
            }),
      },
    ];
  }
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
