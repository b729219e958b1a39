// Mediator responses (openhim.md §5; core@v8.5.0:src/middleware/router.js): a route answer whose
// content type contains `application/json+openhim` is parsed, and its `response` becomes the client's
// answer. Parsing throws like core's JSON.parse. The stand-in also flags what core's transaction
// update would reject or lose, such as orchestrations without `request.timestamp`. Pure.
import { isPlainObject } from '../model/schema';
import type { ErrorRecord, Orchestration } from '../model/types';

export const MEDIATOR_CONTENT_TYPE = 'application/json+openhim';

export interface MediatorReply {
  'x-mediator-urn'?: string;
  status?: string;
  response?: {
    status?: number | string;
    headers?: Record<string, string>;
    body?: unknown;
    timestamp?: string;
  };
  orchestrations?: Orchestration[];
  properties?: Record<string, unknown>;
  error?: ErrorRecord;
  metrics?: unknown;
}

export function isMediatorResponse(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.includes(MEDIATOR_CONTENT_TYPE);
}

export function parseMediatorResponse(body: string): MediatorReply {
  const parsed: unknown = JSON.parse(body);
  return (isPlainObject(parsed) ? parsed : {}) as MediatorReply;
}

/** What core's validators would reject in a mediator's orchestrations (openhim.md §5, §8.30). */
export function orchestrationWarnings(reply: MediatorReply): string[] {
  const warnings: string[] = [];
  (Array.isArray(reply.orchestrations) ? reply.orchestrations : []).forEach((orchestration, i) => {
    const label = `orchestration ${i}${orchestration?.name ? ` "${orchestration.name}"` : ''}`;
    if (!orchestration?.name) warnings.push(`${label} has no name: core's transaction schema requires one`);
    if (orchestration?.request && !orchestration.request.timestamp)
      warnings.push(
        `${label} has no request.timestamp: core's transaction schema requires it and may reject the whole response update`,
      );
    for (const part of ['request', 'response'] as const) {
      const body = orchestration?.[part]?.body;
      if (body !== undefined && body !== null && typeof body !== 'string')
        warnings.push(`${label} ${part}.body is not a string: core stores it as "${String(body)}"`);
    }
  });
  if (reply.response && reply.response.body !== undefined && typeof reply.response.body !== 'string')
    warnings.push('response.body is not a string: the client gets JSON, but core logs "[object Object]"');
  return warnings;
}
