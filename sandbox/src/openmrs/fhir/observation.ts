// Observation as the FHIR2 module translates it and core's ObsValidator checks it (openmrs-fhir2.md §6):
// concepts resolved by uuid or by a configured concept-source URL, values checked against the
// concept's datatype, and the quirks (missing status and effectivePeriod are 500s, hasMember fails).
import { randomUUID } from 'node:crypto';
import type { CodeableConcept, Observation, Quantity } from 'fhir/r4';
import type { ObsRow, ObsStatus } from '../model/database';
import { CONCEPT_SOURCES, type Concept } from '../model/seed';
import { dbNow, fhirDateTime, fhirInstant, parseFhirDateTime, toDb } from '../model/time';
import { metaOf, type OpenmrsContext } from './context';
import { internalError, validationFailed, type FieldError } from './errors';
import { patientDisplay } from './patient';
import { referencedId, referenceTo, typedReferenceId } from './references';

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const CATEGORIES: Partial<Record<Concept['conceptClass'], string>> = {
  Test: 'laboratory',
  Procedure: 'procedure',
  Finding: 'exam',
};
const UCUM = new Set(['kg', 'cm', 'mmHg', 'Cel', '%', 'g/dL', 'mg/dL']);

export function codeableConcept(concept: Concept): CodeableConcept {
  const mapped = Object.entries(concept.mappings)
    .filter(([source]) => CONCEPT_SOURCES[source])
    .map(([source, code]) => ({ system: CONCEPT_SOURCES[source], code, display: concept.name }));
  return { coding: [{ code: concept.uuid, display: concept.name }, ...mapped], text: concept.name };
}

/** The first coding that resolves: no system = concept uuid; a system must be a concept-source URL (§6.2). */
export function resolveConcept(
  context: OpenmrsContext,
  code: CodeableConcept | undefined,
): Concept | undefined {
  for (const coding of code?.coding ?? []) {
    if (!coding.code) continue;
    if (!coding.system) {
      const concept = context.db.concept(coding.code);
      if (concept) return concept;
      continue;
    }
    const source = Object.entries(CONCEPT_SOURCES).find(([, url]) => url === coding.system)?.[0];
    const concept = source && context.db.concepts.find((c) => c.mappings[source] === coding.code);
    if (concept) return concept;
  }
  return undefined;
}

function valueToFhir(
  context: OpenmrsContext,
  row: ObsRow,
  concept: Concept | undefined,
): Partial<Observation> {
  const zone = context.clock.zone;
  switch (concept?.datatype) {
    case 'Boolean':
      return row.valueBoolean === undefined ? {} : { valueBoolean: row.valueBoolean };
    case 'Coded': {
      const answer = row.valueCoded ? context.db.concept(row.valueCoded) : undefined;
      return answer ? { valueCodeableConcept: codeableConcept(answer) } : {};
    }
    case 'Datetime':
    case 'Date':
      return row.valueDatetime === undefined ? {} : { valueDateTime: fhirDateTime(row.valueDatetime, zone) };
    case 'Numeric': {
      if (row.valueNumeric === undefined) return {};
      const units = concept.units;
      const quantity: Quantity = {
        value: concept.allowDecimal ? row.valueNumeric : Math.trunc(row.valueNumeric),
        ...(units ? { unit: units } : {}),
        ...(units && UCUM.has(units) ? { system: 'http://unitsofmeasure.org', code: units } : {}),
      };
      return { valueQuantity: quantity };
    }
    default:
      return row.valueText === undefined ? {} : { valueString: row.valueText };
  }
}

export function observationToFhir(context: OpenmrsContext, row: ObsRow): Observation {
  const { db, clock } = context;
  const concept = row.conceptUuid ? db.concept(row.conceptUuid) : undefined;
  const patient = row.personUuid ? db.patient(row.personUuid) : undefined;
  const encounter = row.encounterUuid ? db.encounter(row.encounterUuid) : undefined;
  const category = concept && CATEGORIES[concept.conceptClass];
  return {
    resourceType: 'Observation',
    id: row.uuid,
    meta: metaOf(row, clock.zone),
    status: row.status.toLowerCase() as Observation['status'],
    ...(category
      ? { category: [{ coding: [{ system: CATEGORY_SYSTEM, code: category, display: category }] }] }
      : {}),
    code: concept ? codeableConcept(concept) : { coding: [] },
    ...(patient ? { subject: referenceTo('Patient', patient.uuid, patientDisplay(context, patient)) } : {}),
    ...(encounter ? { encounter: referenceTo('Encounter', encounter.uuid) } : {}),
    ...(row.obsDatetime !== undefined
      ? { effectiveDateTime: fhirDateTime(row.obsDatetime, clock.zone) }
      : {}),
    issued: fhirInstant(row.dateCreated, clock.zone),
    ...valueToFhir(context, row, concept),
  };
}

const STATUSES: Record<string, ObsStatus> = {
  preliminary: 'PRELIMINARY',
  final: 'FINAL',
  amended: 'AMENDED',
};

export function newObsRow(context: OpenmrsContext): ObsRow {
  return { id: 0, uuid: randomUUID(), voided: false, dateCreated: dbNow(context.clock), status: 'FINAL' };
}

/** ObservationTranslatorImpl.toOpenmrsType; throws the module's 500s where it would (§6.2). */
export function applyObservation(context: OpenmrsContext, row: ObsRow, observation: Observation): void {
  const { db, clock } = context;
  if (!observation.status) throw internalError('java.lang.NullPointerException');
  const status = STATUSES[observation.status];
  if (status) row.status = status;
  const concept = resolveConcept(context, observation.code);
  if (concept) row.conceptUuid = concept.uuid;
  else delete row.conceptUuid;
  const personUuid = typedReferenceId(observation.subject, 'Patient');
  if (personUuid && db.patient(personUuid)) row.personUuid = personUuid;
  else delete row.personUuid;
  const encounterUuid = typedReferenceId(observation.encounter, 'Encounter');
  if (encounterUuid && db.encounter(encounterUuid)) row.encounterUuid = encounterUuid;
  else delete row.encounterUuid;
  if (observation.effectivePeriod || observation.effectiveInstant || observation.effectiveTiming) {
    const found = observation.effectivePeriod
      ? 'Period'
      : observation.effectiveInstant
        ? 'InstantType'
        : 'Timing';
    throw internalError(
      'org.hl7.fhir.exceptions.FHIRException',
      `Type mismatch: the type DateTimeType was expected, but ${found} was encountered`,
    );
  }
  const effective = observation.effectiveDateTime
    ? parseFhirDateTime(observation.effectiveDateTime, clock.zone)
    : undefined;
  if (effective) row.obsDatetime = toDb(effective.toMillis());
  else delete row.obsDatetime;

  delete row.valueNumeric;
  delete row.valueCoded;
  delete row.valueText;
  delete row.valueDatetime;
  delete row.valueBoolean;
  if (observation.valueQuantity?.value !== undefined) row.valueNumeric = observation.valueQuantity.value;
  if (observation.valueInteger !== undefined) row.valueNumeric = observation.valueInteger;
  if (observation.valueCodeableConcept) {
    const answer = resolveConcept(context, observation.valueCodeableConcept);
    if (answer) row.valueCoded = answer.uuid;
  }
  if (observation.valueDateTime) {
    const value = parseFhirDateTime(observation.valueDateTime, clock.zone);
    if (value) row.valueDatetime = toDb(value.toMillis());
  }
  if (observation.valueString !== undefined) row.valueText = observation.valueString;
  if (observation.valueBoolean !== undefined && concept?.datatype === 'Boolean') {
    row.valueBoolean = observation.valueBoolean;
  }
  const members = (observation.hasMember ?? [])
    .map((member) => referencedId(member))
    .filter((uuid): uuid is string => Boolean(uuid && db.obs(uuid)));
  if (members.length) {
    // Linking a saved member sets its obsGroup, which core's ImmutableObsInterceptor refuses (§6.2).
    throw internalError(
      'org.openmrs.api.UnchangeableObjectException',
      'Editing some fields on Obs is not allowed: obsGroup',
    );
  }
}

/** core's ObsValidator (§6.2). */
export function validateObservation(context: OpenmrsContext, row: ObsRow): void {
  const errors: FieldError[] = [];
  if (!row.personUuid) errors.push({ field: 'person', message: 'Cannot be empty or null' });
  if (row.obsDatetime === undefined)
    errors.push({ field: 'obsDatetime', message: 'Cannot be empty or null' });
  const concept = row.conceptUuid ? context.db.concept(row.conceptUuid) : undefined;
  if (!concept) errors.push({ field: 'concept', message: 'Cannot be empty or null' });
  else errors.push(...valueErrors(row, concept));
  if (errors.length) throw validationFailed(`obs id is ${row.id || 'null'}`, errors);
}

function valueErrors(row: ObsRow, concept: Concept): FieldError[] {
  const noValue =
    row.valueNumeric === undefined &&
    row.valueCoded === undefined &&
    row.valueText === undefined &&
    row.valueDatetime === undefined &&
    row.valueBoolean === undefined;
  const missing = (field: string): FieldError[] => [{ field, message: 'Cannot be empty or null' }];
  switch (concept.datatype) {
    case 'Boolean':
      return row.valueBoolean === undefined ? missing('valueBoolean') : [];
    case 'Coded':
      return row.valueCoded === undefined ? missing('valueCoded') : [];
    case 'Date':
    case 'Datetime':
      return row.valueDatetime === undefined ? missing('valueDatetime') : [];
    case 'Text':
      return row.valueText === undefined ? missing('valueText') : [];
    case 'Numeric': {
      const value = row.valueNumeric;
      if (value === undefined) return missing('valueNumeric');
      if (!concept.allowDecimal && !Number.isInteger(value))
        return [
          {
            field: 'valueNumeric',
            message:
              'Assigning decimal value to numeric concept with "Allowed decimal" property set to false is not allowed.',
          },
        ];
      if (concept.hiAbsolute !== undefined && value > concept.hiAbsolute)
        return [
          {
            field: 'valueNumeric',
            message: `Value exceeds the maximum allowed value of ${concept.hiAbsolute}`,
          },
        ];
      if (concept.lowAbsolute !== undefined && value < concept.lowAbsolute)
        return [
          {
            field: 'valueNumeric',
            message: `Value is below the minimum allowed value of ${concept.lowAbsolute}`,
          },
        ];
      return [];
    }
    default:
      return noValue ? [{ message: 'error.noValue' }] : [];
  }
}

/** Whether an update changes anything core would save (an unchanged PUT keeps the id, §6.3). */
export function observationChanged(before: ObsRow, after: ObsRow): boolean {
  const keys: (keyof ObsRow)[] = [
    'personUuid',
    'conceptUuid',
    'encounterUuid',
    'obsDatetime',
    'status',
    'valueNumeric',
    'valueCoded',
    'valueText',
    'valueDatetime',
    'valueBoolean',
  ];
  return keys.some((key) => before[key] !== after[key]);
}
