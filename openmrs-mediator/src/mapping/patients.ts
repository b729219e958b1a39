// Patients between the FHIR server's copy and OpenMRS, both ways (pure).
// To OpenMRS: identifiers by type NAME in type.text, no system (an unknown system makes OpenMRS drop
// the identifier), exactly one `official` (openmrs-fhir2.md §4.2). OpenMRS merges on update, so an update
// keeps the ids of the stored name and telecom, or it would add a second name.
import type { Address, HumanName, Identifier, Patient } from 'fhir/r4';
import {
  identifierOf,
  IDENTIFIER_SYSTEMS,
  makeIdentifier,
  originOf,
  withOrigin,
  type IdentifierKind,
  type Mapping,
} from '@cht-openmrs/common';

/** The demographic fields both systems keep in step; each is synced on its own (patient-fields.ts). */
export const FIELDS = ['name', 'phone', 'gender', 'birthDate'] as const;
export type Field = (typeof FIELDS)[number];

const PERSON_ATTRIBUTE = 'http://fhir.openmrs.org/ext/person-attribute';

/** The demographics both systems share, compared to tell a real change from an echo of our own write. */
export interface Demographics {
  name: string;
  given: string[];
  family?: string;
  gender: string;
  birthDate?: string;
  phone?: string;
}

export function demographicsOf(patient: Patient): Demographics {
  const name = patient.name?.[0];
  const given = (name?.given ?? []).filter(Boolean);
  const family = name?.family || undefined;
  const text = name?.text || [...given, family].filter(Boolean).join(' ');
  const demographics: Demographics = { name: text, given, gender: patient.gender ?? 'unknown' };
  if (family) demographics.family = family;
  if (patient.birthDate) demographics.birthDate = patient.birthDate;
  const phone = patient.telecom?.find((t) => t.value)?.value;
  if (phone) demographics.phone = phone;
  return demographics;
}

function openmrsIdentifiers(patient: Patient, mapping: Mapping): Identifier[] {
  const types = mapping.openmrs.identifierTypes;
  const identifiers: Identifier[] = [];
  const add = (kind: IdentifierKind, typeName: string, official: boolean) => {
    const value = identifierOf(patient, kind);
    if (value) identifiers.push({ use: official ? 'official' : 'usual', type: { text: typeName }, value });
  };
  add('chtDocumentId', types.chtDocumentId, true);
  add('chtPatientId', types.chtPatientId, false);
  return identifiers;
}

function openmrsName(demographics: Demographics, id?: string): HumanName {
  // OpenMRS requires a given name; a lone family name becomes the given name.
  const given =
    demographics.given.length > 0 ? demographics.given : [demographics.family ?? demographics.name];
  const name: HumanName = { given };
  if (demographics.given.length > 0 && demographics.family) name.family = demographics.family;
  if (id) name.id = id;
  return name;
}

/** The body of `POST /Patient` to OpenMRS for a CHT patient. */
export function patientForOpenmrs(patient: Patient, mapping: Mapping): Patient {
  const demographics = demographicsOf(patient);
  const body: Patient = {
    resourceType: 'Patient',
    identifier: openmrsIdentifiers(patient, mapping),
    name: [openmrsName(demographics)],
    gender: patient.gender ?? 'unknown',
  };
  if (demographics.birthDate) body.birthDate = demographics.birthDate;
  if (demographics.phone) body.telecom = [{ value: demographics.phone }];
  return body;
}

/**
 * The body of `PUT /Patient/{uuid}`: the stored OpenMRS patient with CHT's values of `fields`.
 * Identifiers missing from OpenMRS are added (OpenMRS never removes one), and the first name and
 * telecom keep their ids so OpenMRS updates them in place. The person-attribute extensions OpenMRS
 * sent are left out: it applies them after `telecom`, so the phone number read (the "Telephone Number"
 * attribute) would overwrite the new one (openmrs-fhir2.md §4.1–4.2); attributes left out are kept.
 */
export function patientUpdateForOpenmrs(
  current: Patient,
  patient: Patient,
  mapping: Mapping,
  fields: readonly Field[] = FIELDS,
): Patient {
  const demographics = demographicsOf(patient);
  const known = new Set(current.identifier?.map((i) => `${i.type?.text}|${i.value}`));
  const missing = openmrsIdentifiers(patient, mapping)
    .filter((i) => !known.has(`${i.type?.text}|${i.value}`))
    .map((i) => ({ ...i, use: 'usual' as const }));
  const body: Patient = { ...current, identifier: [...(current.identifier ?? []), ...missing] };
  const extension = current.extension?.filter((e) => e.url !== PERSON_ATTRIBUTE);
  if (extension?.length) body.extension = extension;
  else delete body.extension;
  if (fields.includes('name'))
    body.name = [openmrsName(demographics, current.name?.[0]?.id), ...(current.name?.slice(1) ?? [])];
  if (fields.includes('gender')) body.gender = patient.gender ?? current.gender ?? 'unknown';
  if (fields.includes('birthDate') && demographics.birthDate) body.birthDate = demographics.birthDate;
  if (fields.includes('phone') && demographics.phone)
    body.telecom = [
      { ...(current.telecom?.[0]?.id ? { id: current.telecom[0].id } : {}), value: demographics.phone },
    ];
  delete body.text;
  return body;
}

/**
 * The FHIR server's copy of an OpenMRS patient, merged into what the FHIR server already holds, with
 * OpenMRS's values of `fields` (the others stay as stored; a new copy takes them all).
 * OpenMRS's identifiers of our two types become identifiers of our systems, so the ledger finds them.
 */
export function patientFromOpenmrs(
  openmrs: Patient,
  stored: Patient | undefined,
  mapping: Mapping,
  fields: readonly Field[] = FIELDS,
): Patient {
  const types = mapping.openmrs.identifierTypes;
  const ours = new Map<string, Identifier>();
  for (const identifier of stored?.identifier ?? [])
    ours.set(identifier.system ?? `type:${identifier.type?.text}`, identifier);
  const set = (identifier: Identifier) =>
    ours.set(identifier.system ?? `type:${identifier.type?.text}`, identifier);
  set(makeIdentifier('openmrsUuid', openmrs.id as string));
  for (const identifier of openmrs.identifier ?? []) {
    if (!identifier.value) continue;
    if (identifier.type?.text === types.chtDocumentId) set(makeIdentifier('chtDocumentId', identifier.value));
    else if (identifier.type?.text === types.chtPatientId)
      set(makeIdentifier('chtPatientId', identifier.value));
    else set({ type: { text: identifier.type?.text ?? 'OpenMRS identifier' }, value: identifier.value });
  }
  const demographics = demographicsOf(openmrs);
  const copy: Patient = {
    ...(stored ?? { resourceType: 'Patient' }),
    identifier: [...ours.values()],
    active: true,
  };
  const take = (field: Field) => !stored || fields.includes(field);
  if (take('name'))
    copy.name = [
      {
        text: demographics.name,
        given: demographics.given,
        ...(demographics.family ? { family: demographics.family } : {}),
      },
    ];
  if (take('gender')) copy.gender = openmrs.gender ?? 'unknown';
  if (take('birthDate')) {
    if (openmrs.birthDate) copy.birthDate = openmrs.birthDate;
    else delete copy.birthDate;
  }
  if (take('phone') && demographics.phone) copy.telecom = [{ system: 'phone', value: demographics.phone }];
  const address = openmrs.address?.map(({ id: _id, ...rest }): Address => rest);
  if (address && address.length > 0) copy.address = address;
  return withOrigin(copy, stored ? (originOf(stored) ?? 'openmrs') : 'openmrs');
}

export function openmrsUuidOf(patient: Patient): string | undefined {
  return patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEMS.openmrsUuid)?.value;
}
