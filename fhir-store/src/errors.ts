// Errors as HAPI gives them: a status and an OperationOutcome whose diagnostics start with `HAPI-NNNN: `
// (hapi-fhir-and-fhir-store.md §1.6).
import type { OperationOutcome } from 'fhir/r4';

export class FhirStoreError extends Error {
  override name = 'FhirStoreError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issueCode: OperationOutcome['issue'][number]['code'] = 'processing',
  ) {
    super(`HAPI-${code}: ${message}`);
  }

  outcome(): OperationOutcome {
    return {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: this.issueCode, diagnostics: this.message }],
    };
  }
}

export const invalid = (code: string, message: string) => new FhirStoreError(400, code, message);
export const notFound = (type: string, id: string) =>
  new FhirStoreError(404, '2001', `Resource ${type}/${id} is not known`, 'not-found');
