// Writes a CHT report as one FHIR transaction (Encounter + Observations: all or nothing), with only
// what changed: new or changed resources are PUT under their deterministic ids, observations no longer
// in the report are deleted, and an unchanged re-push writes nothing.
import type { BundleEntry, Encounter, FhirResource, Observation, Patient } from 'fhir/r4';
import { tokenValue, type FhirClient } from '@cht-openmrs/common';
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
import type { ChtReport } from '../push/payloads';
import { referenceTo, type PatientStore, type WriteOutcome } from './patient-store';

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
    const patient = await this.patients.findByChtReference(report.patientRef);
    const mapped = reportToFhir(report, patient ? referenceTo(patient) : undefined);
    const stored = await this.storedReport(mapped.encounter.id as string);
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

  private async storedReport(encounterId: string): Promise<MappedReport | undefined> {
    const bundle = await this.fhir.search('Encounter', {
      _id: encounterId,
      _revinclude: 'Observation:encounter',
    });
    const resources = (bundle.entry ?? []).map((e) => e.resource);
    const encounter = resources.find(isEncounter);
    if (!encounter) return undefined;
    const observations = resources.filter((r): r is Observation => r?.resourceType === 'Observation');
    return { encounter, observations };
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

function isEncounter(resource: { resourceType: string } | undefined): resource is Encounter {
  return resource?.resourceType === 'Encounter';
}

export { encounterIdFor };
