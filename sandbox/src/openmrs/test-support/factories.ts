// Request bodies OpenMRS's FHIR2 API accepts, for tests, benchmarks and the demo: patients (with the
// address-hierarchy extension), visits, encounters, observations, and a completed visit made of them.
import type { Address, Encounter, Observation, Patient } from 'fhir/r4';
import { ciel } from '../model/seed';

export const HOME_VISIT = 'd66e9fe0-7d51-4801-a550-5d462ad1c944';
export const FACILITY_VISIT = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
export const VISIT_NOTE = 'd7151f82-c1f3-4152-a605-2f9ea7414a79';
export const VITALS = '67a71486-1a54-468f-ac3e-7091a9a79584';
export const OUTPATIENT_CLINIC = '44c3efb0-2583-4c80-a79e-1f756a03c0a1';
export const WEIGHT = ciel(5089);
export const VISIT_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/visit-type';
export const ENCOUNTER_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/encounter-type';
export const ADDRESS_EXTENSION = 'http://fhir.openmrs.org/ext/address';

/** A home address with `address1`…`address15` fields in OpenMRS's address extension. */
export function addressWith(fields: Record<string, string>): Address {
  return {
    use: 'home',
    extension: [
      {
        url: ADDRESS_EXTENSION,
        extension: Object.entries(fields).map(([field, value]) => ({
          url: `${ADDRESS_EXTENSION}#${field}`,
          valueString: value,
        })),
      },
    ],
  };
}

/** A patient with one official identifier of the named type. */
export function patientWith(
  identifier: { type: string; value: string },
  fields: Partial<Patient> = {},
): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ use: 'official', type: { text: identifier.type }, value: identifier.value }],
    name: [{ given: ['Amina'], family: 'Otieno' }],
    gender: 'female',
    birthDate: '1990-04-12',
    ...fields,
  };
}

export function visitBody(patientId: string, start: string, end?: string, visitType = HOME_VISIT): Encounter {
  return {
    resourceType: 'Encounter',
    status: 'unknown',
    class: { code: 'AMB' },
    type: [{ coding: [{ system: VISIT_TYPE_SYSTEM, code: visitType }] }],
    subject: { reference: `Patient/${patientId}`, type: 'Patient' },
    period: { start, ...(end ? { end } : {}) },
  };
}

export function encounterBody(
  patientId: string,
  start: string,
  visitId?: string,
  encounterType = VISIT_NOTE,
): Encounter {
  return {
    resourceType: 'Encounter',
    status: 'unknown',
    class: { code: 'AMB' },
    type: [{ coding: [{ system: ENCOUNTER_TYPE_SYSTEM, code: encounterType }] }],
    subject: { reference: `Patient/${patientId}`, type: 'Patient' },
    period: { start },
    location: [{ location: { reference: `Location/${OUTPATIENT_CLINIC}` } }],
    ...(visitId ? { partOf: { reference: `Encounter/${visitId}`, type: 'Encounter' } } : {}),
  };
}

export function observationBody(
  patientId: string,
  concept: string,
  value: Partial<Observation>,
  extra: Partial<Observation> = {},
): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ code: concept }] },
    subject: { reference: `Patient/${patientId}`, type: 'Patient' },
    effectiveDateTime: '2024-05-01T10:00:00+00:00',
    ...value,
    ...extra,
  };
}

/**
 * Records a completed visit as a clinic does: the visit (with an end), one encounter part of it, and a
 * numeric observation per concept. `create` posts a body to OpenMRS and answers the created resource.
 */
export async function recordCompletedVisit(
  create: <T extends Encounter | Observation>(body: T) => Promise<T>,
  patientId: string,
  visit: { type: string; encounterType: string; start: string; end: string; encounterAt: string },
  values: Record<string, number>,
): Promise<{ visit: Encounter; encounter: Encounter; observations: Observation[] }> {
  const created = await create(visitBody(patientId, visit.start, visit.end, visit.type));
  const encounter = await create(
    encounterBody(patientId, visit.encounterAt, created.id, visit.encounterType),
  );
  const observations: Observation[] = [];
  for (const [concept, value] of Object.entries(values)) {
    const body = observationBody(
      patientId,
      concept,
      { valueQuantity: { value } },
      {
        encounter: { reference: `Encounter/${encounter.id}`, type: 'Encounter' },
        effectiveDateTime: visit.encounterAt,
      },
    );
    observations.push(await create(body));
  }
  return { visit: created, encounter, observations };
}
