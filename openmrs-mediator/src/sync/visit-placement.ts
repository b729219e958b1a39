// Puts a CHT report into an OpenMRS visit (the I/O around mapping/visit-choice.ts): reads the patient's
// visits around the report's time, tells ours from OpenMRS users' own, then joins, extends or creates.
// Each step is one OpenMRS request and the choice is made again from OpenMRS's state on every run, so a
// run that dies between two requests leaves nothing the next run would choose differently.
import type { Encounter } from 'fhir/r4';
import { NAMESPACE, originOf, type FormToOpenmrs } from '@cht-openmrs/common';
import { chooseVisit, type KnownVisit, type Period } from '../mapping/visit-choice';
import { typeCode, VISIT_TYPE_SYSTEM } from '../openmrs/openmrs-fhir';
import type { SyncContext } from './context';

/** On a FHIR Encounter from CHT: the OpenMRS visit the sync made (or grew) for it. */
export const OPENMRS_VISIT_SYSTEM = `${NAMESPACE}/identifier/openmrs-visit-uuid`;
/** On a FHIR Encounter from CHT: the visit of OpenMRS users' it joined; that visit stays theirs. */
export const OPENMRS_JOINED_VISIT_SYSTEM = `${NAMESPACE}/identifier/openmrs-joined-visit-uuid`;

export interface PlacedVisit {
  uuid: string;
  ours: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Whether a report of ours already records this visit as made by the sync. */
async function recordedAsOurs(context: SyncContext, visitUuid: string): Promise<boolean> {
  const found = await context.fhir.findByIdentifier('Encounter', OPENMRS_VISIT_SYSTEM, visitUuid);
  return found.some((e) => originOf(e) === 'cht');
}

/**
 * A visit is ours when a report records it as made by the sync, or when it is exactly the visit this
 * report would make (its type, starting at the report's second): the one a run made before dying.
 */
async function known(
  context: SyncContext,
  visit: Encounter,
  at: number,
  visitType: string,
): Promise<KnownVisit> {
  const start = Date.parse(visit.period?.start as string);
  const end = visit.period?.end ? Date.parse(visit.period.end) : undefined;
  const ours =
    (start === at && typeCode(visit, VISIT_TYPE_SYSTEM) === visitType) ||
    (await recordedAsOurs(context, visit.id as string));
  return { id: visit.id as string, start, ...(end === undefined ? {} : { end }), ours };
}

/** The visit the report at `start` goes into, created or extended in OpenMRS when needed. */
export async function placeInVisit(
  context: SyncContext,
  patientUuid: string,
  start: string,
  form: FormToOpenmrs,
  newVisit: (period: Period) => Encounter,
): Promise<PlacedVisit> {
  const at = Date.parse(start);
  const duration = form.visitDurationMinutes * 60_000;
  const around = await context.openmrs.visitsAround(patientUuid, iso(at), iso(at + duration));
  const visits = await Promise.all(around.map((v) => known(context, v, at, form.visitType)));
  const choice = chooseVisit(at, duration, visits);
  if ('create' in choice) {
    const created = await context.openmrs.createEncounter(newVisit(choice.create));
    return { uuid: created.id as string, ours: true };
  }
  const joined = visits.find((v) => v.id === choice.join) as KnownVisit;
  if (choice.period) {
    const current = around.find((v) => v.id === choice.join) as Encounter;
    const { start: from, end: to } = choice.period;
    await context.openmrs.updateEncounter({ ...current, period: { start: iso(from), end: iso(to) } });
  }
  return { uuid: joined.id, ours: joined.ours };
}
