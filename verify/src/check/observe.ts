// What each side holds, read through the same public APIs a person would use: OpenMRS's FHIR API, the
// CHT database, and the mediator's operator endpoints.
import type { Encounter, Observation, Patient } from 'fhir/r4';
import { JSON_BODY, type Real } from '../commands/real';
import type { Fields } from '../model/model';
import type { Failure } from './settle';

const ENCOUNTER_TAG = 'http://fhir.openmrs.org/ext/encounter-tag';

export interface ChtDoc {
  _id: string;
  name?: string;
  phone?: string;
  sex?: string;
  date_of_birth?: string;
  external_id?: string;
  form?: string;
  fields?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Observed {
  openmrsPatients: Patient[];
  encounters: Map<string, Encounter[]>;
  observations: Map<string, Observation[]>;
  chtPersons: ChtDoc[];
  chtVisitReports: ChtDoc[];
  failures: Failure[];
  unplaced: string[];
  /** CHT's outbound pushes still queued: the document, its configs and the last push's error. */
  outboundLeft: string[];
}

async function chtFind(real: Real, selector: Record<string, unknown>): Promise<ChtDoc[]> {
  const { data } = await real.world.chtApi.post('/medic/_find', { selector, limit: 100_000 }, JSON_BODY);
  return (data.docs ?? []) as ChtDoc[];
}

export async function observe(real: Real): Promise<Observed> {
  const { world } = real;
  const openmrsPatients = await world.openmrsFhir.searchAll('Patient', {});
  const encounters = new Map<string, Encounter[]>();
  const observations = new Map<string, Observation[]>();
  for (const patient of openmrsPatients) {
    const id = patient.id as string;
    encounters.set(
      id,
      await world.openmrsFhir.searchAll('Encounter', { patient: id, _tag: `${ENCOUNTER_TAG}|encounter` }),
    );
    observations.set(id, await world.openmrsFhir.searchAll('Observation', { patient: id }));
  }
  const status = (await world.mediatorA.get('/status')).data as { unplaced: { openmrsUuid: string }[] };
  const { data: outbound } = await world.chtControls.get('/outbound');
  const attempts = (outbound.attempts ?? []) as { docId: string; status?: number; error?: string }[];
  const outboundLeft = ((outbound.tasks ?? []) as { doc_id: string; queue: string[] }[]).map((task) => {
    const last = attempts.filter((a) => a.docId === task.doc_id).at(-1);
    return `${task.doc_id} (${task.queue.join(', ')}): ${last?.status ?? ''} ${last?.error ?? ''}`.trim();
  });
  return {
    openmrsPatients,
    encounters,
    observations,
    chtPersons: await chtFind(real, { type: 'person' }),
    chtVisitReports: await chtFind(real, { type: 'data_record', form: 'OPENMRS_VISIT' }),
    failures: (await world.mediatorA.get('/failures')).data as Failure[],
    unplaced: status.unplaced.map((u) => u.openmrsUuid),
    outboundLeft,
  };
}

export function chtFields(doc: ChtDoc): Fields {
  return {
    name: doc.name ?? '',
    phone: doc.phone ?? '',
    sex: doc.sex ?? '',
    birthDate: doc.date_of_birth ?? '',
  };
}

export function openmrsFields(patient: Patient): Fields {
  const name = patient.name?.[0];
  return {
    name: [...(name?.given ?? []), name?.family ?? ''].join(' '),
    phone: patient.telecom?.find((t) => t.system === 'phone' || !t.system)?.value ?? '',
    sex: patient.gender ?? '',
    birthDate: patient.birthDate ?? '',
  };
}

export const chtDocIdOf = (patient: Patient) =>
  patient.identifier?.find((i) => i.type?.text === 'CHT Document ID')?.value;
