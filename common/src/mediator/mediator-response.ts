// Responses in the OpenHIM mediator format (openhim.md §5). The orchestrations are the outbound calls
// recorded while serving this request; handlers never collect them by hand.
import type { Response } from 'express';
import { currentContext } from '../context/request-context';
import type { Orchestration } from './orchestration';

export const MEDIATOR_CONTENT_TYPE = 'application/json+openhim';

export type MediatorStatus = 'Successful' | 'Completed' | 'Completed with error(s)' | 'Failed' | 'Processing';
export type Properties = Record<string, string | number | boolean>;

export interface MediatorResponse {
  'x-mediator-urn': string;
  status: MediatorStatus;
  response: { status: number; headers: Record<string, string>; body: string; timestamp: string };
  orchestrations: Orchestration[];
  properties: Properties;
  error?: { message: string; stack?: string };
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** OpenHIM's own rule for a primary route (openhim.md §3.4): 5xx Failed, 2xx Successful, else Completed. */
export function statusFor(httpStatus: number): MediatorStatus {
  if (httpStatus >= 500) return 'Failed';
  if (httpStatus >= 200 && httpStatus < 300) return 'Successful';
  return 'Completed';
}

export function mediatorResponse(
  urn: string,
  reply: Reply,
  extra: { properties?: Properties; error?: Error; status?: MediatorStatus } = {},
): MediatorResponse {
  const context = currentContext();
  const properties: Properties = { ...extra.properties };
  if (context?.droppedOrchestrations) properties['orchestrations not shown'] = context.droppedOrchestrations;
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const response: MediatorResponse = {
    'x-mediator-urn': urn,
    status: extra.status ?? statusFor(reply.status),
    response: {
      status: reply.status,
      headers: { 'content-type': 'application/json', ...reply.headers },
      body,
      timestamp: new Date().toISOString(),
    },
    orchestrations: context ? [...context.orchestrations] : [],
    properties,
  };
  if (extra.error)
    response.error = {
      message: extra.error.message,
      ...(extra.error.stack ? { stack: extra.error.stack } : {}),
    };
  return response;
}

export function sendMediatorResponse(
  res: Response,
  urn: string,
  reply: Reply,
  extra?: Parameters<typeof mediatorResponse>[2],
): void {
  res
    .status(reply.status)
    .type(MEDIATOR_CONTENT_TYPE)
    .send(JSON.stringify(mediatorResponse(urn, reply, extra)));
}
