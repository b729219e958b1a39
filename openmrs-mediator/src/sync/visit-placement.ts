// Puts a CHT report into an OpenMRS visit (the I/O around mapping/visit-choice.ts): reads the patient's
// visits around the report's time, tells ours from OpenMRS users' own, then joins, extends or creates.
// Each step is one OpenMRS request and the choice is made again from OpenMRS's state on every run, so a
// run that dies between two requests leaves nothing the next run would choose differently.
// For a page of reports the visits of all its patients are read at once into a `VisitBook`, which
// the page's reports then keep up to date with their own writes (one patient's reports go in order).
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
  /** Made just now for this report: nothing else can be in it yet. */
  fresh?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The visits of a page's patients, read at once, and which of them reports of ours record. */
export class VisitBook {
  constructor(
    private readonly visits: Map<string, Encounter[]>,
    /** Patient uuid → the earliest time its visits were read back to. */
    private readonly from: Map<string, number>,
    private readonly recordedOurs: Set<string>,
  ) {}

  /** Reads the visits of these patients (uuid → earliest report time) in a few requests. */
  static async read(context: SyncContext, from: Map<string, number>, until: number): Promise<VisitBook> {
    const visits = await context.openmrs.visitsOfPatients(
      new Map([...from].map(([uuid, ms]) => [uuid, iso(ms)])),
      iso(until),
    );
    const ids = [...visits.values()].flat().map((v) => v.id as string);
    const recorded = ids.length
      ? await context.fhir.findByIdentifiers('Encounter', OPENMRS_VISIT_SYSTEM, ids)
      : [];
    const ours = new Set(
      recorded
        .filter((e) => originOf(e) === 'cht')
        .flatMap((e) => e.identifier ?? [])
        .filter((i) => i.system === OPENMRS_VISIT_SYSTEM)
        .map((i) => i.value as string),
    );
    return new VisitBook(visits, from, ours);
  }

  /** The patient's visits that started by `until` and had not ended before `from`; undefined: not read. */
  around(patientUuid: string, from: number, until: number): Encounter[] | undefined {
    const readFrom = this.from.get(patientUuid);
    if (readFrom === undefined || from < readFrom) return undefined;
    return (this.visits.get(patientUuid) ?? []).filter((v) => {
      const start = Date.parse(v.period?.start as string);
      const end = v.period?.end === undefined ? undefined : Date.parse(v.period.end);
      return start <= until && !(end !== undefined && end < from);
    });
  }

  isRecordedAsOurs(visitUuid: string): boolean {
    return this.recordedOurs.has(visitUuid);
  }

  recordOurs(visitUuid: string): void {
    this.recordedOurs.add(visitUuid);
  }

  /** A visit this run made or changed for a report: ours from now on. */
  wrote(patientUuid: string, visit: Encounter): void {
    const list = (this.visits.get(patientUuid) ?? []).filter((v) => v.id !== visit.id);
    this.visits.set(patientUuid, [...list, visit]);
    this.recordedOurs.add(visit.id as string);
  }
}

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
  book: VisitBook | undefined,
): Promise<KnownVisit> {
  const start = Date.parse(visit.period?.start as string);
  const end = visit.period?.end ? Date.parse(visit.period.end) : undefined;
  const ours =
    (start === at && typeCode(visit, VISIT_TYPE_SYSTEM) === visitType) ||
    (book ? book.isRecordedAsOurs(visit.id as string) : await recordedAsOurs(context, visit.id as string));
  return { id: visit.id as string, start, ...(end === undefined ? {} : { end }), ours };
}

/**
 * The visit the report at `start` goes into, created or extended in OpenMRS when needed. With a `book`
 * that holds the patient's visits, OpenMRS is only written to, and the book is kept up to date.
 */
export async function placeInVisit(
  context: SyncContext,
  patientUuid: string,
  start: string,
  form: FormToOpenmrs,
  newVisit: (period: Period) => Encounter,
  book?: VisitBook,
): Promise<PlacedVisit> {
  const at = Date.parse(start);
  const duration = form.visitDurationMinutes * 60_000;
  const fromBook = book?.around(patientUuid, at, at + duration);
  const around = fromBook ?? (await context.openmrs.visitsAround(patientUuid, iso(at), iso(at + duration)));
  const useBook = fromBook ? book : undefined;
  const visits = await Promise.all(around.map((v) => known(context, v, at, form.visitType, useBook)));
  const choice = chooseVisit(at, duration, visits);
  if ('create' in choice) {
    const created = await context.openmrs.createEncounter(newVisit(choice.create));
    book?.wrote(patientUuid, created);
    return { uuid: created.id as string, ours: true, fresh: true };
  }
  const joined = visits.find((v) => v.id === choice.join) as KnownVisit;
  if (choice.period) {
    const current = around.find((v) => v.id === choice.join) as Encounter;
    const { start: from, end: to } = choice.period;
    const updated = await context.openmrs.updateEncounter({
      ...current,
      period: { start: iso(from), end: iso(to) },
    });
    book?.wrote(patientUuid, updated);
  }
  if (joined.ours) book?.recordOurs(joined.id); // this report records it as ours (as the FHIR server will)
  return { uuid: joined.id, ours: joined.ours };
}
