// Gathers the failures list: each open retry Task with the person it concerns (name, CHT document id and
// shortcode, OpenMRS uuid), the report and form when it is one, the step, the error and its fix.
import type { Encounter, Patient } from 'fhir/r4';
import {
  FhirGoneError,
  FhirNotFoundError,
  IDENTIFIER_SYSTEMS,
  identifierOf,
  searchValue,
  type FhirClient,
} from '@cht-openmrs/common';
import { forEachGroup } from '../sync/concurrency';
import { formOf } from '../sync/streams/encounters-to-openmrs';
import type { SyncContext } from '../sync/context';
import type { QueuedItem } from '../sync/retry-queue';
import { errorKind, fixFor, stepOf } from './failure-text';

export interface PersonRef {
  name?: string;
  fhirId?: string;
  chtDocumentId?: string;
  chtPatientId?: string;
  openmrsUuid?: string;
}

export interface FailureRow {
  id: string;
  state: 'queued' | 'waiting' | 'parked';
  stream: string;
  step: string;
  focus: string;
  attempts: number;
  nextAttempt: string;
  error: string;
  kind: string;
  fix: string;
  person?: PersonRef;
  report?: { fhirId?: string; chtDocumentId?: string; form?: string; openmrsUuid?: string };
}

const FROM_OPENMRS = new Set(['patients-from-openmrs', 'visits-from-openmrs', 'observations-from-openmrs']);

export function nameOf(patient: Patient): string | undefined {
  const name = patient.name?.[0];
  return name?.text ?? ([...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || undefined);
}

export function personOf(patient: Patient): PersonRef {
  const ref: PersonRef = {};
  const set = (key: keyof PersonRef, value: string | undefined) => {
    if (value) ref[key] = value;
  };
  set('name', nameOf(patient));
  set('fhirId', patient.id);
  set('chtDocumentId', identifierOf(patient, 'chtDocumentId'));
  set('chtPatientId', identifierOf(patient, 'chtPatientId'));
  set('openmrsUuid', identifierOf(patient, 'openmrsUuid'));
  return ref;
}

/** What a read found, or nothing when the resource is not there (404) or gone (410). */
export async function readOrNothing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FhirNotFoundError || error instanceof FhirGoneError) return undefined;
    throw error;
  }
}

async function patientAt(fhir: FhirClient, reference: string | undefined): Promise<Patient | undefined> {
  const id = reference?.match(/^Patient\/(.+)$/)?.[1];
  return id ? readOrNothing(() => fhir.read('Patient', id)) : undefined;
}

/** The FHIR copy of an OpenMRS patient, found by the OpenMRS uuid in the ledger. */
async function patientCopy(context: SyncContext, uuid: string): Promise<Patient | undefined> {
  const [copy] = await context.fhir.findByIdentifier('Patient', IDENTIFIER_SYSTEMS.openmrsUuid, uuid);
  return copy;
}

/** The FHIR copy of an OpenMRS visit: it carries the visit uuid as an identifier (of the visit system). */
async function visitCopy(context: SyncContext, uuid: string): Promise<Encounter | undefined> {
  const found = await context.fhir.searchAll('Encounter', { identifier: searchValue(uuid) });
  return found.find((e) => e.identifier?.some((i) => i.value === uuid));
}

async function describe(
  context: SyncContext,
  item: QueuedItem,
): Promise<Pick<FailureRow, 'person' | 'report'>> {
  const [type, id = ''] = item.focus.split('/');
  if (type === 'Patient') {
    const patient = FROM_OPENMRS.has(item.stream)
      ? ((await patientCopy(context, id)) ?? (await readOrNothing(() => context.openmrs.readPatient(id))))
      : await patientAt(context.fhir, item.focus);
    const person = patient ? personOf(patient) : undefined;
    if (person && FROM_OPENMRS.has(item.stream)) person.openmrsUuid ??= id;
    return person ? { person } : {};
  }
  if (type === 'Encounter') {
    const encounter = FROM_OPENMRS.has(item.stream)
      ? await visitCopy(context, id)
      : await readOrNothing(() => context.fhir.read('Encounter', id));
    if (!encounter) return { report: FROM_OPENMRS.has(item.stream) ? { openmrsUuid: id } : { fhirId: id } };
    const patient = await patientAt(context.fhir, encounter.subject?.reference);
    const report: FailureRow['report'] = { fhirId: encounter.id as string };
    const docId = identifierOf(encounter, 'chtDocumentId');
    const form = formOf(encounter);
    const uuid = identifierOf(encounter, 'openmrsUuid') ?? (FROM_OPENMRS.has(item.stream) ? id : undefined);
    if (docId) report.chtDocumentId = docId;
    if (form) report.form = form;
    if (uuid) report.openmrsUuid = uuid;
    return { report, ...(patient ? { person: personOf(patient) } : {}) };
  }
  return {};
}

export function stateOf(item: QueuedItem): FailureRow['state'] {
  return item.task.status === 'failed' ? 'parked' : item.task.status === 'on-hold' ? 'waiting' : 'queued';
}

/** How many open items are looked up (two or three reads each) for one page; the rest are counted. */
export const MAX_ROWS = 500;

export async function failureRows(context: SyncContext): Promise<{ rows: FailureRow[]; total: number }> {
  const items = await context.queue.list(['failed', 'on-hold', 'requested']);
  const rows: FailureRow[] = [];
  await forEachGroup(
    items.slice(0, MAX_ROWS),
    (item) => item.task.id as string,
    context.limits.concurrency,
    async (item) => {
      rows.push({
        id: item.task.id as string,
        state: stateOf(item),
        stream: item.stream,
        step: stepOf(item.stream),
        focus: item.focus,
        attempts: item.attempts,
        nextAttempt: item.nextAttempt,
        error: item.lastError,
        kind: errorKind(item.lastError),
        fix: fixFor(item.lastError),
        ...(await describe(context, item).catch(() => ({}))),
      });
    },
  );
  // parked first, then by when they were last tried
  const order = { parked: 0, queued: 1, waiting: 2 };
  rows.sort((a, b) => order[a.state] - order[b.state] || a.nextAttempt.localeCompare(b.nextAttempt));
  return { rows, total: items.length };
}

/** Rows whose person, ids, form or error contain the words searched for (case-insensitive). */
export function matching(rows: FailureRow[], query: string): FailureRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows;
  return rows.filter((row) => {
    const text = JSON.stringify([row.person, row.report, row.focus, row.error, row.stream]).toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
