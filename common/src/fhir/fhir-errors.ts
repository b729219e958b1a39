// Typed errors for FHIR calls. Each keeps the server's OperationOutcome and diagnostics, so that a
// message names what the server said (e.g. "HAPI-1094: Resource Patient/x not found ...").
import axios from 'axios';
import type { OperationOutcome } from 'fhir/r4';

export interface FailedRequest {
  peer: string;
  method: string;
  url: string;
}

export class FhirError extends Error {
  override name = 'FhirError';
  constructor(
    readonly request: FailedRequest,
    /** The HTTP status, or undefined when no answer came (refused, timed out). */
    readonly status: number | undefined,
    readonly outcome: OperationOutcome | undefined,
    readonly diagnostics: string,
  ) {
    super(
      `${request.peer} ${request.method} ${request.url} failed: ${status ?? 'no response'}${diagnostics ? ` ${diagnostics}` : ''}`,
    );
  }

  /** Worth trying again later: no answer, or the server failed. */
  get transient(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429;
  }
}

/** 404: the resource is not known. */
export class FhirNotFoundError extends FhirError {
  override name = 'FhirNotFoundError';
}
/** 410: deleted (voided), or an expired paging link. */
export class FhirGoneError extends FhirError {
  override name = 'FhirGoneError';
}
/** 409 or 412 on a versioned write: someone else wrote first; re-read and retry. */
export class FhirVersionConflictError extends FhirError {
  override name = 'FhirVersionConflictError';
}
/** 412 on a conditional create or update: more than one resource matched the criteria. */
export class FhirMultipleMatchesError extends FhirError {
  override name = 'FhirMultipleMatchesError';
}

export function isOperationOutcome(body: unknown): body is OperationOutcome {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { resourceType?: unknown }).resourceType === 'OperationOutcome'
  );
}

export function diagnosticsOf(outcome: OperationOutcome): string {
  return outcome.issue
    .map((issue) => issue.diagnostics ?? issue.details?.text ?? issue.code)
    .filter(Boolean)
    .join('; ');
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Some servers (OpenMRS's 401) answer with HTML: keep a readable fragment.
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** Converts what axios threw into the FhirError subclass that fits, given what was being done. */
export function toFhirError(
  error: unknown,
  request: FailedRequest,
  context: { versioned?: boolean; conditional?: boolean } = {},
): Error {
  if (!axios.isAxiosError(error)) return error instanceof Error ? error : new Error(String(error));
  const status = error.response?.status;
  const body: unknown = error.response?.data;
  const outcome = isOperationOutcome(body) ? body : undefined;
  const diagnostics = outcome
    ? diagnosticsOf(outcome)
    : status
      ? bodyText(body)
      : `${error.code ?? ''} ${error.message}`.trim();
  const args = [request, status, outcome, diagnostics] as const;
  if (status === 404) return new FhirNotFoundError(...args);
  if (status === 410) return new FhirGoneError(...args);
  if ((status === 409 || status === 412) && context.versioned) return new FhirVersionConflictError(...args);
  if (status === 412 && context.conditional) return new FhirMultipleMatchesError(...args);
  return new FhirError(...args);
}
