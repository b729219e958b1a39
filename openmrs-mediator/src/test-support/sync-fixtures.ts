// Records as the real systems make them, for the sync's integration tests: CHT places, people and
// app-form reports written through the CHT stand-in's API (so CHT's outbound push runs with
// cht-config/app_settings.json, every answer a string), and reads of what OpenMRS then holds.
import type { Encounter, Patient } from 'fhir/r4';
import { identifierOf, identifierToken } from '@cht-openmrs/common';
import { ENCOUNTERS_ONLY, VISITS_ONLY } from '../openmrs/openmrs-fhir';
import type { SyncStack } from './sync-harness';

const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };

export interface ChtArea {
  id: string;
  placeId: string;
}

/** A district, a health centre and one CHW area (clinic) under them. */
export async function chtArea(stack: SyncStack): Promise<ChtArea> {
  const place = async (body: Record<string, unknown>) =>
    (await stack.chtApi.post('/api/v1/places', body, JSON_BODY)).data.id as string;
  const district = await place({ name: 'District', type: 'district_hospital' });
  const hc = await place({ name: 'Health centre', type: 'health_center', parent: district });
  const id = await place({ name: 'CHW area A', type: 'clinic', parent: hc });
  await stack.cht.sentinelPass();
  return { id, placeId: (await stack.chtApi.get(`/medic/${id}`)).data.place_id as string };
}

export async function chtPerson(
  stack: SyncStack,
  area: ChtArea,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const body = {
    name: 'Amina Wanjiru',
    type: 'person',
    role: 'patient',
    sex: 'female',
    date_of_birth: '1995-02-03',
    phone: '+254712000111',
    place: area.id,
    ...fields,
  };
  const id = (await stack.chtApi.post('/api/v1/people', body, JSON_BODY)).data.id as string;
  await stack.cht.sentinelPass();
  return id;
}

/** Edits a CHT document as the app does: the whole doc written back with its _rev. */
export async function editChtDoc(stack: SyncStack, id: string, fields: Record<string, unknown>) {
  const current = (await stack.chtApi.get(`/medic/${id}`)).data as Record<string, unknown>;
  await stack.chtApi.put(`/medic/${id}`, { ...current, ...fields }, JSON_BODY);
  await stack.cht.sentinelPass();
}

/** An app-form report (a `data_record`) of `form` about `patient`, reported at `at`. */
export async function chtReport(
  stack: SyncStack,
  id: string,
  patient: string,
  form: string,
  at: string,
  fields: Record<string, string>,
): Promise<void> {
  const doc = {
    _id: id,
    type: 'data_record',
    form,
    content_type: 'xml',
    reported_date: Date.parse(at),
    fields: { patient_uuid: patient, ...fields },
  };
  await stack.chtApi.put(`/medic/${id}`, doc, JSON_BODY);
  await stack.cht.sentinelPass();
}

export async function openmrsPatientOf(stack: SyncStack, docId: string): Promise<Patient> {
  const [patient, ...others] = await stack.openmrs.searchAll('Patient', {
    identifier: `CHT Document ID|${docId}`,
  });
  if (!patient || others.length > 0) throw new Error(`expected one OpenMRS patient for ${docId}`);
  return patient;
}

export function visitsOf(stack: SyncStack, patientUuid: string): Promise<Encounter[]> {
  return stack.openmrs.searchAll('Encounter', { patient: patientUuid, _tag: VISITS_ONLY, _sort: 'date' });
}

export function encountersOf(stack: SyncStack, patientUuid: string): Promise<Encounter[]> {
  return stack.openmrs.searchAll('Encounter', { patient: patientUuid, _tag: ENCOUNTERS_ONLY });
}

/** The FHIR server's copy of a patient, found by its CHT document id or its OpenMRS uuid. */
export async function fhirCopy(
  stack: SyncStack,
  kind: 'chtDocumentId' | 'openmrsUuid',
  value: string,
): Promise<Patient> {
  const [copy] = await stack.fhir.searchAll('Patient', { identifier: identifierToken(kind, value) });
  if (!copy) throw new Error(`no FHIR Patient with ${kind} ${value}`);
  return copy;
}

export const chtDocIdOf = (patient: Patient) => identifierOf(patient, 'chtDocumentId') as string;
