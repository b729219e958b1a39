// What HAPI's JSON parser (lenient, as the hapiproject/hapi image runs it) makes of a submitted resource,
// checked against HAPI 8.8 (conformance/hapi): a single value where the definition allows many becomes a
// one-element list; a list where it allows one keeps its first value; an element the definition does
// not know is dropped; empty values (null, "", {}, []) are dropped; `extension` given as an object is
// refused (400 HAPI-1841); a primitive is converted where HAPI converts ("true" to true, 12 to "12") and
// refused where it refuses (400 HAPI-1821: a date off the calendar or without seconds, a boolean "yes").
// A code outside the required value set of its element (gender "Male") is refused too (HAPI-1821), where
// that value set lists its codes (value-sets.ts).
// Element definitions come from the R4 StructureDefinitions (@medplum/core).
import { tryGetDataType, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import type { Resource } from 'fhir/r4';
import { invalid } from './errors';
import { requiredCodes } from './value-sets';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isEmpty = (value: unknown): boolean =>
  value === null ||
  value === undefined ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (isObject(value) && Object.keys(value).length === 0);

/** The element a JSON key stands for: `name`, or `valueQuantity` for `value[x]`; with the type it names. */
function elementFor(
  schema: InternalTypeSchema,
  key: string,
): { element: InternalSchemaElement; type: string | undefined } | undefined {
  const element = schema.elements[key];
  if (element) return { element, type: element.type.length === 1 ? element.type[0]?.code : undefined };
  for (const [name, choice] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const prefix = name.slice(0, -3);
    if (!key.startsWith(prefix)) continue;
    const suffix = key.slice(prefix.length);
    const type = choice.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
    if (type) return { element: choice, type: type.code };
  }
  return undefined;
}

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const STRINGS = new Set([
  'string',
  'code',
  'id',
  'uri',
  'url',
  'canonical',
  'markdown',
  'oid',
  'uuid',
  'base64Binary',
]);
const INTEGERS = new Set(['integer', 'positiveInt', 'unsignedInt']);

/** A date as HAPI accepts it: any precision down to seconds (a time needs seconds), on the calendar. */
function isDateTime(text: string): boolean {
  const [, year, month, day, hour, minute, second] = DATE_TIME.exec(text) ?? [];
  if (!year) return false;
  if (month && (Number(month) < 1 || Number(month) > 12)) return false;
  if (day) {
    const last = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    if (Number(day) < 1 || Number(day) > last) return false;
  }
  return !hour || (Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60);
}

function refused(element: string, value: unknown, why: string): never {
  throw invalid(
    '0450',
    `Failed to parse request body as JSON resource. Error was: HAPI-1821: [element="${element}"] Invalid attribute value "${String(value)}": ${why}`,
  );
}

/** A primitive as HAPI's parser reads it: strings given as numbers or booleans, and the reverse, converted. */
function parsePrimitive(value: unknown, type: string, element: string): unknown {
  if (typeof value === 'object') return value;
  if (STRINGS.has(type)) return String(value);
  if (type === 'boolean') {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return refused(element, value, `Invalid boolean string: '${String(value)}'`);
  }
  if (INTEGERS.has(type) || type === 'decimal') {
    const number = typeof value === 'number' ? value : Number(value);
    if (String(value).trim() === '' || !Number.isFinite(number)) refused(element, value, 'not a number');
    if (INTEGERS.has(type) && !Number.isInteger(number)) refused(element, value, 'not an integer');
    return number;
  }
  if (type === 'date' || type === 'dateTime' || type === 'instant') {
    if (typeof value !== 'string' || !isDateTime(value))
      refused(element, value, `Invalid date/time format: "${String(value)}"`);
  }
  return value;
}

function parseValue(
  value: unknown,
  type: string | undefined,
  path: string,
  element: InternalSchemaElement,
): unknown {
  if (type === 'Resource' && isObject(value)) return parseResourceJson(value, path);
  if (type && /^[a-z]/.test(type)) {
    const name = path.slice(path.lastIndexOf('.') + 1);
    const parsed = parsePrimitive(value, type, name);
    if (type === 'code' && typeof parsed === 'string' && element.binding?.strength === 'required') {
      const known = requiredCodes(element.binding.valueSet);
      if (known && !known.codes.has(parsed)) refused(name, parsed, `Unknown ${known.name} code '${parsed}'`);
    }
    return parsed;
  }
  const schema = type && /^[A-Z]/.test(type) ? tryGetDataType(type) : undefined;
  if (schema && isObject(value)) return parseElement(value, schema, path);
  return value;
}

function parseElement(json: Json, schema: InternalTypeSchema, path: string): Json {
  const parsed: Json = {};
  for (const [key, raw] of Object.entries(json)) {
    if (key === 'resourceType') {
      parsed[key] = raw;
      continue;
    }
    if (key.startsWith('_')) {
      // A primitive's id and extensions: kept beside a known element.
      if (elementFor(schema, key.slice(1)) && !isEmpty(raw)) parsed[key] = raw;
      continue;
    }
    const found = elementFor(schema, key);
    if (!found || isEmpty(raw)) continue; // unknown or empty: dropped, as HAPI's lenient parser does
    const { element, type } = found;
    const many = element.isArray || element.max !== 1;
    const at = `${path}.${key}`;
    if ((key === 'extension' || key === 'modifierExtension') && !Array.isArray(raw)) {
      throw invalid(
        '0450',
        `Failed to parse request body as JSON resource. Error was: HAPI-1841: Syntax error parsing JSON FHIR structure: Expected ARRAY at element '${key}', found 'OBJECT'`,
      );
    }
    const values = (Array.isArray(raw) ? raw : [raw])
      .map((v) => parseValue(v, type, at, element))
      .filter((v) => !isEmpty(v));
    if (values.length === 0) continue;
    parsed[key] = many ? values : values[0];
  }
  return parsed;
}

function parseResourceJson(json: Json, path: string): Json {
  const type = typeof json.resourceType === 'string' ? json.resourceType : undefined;
  const schema = type ? tryGetDataType(type) : undefined;
  return schema ? parseElement(json, schema, type ?? path) : json;
}

/** The resource as HAPI would store it after parsing; throws 400 where HAPI's parser refuses it. */
export function parseResource<T extends Resource>(resource: T): T {
  return parseResourceJson(resource as unknown as Json, resource.resourceType) as unknown as T;
}
