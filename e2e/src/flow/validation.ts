// Every version of every resource the mediators wrote to the FHIR server, checked against R4 by a real
// validator: HAPI's own (`$validate`: its FhirValidator with the R4 core definitions) when the run
// targets HAPI (`npm run test:hapi`), otherwise @medplum/core's (through the embedded store).
import axios from 'axios';
import type { Bundle, OperationOutcome, Resource } from 'fhir/r4';
import type { FhirClient } from '@cht-openmrs/common';
import { externalFhirUrl, r4Errors } from '@cht-openmrs/fhir-store';

/** What the mediators write: CHT patients and reports, copies from OpenMRS, the sync state and queue. */
const WRITTEN_TYPES = ['Patient', 'Encounter', 'Observation', 'Basic', 'Task'] as const;

export async function everyVersionWritten(fhir: FhirClient, base: string): Promise<Resource[]> {
  const versions: Resource[] = [];
  for (const type of WRITTEN_TYPES) {
    for (const current of await fhir.searchAll(type)) {
      const { data } = await axios.get<Bundle>(`${base}/${type}/${current.id}/_history`);
      for (const entry of data.entry ?? []) if (entry.resource) versions.push(entry.resource);
    }
  }
  return versions;
}

/** `Type/id/_history/n: path: message` for each error the validator finds. */
export async function validationErrors(resources: Resource[]): Promise<string[]> {
  const hapi = externalFhirUrl();
  const errors: string[] = [];
  for (const resource of resources) {
    const name = `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`;
    const found = hapi ? await hapiErrors(hapi, resource) : r4Errors(resource);
    errors.push(...found.map((e) => `${name}: ${e}`));
  }
  return errors;
}

async function hapiErrors(base: string, resource: Resource): Promise<string[]> {
  const { data } = await axios.post<OperationOutcome>(
    `${base}/${resource.resourceType}/$validate`,
    resource,
    {
      headers: { 'Content-Type': 'application/fhir+json' },
      validateStatus: () => true,
    },
  );
  return (data.issue ?? [])
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.expression?.join(', ') ?? ''}: ${i.diagnostics ?? ''}`);
}
