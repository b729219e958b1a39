// CHT report → FHIR Encounter + one Observation per entry (pure). Ids are deterministic, so a re-push
// of the same report rewrites the same resources. A report whose patient is not on the FHIR server yet
// is kept with no subject and an "awaiting patient" tag naming the CHT patient, until the patient comes.
import { createHash } from 'node:crypto';
import type { Coding, DomainResource, Encounter, Observation, Reference } from 'fhir/r4';
import { makeIdentifier, NAMESPACE, withOrigin } from '@cht-openmrs/common';
import type { ChtObservation, ChtReport, ObservationValue } from '../push/payloads';
import { fhirIdFor } from './fhir-ids';
import { withRevision } from './cht-revision';

export const AWAITING_PATIENT_TAG_SYSTEM = `${NAMESPACE}/tag/awaiting-cht-patient`;
export const CHT_FORM_SYSTEM = `${NAMESPACE}/code-system/cht-form`;
/**
 * A hash of everything the report says, on its Encounter: any change to an observation changes the
 * Encounter too, so a sync that reads changed Encounters sees every edit of a report.
 */
export const REPORT_VERSION_EXTENSION = `${NAMESPACE}/StructureDefinition/cht-report-version`;
const HOME_HEALTH: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  code: 'HH',
  display: 'home health',
};

export interface MappedReport {
  encounter: Encounter;
  observations: Observation[];
}

export function encounterIdFor(reportId: string): string {
  return fhirIdFor('cht', reportId);
}

export function reportToFhir(report: ChtReport, subject: Reference | undefined): MappedReport {
  const encounterId = encounterIdFor(report.id);
  let encounter: Encounter = {
    resourceType: 'Encounter',
    id: encounterId,
    identifier: [makeIdentifier('chtDocumentId', report.id)],
    status: 'finished',
    class: HOME_HEALTH,
    period: { start: report.reportedDate, end: report.reportedDate },
  };
  if (report.form)
    encounter.type = [{ coding: [{ system: CHT_FORM_SYSTEM, code: report.form }], text: report.form }];
  if (subject) encounter.subject = subject;
  encounter = withOrigin(encounter, 'cht');
  if (!subject) encounter = awaiting(encounter, report.patientRef);
  const version = createHash('sha256')
    .update(JSON.stringify([report.reportedDate, report.form, report.observations]))
    .digest('hex');
  encounter.extension = [{ url: REPORT_VERSION_EXTENSION, valueString: version.slice(0, 32) }];
  encounter = withRevision(encounter, report.revision);

  const seen = new Map<string, number>();
  const observations = report.observations.map((observation) => {
    const occurrence = (seen.get(observation.code) ?? 0) + 1;
    seen.set(observation.code, occurrence);
    const id = fhirIdFor('cht-obs', report.id, observation.code, String(occurrence));
    return observationOf(observation, id, encounterId, report.reportedDate, subject);
  });
  return { encounter, observations };
}

function awaiting(encounter: Encounter, patientRef: string): Encounter {
  const tag = [...(encounter.meta?.tag ?? []), { system: AWAITING_PATIENT_TAG_SYSTEM, code: patientRef }];
  return { ...encounter, meta: { ...encounter.meta, tag } };
}

function observationOf(
  observation: ChtObservation,
  id: string,
  encounterId: string,
  effective: string,
  subject: Reference | undefined,
): Observation {
  const resource: Observation = {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ code: observation.code }], text: observation.code },
    encounter: { reference: `Encounter/${encounterId}` },
    effectiveDateTime: effective,
    ...valueOf(observation.value),
  };
  if (subject) resource.subject = subject;
  return withOrigin(resource, 'cht');
}

/** FHIR has no valueDecimal: a plain number is a Quantity without a unit. */
function valueOf(value: ObservationValue): Partial<Observation> {
  switch (value.type) {
    case 'string':
      return { valueString: value.value };
    case 'code':
      return { valueCodeableConcept: { coding: [{ code: value.value }], text: value.value } };
    case 'boolean':
      return { valueBoolean: value.value };
    case 'integer':
      return { valueInteger: value.value };
    case 'decimal':
      return { valueQuantity: { value: value.value } };
    case 'dateTime':
      return { valueDateTime: value.value };
    case 'time':
      return { valueTime: value.value };
    case 'quantity':
      return { valueQuantity: { value: value.value, ...(value.unit ? { unit: value.unit } : {}) } };
  }
}

/**
 * The resource CHT's report makes, keeping what other systems recorded on the stored one (their
 * identifiers and extensions, e.g. the OpenMRS visit a sync created for it): a re-push must not lose the
 * link and make the sync create a second visit.
 */
export function keepForeign<T extends DomainResource & { identifier?: Encounter['identifier'] }>(
  stored: T | undefined,
  next: T,
): T {
  if (!stored) return next;
  const systems = new Set(next.identifier?.map((i) => i.system));
  const urls = new Set(next.extension?.map((e) => e.url));
  const identifier = [
    ...(next.identifier ?? []),
    ...(stored.identifier ?? []).filter((i) => !systems.has(i.system)),
  ];
  const extension = [...(next.extension ?? []), ...(stored.extension ?? []).filter((e) => !urls.has(e.url))];
  return {
    ...next,
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(extension.length > 0 ? { extension } : {}),
  };
}

/** The awaiting-patient tag's code (the CHT patient reference), when the encounter still waits. */
export function awaitedPatientOf(encounter: Encounter): string | undefined {
  return encounter.meta?.tag?.find((t) => t.system === AWAITING_PATIENT_TAG_SYSTEM)?.code;
}

/** Links a waiting encounter and its observations to the patient that has now arrived. */
export function linkToPatient(mapped: MappedReport, subject: Reference): MappedReport {
  const tag = mapped.encounter.meta?.tag?.filter((t) => t.system !== AWAITING_PATIENT_TAG_SYSTEM) ?? [];
  return {
    encounter: { ...mapped.encounter, subject, meta: { ...mapped.encounter.meta, tag } },
    observations: mapped.observations.map((o) => ({ ...o, subject })),
  };
}
