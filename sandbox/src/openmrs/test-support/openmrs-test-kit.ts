// Factories and a client for tests against the running OpenMRS stand-in over HTTP.
import axios, { type AxiosInstance } from 'axios';
import type { Patient } from 'fhir/r4';
import { openmrsId, startOpenmrsSandbox, type OpenmrsSandbox, type OpenmrsSandboxOptions } from '../index';
import { ciel } from '../model/seed';

export {
  encounterBody,
  ENCOUNTER_TYPE_SYSTEM,
  FACILITY_VISIT,
  HOME_VISIT,
  observationBody,
  OUTPATIENT_CLINIC,
  visitBody,
  VISIT_NOTE,
  VISIT_TYPE_SYSTEM,
  WEIGHT,
} from './factories';
import { patientWith } from './factories';
export const SYSTOLIC = ciel(5085);
export const PREGNANCY_STATUS = ciel(5272);
export const YES = ciel(1065);
export const DANGER_SIGNS = ciel(1576);
export const LMP = ciel(1427);
export const REFERRED = ciel(1788);

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

export const patientBody = (overrides: Partial<Patient> = {}): Patient =>
  patientWith({ type: 'OpenMRS ID', value: nextOpenmrsId() }, overrides);

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
