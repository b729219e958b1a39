// FHIR Encounter = OpenMRS Visit ∪ Encounter (openmrs-fhir2.md §5): routing by the type coding's
// system, output shapes, full-overwrite input, and core's EncounterValidator / VisitValidator texts.
import { randomUUID } from 'node:crypto';
import type { Encounter } from 'fhir/r4';
import { DateTime } from 'luxon';
import type { EncounterRow, VisitRow } from '../model/database';
import { dbNow, fhirDateTime, parseFhirDateTime, toDb } from '../model/time';
import { metaOf, type OpenmrsContext } from './context';
import { badRequest, validationFailed, type FieldError } from './errors';
import { patientDisplay } from './patient';
import { referencedId, referenceTo, typedReferenceId } from './references';

export const ENCOUNTER_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/encounter-type';
export const VISIT_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/visit-type';
export const ENCOUNTER_TAG_SYSTEM = 'http://fhir.openmrs.org/ext/encounter-tag';
const ENCOUNTER_CLASS = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' };

export type EncounterKind = 'visit' | 'encounter';

/** Which OpenMRS object a FHIR Encounter body makes: neither or both systems is a 400 (§5.1). */
export function kindOf(encounter: Encounter): EncounterKind {
  const systems = new Set((encounter.type ?? []).flatMap((t) => t.coding ?? []).map((c) => c.system));
  const isEncounter = systems.has(ENCOUNTER_TYPE_SYSTEM);
  const isVisit = systems.has(VISIT_TYPE_SYSTEM);
  if (isEncounter === isVisit) throw badRequest('Invalid type of request');
  return isVisit ? 'visit' : 'encounter';
}

const typeCode = (encounter: Encounter, system: string) =>
  (encounter.type ?? []).flatMap((t) => t.coding ?? []).find((c) => c.system === system)?.code;

function common(context: OpenmrsContext, row: VisitRow | EncounterRow, kind: EncounterKind) {
  const { db, clock } = context;
  const patient = row.patientUuid ? db.patient(row.patientUuid) : undefined;
  const location = row.locationUuid ? db.location(row.locationUuid) : undefined;
  return {
    resourceType: 'Encounter' as const,
    id: row.uuid,
    meta: {
      ...metaOf(row, clock.zone),
      tag: [{ system: ENCOUNTER_TAG_SYSTEM, code: kind, display: kind === 'visit' ? 'Visit' : 'Encounter' }],
    },
    status: 'unknown' as const,
    class: ENCOUNTER_CLASS,
    patient: patient ? referenceTo('Patient', patient.uuid, patientDisplay(context, patient)) : undefined,
    location: location ? [{ location: referenceTo('Location', location.uuid, location.name) }] : undefined,
  };
}

export function visitToFhir(context: OpenmrsContext, row: VisitRow): Encounter {
  const { patient, location, ...base } = common(context, row, 'visit');
  const type = context.db.visitTypes.find((t) => t.uuid === row.visitTypeUuid);
  const zone = context.clock.zone;
  return {
    ...base,
    type: [{ coding: [{ system: VISIT_TYPE_SYSTEM, code: row.visitTypeUuid, display: type?.name }] }],
    ...(patient ? { subject: patient } : {}),
    period: {
      ...(row.startDatetime !== undefined ? { start: fhirDateTime(row.startDatetime, zone) } : {}),
      ...(row.stopDatetime !== undefined ? { end: fhirDateTime(row.stopDatetime, zone) } : {}),
    },
    ...(location ? { location } : {}),
  };
}

export function encounterToFhir(context: OpenmrsContext, row: EncounterRow): Encounter {
  const { patient, location, ...base } = common(context, row, 'encounter');
  const { db, clock } = context;
  const type = db.encounterTypes.find((t) => t.uuid === row.encounterTypeUuid);
  const visit = row.visitUuid ? db.visit(row.visitUuid) : undefined;
  return {
    ...base,
    type: [{ coding: [{ system: ENCOUNTER_TYPE_SYSTEM, code: row.encounterTypeUuid, display: type?.name }] }],
    ...(patient ? { subject: patient } : {}),
    ...(row.providerUuids.length
      ? {
          participant: row.providerUuids.map((uuid) => ({
            individual: referenceTo('Practitioner', uuid, 'Super User'),
          })),
        }
      : {}),
    ...(row.encounterDatetime !== undefined
      ? { period: { start: fhirDateTime(row.encounterDatetime, clock.zone) } }
      : {}),
    ...(location ? { location } : {}),
    ...(visit ? { partOf: referenceTo('Encounter', visit.uuid) } : {}),
  };
}

function periodTime(context: OpenmrsContext, value: string | undefined): number | undefined {
  if (!value) return undefined;
  const parsed = parseFhirDateTime(value, context.clock.zone);
  return parsed ? toDb(parsed.toMillis()) : undefined;
}

function knownPatient(context: OpenmrsContext, encounter: Encounter): string | undefined {
  const uuid = typedReferenceId(encounter.subject, 'Patient');
  return uuid && context.db.patient(uuid) ? uuid : undefined;
}

function knownLocation(context: OpenmrsContext, encounter: Encounter): string | undefined {
  // The encounter-location translator skips the type check (§3).
  const uuid = referencedId(encounter.location?.[0]?.location);
  return uuid && context.db.location(uuid) ? uuid : undefined;
}

export function newVisitRow(context: OpenmrsContext): VisitRow {
  return { id: 0, uuid: randomUUID(), voided: false, dateCreated: dbNow(context.clock) };
}

export function newEncounterRow(context: OpenmrsContext): EncounterRow {
  return { id: 0, uuid: randomUUID(), voided: false, dateCreated: dbNow(context.clock), providerUuids: [] };
}

/** VisitTranslatorImpl: omitting `period.end` never reopens a visit (§5.4). */
export function applyVisit(context: OpenmrsContext, row: VisitRow, encounter: Encounter): void {
  const type = typeCode(encounter, VISIT_TYPE_SYSTEM);
  const visitType = context.db.visitTypes.find((t) => t.uuid === type && !t.retired);
  if (visitType) row.visitTypeUuid = visitType.uuid;
  else delete row.visitTypeUuid;
  const patientUuid = knownPatient(context, encounter);
  if (patientUuid) row.patientUuid = patientUuid;
  else delete row.patientUuid;
  const locationUuid = knownLocation(context, encounter);
  if (locationUuid) row.locationUuid = locationUuid;
  else delete row.locationUuid;
  const start = periodTime(context, encounter.period?.start);
  if (start !== undefined) row.startDatetime = start;
  const stop = periodTime(context, encounter.period?.end);
  if (stop !== undefined) row.stopDatetime = stop;
}

/** EncounterTranslatorImpl: a full overwrite of the mapped fields; no visit is assigned for you (§5.3). */
export function applyEncounter(context: OpenmrsContext, row: EncounterRow, encounter: Encounter): void {
  const { db } = context;
  const type = typeCode(encounter, ENCOUNTER_TYPE_SYSTEM);
  const encounterType = db.encounterTypes.find((t) => t.uuid === type && !t.retired);
  if (encounterType) row.encounterTypeUuid = encounterType.uuid;
  else delete row.encounterTypeUuid;
  const patientUuid = knownPatient(context, encounter);
  if (patientUuid) row.patientUuid = patientUuid;
  else delete row.patientUuid;
  const locationUuid = knownLocation(context, encounter);
  if (locationUuid) row.locationUuid = locationUuid;
  else delete row.locationUuid;
  const visitUuid = typedReferenceId(encounter.partOf, 'Encounter');
  const visit = visitUuid ? db.visit(visitUuid) : undefined;
  if (visit) row.visitUuid = visit.uuid;
  else delete row.visitUuid;
  row.encounterDatetime =
    periodTime(context, encounter.period?.start) ??
    periodTime(context, encounter.period?.end) ??
    row.encounterDatetime ??
    row.dateCreated;
  row.providerUuids = (encounter.participant ?? [])
    .map((p) => typedReferenceId(p.individual, 'Practitioner'))
    .filter((uuid): uuid is string => Boolean(uuid));
}

const encounterName = (context: OpenmrsContext, row: EncounterRow) => {
  const type = context.db.encounterTypes.find((t) => t.uuid === row.encounterTypeUuid)?.name ?? 'null';
  const when = row.encounterDatetime === undefined ? 'null' : new Date(row.encounterDatetime).toString();
  const location = (row.locationUuid && context.db.location(row.locationUuid)?.name) ?? 'null';
  return `Encounter: [${row.id || '(no ID)'} ${when} ${type} ${location} ${row.patientUuid ?? 'null'} ]`;
};

/** core's EncounterValidator (§5.3). */
export function validateEncounter(context: OpenmrsContext, row: EncounterRow): void {
  const errors: FieldError[] = [];
  if (!row.encounterTypeUuid) errors.push({ field: 'encounterType', message: 'Encounter type is Required' });
  if (!row.patientUuid) errors.push({ field: 'patient', message: 'Patient is Required' });
  if (row.encounterDatetime === undefined)
    errors.push({ field: 'encounterDatetime', message: 'Cannot be empty or null' });
  else if (row.encounterDatetime > context.clock.now())
    errors.push({
      field: 'encounterDatetime',
      message: 'The encounter datetime should be before the current date.',
    });
  const visit = row.visitUuid ? context.db.visit(row.visitUuid) : undefined;
  if (visit) {
    if (visit.patientUuid !== row.patientUuid)
      errors.push({
        field: 'visit',
        message: 'The encounter and the visit it belongs to must both belong to the same patient',
      });
    const when = row.encounterDatetime;
    const outside =
      when !== undefined &&
      ((visit.startDatetime !== undefined && when < visit.startDatetime) ||
        (visit.stopDatetime !== undefined && when > visit.stopDatetime));
    if (outside)
      errors.push({
        field: 'encounterDatetime',
        message: 'The encounter datetime should be between the visit start and stop dates.',
      });
  }
  if (errors.length) throw validationFailed(encounterName(context, row), errors);
}

export interface VisitRules {
  allowOverlappingVisits: boolean;
}

/** core's VisitValidator (§5.4), with the O3 rule that an open visit blocks any later one. */
export function validateVisit(
  context: OpenmrsContext,
  row: VisitRow,
  previous: VisitRow | undefined,
  rules: VisitRules,
): void {
  const { db } = context;
  const errors: FieldError[] = [];
  if (!row.patientUuid) errors.push({ field: 'patient', message: 'Cannot be empty or null' });
  if (!row.visitTypeUuid) errors.push({ field: 'visitType', message: 'Cannot be empty or null' });
  if (row.startDatetime === undefined)
    errors.push({ field: 'startDatetime', message: 'Start date is required' });
  const start = row.startDatetime;
  const stop = row.stopDatetime;
  if (start !== undefined && stop !== undefined && stop < start)
    errors.push({ field: 'stopDatetime', message: 'Stop date cannot be before start date' });
  const patient = row.patientUuid ? db.patient(row.patientUuid) : undefined;
  if (start !== undefined && patient?.birthdate) {
    const birth = DateTime.fromISO(patient.birthdate, { zone: context.clock.zone }).startOf(
      patient.birthdateEstimated ? 'year' : 'day',
    );
    if (start < birth.toMillis())
      errors.push({
        field: 'startDatetime',
        message: 'Start date should not be before the birth date of the patient',
      });
  }
  if (row.id) {
    for (const encounter of db.tables.encounters) {
      if (encounter.voided || encounter.visitUuid !== row.uuid || encounter.encounterDatetime === undefined)
        continue;
      if (start !== undefined && encounter.encounterDatetime < start)
        errors.push({
          field: 'startDatetime',
          message: 'This visit has encounters whose dates cannot be before the start date of the visit.',
        });
      if (stop !== undefined && encounter.encounterDatetime > stop)
        errors.push({
          field: 'stopDatetime',
          message: 'This visit has encounters whose dates cannot be after the stop date of the visit.',
        });
    }
  }
  const onlyEnding = previous && previous.stopDatetime === undefined && previous.startDatetime === start;
  if (!rules.allowOverlappingVisits && start !== undefined && row.patientUuid && !onlyEnding) {
    const overlaps = db
      .visitsOf(row.patientUuid)
      .some(
        (other) =>
          other.uuid !== row.uuid &&
          !other.voided &&
          other.patientUuid === row.patientUuid &&
          other.startDatetime !== undefined &&
          (stop === undefined || other.startDatetime <= stop) &&
          (other.stopDatetime === undefined || other.stopDatetime >= start),
      );
    if (overlaps)
      errors.push({
        field: 'startDatetime',
        message: 'This visit overlaps with another visit of the same patient.',
      });
  }
  if (errors.length) throw validationFailed(`Visit #${row.id || 'null'}`, errors);
}
