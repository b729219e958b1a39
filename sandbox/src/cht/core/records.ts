// createRecordByJSON (reference cht.md §2.1 steps 1–7): builds a data_record from a JSON body and the
// form definitions in app_settings.forms. Pure: no id, no save, no transitions.
import { DateTime } from 'luxon';
import type { AppSettings, FormDefinition } from '../config/app-settings';
import { publicError } from './errors';
import { normalisePhone } from './phone';
import { type ChtDoc, isObject, type ReportError } from './types';

const exists = (value: unknown) => value !== undefined && value !== null;

/** moment(value).valueOf() for the inputs JSON clients send: epoch ms or ISO dates (server-local). */
function toEpochMs(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  const parsed = DateTime.fromISO(value);
  return parsed.isValid ? parsed.toMillis() : null;
}

function parseReportedDate(value: unknown, now: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{13,}$/.test(value)) return Number(value);
  return toEpochMs(value) ?? now;
}

function convert(def: FormDefinition['fields'][string], value: unknown): unknown {
  if (def.type === 'date') return toEpochMs(value);
  if (def.type === 'boolean' && (value === 1 || value === 0)) return value === 1;
  return value;
}

/** smsparser.merge: dotted definition keys build nested objects. */
function mergeInto(target: Record<string, unknown>, key: string, value: unknown) {
  const parts = key.split('.');
  let current = target;
  parts.slice(0, -1).forEach((part) => {
    if (!isObject(current[part])) current[part] = {};
    current = current[part] as Record<string, unknown>;
  });
  current[parts.at(-1) as string] = value;
}

/** report/validate.js: `required` and the types integer|string|boolean|complex only. */
export function validateFields(def: FormDefinition, fields: Record<string, unknown>): ReportError[] {
  const errors: ReportError[] = [];
  const missing: string[] = [];
  for (const [key, field] of Object.entries(def.fields)) {
    const value = fields[key];
    if (field.required && !exists(value)) missing.push(key);
    else if (exists(value) && !field.list) {
      const wrong =
        (field.type === 'integer' && !Number.isInteger(value)) ||
        (field.type === 'string' && typeof value !== 'string') ||
        (field.type === 'boolean' && typeof value !== 'boolean') ||
        (field.type === 'complex' && typeof value !== 'object');
      if (wrong)
        errors.push({
          code: 'sys.incorrect_type',
          message: `Incorrect type: ${key} must be ${String(field.type)}.`,
        });
    }
  }
  if (missing.length)
    errors.push({ code: 'sys.missing_fields', message: `Missing or invalid fields: ${missing.join(', ')}.` });
  return errors;
}

export function formDefinition(settings: AppSettings, code: string): FormDefinition | undefined {
  const def = settings.forms?.[code];
  return isObject(def) && isObject(def.fields) ? def : undefined;
}

/** Throws a public 500 (§2.1 "Errors") for a missing `_meta`, a missing form or an unknown form. */
export function buildRecord(body: unknown, settings: AppSettings, now: number): ChtDoc {
  const input = isObject(body) ? body : {};
  const meta = input._meta;
  if (!isObject(meta) || Object.keys(meta).length === 0) throw publicError('Missing _meta property.');
  if (!exists(meta.form) || meta.form === '') throw publicError('Missing required field: form');
  const form = String(meta.form).toUpperCase();
  const def = formDefinition(settings, form);
  if (!def) throw publicError(`Form not found: ${form}`);

  const lowered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === '_meta') continue;
    const field = def.fields[key];
    lowered[key.toLowerCase()] = field ? convert(field, value) : value;
  }
  const fields: Record<string, unknown> = {};
  const flat: Record<string, unknown> = {};
  for (const key of Object.keys(def.fields)) {
    if (!(key in lowered)) continue;
    mergeInto(fields, key, lowered[key]);
    flat[key] = lowered[key];
  }
  const from =
    meta.from === undefined
      ? undefined
      : (normalisePhone(meta.from, settings.default_country_code) ?? meta.from);
  return {
    _id: '',
    type: 'data_record',
    ...(from === undefined ? {} : { from }),
    form,
    errors: validateFields(def, flat),
    tasks: [],
    fields,
    reported_date: parseReportedDate(meta.reported_date, now),
    sms_message: meta,
  };
}
