// The `registration` transition's add_birth_date and add_patient triggers (reference cht.md §2.1
// "Patient creation from a record", cht-core transitions/registration.js), configured by
// app_settings.registrations. Rejections go into doc.errors; the record is still accepted.
import { DateTime } from 'luxon';
import type { AppSettings, RegistrationConfig } from '../config/app-settings';
import { evaluate } from '../outbound/js-eval';
import { couchId, type MedicStore } from '../store/medic-store';
import { findType, typeIdOf } from './contact-types';
import { minify } from './lineage';
import { normalisePhone } from './phone';
import { formDefinition } from './records';
import { type ChtDoc, isObject, type ReportError } from './types';

const AGE_FIELDS: [string, string[]][] = [
  ['years', ['years', 'age_in_years']],
  ['months', ['months', 'age_in_months']],
  ['weeks', ['weeks', 'age_in_weeks']],
  ['days', ['days', 'age_in_days']],
];

export function registrationFor(settings: AppSettings, form: unknown): RegistrationConfig | undefined {
  if (typeof form !== 'string') return undefined;
  return settings.registrations?.find((entry) => String(entry.form).toUpperCase() === form.toUpperCase());
}

function rejection(doc: ChtDoc, config: RegistrationConfig, code: string, fallback: string) {
  const configured = config.messages?.find((message) => message.event_type === code)?.message;
  const text = Array.isArray(configured)
    ? (configured[0] as { content?: string } | undefined)?.content
    : undefined;
  const errors = (doc.errors ?? []) as ReportError[];
  doc.errors = [...errors, { code, message: text ?? fallback }];
}

/** add_birth_date: an ISO datetime from age_in_days/weeks/months/years, from the start of reported_date. */
function addBirthDate(doc: ChtDoc, fields: Record<string, unknown>) {
  let dob = DateTime.fromMillis(Number(doc.reported_date)).startOf('day');
  for (const [unit, names] of AGE_FIELDS) {
    const name = names.find((candidate) => fields[candidate] !== undefined);
    if (name !== undefined) dob = dob.minus({ [unit]: Number(fields[name]) || 0 });
  }
  doc.birth_date = dob.toUTC().toISO();
}

function paramsOf(params: unknown): Record<string, unknown> {
  if (isObject(params)) return params;
  if (typeof params === 'string' && params.trim().startsWith('{'))
    return JSON.parse(params) as Record<string, unknown>;
  return {};
}

async function addPatient(
  doc: ChtDoc,
  fields: Record<string, unknown>,
  config: RegistrationConfig,
  params: Record<string, unknown>,
  settings: AppSettings,
  store: MedicStore,
): Promise<void> {
  const typeId = typeof params.contact_type === 'string' ? params.contact_type : 'person';
  let parent: ChtDoc | undefined;
  if (typeof params.parent_id === 'string') {
    const code = fields[params.parent_id];
    if (code === undefined || code === '')
      return rejection(
        doc,
        config,
        'parent_field_not_provided',
        `The parent field "${params.parent_id}" was not provided.`,
      );
    parent = await store.byShortcode(String(code));
    if (!parent)
      return rejection(doc, config, 'parent_not_found', `Parent with id ${String(code)} was not found.`);
    const allowed = findType(settings, typeId)?.parents;
    if (allowed && !allowed.includes(String(typeIdOf(parent))))
      return rejection(
        doc,
        config,
        'parent_invalid',
        `Parent ${String(code)} is not a valid parent for ${typeId}.`,
      );
  } else if (isObject(doc.contact) && typeof doc.contact._id === 'string') {
    const submitter = await store.get(doc.contact._id);
    if (isObject(submitter?.parent) && typeof submitter.parent._id === 'string')
      parent = await store.get(submitter.parent._id);
  }
  const def = formDefinition(settings, String(doc.form));
  const phoneField = Object.entries(def?.fields ?? {}).find(
    ([, field]) => field.type === 'phone_number',
  )?.[0];
  let phone: string | undefined;
  if (phoneField !== undefined && fields[phoneField] !== undefined && fields[phoneField] !== '') {
    phone = normalisePhone(fields[phoneField], settings.default_country_code);
    if (!phone)
      return rejection(doc, config, 'provided_phone_not_valid', 'The provided phone number is not valid.');
  }
  const idField = typeof params.patient_id_field === 'string' ? fields[params.patient_id_field] : undefined;
  const patientId =
    idField !== undefined && !(await store.shortcodeTaken(String(idField)))
      ? String(idField)
      : await store.newShortcode();
  doc.patient_id = patientId;
  const nameField =
    typeof params.patient_name_field === 'string' ? params.patient_name_field : 'patient_name';
  const typed =
    findType(settings, typeId) && typeId !== 'person'
      ? { type: 'contact', contact_type: typeId }
      : { type: 'person' };
  await store.put({
    _id: couchId(),
    name: fields[nameField],
    reported_date: doc.reported_date,
    patient_id: patientId,
    source_id: doc._id,
    ...typed,
    ...(parent ? { parent: minify(parent) } : {}),
    ...(isObject(doc.contact) && typeof doc.contact._id === 'string' ? { created_by: doc.contact._id } : {}),
    ...(typeof doc.birth_date === 'string' ? { date_of_birth: doc.birth_date } : {}),
    ...(phone ? { phone } : {}),
  });
}

/** Runs the on_create events of the form's registration; true when it applied (the doc changed). */
export async function runRegistration(
  doc: ChtDoc,
  settings: AppSettings,
  store: MedicStore,
): Promise<boolean> {
  const config = registrationFor(settings, doc.form);
  if (!config) return false;
  const def = formDefinition(settings, String(doc.form));
  const valid = Boolean(def?.public_form) || isObject(doc.contact) || doc.content_type === 'xml';
  if (!valid) return false;
  const fields = isObject(doc.fields) ? doc.fields : {};
  for (const event of config.events ?? []) {
    if (event.name !== undefined && event.name !== 'on_create') continue;
    if (event.bool_expr && !evaluate(event.bool_expr, { ...doc, ...fields })) continue;
    const params = paramsOf(event.params);
    if (event.trigger === 'add_birth_date') addBirthDate(doc, fields);
    if (event.trigger === 'add_patient') await addPatient(doc, fields, config, params, settings, store);
  }
  return true;
}
