// Parses CHT outbound-push bodies once, at the edge, into typed values (cht.md §4; design.md §8).
// Every problem is collected and named by its field path, so one 400 says everything to fix.
// CHT app forms save every answer as a string and an unanswered one as '': a blank ('', whitespace,
// null) value of any type means "not answered", and so does `valueCode: false` (the CHT docs' idiom).
// Such an observation is left out and listed with the reason; the rest of the report is kept.
// Limits (documented in docs/ARCHITECTURE.md): ids and codes 256 characters, names and other text
// 1,000, an observation's text 10,000.
import { DateTime } from 'luxon';
import { HttpError } from '@cht-openmrs/common';

export interface ChtPatient {
  docId: string;
  name: string;
  shortcode?: string;
  phone?: string;
  birthDate?: string;
  sex?: string;
  /** Set when the person was created from OpenMRS: the OpenMRS patient uuid. */
  openmrsUuid?: string;
  /** Ids of the places above the person, nearest first. */
  lineage: string[];
  /** The generation of CHT's revision of the document (`3-…` → 3), when the push says it. */
  revision?: number;
}

export interface ShortcodeLink {
  docId: string;
  openmrsUuid: string;
  shortcode: string;
}

export type ObservationValue =
  | { type: 'string'; value: string }
  | { type: 'code'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'dateTime'; value: string }
  | { type: 'time'; value: string }
  | { type: 'quantity'; value: number; unit?: string };

export interface ChtObservation {
  code: string;
  value: ObservationValue;
}

export interface OmittedObservation {
  code: string;
  reason: string;
}

export interface ChtReport {
  id: string;
  /** The subject as CHT names it: a person's document id, or its shortcode. */
  patientRef: string;
  reportedDate: string;
  form?: string;
  observations: ChtObservation[];
  /** Observations left out, with why: not answered (a blank value) or left out on purpose. */
  omitted: OmittedObservation[];
  /** The generation of CHT's revision of the report document, when the push says it. */
  revision?: number;
}

type Problems = string[];
type Json = Record<string, unknown>;

const VALUE_KEYS = [
  'valueString',
  'valueCode',
  'valueBoolean',
  'valueInteger',
  'valueDecimal',
  'valueDateTime',
  'valueTime',
  'valueQuantity',
] as const;

export const LIMITS = { id: 256, text: 1_000, observationText: 10_000 } as const;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function text(
  source: Json,
  key: string,
  path: string,
  problems: Problems,
  required: boolean,
  limit: number = LIMITS.text,
): string | undefined {
  const value = source[key];
  if (isBlank(value)) {
    if (required) problems.push(`${path}: required`);
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.push(`${path}: expected text, got ${shown(value)}`);
    return undefined;
  }
  const trimmed = String(value).trim();
  if (trimmed.length > limit) {
    problems.push(`${path}: longer than ${limit} characters (${trimmed.length})`);
    return undefined;
  }
  return trimmed;
}

const id = (source: Json, key: string, path: string, problems: Problems, required: boolean) =>
  text(source, key, path, problems, required, LIMITS.id);

function fail(problems: Problems, what: string): never {
  throw new HttpError(400, `invalid ${what}: ${problems.join('; ')}`, { problems });
}

function date(value: string | undefined, path: string, problems: Problems): string | undefined {
  if (value === undefined) return undefined;
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid) problems.push(`${path}: expected a date (YYYY-MM-DD), got ${shown(value)}`);
  return parsed.isValid ? (parsed.toISODate() ?? undefined) : undefined;
}

function lineageOf(parent: unknown): string[] {
  const ids: string[] = [];
  for (let place = parent; isObject(place) && typeof place._id === 'string'; place = place.parent)
    ids.push(place._id);
  return ids;
}

/** `POST /cht/patient`: `{doc: {_id, name, phone?, date_of_birth?, sex?, patient_id?, parent?}}`. */
export function parsePatientPush(body: unknown): ChtPatient {
  const problems: Problems = [];
  if (!isObject(body) || !isObject(body.doc))
    fail(['doc: required, an object with the CHT person'], 'patient');
  const doc = body.doc;
  const docId = id(doc, '_id', 'doc._id', problems, true);
  const name = text(doc, 'name', 'doc.name', problems, true);
  const shortcode = id(doc, 'patient_id', 'doc.patient_id', problems, false);
  const phone = text(doc, 'phone', 'doc.phone', problems, false);
  const sex = text(doc, 'sex', 'doc.sex', problems, false)?.toLowerCase();
  const birthDate = date(
    text(doc, 'date_of_birth', 'doc.date_of_birth', problems, false),
    'doc.date_of_birth',
    problems,
  );
  const openmrsUuid = id(doc, 'external_id', 'doc.external_id', problems, false);
  const revision = revisionOf(doc._rev, 'doc._rev', problems);
  if (problems.length > 0 || !docId || !name) fail(problems, 'patient');
  return {
    docId,
    name,
    lineage: lineageOf(doc.parent),
    ...defined({ shortcode, phone, sex, birthDate, openmrsUuid, revision }),
  };
}

/** `POST /cht/patient_ids`: `{doc: {_id, patient_id, external_id}}`, external_id being the OpenMRS patient uuid. */
export function parseShortcodeLink(body: unknown): ShortcodeLink {
  const problems: Problems = [];
  if (!isObject(body) || !isObject(body.doc))
    fail(['doc: required, an object with _id, patient_id and external_id'], 'patient id link');
  const docId = id(body.doc, '_id', 'doc._id', problems, true);
  const shortcode = id(body.doc, 'patient_id', 'doc.patient_id', problems, true);
  const openmrsUuid = id(body.doc, 'external_id', 'doc.external_id', problems, true);
  if (problems.length > 0 || !docId || !shortcode || !openmrsUuid) fail(problems, 'patient id link');
  return { docId, shortcode, openmrsUuid };
}

/** `POST /cht/encounter`: `{id, patient_uuid, reported_date, form?, observations?: [{code, value…}]}`. */
export function parseReportPush(body: unknown): ChtReport {
  const problems: Problems = [];
  if (!isObject(body)) fail(['body: expected a JSON object'], 'report');
  const reportId = id(body, 'id', 'id', problems, true);
  const patientRef = id(body, 'patient_uuid', 'patient_uuid', problems, true);
  const form = id(body, 'form', 'form', problems, false);
  const reportedDate = reportedDateOf(body.reported_date, problems);
  const observations: ChtObservation[] = [];
  const omitted: OmittedObservation[] = [];
  const raw = body.observations ?? [];
  if (!Array.isArray(raw)) problems.push(`observations: expected a list, got ${shown(raw)}`);
  else
    raw.forEach((entry: unknown, index) => {
      if (entry === null) return; // a hole left by CHT's numeric mapping paths (cht.md §1.3)
      const parsed = parseObservation(entry, `observations.${index}`, problems);
      if (parsed && 'reason' in parsed) omitted.push(parsed);
      else if (parsed) observations.push(parsed);
    });
  const revision = revisionOf(body.rev, 'rev', problems);
  if (problems.length > 0 || !reportId || !patientRef || !reportedDate) fail(problems, 'report');
  return { id: reportId, patientRef, reportedDate, observations, omitted, ...defined({ form, revision }) };
}

/**
 * CouchDB's revision `N-<hash>`: N counts the document's versions, so a push of a lower N than the one
 * stored is an older version arriving late (an OpenHIM re-run of an old transaction, a delayed retry).
 */
function revisionOf(value: unknown, path: string, problems: Problems): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const match = typeof value === 'string' ? /^(\d{1,9})-[0-9a-zA-Z]{1,64}$/.exec(value) : null;
  if (!match) {
    problems.push(
      `${path}: expected a CouchDB revision such as 3-917fa2381192822767f010b95b45325b, got ${shown(value)}`,
    );
    return undefined;
  }
  return Number(match[1]);
}

function reportedDateOf(value: unknown, problems: Problems): string | undefined {
  if (value === undefined || value === null || value === '') {
    problems.push('reported_date: required');
    return undefined;
  }
  const parsed =
    typeof value === 'number'
      ? DateTime.fromMillis(value, { zone: 'utc' })
      : typeof value === 'string'
        ? /^\d+$/.test(value)
          ? DateTime.fromMillis(Number(value), { zone: 'utc' })
          : DateTime.fromISO(value, { setZone: true })
        : DateTime.invalid('not a date');
  if (!parsed.isValid) {
    problems.push(`reported_date: expected milliseconds since 1970 or an ISO date-time, got ${shown(value)}`);
    return undefined;
  }
  return parsed.toUTC().toISO() ?? undefined;
}

/** Why a value counts as not answered, or undefined when it holds an answer. */
function unanswered(key: (typeof VALUE_KEYS)[number], value: unknown): string | undefined {
  if (key === 'valueQuantity' && isObject(value))
    return unanswered(key, value.value)?.replace(key, `${key}.value`);
  if (value === undefined) return `not answered (${key} is missing)`;
  if (value === null) return `not answered (${key} is null)`;
  if (typeof value === 'string' && value.trim() === '') return `not answered (${key} is blank)`;
  return undefined;
}

function parseObservation(
  entry: unknown,
  path: string,
  problems: Problems,
): ChtObservation | OmittedObservation | undefined {
  if (!isObject(entry)) {
    problems.push(`${path}: expected an object with code and a value, got ${shown(entry)}`);
    return undefined;
  }
  const code = id(entry, 'code', `${path}.code`, problems, true);
  if (!code) return undefined;
  if (entry.valueCode === false) return { code, reason: 'left out on purpose (valueCode is false)' };
  const given = VALUE_KEYS.filter((key) => entry[key] !== undefined);
  const present = given.filter((key) => !unanswered(key, entry[key]));
  if (present.length === 0) {
    const blank = given[0];
    return { code, reason: blank ? (unanswered(blank, entry[blank]) as string) : 'not answered (no value)' };
  }
  if (present.length > 1) {
    problems.push(`${path}: has ${present.join(' and ')}; send exactly one value`);
    return undefined;
  }
  const key = present[0] as (typeof VALUE_KEYS)[number];
  const value = parseValue(key, entry[key], `${path}.${key}`, problems);
  return value ? { code, value } : undefined;
}

function parseValue(
  key: (typeof VALUE_KEYS)[number],
  raw: unknown,
  path: string,
  problems: Problems,
): ObservationValue | undefined {
  const bad = (expected: string) => {
    problems.push(`${path}: expected ${expected}, got ${shown(raw)}`);
    return undefined;
  };
  const number = (value: unknown) =>
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  switch (key) {
    case 'valueString':
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad('text');
      if (String(raw).length > LIMITS.observationText)
        return bad(`text of at most ${LIMITS.observationText} characters`);
      return { type: 'string', value: String(raw) };
    case 'valueCode':
      return typeof raw === 'string' || typeof raw === 'number'
        ? { type: 'code', value: String(raw) }
        : bad('a code');
    case 'valueBoolean': {
      const truth = { true: true, yes: true, false: false, no: false } as Record<string, boolean>;
      const value = typeof raw === 'boolean' ? raw : truth[String(raw).toLowerCase()];
      return value === undefined ? bad('true or false') : { type: 'boolean', value };
    }
    case 'valueInteger': {
      const value = number(raw);
      return Number.isInteger(value) ? { type: 'integer', value } : bad('a whole number');
    }
    case 'valueDecimal': {
      const value = number(raw);
      return Number.isFinite(value) ? { type: 'decimal', value } : bad('a number');
    }
    case 'valueDateTime': {
      const parsed = typeof raw === 'string' ? DateTime.fromISO(raw, { setZone: true }) : undefined;
      if (!parsed?.isValid) return bad('an ISO date or date-time');
      return {
        type: 'dateTime',
        value: /^\d{4}-\d{2}-\d{2}$/.test(String(raw)) ? String(raw) : (parsed.toISO() ?? ''),
      };
    }
    case 'valueTime':
      return typeof raw === 'string' && /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$/.test(raw)
        ? { type: 'time', value: raw.length === 5 ? `${raw}:00` : raw }
        : bad('a time (HH:MM or HH:MM:SS)');
    case 'valueQuantity': {
      const value = isObject(raw) ? number(raw.value) : NaN;
      if (!isObject(raw) || !Number.isFinite(value)) return bad('{value: number, unit?: text}');
      return {
        type: 'quantity',
        value,
        ...(typeof raw.unit === 'string' && raw.unit ? { unit: raw.unit } : {}),
      };
    }
  }
}

function defined<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
