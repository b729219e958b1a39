// Search as the FHIR2 module runs it (openmrs-fhir2.md §4.4, §5.5, §6.4, §7): voided rows never match,
// integer-id order unless sorted, visits before encounters, `identifier` systems compared with the
// identifier type NAME, inclusive second-precision dates, HAPI's 400s for unknown parameters.
import type { Resource } from 'fhir/r4';
import type { EncounterRow, ObsRow, PatientRow, Row, VisitRow } from '../model/database';
import { searchAlternatives, splitTokenValue, unescapeSearchValue } from '@cht-openmrs/common';
import { CONCEPT_SOURCES } from '../model/seed';
import { matchesDate, parseDateParameter, type DateCondition } from '../model/time';
import { lastUpdatedOf, type OpenmrsContext } from './context';
import { ENCOUNTER_TAG_SYSTEM } from './encounter';
import { badRequest } from './errors';
import { activeIdentifiers } from './patient';
import type { ResourceType } from './resources';

export type SearchParams = [name: string, value: string][];

interface TypeRules {
  filters: string[];
  sorts: string[];
  include: string[];
  revinclude: string[];
}

const RULES: Record<ResourceType, TypeRules> = {
  Patient: {
    filters: [
      'name',
      'given',
      'family',
      'identifier',
      'gender',
      'birthdate',
      'deceased',
      'address-city',
      'address-state',
      'address-postalcode',
      'address-country',
    ],
    sorts: ['name', 'given', 'family', 'birthdate', '_id', '_lastUpdated'],
    include: [],
    revinclude: [
      'Observation:patient',
      'AllergyIntolerance:patient',
      'DiagnosticReport:patient',
      'Encounter:patient',
      'MedicationRequest:patient',
      'ServiceRequest:patient',
      'MedicationDispense:prescription',
    ],
  },
  Encounter: {
    filters: ['date', 'subject', 'patient', 'type', 'location', 'participant'],
    sorts: ['date', '_lastUpdated', '_id'],
    include: ['Encounter:location', 'Encounter:patient', 'Encounter:participant'],
    revinclude: [
      'Observation:encounter',
      'DiagnosticReport:encounter',
      'MedicationRequest:encounter',
      'ServiceRequest:encounter',
      'MedicationDispense:prescription',
    ],
  },
  Observation: {
    filters: ['patient', 'subject', 'encounter', 'code', 'category', 'date', 'value-concept', 'value-string'],
    sorts: ['date', '_lastUpdated', '_id'],
    include: ['Observation:encounter', 'Observation:patient', 'Observation:has-member'],
    revinclude: ['Observation:has-member', 'DiagnosticReport:result'],
  },
  Location: { filters: ['name'], sorts: ['name', '_id'], include: [], revinclude: [] },
};

/** Underscore parameters the module reads; any other `_x` is ignored, as HAPI does (§7). */
const KNOWN_UNDERSCORE = [
  '_id',
  '_lastUpdated',
  '_sort',
  '_count',
  '_include',
  '_revinclude',
  '_summary',
  '_tag',
];

export interface ParsedSearch {
  type: ResourceType;
  params: SearchParams;
  include: string[];
  revinclude: string[];
  count?: number;
  totalOnly: boolean;
}

export function parseSearch(type: ResourceType, params: SearchParams): ParsedSearch {
  const rules = RULES[type];
  const unknown = params
    .map(([name]) => name.split(/[:.]/)[0] ?? name)
    .filter((name) => !name.startsWith('_') && !rules.filters.includes(name));
  if (unknown.length) {
    const names = [...new Set(params.map(([name]) => name))].sort().join(', ');
    throw badRequest(
      `HAPI-0303: Invalid request: The FHIR endpoint on this server does not know how to handle GET operation[${type}] with parameters [[${names}]]`,
      'not-supported',
    );
  }
  const includes = (name: '_include' | '_revinclude', allowed: string[]) =>
    params
      .filter(([n]) => n === name)
      .map(([, value]) => {
        if (value.includes(',') || !allowed.includes(value)) {
          throw badRequest(
            `Invalid ${name} parameter value: '${value}'. Valid values are: [${[...allowed].sort().join(', ')}]`,
          );
        }
        return value;
      });
  const countValue = params.find(([n]) => n === '_count')?.[1];
  const count = countValue === undefined ? undefined : Number.parseInt(countValue, 10);
  if (countValue !== undefined && (!Number.isInteger(count) || (count ?? 0) < 0)) {
    throw badRequest(`HAPI-1935: Invalid _count value: "${countValue}"`);
  }
  const summaryCount = params.some(([n, v]) => n === '_summary' && v === 'count');
  return {
    type,
    params: params.filter(([name]) => !name.startsWith('_') || KNOWN_UNDERSCORE.includes(name)),
    include: includes('_include', rules.include),
    revinclude: includes('_revinclude', rules.revinclude),
    ...(count !== undefined ? { count } : {}),
    totalOnly: count === 0 || summaryCount,
  };
}

const values = (params: SearchParams, name: string): string[] =>
  params.filter(([n]) => n === name).map(([, v]) => v);

/** Comma means OR within one parameter (`\,` is a literal comma); repeating a parameter means AND. */
const anyOf = (value: string) => searchAlternatives(value).map((v) => unescapeSearchValue(v).trim());
/** The alternatives of a token parameter as [system, code] (`\|` is a literal bar). */
const anyTokenOf = (value: string) => searchAlternatives(value).map(splitTokenValue);

const uuidOf = (value: string) => value.split('/').pop() ?? value;

function dateConditions(params: SearchParams, name: string, zone: string): DateCondition[] {
  return values(params, name).map((raw) => {
    const condition = parseDateParameter(raw, zone);
    if (!condition) throw badRequest(`HAPI-1882: Invalid date/time format: "${raw}"`);
    return condition;
  });
}

function stringMatch(modifier: string | undefined, candidate: string | undefined, wanted: string): boolean {
  if (!candidate) return false;
  const c = candidate.toLowerCase();
  const w = wanted.toLowerCase();
  if (modifier === 'exact') return candidate === wanted;
  if (modifier === 'contains') return c.includes(w);
  return c.startsWith(w);
}

type Filter<T> = (row: T) => boolean;

function commonFilters<T extends Row>(
  context: OpenmrsContext,
  params: SearchParams,
  lastUpdated: (row: T) => number,
): Filter<T>[] {
  const filters: Filter<T>[] = [(row) => !row.voided];
  for (const ids of values(params, '_id')) {
    const wanted = new Set(anyOf(ids));
    filters.push((row) => wanted.has(row.uuid));
  }
  for (const condition of dateConditions(params, '_lastUpdated', context.clock.zone))
    filters.push((row) => matchesDate(condition, lastUpdated(row)));
  return filters;
}

function patientFilters(context: OpenmrsContext, params: SearchParams): Filter<PatientRow>[] {
  const { db, clock } = context;
  const filters = commonFilters<PatientRow>(context, params, lastUpdatedOf);
  for (const [rawName, value] of params) {
    const [name, modifier] = rawName.split(':');
    const names = (row: PatientRow) => row.names.filter((n) => !n.voided);
    const alternatives = anyOf(value);
    if (name === 'given')
      filters.push((row) =>
        alternatives.some((v) =>
          names(row).some(
            (n) => stringMatch(modifier, n.givenName, v) || stringMatch(modifier, n.middleName, v),
          ),
        ),
      );
    if (name === 'family')
      filters.push((row) =>
        alternatives.some((v) => names(row).some((n) => stringMatch(modifier, n.familyName, v))),
      );
    if (name === 'name') {
      const tokens = value.split(/[\s,]+/).filter(Boolean);
      filters.push((row) =>
        tokens.some((t) =>
          names(row).some((n) =>
            [n.givenName, n.middleName, n.familyName].some((part) => stringMatch(modifier, part, t)),
          ),
        ),
      );
    }
    if (name === 'identifier') {
      const tokens = anyTokenOf(value);
      filters.push((row) =>
        tokens.some(([system, identifier]) => {
          return activeIdentifiers(row).some(
            (i) => i.value === identifier && (!system || db.identifierType(i.typeUuid)?.name === system),
          );
        }),
      );
    }
    if (name === 'gender')
      filters.push((row) =>
        alternatives.includes({ M: 'male', F: 'female', U: 'unknown', O: 'other' }[row.gender ?? 'U']),
      );
    if (name === 'deceased') filters.push((row) => String(row.dead) === value);
    if (name === 'birthdate') {
      const condition = parseDateParameter(value, clock.zone);
      if (!condition) throw badRequest(`HAPI-1882: Invalid date/time format: "${value}"`);
      filters.push(
        (row) =>
          Boolean(row.birthdate) &&
          matchesDate(condition, parseDateParameter(row.birthdate ?? '', clock.zone)?.start),
      );
    }
    const addressField = {
      'address-city': 'cityVillage',
      'address-state': 'stateProvince',
      'address-postalcode': 'postalCode',
      'address-country': 'country',
    }[name ?? ''] as 'cityVillage' | 'stateProvince' | 'postalCode' | 'country' | undefined;
    if (addressField)
      filters.push((row) =>
        row.addresses.some((a) => !a.voided && stringMatch(modifier, a[addressField], value)),
      );
  }
  return filters;
}

function encounterFilters<T extends VisitRow | EncounterRow>(
  context: OpenmrsContext,
  params: SearchParams,
  typeOf: (row: T) => string | undefined,
  dateOf: (row: T) => number | undefined,
  providersOf: (row: T) => string[],
): Filter<T>[] {
  const filters = commonFilters<T>(context, params, lastUpdatedOf);
  for (const condition of dateConditions(params, 'date', context.clock.zone))
    filters.push((row) => matchesDate(condition, dateOf(row)));
  for (const [rawName, value] of params) {
    const name = rawName.split(':')[0];
    const uuids = new Set(anyOf(value).map(uuidOf));
    if (name === 'subject' || name === 'patient') filters.push((row) => uuids.has(row.patientUuid ?? ''));
    if (name === 'type') {
      const types = new Set(anyOf(value).map((v) => v.split('|').pop() ?? v));
      filters.push((row) => {
        const type = typeOf(row);
        return type !== undefined && types.has(type);
      });
    }
    if (name === 'location') filters.push((row) => uuids.has(row.locationUuid ?? ''));
    if (name === 'participant') filters.push((row) => providersOf(row).some((p) => uuids.has(p)));
  }
  return filters;
}

function observationFilters(context: OpenmrsContext, params: SearchParams): Filter<ObsRow>[] {
  const { db } = context;
  const filters = commonFilters<ObsRow>(context, params, (row) => row.dateCreated);
  for (const condition of dateConditions(params, 'date', context.clock.zone))
    filters.push((row) => matchesDate(condition, row.obsDatetime));
  const conceptMatches = (conceptUuid: string | undefined, token: string) => {
    const concept = conceptUuid ? db.concept(conceptUuid) : undefined;
    if (!concept) return false;
    if (!token.includes('|')) return concept.uuid === token || String(concept.id) === token;
    const [system, code] = token.split('|', 2);
    const source = Object.entries(CONCEPT_SOURCES).find(([, url]) => url === system)?.[0];
    return Boolean(source && concept.mappings[source] === code);
  };
  for (const [rawName, value] of params) {
    const name = rawName.split(':')[0];
    const alternatives = anyOf(value);
    const uuids = new Set(alternatives.map(uuidOf));
    if (name === 'patient' || name === 'subject') filters.push((row) => uuids.has(row.personUuid ?? ''));
    if (name === 'encounter') filters.push((row) => uuids.has(row.encounterUuid ?? ''));
    if (name === 'code')
      filters.push((row) => alternatives.some((token) => conceptMatches(row.conceptUuid, token)));
    if (name === 'value-concept')
      filters.push((row) => alternatives.some((token) => conceptMatches(row.valueCoded, token)));
    if (name === 'value-string') filters.push((row) => stringMatch(undefined, row.valueText, value));
    if (name === 'category') {
      const classes: Record<string, string> = { laboratory: 'Test', procedure: 'Procedure', exam: 'Finding' };
      filters.push((row) =>
        alternatives.some(
          (v) => classes[v.split('|').pop() ?? v] === db.concept(row.conceptUuid ?? '')?.conceptClass,
        ),
      );
    }
  }
  return filters;
}

function sortRows<T extends Row>(
  rows: T[],
  params: SearchParams,
  keys: Record<string, (row: T) => string | number | undefined>,
): T[] {
  const sort = values(params, '_sort').flatMap(anyOf).filter(Boolean);
  if (!sort.length) return rows;
  return [...rows].sort((a, b) => {
    for (const spec of sort) {
      const descending = spec.startsWith('-');
      const key = keys[descending ? spec.slice(1) : spec];
      if (!key) continue;
      const [x, y] = [key(a), key(b)];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const order = x < y ? -1 : 1;
      return descending ? -order : order;
    }
    return a.id - b.id;
  });
}

/** Only the patients holding a searched identifier value, when the search names one (the index). */
function patientCandidates(context: OpenmrsContext, params: SearchParams): PatientRow[] {
  const identifiers = values(params, 'identifier');
  if (!identifiers.length) return context.db.tables.patients;
  const first = identifiers[0] ?? '';
  const wanted = anyTokenOf(first).map(([, code]) => code);
  const rows = new Set(wanted.flatMap((value) => context.db.patientsWithIdentifier(value)));
  return [...rows].sort((a, b) => a.id - b.id);
}

/** Only the visits of the searched patients, when the search names some (the index). */
function visitCandidates(context: OpenmrsContext, params: SearchParams): VisitRow[] {
  const [patients] = params.filter(([name]) => ['patient', 'subject'].includes(name.split(':')[0] ?? ''));
  if (!patients) return context.db.tables.visits;
  const rows = new Set(anyOf(patients[1]).flatMap((value) => context.db.visitsOf(uuidOf(value))));
  return [...rows].sort((a, b) => a.id - b.id);
}

const apply = <T>(rows: T[], filters: Filter<T>[]) => rows.filter((row) => filters.every((f) => f(row)));

/** Which part of an Encounter search a `_tag` leaves: visits, encounters, both or none (§5.5). */
function encounterParts(params: SearchParams): { visits: boolean; encounters: boolean } {
  let parts = { visits: true, encounters: true };
  for (const value of values(params, '_tag')) {
    const [system, code] = value.includes('|') ? value.split('|', 2) : [undefined, value];
    const known = !system || system === ENCOUNTER_TAG_SYSTEM;
    parts = {
      visits: parts.visits && known && code === 'visit',
      encounters: parts.encounters && known && code === 'encounter',
    };
  }
  return parts;
}

/** The matching rows, in the order the module returns them. */
export function searchRows(context: OpenmrsContext, search: ParsedSearch): Row[] {
  const { db } = context;
  const { params } = search;
  const name = (row: PatientRow) => row.names.find((n) => !n.voided);
  switch (search.type) {
    case 'Patient':
      return sortRows(apply(patientCandidates(context, params), patientFilters(context, params)), params, {
        name: (r) => name(r)?.familyName,
        family: (r) => name(r)?.familyName,
        given: (r) => name(r)?.givenName,
        birthdate: (r) => r.birthdate,
        _id: (r) => r.uuid,
        _lastUpdated: lastUpdatedOf,
      });
    case 'Encounter': {
      const parts = encounterParts(params);
      const visits = parts.visits
        ? apply(
            visitCandidates(context, params),
            encounterFilters<VisitRow>(
              context,
              params,
              (r) => r.visitTypeUuid,
              (r) => r.startDatetime,
              () => [],
            ),
          )
        : [];
      const encounters = parts.encounters
        ? apply(
            db.tables.encounters,
            encounterFilters<EncounterRow>(
              context,
              params,
              (r) => r.encounterTypeUuid,
              (r) => r.encounterDatetime,
              (r) => r.providerUuids,
            ),
          )
        : [];
      return [
        ...sortRows(visits, params, {
          date: (r) => r.startDatetime,
          _lastUpdated: lastUpdatedOf,
          _id: (r) => r.uuid,
        }),
        ...sortRows(encounters, params, {
          date: (r) => r.encounterDatetime,
          _lastUpdated: lastUpdatedOf,
          _id: (r) => r.uuid,
        }),
      ];
    }
    case 'Observation':
      return sortRows(apply(db.tables.observations, observationFilters(context, params)), params, {
        date: (r) => r.obsDatetime,
        _lastUpdated: (r) => r.dateCreated,
        _id: (r) => r.uuid,
      });
    case 'Location': {
      const names = values(params, 'name');
      return db.locations
        .map((location, i) => ({
          id: i + 1,
          uuid: location.uuid,
          name: location.name,
          voided: Boolean(location.retired),
          dateCreated: 0,
        }))
        .filter((row) => !row.voided && names.every((n) => stringMatch(undefined, row.name, n)));
    }
  }
}

/** `_include` and `_revinclude` resources for one page's matches, non-voided, each once. */
export function includedResources(
  context: OpenmrsContext,
  search: ParsedSearch,
  page: Row[],
  toFhir: (type: ResourceType, row: Row) => Resource,
  location: (uuid: string) => Resource | undefined,
): Resource[] {
  const { db } = context;
  const out = new Map<string, Resource>();
  const add = (type: ResourceType, row: Row | undefined) => {
    if (row && !row.voided) out.set(`${type}/${row.uuid}`, toFhir(type, row));
  };
  const ids = new Set(page.map((row) => row.uuid));
  for (const include of search.include) {
    for (const row of page) {
      const encounterLike = row as EncounterRow;
      const obs = row as ObsRow;
      if (include === 'Encounter:patient') add('Patient', db.patient(encounterLike.patientUuid ?? ''));
      if (include === 'Encounter:location' && encounterLike.locationUuid) {
        const found = location(encounterLike.locationUuid);
        if (found) out.set(`Location/${encounterLike.locationUuid}`, found);
      }
      if (include === 'Observation:patient') add('Patient', db.patient(obs.personUuid ?? ''));
      if (include === 'Observation:encounter') add('Encounter', db.encounter(obs.encounterUuid ?? ''));
    }
  }
  for (const revinclude of search.revinclude) {
    if (revinclude === 'Observation:encounter')
      for (const obs of db.tables.observations) if (ids.has(obs.encounterUuid ?? '')) add('Observation', obs);
    if (revinclude === 'Observation:patient')
      for (const obs of db.tables.observations) if (ids.has(obs.personUuid ?? '')) add('Observation', obs);
    if (revinclude === 'Encounter:patient')
      for (const row of [...db.tables.visits, ...db.tables.encounters])
        if (ids.has(row.patientUuid ?? '')) add('Encounter', row);
  }
  return [...out.values()];
}
