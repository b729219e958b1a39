// How a sync tells failures apart (design.md §4): a peer that is down or failing stops the stream for
// this run and moves nothing (nothing is lost: the cursor stays); an item the peer refuses goes to the
// retry queue; an item whose patient is not linked yet waits for it.
import type { Reference } from 'fhir/r4';
import axios from 'axios';
import { FhirError } from '@cht-openmrs/common';

/** The item cannot go yet: it needs this patient on the other side first. */
export class WaitingForPatient extends Error {
  override name = 'WaitingForPatient';
  constructor(
    readonly patient: Reference,
    message: string,
  ) {
    super(message);
  }
}

/** The item needs an operator or a data fix (bad value, no place, duplicate); retrying will not help soon. */
export class ItemProblem extends Error {
  override name = 'ItemProblem';
}

export function isTransient(error: unknown): boolean {
  if (error instanceof FhirError) return error.transient;
  if (axios.isAxiosError(error)) {
    const status = error.response?.status;
    return status === undefined || status >= 500 || status === 429;
  }
  return false;
}

/** Which peer a transient error came from: our FHIR clients name it; bare axios calls are CHT's. */
export function peerOf(error: unknown): string {
  return error instanceof FhirError ? error.request.peer : 'CHT';
}

/** One line naming what failed and what the peer said (e.g. OpenMRS's 422 text). */
export function describeError(error: unknown): string {
  if (axios.isAxiosError(error)) {
    const { config, response } = error;
    const body =
      response?.data === undefined
        ? ''
        : ` ${typeof response.data === 'string' ? response.data : JSON.stringify(response.data)}`;
    return `CHT ${config?.method?.toUpperCase()} ${config?.url} failed: ${response?.status ?? error.code ?? 'no response'}${body}`.slice(
      0,
      1000,
    );
  }
  return error instanceof Error ? error.message : String(error);
}
