// The sync's promises, checked against the model once a history has settled (docs/ARCHITECTURE.md,
// "Invariants"): exactly once, convergence, no revert, liveness, no cross-talk. Each answers the
// violations it finds, one line each, naming the person or record.
import {
  expectedValues,
  FIELDS,
  normalise,
  type Field,
  type Fields,
  type Model,
  type Person,
} from '../model/model';
import { chtDocIdOf, chtFields, openmrsFields, type Observed } from './observe';
import type { Failure } from './settle';

export function exactlyOnce(model: Model, seen: Observed): string[] {
  const problems: string[] = [];
  const chtPersons = model.persons.filter((p) => p.origin === 'cht');
  const openmrsPersons = model.persons.filter((p) => p.origin === 'openmrs');
  for (const person of chtPersons) {
    const copies = seen.openmrsPatients.filter((p) => chtDocIdOf(p) === person.chtId);
    if (copies.length !== 1)
      problems.push(
        `exactly once: CHT person #${person.key} (${person.chtId}) is in OpenMRS ${copies.length} times`,
      );
  }
  for (const person of openmrsPersons) {
    const copies = seen.chtPersons.filter((d) => d.external_id === person.openmrsUuid);
    const expected = person.placeable ? 1 : 0;
    if (copies.length !== expected)
      problems.push(
        `exactly once: OpenMRS patient #${person.key} (${person.openmrsUuid}) is in CHT ${copies.length} times, expected ${expected}`,
      );
  }
  if (seen.openmrsPatients.length !== model.persons.length)
    problems.push(
      `exactly once: OpenMRS holds ${seen.openmrsPatients.length} patients, the model ${model.persons.length}`,
    );
  const inCht = chtPersons.length + openmrsPersons.filter((p) => p.placeable).length;
  if (seen.chtPersons.length !== inCht)
    problems.push(`exactly once: CHT holds ${seen.chtPersons.length} persons, the model ${inCht}`);

  for (const person of model.persons) {
    const uuid = uuidOf(person, seen);
    if (!uuid) continue;
    const reports = model.reports.filter((r) => r.personKey === person.key && r.mapped);
    const valid = reports.filter((r) => !r.invalid);
    const visits = model.visits.filter((v) => v.personKey === person.key);
    const encounters = seen.encounters.get(uuid)?.length ?? 0;
    const least = valid.length + visits.length;
    const most = least + (reports.length - valid.length);
    if (encounters < least || encounters > most)
      problems.push(
        `exactly once: #${person.key} has ${encounters} OpenMRS encounters, expected ${least === most ? least : `${least}..${most}`} (${valid.length} reports, ${visits.length} visits)`,
      );
    const observations = seen.observations.get(uuid)?.length ?? 0;
    const expected =
      valid.reduce((n, r) => n + r.observations, 0) + visits.reduce((n, v) => n + v.observations, 0);
    if (observations !== expected)
      problems.push(
        `exactly once: #${person.key} has ${observations} OpenMRS observations, expected ${expected}`,
      );
  }
  const inChtPersons = new Set(
    model.persons.filter((p) => p.origin === 'cht' || p.placeable).map((p) => p.key),
  );
  const visitsToCht = model.visits.filter((v) => v.mapped && inChtPersons.has(v.personKey));
  for (const visit of visitsToCht) {
    const copies = seen.chtVisitReports.filter(
      (r) => (r.fields?.openmrs_visit_uuid ?? r.openmrs_visit_uuid) === visit.uuid,
    );
    if (copies.length !== 1)
      problems.push(
        `exactly once: OpenMRS visit ${visit.uuid} of #${visit.personKey} is in CHT ${copies.length} times`,
      );
  }
  if (seen.chtVisitReports.length !== visitsToCht.length)
    problems.push(
      `exactly once: CHT holds ${seen.chtVisitReports.length} OpenMRS visit reports, the model ${visitsToCht.length}`,
    );
  return problems;
}

function uuidOf(person: Person, seen: Observed): string | undefined {
  if (person.origin === 'openmrs') return person.openmrsUuid;
  return seen.openmrsPatients.find((p) => chtDocIdOf(p) === person.chtId)?.id;
}

function chtDocOf(person: Person, seen: Observed) {
  return person.origin === 'cht'
    ? seen.chtPersons.find((d) => d._id === person.chtId)
    : seen.chtPersons.find((d) => d.external_id === person.openmrsUuid);
}

/** Convergence, no revert and no cross-talk: each field of each person, on each side that holds it. */
export function fieldsAgree(model: Model, seen: Observed): string[] {
  const problems: string[] = [];
  for (const person of model.persons) {
    const uuid = uuidOf(person, seen);
    const patient = seen.openmrsPatients.find((p) => p.id === uuid);
    const doc = chtDocOf(person, seen);
    const sides: [string, Fields | undefined][] = [
      ['OpenMRS', patient && openmrsFields(patient)],
      ['CHT', doc && chtFields(doc)],
    ];
    for (const field of FIELDS) {
      const expected = expectedValues(person, field);
      const held = sides
        .filter(([, f]) => f)
        .map(([side, f]) => [side, normalise(field, f?.[field])] as const);
      for (const [side, value] of held) {
        if (expected.includes(value)) continue;
        problems.push(
          `${kindOf(model, person, field, side, value)}: #${person.key} ${field} in ${side} is ${JSON.stringify(value)}, expected ${expected.map((v) => JSON.stringify(v)).join(' or ')}`,
        );
      }
      if (held.length === 2 && held[0]?.[1] !== held[1]?.[1])
        problems.push(
          `convergence: #${person.key} ${field} differs: OpenMRS ${JSON.stringify(held[0]?.[1])}, CHT ${JSON.stringify(held[1]?.[1])}`,
        );
    }
  }
  return problems;
}

function kindOf(model: Model, person: Person, field: Field, side: string, value: string): string {
  const own = side === 'CHT' ? person.history[field].cht : person.history[field].openmrs;
  if (own.slice(0, -1).includes(value)) return 'no revert';
  const other = model.persons.some(
    (p) =>
      p.key !== person.key &&
      (p.history[field].cht.includes(value) || p.history[field].openmrs.includes(value)),
  );
  if (other && !person.history[field].cht.includes(value) && !person.history[field].openmrs.includes(value))
    return 'cross-talk';
  return 'convergence';
}

/** Liveness: nothing valid left queued or waiting; each invalid report parked, named; unplaced exact. */
export function liveness(model: Model, seen: Observed): string[] {
  const problems: string[] = [];
  const invalid = model.reports.filter((r) => r.invalid && r.mapped);
  for (const failure of seen.failures) {
    if (failure.state === 'waiting' && waitsForUnplaced(model, failure)) continue;
    const report = invalid.find((r) => names(failure, r.id));
    if (!report || failure.state !== 'parked')
      problems.push(
        `liveness: ${failure.state} ${failure.stream} item ${failure.focus}: ${failure.lastError}`,
      );
    else if (!failure.lastError.includes('5089'))
      problems.push(`liveness: parked item ${failure.focus} does not name the field: ${failure.lastError}`);
  }
  for (const report of invalid) {
    const parked = seen.failures.filter((f) => names(f, report.id) && f.state === 'parked');
    if (parked.length !== 1)
      problems.push(`liveness: invalid report ${report.id} is parked ${parked.length} times`);
  }
  const foci = seen.failures.map((f) => `${f.stream} ${f.focus}`);
  for (const focus of new Set(foci.filter((f, i) => foci.indexOf(f) !== i)))
    problems.push(`exactly once: ${focus} is queued more than once`);
  for (const left of seen.outboundLeft) problems.push(`liveness: CHT still has to push ${left}`);
  const unplaceable = model.persons
    .filter((p) => p.origin === 'openmrs' && !p.placeable)
    .map((p) => p.openmrsUuid as string);
  const extra = seen.unplaced.filter((u) => !unplaceable.includes(u));
  const missing = unplaceable.filter((u) => !seen.unplaced.includes(u));
  if (extra.length || missing.length)
    problems.push(
      `liveness: unplaced list wrong: extra ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`,
    );
  return problems;
}

/** A visit (or its observation) of a patient no CHT place takes waits until the patient is placed: that is right. */
function waitsForUnplaced(model: Model, failure: Failure): boolean {
  const visit = model.visits.find((v) => failure.focus === `Encounter/${v.uuid}`);
  const person = visit && model.persons.find((p) => p.key === visit.personKey);
  if (person) return person.origin === 'openmrs' && !person.placeable;
  const unplaceable = model.persons.some((p) => p.origin === 'openmrs' && !p.placeable);
  return unplaceable && failure.focus.startsWith('Observation/') && failure.lastError.endsWith('(unplaced)');
}

/** Whether a queued item names a CHT report by its id (a word of its focus or message), so an operator can find it. */
function names(failure: Failure, reportId: string): boolean {
  return `${failure.focus} ${failure.lastError}`.split(/\s+/).includes(reportId);
}
