// Writes a CHT report as one FHIR transaction (Encounter + Observations: all or nothing), with only
// what changed: new or changed resources are PUT under their deterministic ids, observations no longer
// in the report are deleted, and an unchanged re-push writes nothing.
import type { Bundle, BundleEntry, Encounter, FhirResource, Observation, Patient } from 'fhir/r4';
import { tokenValue, toSearchParams, type FhirClient } from '@cht-openmrs/common';
import {
  AWAITING_PATIENT_TAG_SYSTEM,
  awaitedPatientOf,
  encounterIdFor,
  keepForeign,
  linkToPatient,
  reportToFhir,
  type MappedReport,
} from '../mapping/report-to-fhir';
import { sameContent } from '../mapping/same-content';
import { isOlder } from '../mapping/cht-revision';
import type { ChtReport } from '../push/payloads';
import { PatientStore, referenceTo, type WriteOutcome } from './patient-store';

export interface ReportResult {
  encounterId: string;
  outcome: WriteOutcome;
  /** True when the patient is not on the FHIR server yet: the report waits for it. */
  awaitingPatient: boolean;
}

export class ReportStore {
  constructor(
    private readonly fhir: FhirClient,
    private readonly patients: PatientStore,
  ) {}

  async upsert(report: ChtReport): Promise<ReportResult> {
    const encounterId = encounterIdFor(report.id);
    const { patient, stored } = await this.read(report.patientRef, encounterId);
    const mapped = reportToFhir(report, patient ? referenceTo(patient) : undefined);
    if (isOlder(mapped.encounter, stored?.encounter))
      return { encounterId, outcome: 'stale', awaitingPatient: !stored?.encounter.subject };
    const outcome = await this.write(mapped, stored);
    const result = { encounterId: mapped.encounter.id as string, outcome, awaitingPatient: !patient };
    if (patient) return result;
    // The patient may have arrived while this report was written: it then found nothing to link.
    const arrived = await this.patients.findByChtReference(report.patientRef);
    if (!arrived) return result;
    await this.linkWaitingReports(arrived, [report.patientRef]);
    return { ...result, awaitingPatient: false };
  }

  /** Links every report that waits for this patient (by any of its CHT references). Returns how many. */
  async linkWaitingReports(patient: Patient, chtReferences: string[]): Promise<number> {
    let linked = 0;
    for (const ref of chtReferences) {
      const waiting = await this.fhir.search('Encounter', {
        _tag: tokenValue(AWAITING_PATIENT_TAG_SYSTEM, ref),
        _revinclude: 'Observation:encounter',
        _count: 100,
      });
      const encounters = (waiting.entry ?? []).map((e) => e.resource).filter(isEncounter);
      for (const encounter of encounters) {
        const observations = (waiting.entry ?? [])
          .map((e) => e.resource)
          .filter(
            (r): r is Observation =>
              r?.resourceType === 'Observation' &&
              (r as Observation).encounter?.reference === `Encounter/${encounter.id}`,
          );
        const stored = { encounter, observations };
        await this.write(linkToPatient(stored, referenceTo(patient)), stored);
        linked += 1;
      }
    }
    return linked;
  }

  /** The report's patient and what is stored of the report, read in one request (a batch of searches). */
  private async read(patientRef: string, encounterId: string) {
    const reportSearch = toSearchParams({ _id: encounterId, _revinclude: 'Observation:encounter' });
    const answer = await this.fhir.batch(
      [
        ...PatientStore.chtReferenceSearches(patientRef),
        { request: { method: 'GET', url: `Encounter?${reportSearch}` } },
      ],
      { idempotent: true },
    );
    const bundles = (answer.entry ?? []).map((entry) => {
      if (!entry.response?.status.startsWith('200') || entry.resource?.resourceType !== 'Bundle')
        throw new Error(`the FHIR server answered a search of the batch with ${entry.response?.status}`);
      return entry.resource as Bundle;
    });
    const matches = (bundle: Bundle | undefined) =>
      (bundle?.entry ?? [])
        .filter((e) => e.search?.mode !== 'include')
        .map((e) => e.resource)
        .filter((r): r is Patient => r?.resourceType === 'Patient');
    const patient = PatientStore.fromChtReferenceSearches(patientRef, [
      matches(bundles[0]),
      matches(bundles[1]),
    ]);
    return { patient, stored: storedReport(bundles[2]) };
  }

  private async write(next: MappedReport, stored: MappedReport | undefined): Promise<WriteOutcome> {
    const entries: BundleEntry[] = [];
    const put = (resource: FhirResource) =>
      entries.push({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
    const encounter = keepForeign(stored?.encounter, next.encounter);
    if (!stored || !sameContent(stored.encounter, encounter)) put(encounter);
    const storedObservations = new Map(stored?.observations.map((o) => [o.id, o]));
    for (const fresh of next.observations) {
      const before = storedObservations.get(fresh.id);
      const observation = keepForeign(before, fresh);
      if (!before || !sameContent(before, observation)) put(observation);
      storedObservations.delete(fresh.id);
    }
    for (const gone of storedObservations.keys())
      entries.unshift({ request: { method: 'DELETE', url: `Observation/${gone}` } });
    if (entries.length === 0) return 'unchanged';
    await this.fhir.transaction(entries, { idempotent: true });
    // A linked report drops its awaiting tag; the FHIR server keeps tags across updates, so take it off.
    if (stored && !awaitedPatientOf(encounter)) {
      const awaitingTags = stored.encounter.meta?.tag?.filter(
        (t) => t.system === AWAITING_PATIENT_TAG_SYSTEM,
      );
      await this.fhir.removeTags('Encounter', encounter.id as string, awaitingTags ?? []);
    }
    return stored ? 'updated' : 'created';
  }
}

function storedReport(bundle: Bundle | undefined): MappedReport | undefined {
  const resources = (bundle?.entry ?? []).map((e) => e.resource);
  const encounter = resources.find(isEncounter);
  if (!encounter) return undefined;
  const observations = resources.filter((r): r is Observation => r?.resourceType === 'Observation');
  return { encounter, observations };
}

function isEncounter(resource: { resourceType: string } | undefined): resource is Encounter {
  return resource?.resourceType === 'Encounter';
}

export { encounterIdFor };
