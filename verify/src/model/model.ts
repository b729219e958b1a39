// The model: the harness's own simple record of what each side should hold after the sync, built only
// from the operations it performed (never from how the sync works). Persons, their latest edits per
// field and side, reports and visits; and an epoch that counts clean sync runs, so that edits made on
// both sides with no clean run between them count as concurrent.
export type Side = 'cht' | 'openmrs';
export const FIELDS = ['name', 'phone', 'sex', 'birthDate'] as const;
export type Field = (typeof FIELDS)[number];
export type Fields = Record<Field, string>;

export interface Edit {
  value: string;
  epoch: number;
  seq: number;
}

export interface Person {
  key: number;
  origin: Side;
  /** CHT document id: known at creation for CHT persons; found once the sync made it, for OpenMRS ones. */
  chtId?: string;
  /** OpenMRS uuid: known at creation for OpenMRS patients; found once the sync made it, for CHT ones. */
  openmrsUuid?: string;
  /** For OpenMRS patients: whether their address names exactly one CHT place. */
  placeable: boolean;
  /** The latest edit of each field made on each side (creation counts as an edit). */
  edits: Record<Field, Partial<Record<Side, Edit>>>;
  /** Every value each side ever held by its own edit, per field (to tell a revert from a new value). */
  history: Record<Field, Record<Side, string[]>>;
}

export interface Report {
  id: string;
  personKey: number;
  /** Pushed by cht-config (height_weight, referral): expected in OpenMRS. */
  mapped: boolean;
  /** Answers that are not blank: one OpenMRS observation each. */
  observations: number;
  /** An answer OpenMRS refuses (out of range): expected parked, naming the report. */
  invalid: boolean;
  /** reported_date (ms). */
  at: number;
}

export interface Visit {
  uuid: string;
  personKey: number;
  /** A visit type the mapping sends to CHT. */
  mapped: boolean;
  observations: number;
}

export interface Model {
  persons: Person[];
  reports: Report[];
  visits: Visit[];
  epoch: number;
  seq: number;
  /** Faults the harness left on (cleared before the checks). */
  fhirStoreDown: boolean;
}

export function emptyModel(): Model {
  return { persons: [], reports: [], visits: [], epoch: 0, seq: 0, fhirStoreDown: false };
}

export function addPerson(model: Model, person: Omit<Person, 'key' | 'edits' | 'history'>, fields: Fields) {
  const created: Person = {
    ...person,
    key: model.persons.length,
    edits: { name: {}, phone: {}, sex: {}, birthDate: {} },
    history: {
      name: { cht: [], openmrs: [] },
      phone: { cht: [], openmrs: [] },
      sex: { cht: [], openmrs: [] },
      birthDate: { cht: [], openmrs: [] },
    },
  };
  model.persons.push(created);
  recordEdit(model, created, person.origin, fields);
  return created;
}

export function recordEdit(model: Model, person: Person, side: Side, fields: Partial<Fields>) {
  model.seq += 1;
  for (const field of FIELDS) {
    const value = fields[field];
    if (value === undefined) continue;
    person.edits[field][side] = { value: normalise(field, value), epoch: model.epoch, seq: model.seq };
    person.history[field][side].push(normalise(field, value));
  }
}

/** The values the field may hold on both sides once synced: the latest edit, or either of two concurrent ones. */
export function expectedValues(person: Person, field: Field): string[] {
  const { cht, openmrs } = person.edits[field];
  if (!cht || !openmrs) return [(cht ?? openmrs)?.value ?? ''];
  if (cht.epoch === openmrs.epoch) return [cht.value, openmrs.value];
  return [(cht.seq > openmrs.seq ? cht : openmrs).value];
}

/** Values compared as both systems may spell them: spaces collapsed, phones by their last 9 digits. */
export function normalise(field: Field, value: string | undefined): string {
  const text = (value ?? '').trim();
  if (field === 'name') return text.split(/\s+/).filter(Boolean).join(' ');
  if (field === 'phone') return text.replace(/\D/g, '').slice(-9);
  if (field === 'birthDate') return text.slice(0, 10);
  return text;
}
