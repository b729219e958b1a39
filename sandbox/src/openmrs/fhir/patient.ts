// Patient as the FHIR2 module translates and validates it (openmrs-fhir2.md §4): output shape,
// merge-not-replace input, identifier-type resolution by name only, and core's validators' 422 texts.
import { randomUUID } from 'node:crypto';
import type { Address, Extension, HumanName, Identifier, Patient } from 'fhir/r4';
import { DateTime } from 'luxon';
import type { AddressRow, Gender, IdentifierRow, PatientRow } from '../model/database';
import { checkLuhnMod30 } from '../model/luhn';
import { TELEPHONE_NUMBER } from '../model/seed';
import { dbNow, fhirDateTime, parseFhirDateTime, toDb } from '../model/time';
import { metaOf, type OpenmrsContext } from './context';
import { internalError, validationFailed, type FieldError } from './errors';
import { referencedId, referenceTo } from './references';

export const ADDRESS_EXTENSION = 'http://fhir.openmrs.org/ext/address';
const IDENTIFIER_LOCATION = 'http://fhir.openmrs.org/ext/patient/identifier#location';
const PERSON_ATTRIBUTE = 'http://fhir.openmrs.org/ext/person-attribute';
const PERSON_ATTRIBUTE_TYPE = 'http://fhir.openmrs.org/ext/person-attribute-type';
const PERSON_ATTRIBUTE_VALUE = 'http://fhir.openmrs.org/ext/person-attribute-value';
const ADDRESS_LINES = Array.from({ length: 15 }, (_, i) => `address${i + 1}`);

const GENDERS: Record<string, Gender> = { male: 'M', female: 'F', unknown: 'U', other: 'O' };
const FHIR_GENDERS: Record<Gender, Patient['gender']> = { M: 'male', F: 'female', U: 'unknown', O: 'other' };

export const activeIdentifiers = (row: PatientRow): IdentifierRow[] =>
  row.identifiers.filter((i) => !i.voided).sort((a, b) => Number(b.preferred) - Number(a.preferred));

export function fullName(row: PatientRow): string {
  const name = row.names.find((n) => !n.voided);
  return [name?.givenName, name?.middleName, name?.familyName].filter(Boolean).join(' ');
}

/** `"{full name} ({identifier type name}: {identifier})"`, the display of a Patient reference (§3). */
export function patientDisplay(context: OpenmrsContext, row: PatientRow): string {
  const identifier = activeIdentifiers(row)[0];
  if (!identifier) return fullName(row);
  const type = context.db.identifierType(identifier.typeUuid);
  return `${fullName(row)} (${type?.name ?? ''}: ${identifier.value})`;
}

function birthDateOf(row: PatientRow, now: number): string | undefined {
  if (!row.birthdate) return undefined;
  if (!row.birthdateEstimated) return row.birthdate;
  const olderThanFive = DateTime.fromISO(row.birthdate).plus({ years: 5 }).toMillis() < now;
  return olderThanFive ? row.birthdate.slice(0, 4) : row.birthdate.slice(0, 7);
}

function addressToFhir(address: AddressRow): Address {
  const lines = ADDRESS_LINES.filter((line) => address.lines[line]).map((line) => ({
    url: `${ADDRESS_EXTENSION}#${line}`,
    valueString: address.lines[line],
  }));
  return {
    id: address.uuid,
    ...(lines.length ? { extension: [{ url: ADDRESS_EXTENSION, extension: lines }] } : {}),
    use: address.preferred ? 'home' : 'old',
    ...(address.cityVillage ? { city: address.cityVillage } : {}),
    ...(address.countyDistrict ? { district: address.countyDistrict } : {}),
    ...(address.stateProvince ? { state: address.stateProvince } : {}),
    ...(address.postalCode ? { postalCode: address.postalCode } : {}),
    ...(address.country ? { country: address.country } : {}),
  };
}

export function patientToFhir(context: OpenmrsContext, row: PatientRow): Patient {
  const { db, clock } = context;
  const attributes = row.attributes.filter((a) => !a.voided);
  const extension: Extension[] = attributes.map((a) => ({
    url: PERSON_ATTRIBUTE,
    extension: [
      {
        url: PERSON_ATTRIBUTE_TYPE,
        valueString: db.personAttributeTypes.find((t) => t.uuid === a.typeUuid)?.name,
      },
      { url: PERSON_ATTRIBUTE_VALUE, valueString: a.value },
    ],
  }));
  const identifier: Identifier[] = activeIdentifiers(row).map((i) => {
    const type = db.identifierType(i.typeUuid);
    const location = i.locationUuid ? db.location(i.locationUuid) : undefined;
    return {
      id: i.uuid,
      ...(location
        ? {
            extension: [
              {
                url: IDENTIFIER_LOCATION,
                valueReference: referenceTo('Location', location.uuid, location.name),
              },
            ],
          }
        : {}),
      use: i.preferred ? 'official' : 'usual',
      type: { coding: [{ code: i.typeUuid }], text: type?.name },
      value: i.value,
    };
  });
  const name: HumanName[] = row.names
    .filter((n) => !n.voided)
    .map((n) => ({
      id: n.uuid,
      text: [n.givenName, n.middleName, n.familyName].filter(Boolean).join(' '),
      ...(n.familyName ? { family: n.familyName } : {}),
      given: [n.givenName, n.middleName].filter((g): g is string => Boolean(g)),
    }));
  const telecom = attributes
    .filter((a) => a.typeUuid === TELEPHONE_NUMBER)
    .map((a) => ({ id: a.uuid, value: a.value }));
  const birthDate = birthDateOf(row, clock.now());
  return {
    resourceType: 'Patient',
    id: row.uuid,
    meta: metaOf(row, clock.zone),
    ...(extension.length ? { extension } : {}),
    identifier,
    active: !row.voided,
    name,
    ...(telecom.length ? { telecom } : {}),
    ...(row.gender ? { gender: FHIR_GENDERS[row.gender] } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(row.dead && row.deathDate
      ? { deceasedDateTime: fhirDateTime(row.deathDate, clock.zone) }
      : { deceasedBoolean: row.dead }),
    address: row.addresses.filter((a) => !a.voided).map(addressToFhir),
  };
}

export function newPatientRow(context: OpenmrsContext): PatientRow {
  return {
    id: 0,
    uuid: randomUUID(),
    voided: false,
    dateCreated: dbNow(context.clock),
    birthdateEstimated: false,
    dead: false,
    names: [],
    identifiers: [],
    addresses: [],
    attributes: [],
  };
}

/** The identifier's row, or undefined when its type cannot be resolved (then OpenMRS drops it, §4.2). */
function identifierFromFhir(context: OpenmrsContext, identifier: Identifier): IdentifierRow | undefined {
  // identifier.system is looked up only in fhir_patient_identifier_system, which is empty by default.
  if (identifier.system) return undefined;
  const type = identifier.type?.text ? context.db.identifierTypeByName(identifier.type.text) : undefined;
  if (!type || identifier.value === undefined) return undefined;
  const location = identifier.extension?.find((e) => e.url === IDENTIFIER_LOCATION)?.valueReference;
  if (location && (location.type ?? location.reference?.split('/')[0]) !== 'Location') {
    throw internalError('java.lang.IllegalArgumentException', 'Reference must be to a Location');
  }
  const locationUuid = referencedId(location);
  return {
    uuid: identifier.id ?? randomUUID(),
    value: identifier.value,
    typeUuid: type.uuid,
    preferred: identifier.use === 'official',
    ...(locationUuid && context.db.location(locationUuid) ? { locationUuid } : {}),
    voided: false,
  };
}

function addressFromFhir(address: Address): AddressRow {
  const lines: Record<string, string> = {};
  for (const part of address.extension?.find((e) => e.url === ADDRESS_EXTENSION)?.extension ?? []) {
    const line = part.url.split('#')[1];
    if (line && ADDRESS_LINES.includes(line) && part.valueString !== undefined)
      lines[line] = part.valueString;
  }
  return {
    uuid: address.id ?? randomUUID(),
    preferred: address.use === 'home',
    ...(address.city ? { cityVillage: address.city } : {}),
    ...(address.district ? { countyDistrict: address.district } : {}),
    ...(address.state ? { stateProvince: address.state } : {}),
    ...(address.postalCode ? { postalCode: address.postalCode } : {}),
    ...(address.country ? { country: address.country } : {}),
    lines,
    voided: false,
  };
}

function setAttribute(row: PatientRow, typeUuid: string, value: string): void {
  const current = row.attributes.find((a) => a.typeUuid === typeUuid && !a.voided);
  if (current?.value === value) return;
  if (current) current.voided = true;
  row.attributes.push({ uuid: randomUUID(), typeUuid, value, voided: false });
}

const sameIdentifier = (a: IdentifierRow, b: IdentifierRow) =>
  a.value === b.value && a.typeUuid === b.typeUuid && a.locationUuid === b.locationUuid;

/** Applies a FHIR Patient to a row the way PatientTranslatorImpl does: it merges, never replaces (§4.3). */
export function applyPatient(context: OpenmrsContext, row: PatientRow, patient: Patient): void {
  for (const identifier of patient.identifier ?? []) {
    const incoming = identifierFromFhir(context, identifier);
    if (!incoming) continue;
    const sameUuid = row.identifiers.find((i) => i.uuid === incoming.uuid);
    if (sameUuid && !sameIdentifier(sameUuid, incoming)) {
      throw internalError(
        'org.hibernate.exception.ConstraintViolationException',
        'could not execute statement',
      );
    }
    if (row.identifiers.some((i) => !i.voided && sameIdentifier(i, incoming))) continue;
    row.identifiers.push(incoming);
  }
  for (const name of patient.name ?? []) {
    const fields = {
      ...(name.given?.[0] ? { givenName: name.given[0] } : {}),
      ...(name.given && name.given.length > 1 ? { middleName: name.given.slice(1).join(' ') } : {}),
      ...(name.family ? { familyName: name.family } : {}),
    };
    const existing = name.id ? row.names.find((n) => n.uuid === name.id) : undefined;
    if (existing) {
      delete existing.givenName;
      delete existing.middleName;
      delete existing.familyName;
      Object.assign(existing, fields);
    } else {
      row.names.push({ uuid: name.id ?? randomUUID(), ...fields, voided: false });
    }
  }
  if (patient.gender) {
    const gender = GENDERS[patient.gender];
    if (gender) row.gender = gender;
  }
  if (patient.birthDate) {
    row.birthdateEstimated = patient.birthDate.length < 10;
    row.birthdate = `${patient.birthDate}-01-01`.slice(0, 10);
  }
  if (patient.deceasedBoolean !== undefined) row.dead = patient.deceasedBoolean;
  if (patient.deceasedDateTime) {
    row.dead = true;
    const death = parseFhirDateTime(patient.deceasedDateTime, context.clock.zone);
    if (death) row.deathDate = toDb(death.toMillis());
  }
  for (const address of patient.address ?? []) {
    // Person.addAddress compares by uuid: an address with a known id is ignored, never updated (§4.3).
    if (address.id && row.addresses.some((a) => a.uuid === address.id)) continue;
    row.addresses.push(addressFromFhir(address));
  }
  // Every ContactPoint becomes the Telephone Number attribute; only the last survives (§4.2).
  for (const telecom of patient.telecom ?? []) {
    if (telecom.value !== undefined) setAttribute(row, TELEPHONE_NUMBER, telecom.value);
  }
  for (const extension of patient.extension ?? []) {
    if (extension.url !== PERSON_ATTRIBUTE) continue;
    const typeName = extension.extension?.find((e) => e.url === PERSON_ATTRIBUTE_TYPE)?.valueString;
    const value = extension.extension?.find((e) => e.url === PERSON_ATTRIBUTE_VALUE)?.valueString;
    const type = context.db.personAttributeTypes.find((t) => t.name === typeName);
    if (type && value !== undefined) setAttribute(row, type.uuid, value);
  }
}

function identifierErrors(context: OpenmrsContext, row: PatientRow): FieldError[] {
  const errors: FieldError[] = [];
  const active = activeIdentifiers(row);
  for (const identifier of active) {
    const type = context.db.identifierType(identifier.typeUuid);
    const value = identifier.value;
    if (!type) continue;
    if (type.format && !new RegExp(type.format).test(value)) {
      errors.push({
        message: `Identifier "${value}" does not match : "${type.formatDescription ?? type.format}"`,
      });
    }
    if (type.validator === 'LuhnMod30') {
      const result = checkLuhnMod30(value);
      if (result === 'invalid-characters')
        errors.push({
          message: `Identifier ${value} is not appropriate for validation scheme Luhn Mod-30 Check-Digit Validator`,
        });
      if (result === 'invalid-check-digit')
        errors.push({ message: `Invalid check digit for identifier: ${value}` });
    }
    if (
      (type.locationBehavior === null || type.locationBehavior === 'REQUIRED') &&
      !identifier.locationUuid
    ) {
      errors.push({ message: `Identifier Location cannot be null for ${value}` });
    }
    if (type.uniquenessBehavior === 'NON_UNIQUE') continue;
    const same = (i: IdentifierRow) => !i.voided && i.typeUuid === identifier.typeUuid && i.value === value;
    const elsewhere = context.db
      .patientsWithIdentifier(value)
      .some((p) => p.uuid !== row.uuid && !p.voided && p.identifiers.some(same));
    if (elsewhere) errors.push({ message: `Identifier ${value} already in use by another patient` });
    else if (active.filter(same).length > 1)
      errors.push({ message: `Identifier ${value} already in use by this patient` });
  }
  return errors;
}

/** PersonValidator, PatientValidator and PatientIdentifierValidator, in core's order (§4.2). */
export function validatePatient(context: OpenmrsContext, row: PatientRow): void {
  const errors: FieldError[] = [];
  const names = row.names.filter((n) => !n.voided);
  if (names.length === 0)
    errors.push({ field: 'names', message: 'Person must have at least one non-deleted name' });
  names.forEach((name, i) => {
    if (!name.givenName)
      errors.push({ field: `names[${i}].givenName`, message: 'You must define the Given Name' });
  });
  if (!row.gender) errors.push({ field: 'gender', message: 'Please select a gender' });
  if (row.birthdate) {
    const birth = DateTime.fromISO(row.birthdate, { zone: context.clock.zone }).toMillis();
    const now = context.clock.now();
    if (birth > now) errors.push({ field: 'birthdate', message: 'Cannot be a date in the future' });
    else if (DateTime.fromMillis(now).minus({ years: 140 }).toMillis() > birth)
      errors.push({ field: 'birthdate', message: 'Nonsensical date, please check.' });
  }
  if (row.dead) {
    errors.push({
      field: 'causeOfDeath',
      message: 'Cause of Death or Cause of Death (non coded) is required for people marked as deceased.',
    });
  }
  const active = activeIdentifiers(row);
  if (!active.some((i) => i.preferred) && active.length !== 1)
    errors.push({ message: 'Select a preferred identifier' });
  if (errors.length === 0) errors.push(...identifierErrors(context, row));
  if (errors.length) throw validationFailed(`Patient#${row.id || 'null'}`, errors);
}
