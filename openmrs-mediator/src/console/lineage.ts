// Lineage: from any id (CHT document id or shortcode, OpenMRS uuid, FHIR id, OpenHIM transaction id) to
// the records it names and what is known about each: the FHIR resource and its versions, its
// observations, its patient or reports, its retry-queue item, its OpenHIM pushes, what OpenMRS holds now.
// lineage-records.ts turns that into the record's path across the systems.
import type { Bundle, Encounter, Observation, Patient, Resource } from 'fhir/r4';
import { identifierOf, originOf, searchValue } from '@cht-openmrs/common';
import type { SyncContext } from '../sync/context';
import type { SyncStateStore } from '../sync/sync-state';
import {
  observationLinks,
  patientRecord,
  reportRecord,
  type LineageRecord,
  type TransactionRef,
  type Version,
  VISIT_SYSTEM,
} from './lineage-records';
import { readOrNothing } from './failure-rows';
import type { OpenhimApi, TransactionSummary } from './openhim-api';

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

export class LineageReader {
  constructor(
    private readonly context: SyncContext,
    private readonly states: SyncStateStore,
    private readonly openhim: OpenhimApi,
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
        readOrNothing(() => this.context.fhir.read('Patient', value)),
        readOrNothing(() => this.context.fhir.read('Encounter', value)),
        readOrNothing(() => this.context.fhir.read('Observation', value)),
      ]);
      if (byIdP) patients.set(byIdP.id as string, byIdP);
      if (byIdE) encounters.set(byIdE.id as string, byIdE);
      const encounterOfObs = obs?.encounter?.reference?.replace(/^Encounter\//, '');
      if (encounterOfObs) {
        const e = await readOrNothing(() => this.context.fhir.read('Encounter', encounterOfObs));
        if (e) encounters.set(e.id as string, e);
      }
      for (const p of await this.context.fhir.searchAll('Patient', { identifier: searchValue(value) }))
        patients.set(p.id as string, p);
      for (const e of await this.context.fhir.searchAll('Encounter', { identifier: searchValue(value) }))
        encounters.set(e.id as string, e);
    }
    if (patients.size === 0 && encounters.size === 0) {
      // An OpenMRS observation uuid: OpenMRS names its encounter, which the ledger knows.
      const observation = await readOrNothing(() => this.context.openmrs.fhir.read('Observation', id)).catch(
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
      .map((e) => e.resource)
      .filter((r): r is NonNullable<typeof r> => r !== undefined)
      .map((resource: Resource) => ({
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
    const fromOpenmrs = originOf(encounter) === 'openmrs';
    const uuids = Object.values(observationLinks(encounter));
    const [versions, observations, patient, item, pushes, live] = await Promise.all([
      this.versions('Encounter', fhirId),
      this.context.fhir.searchAll('Observation', { encounter: `Encounter/${fhirId}` }),
      this.subject(encounter),
      fromOpenmrs
        ? this.context.queue.find(
            'visits-from-openmrs',
            `Encounter/${encounter.identifier?.find((i) => i.system === VISIT_SYSTEM)?.value ?? fhirId}`,
          )
        : this.context.queue.find('encounters-to-openmrs', `Encounter/${fhirId}`),
      fromOpenmrs ? [] : this.pushes(identifierOf(encounter, 'chtDocumentId')),
      Promise.all(
        uuids.map(
          async (uuid) =>
            [
              uuid,
              await readOrNothing(() => this.context.openmrs.fhir.read('Observation', uuid)).catch(
                () => undefined,
              ),
            ] as const,
        ),
      ),
    ]);
    return reportRecord(
      {
        encounter,
        versions,
        observations,
        patient,
        item,
        pushes,
        live: new Map<string, Observation | undefined>(live),
      },
      runs,
    );
  }

  private async subject(encounter: Encounter): Promise<Patient | undefined> {
    const id = encounter.subject?.reference?.match(/^Patient\/(.+)$/)?.[1];
    return id ? readOrNothing(() => this.context.fhir.read('Patient', id)) : undefined;
  }

  private async patient(patient: Patient, runs: Record<string, unknown>[]): Promise<LineageRecord> {
    const fhirId = patient.id as string;
    const fromOpenmrs = originOf(patient) === 'openmrs';
    const [versions, reports, item, pushes] = await Promise.all([
      this.versions('Patient', fhirId),
      this.context.fhir.searchAll('Encounter', { subject: `Patient/${fhirId}`, _count: 50 }),
      fromOpenmrs
        ? this.context.queue.find(
            'patients-from-openmrs',
            `Patient/${identifierOf(patient, 'openmrsUuid') ?? ''}`,
          )
        : this.context.queue.find('patients-to-openmrs', `Patient/${fhirId}`),
      fromOpenmrs ? [] : this.pushes(identifierOf(patient, 'chtDocumentId')),
    ]);
    return patientRecord({ patient, versions, reports, item, pushes }, runs);
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
}
