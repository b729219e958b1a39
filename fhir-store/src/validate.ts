// R4 validation of a resource with @medplum/core's validator (structure, cardinality, primitive formats,
// FHIRPath invariants; not value-set bindings), on the R4 definitions the store loads. For tests that
// check what the mediators write when no HAPI (and so no HAPI `$validate`) is at hand.
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource } from 'fhir/r4';
import { loadDefinitions } from './search-parameters';

interface Issue {
  severity?: string;
  expression?: string[];
  diagnostics?: string;
  details?: { text?: string };
}

/** The errors found, as `path: message` lines; none when the resource is valid R4. */
export function r4Errors(resource: Resource): string[] {
  loadDefinitions();
  const errors = (issues: Issue[]) =>
    issues
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map(
        (i) =>
          `${i.expression?.join(', ') ?? resource.resourceType}: ${i.details?.text ?? i.diagnostics ?? ''}`,
      );
  try {
    return errors(validateResource(resource as never) as Issue[]);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return errors((error.outcome.issue ?? []) as Issue[]);
  }
}
