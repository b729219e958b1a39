// Who wins each demographic field when a patient changed on both sides (pure; design.md §4 "Conflicts").
// The FHIR copy keeps, per field, the value last synced with each side, each in that side's own terms
// (so "1990" from OpenMRS and "1990-01-01" written to CHT are both "unchanged"). A field whose value
// differs from its last-synced one was edited on that side; our own write coming back is equal to it,
// so it is never an edit. When both sides edited a field, the later edit wins (the FHIR copy's
// lastUpdated stands for CHT's edit, OpenMRS's lastUpdated for OpenMRS's; a tie goes to OpenMRS).
// The address is OpenMRS's alone: CHT has no address field (a person's place is not mapped to it).
import type { Patient } from 'fhir/r4';
import { demographicsOf, FIELDS, type Field } from './patients';

export { FIELDS, type Field };
export type PatientFields = Partial<Record<Field, string>>;
export type Side = 'cht' | 'openmrs';

export interface LastSynced {
  cht?: PatientFields;
  openmrs?: PatientFields;
}

const CHT_SEX: Record<string, string> = { male: 'male', female: 'female', other: 'other' };

/** CHT wants a full date; OpenMRS gives a year or a month for estimated birth dates. */
export function chtDate(birthDate: string | undefined): string | undefined {
  if (!birthDate) return undefined;
  return birthDate.length === 4
    ? `${birthDate}-01-01`
    : birthDate.length === 7
      ? `${birthDate}-01`
      : birthDate;
}

function defined(fields: PatientFields): PatientFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}

const spaced = (text: string) => text.split(/\s+/).filter(Boolean).join(' ');

/** The fields as CHT holds them, from the FHIR copy (CHT's pushes write it, and so does the sync). */
export function fieldsInCht(copy: Patient): PatientFields {
  const d = demographicsOf(copy);
  return defined({
    name: spaced(d.name),
    phone: d.phone,
    gender: CHT_SEX[d.gender],
    birthDate: chtDate(d.birthDate),
  });
}

/** The fields as OpenMRS holds them. */
export function fieldsInOpenmrs(patient: Patient): PatientFields {
  const d = demographicsOf(patient);
  const name = spaced([...d.given, d.family].filter(Boolean).join(' ')) || d.name;
  return defined({ name, phone: d.phone, gender: d.gender, birthDate: d.birthDate });
}

/** The CHT person's fields for those fields of the FHIR copy. */
export function personFields(copy: Patient, fields: readonly Field[] = FIELDS): Record<string, string> {
  const values = fieldsInCht(copy);
  const keys: Record<Field, string> = {
    name: 'name',
    phone: 'phone',
    gender: 'sex',
    birthDate: 'date_of_birth',
  };
  const person: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field];
    if (value !== undefined) person[keys[field]] = value;
  }
  return person;
}

export interface Edits {
  cht: PatientFields;
  openmrs: PatientFields;
  /** When each side's record was last changed (ISO instants). */
  chtAt?: string | undefined;
  openmrsAt?: string | undefined;
}

/**
 * Per field, the side whose value both sides get, or none when neither side edited it (then neither
 * is written). Without a last-synced state (a record linked before this rule, or found again after a
 * crash) the side the change came from wins, as before.
 */
export function winners(
  edits: Edits,
  last: LastSynced | undefined,
  source: Side,
): Record<Field, Side | 'none'> {
  const result = {} as Record<Field, Side | 'none'>;
  const chtLater = Date.parse(edits.chtAt ?? '') > Date.parse(edits.openmrsAt ?? '');
  for (const field of FIELDS) {
    if (!last?.cht || !last.openmrs) {
      result[field] = source;
      continue;
    }
    const chtEdited = edits.cht[field] !== last.cht[field];
    const openmrsEdited = edits.openmrs[field] !== last.openmrs[field];
    result[field] =
      chtEdited && openmrsEdited
        ? chtLater
          ? 'cht'
          : 'openmrs'
        : chtEdited
          ? 'cht'
          : openmrsEdited
            ? 'openmrs'
            : 'none';
  }
  return result;
}

export const wonBy = (won: Record<Field, Side | 'none'>, side: Side): Field[] =>
  FIELDS.filter((f) => won[f] === side);
