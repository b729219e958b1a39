// Encounters between the FHIR server's copy and OpenMRS (pure).
// To OpenMRS (openmrs-fhir2.md §5–§6): one visit (visit-type coding, with an end: O3 forbids open
// overlapping visits), one encounter `partOf` it, one Observation per mapped entry with a value of the
// concept's datatype. From OpenMRS: a completed visit and its encounters' observations become the body
// of a CHT record (cht.md §2.1), keys in lower case because the records API lower-cases them anyway.
import type { CodeableConcept, Encounter, Observation } from 'fhir/r4';
import { DateTime } from 'luxon';
import { ENCOUNTER_TYPE_SYSTEM, VISIT_TYPE_SYSTEM } from '../openmrs/openmrs-fhir';
import {
  isConceptUuid,
  type FormToOpenmrs,
  type ObservationMapping,
  type ValueType,
  type VisitToCht,
} from '@cht-openmrs/common';

/** A value that cannot become what the mapping says: no retry fixes it, so the item is parked. */
export class MappingValueError extends Error {
  override name = 'MappingValueError';
}

export interface PlannedObservation {
  /** The id of the FHIR Observation it comes from. */
  sourceId: string;
  body: Observation;
}

export interface VisitPlan {
  visit: Encounter;
  encounter: (visitUuid: string) => Encounter;
  observations: (encounterUuid: string) => PlannedObservation[];
  /** Codes of observations the mapping does not name. */
  skipped: string[];
}

const reference = (type: string, id: string) => ({ reference: `${type}/${id}`, type });

export function codeOf(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.find((c) => c.code)?.code;
}

/** OpenMRS keeps whole seconds and refuses times in the future; CHT times are in ms. */
function seconds(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' })
    .startOf('second')
    .toISO({ suppressMilliseconds: true }) as string;
}

export function planVisit(
  encounter: Encounter,
  observations: Observation[],
  openmrsPatientUuid: string,
  form: FormToOpenmrs,
  locationUuid: string,
): VisitPlan {
  const startedAt = encounter.period?.start ?? encounter.period?.end;
  if (!startedAt) throw new MappingValueError(`Encounter/${encounter.id} has no period.start`);
  const start = seconds(startedAt);
  const end = DateTime.fromISO(start)
    .plus({ minutes: form.visitDurationMinutes })
    .toUTC()
    .toISO({ suppressMilliseconds: true }) as string;
  const subject = reference('Patient', openmrsPatientUuid);
  const location = [{ location: reference('Location', locationUuid) }];
  const skipped: string[] = [];
  const mapped: [Observation, ObservationMapping][] = [];
  for (const observation of observations) {
    const code = codeOf(observation.code) ?? '';
    const mapping = form.observations[code] ?? unlistedMapping(observation, code, form);
    if (mapping) mapped.push([observation, mapping]);
    else skipped.push(code);
  }
  // Convert now, so a bad value is found before anything is written to OpenMRS.
  const values = mapped.map(([observation, mapping]) => valueFor(observation, mapping));
  return {
    visit: {
      resourceType: 'Encounter',
      status: 'unknown',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
      type: [{ coding: [{ system: VISIT_TYPE_SYSTEM, code: form.visitType }] }],
      subject,
      location,
      period: { start, end },
    },
    encounter: (visitUuid) => ({
      resourceType: 'Encounter',
      status: 'unknown',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
      type: [{ coding: [{ system: ENCOUNTER_TYPE_SYSTEM, code: form.encounterType }] }],
      subject,
      location,
      partOf: reference('Encounter', visitUuid),
      period: { start },
    }),
    observations: (encounterUuid) =>
      mapped.map(([source, mapping], i) => ({
        sourceId: source.id as string,
        body: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ code: mapping.concept }] },
          subject,
          encounter: reference('Encounter', encounterUuid),
          effectiveDateTime: start,
          ...values[i],
        },
      })),
    skipped,
  };
}

/** The CHT docs' default for a code the form does not list: the concept of that uuid, typed by value[x]. */
function unlistedMapping(
  observation: Observation,
  code: string,
  form: FormToOpenmrs,
): ObservationMapping | undefined {
  if (form.unlisted !== 'by-code' || !isConceptUuid(code)) return undefined;
  const valueType: ValueType | undefined =
    observation.valueQuantity || observation.valueInteger !== undefined
      ? 'numeric'
      : observation.valueCodeableConcept
        ? 'coded'
        : observation.valueBoolean !== undefined
          ? 'boolean'
          : observation.valueDateTime || observation.valueTime
            ? 'datetime'
            : observation.valueString !== undefined
              ? 'text'
              : undefined;
  return valueType && { concept: code, valueType };
}

function rawValue(observation: Observation): string | number | boolean | undefined {
  return (
    observation.valueQuantity?.value ??
    observation.valueInteger ??
    codeOf(observation.valueCodeableConcept) ??
    observation.valueString ??
    observation.valueBoolean ??
    observation.valueDateTime ??
    observation.valueTime
  );
}

/** The value of an Observation as the concept's datatype wants it; MappingValueError names what is wrong. */
export function valueFor(observation: Observation, mapping: ObservationMapping): Partial<Observation> {
  const raw = rawValue(observation);
  const fail = (expected: string): never => {
    throw new MappingValueError(
      `Observation/${observation.id} (${codeOf(observation.code)}): concept ${mapping.concept} is ${mapping.valueType}, got ${JSON.stringify(raw)}; expected ${expected}`,
    );
  };
  if (raw === undefined) return fail('a value');
  switch (mapping.valueType) {
    case 'numeric': {
      const value =
        typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      return Number.isFinite(value) ? { valueQuantity: { value } } : fail('a number');
    }
    case 'coded': {
      const code = String(raw);
      const answer = mapping.answers?.[code] ?? code;
      return /^[A-Za-z0-9-]{36}$/.test(answer)
        ? { valueCodeableConcept: { coding: [{ code: answer }] } }
        : fail(
            `an answer concept uuid, or a value listed in answers (${Object.keys(mapping.answers ?? {}).join(', ') || 'none'})`,
          );
    }
    case 'text':
      return { valueString: String(raw) };
    case 'datetime': {
      const parsed = typeof raw === 'string' ? DateTime.fromISO(raw, { setZone: true }) : undefined;
      return parsed?.isValid ? { valueDateTime: raw as string } : fail('an ISO date or date-time');
    }
    case 'boolean': {
      const truth: Record<string, boolean> = {
        true: true,
        yes: true,
        '1': true,
        false: false,
        no: false,
        '0': false,
      };
      const value = typeof raw === 'boolean' ? raw : truth[String(raw).toLowerCase()];
      return value === undefined ? fail('true or false') : { valueBoolean: value };
    }
  }
}

/** The text a CHT field gets for an OpenMRS observation value. */
export function chtValueOf(observation: Observation): string | undefined {
  const concept = observation.valueCodeableConcept;
  const value =
    observation.valueQuantity?.value ??
    observation.valueInteger ??
    (concept ? (concept.text ?? concept.coding?.[0]?.display ?? codeOf(concept)) : undefined) ??
    observation.valueString ??
    observation.valueBoolean ??
    observation.valueDateTime ??
    observation.valueTime;
  return value === undefined ? undefined : String(value);
}

export interface ChtRecord {
  _meta: { form: string; reported_date: number };
  [field: string]: unknown;
}

/** A completed OpenMRS visit as the body of `POST /api/v2/records`. */
export function recordForCht(
  visit: Encounter,
  observations: Observation[],
  chtPatientDocId: string,
  mapping: VisitToCht,
): ChtRecord {
  const ended = visit.period?.end ?? visit.period?.start ?? new Date().toISOString();
  const record: ChtRecord = {
    _meta: { form: mapping.form, reported_date: Date.parse(ended) },
    patient_id: chtPatientDocId,
    openmrs_visit_uuid: visit.id,
    visit_type: visit.type?.[0]?.coding?.[0]?.display ?? mapping.visitType,
    visit_date: visit.period?.start?.slice(0, 10),
  };
  const ordered = [...observations].sort((a, b) =>
    (a.effectiveDateTime ?? '').localeCompare(b.effectiveDateTime ?? ''),
  );
  for (const observation of ordered) {
    const concept = codeOf(observation.code);
    const value = chtValueOf(observation);
    if (!concept || value === undefined) continue;
    record[(mapping.fields[concept] ?? concept).toLowerCase()] = value; // the latest observation of a concept wins
  }
  return record;
}
