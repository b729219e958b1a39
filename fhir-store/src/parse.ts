// What HAPI's JSON parser (lenient, as the hapiproject/hapi image runs it) makes of a submitted resource,
// checked against HAPI 8.8 (conformance/hapi): a single value where the definition allows many becomes a
// one-element list; a list where it allows one keeps its first value; an element the definition does
// not know is dropped; empty values (null, "", {}, []) are dropped; `extension` given as an object is
// refused (400 HAPI-1841). Element definitions come from the R4 StructureDefinitions (@medplum/core).
import { tryGetDataType, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';
import type { Resource } from 'fhir/r4';
import { invalid } from './errors';

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

function parseValue(value: unknown, type: string | undefined, path: string): unknown {
  if (type === 'Resource' && isObject(value)) return parseResourceJson(value, path);
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
      .map((v) => parseValue(v, type, at))
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
