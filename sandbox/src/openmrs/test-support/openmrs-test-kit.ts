// Factories and a client for tests against the running OpenMRS stand-in over HTTP.
import axios, { type AxiosInstance } from 'axios';
import type { Encounter, Observation, Patient } from 'fhir/r4';
import { openmrsId, startOpenmrsSandbox, type OpenmrsSandbox, type OpenmrsSandboxOptions } from '../index';
import { ciel } from '../model/seed';

export const HOME_VISIT = 'd66e9fe0-7d51-4801-a550-5d462ad1c944';
export const FACILITY_VISIT = '7b0f5697-27e3-40c4-8bae-f4049abfb4ed';
export const VISIT_NOTE = 'd7151f82-c1f3-4152-a605-2f9ea7414a79';
export const OUTPATIENT_CLINIC = '44c3efb0-2583-4c80-a79e-1f756a03c0a1';
export const WEIGHT = ciel(5089);
export const SYSTOLIC = ciel(5085);
export const PREGNANCY_STATUS = ciel(5272);
export const YES = ciel(1065);
export const DANGER_SIGNS = ciel(1576);
export const LMP = ciel(1427);
export const REFERRED = ciel(1788);
export const VISIT_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/visit-type';
export const ENCOUNTER_TYPE_SYSTEM = 'http://fhir.openmrs.org/code-system/encounter-type';

export interface Kit {
  sandbox: OpenmrsSandbox;
  /** Authenticated FHIR client (admin / Admin123); never throws on a status. */
  fhir: AxiosInstance;
  rest: AxiosInstance;
  /** Creates a patient and returns it (throws unless 201). */
  patient(overrides?: Partial<Patient>): Promise<Patient>;
  create<T>(body: T): Promise<T & { id: string }>;
  close(): Promise<void>;
}

let sequence = 0;
export const nextOpenmrsId = (): string => openmrsId(++sequence);

export function patientBody(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ use: 'official', type: { text: 'OpenMRS ID' }, value: nextOpenmrsId() }],
    name: [{ given: ['Amina'], family: 'Otieno' }],
    gender: 'female',
    birthDate: '1990-04-12',
    ...overrides,
  };
}

export function visitBody(patientId: string, start: string, end?: string, visitType = HOME_VISIT): Encounter {
  return {
    resourceType: 'Encounter',
    status: 'unknown',
    class: { code: 'AMB' },
    type: [{ coding: [{ system: VISIT_TYPE_SYSTEM, code: visitType }] }],
    subject: { reference: `Patient/${patientId}` },
    period: { start, ...(end ? { end } : {}) },
  };
}

export function encounterBody(patientId: string, start: string, visitId?: string): Encounter {
  return {
    resourceType: 'Encounter',
    status: 'unknown',
    class: { code: 'AMB' },
    type: [{ coding: [{ system: ENCOUNTER_TYPE_SYSTEM, code: VISIT_NOTE }] }],
    subject: { reference: `Patient/${patientId}` },
    period: { start },
    location: [{ location: { reference: `Location/${OUTPATIENT_CLINIC}` } }],
    ...(visitId ? { partOf: { reference: `Encounter/${visitId}` } } : {}),
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
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: '2024-05-01T10:00:00+00:00',
    ...value,
    ...extra,
  };
}

export async function startKit(options: OpenmrsSandboxOptions = {}): Promise<Kit> {
  const sandbox = await startOpenmrsSandbox(options);
  const fhir = axios.create({
    baseURL: sandbox.fhirUrl,
    auth: { username: 'admin', password: 'Admin123' },
    headers: { 'Content-Type': 'application/fhir+json' },
    validateStatus: () => true,
  });
  const rest = axios.create({
    baseURL: sandbox.restUrl,
    auth: { username: 'admin', password: 'Admin123' },
    validateStatus: () => true,
  });
  const create = async <T>(body: T) => {
    const type = (body as { resourceType: string }).resourceType;
    const response = await fhir.post(`/${type}`, body);
    if (response.status !== 201)
      throw new Error(`POST ${type} answered ${response.status}: ${JSON.stringify(response.data)}`);
    return response.data as T & { id: string };
  };
  return {
    sandbox,
    fhir,
    rest,
    create,
    patient: (overrides) => create(patientBody(overrides)),
    close: () => sandbox.close(),
  };
}

export const diagnostics = (data: unknown): string =>
  (data as { issue?: { diagnostics?: string }[] }).issue?.[0]?.diagnostics ?? JSON.stringify(data);
