// The failures the FHIR2 module answers with, each with OpenMRS's status and diagnostics text
// (openmrs-fhir2.md §8). Services throw them; the HTTP layer turns them into OperationOutcomes.

export class FhirProblem extends Error {
  constructor(
    readonly status: number,
    readonly diagnostics: string,
    readonly issueCode = 'processing',
  ) {
    super(diagnostics);
  }
}

export interface FieldError {
  field?: string;
  message: string;
}

/** OpenMRS validation (422): `'<object>' failed to validate with reason: field: message, …` (§8). */
export function validationFailed(objectName: string, errors: FieldError[]): FhirProblem {
  const reasons = [...new Set(errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)))];
  return new FhirProblem(422, `'${objectName}' failed to validate with reason: ${reasons.join(', ')}`);
}

/** A non-HAPI exception inside the module, which HAPI wraps as a 500 (§2, §8). */
export function internalError(exception: string, message?: string): FhirProblem {
  const detail = message ? `${exception}: ${message}` : exception;
  return new FhirProblem(500, `HAPI-0389: Failed to call access method: ${detail}`);
}

export const notKnown = (type: string, id: string): FhirProblem =>
  new FhirProblem(404, `Resource of type ${type} with ID ${id} is not known`);

export const gone = (type: string, id: string): FhirProblem =>
  new FhirProblem(410, `Resource of type ${type} with ID ${id} is gone/deleted`);

export const badRequest = (diagnostics: string, issueCode = 'processing'): FhirProblem =>
  new FhirProblem(400, diagnostics, issueCode);

export const invalidReference = (expected: string, found: string | undefined): FhirProblem =>
  internalError(
    'java.lang.IllegalArgumentException',
    `Reference must be to a ${expected} not a ${found ?? 'null'}`,
  );
