// The steps an authorised request shares on the router and the polling server (core's message store
// and router middleware): log the request, route it, answer the client, log the answer.
import type { Response } from 'express';
import type { Channel, HeaderMap } from '../model/types';
import type { ClientResponse } from './koa-response';
import { type RouterDeps, routeTransaction } from './route-transaction';
import { BodyBudget } from './transaction-log';

export interface AuthorisedRequest {
  channel: Channel;
  /** The client's `_id` (the transaction's clientID). */
  clientId: string | undefined;
  clientIp: string;
  hostHeader: string | undefined;
  method: string;
  path: string;
  querystring: string;
  headers: HeaderMap;
  body: Buffer;
  acceptsHtml: boolean;
}

/** Writes a Koa-built answer: the content type through Express (which adds the charset as Koa does). */
export function sendClientResponse(res: Response, client: ClientResponse): void {
  res.status(client.status);
  for (const [name, value] of client.headers) {
    if (name.toLowerCase() === 'content-type') {
      if (typeof value === 'string' && value.includes('/')) res.set('Content-Type', value);
    } else res.setHeader(name, value);
  }
  res.setHeader('Content-Length', client.body.length);
  res.end(client.body);
}

/** Koa's answer to a request no channel took (404) or the client may not use (401): the request body echoed. */
export function sendRejection(res: Response, status: 401 | 404, body: Buffer): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic');
  sendClientResponse(res, {
    status,
    headers: [['Content-Type', 'application/octet-stream']],
    body,
    logBody: '',
  });
}

export async function serveAuthorised(
  deps: RouterDeps,
  request: AuthorisedRequest,
  res: Response,
): Promise<void> {
  const budget = new BodyBudget();
  const transaction = deps.log.start(
    {
      channel: request.channel,
      clientId: request.clientId,
      clientIp: request.clientIp,
      hostHeader: request.hostHeader,
      path: request.path,
      querystring: request.querystring,
      method: request.method,
      headers: request.headers,
      body: request.body,
    },
    budget,
  );
  request.headers['X-OpenHIM-TransactionID'] = transaction._id;
  const routed = await routeTransaction(deps, {
    channel: request.channel,
    transaction,
    method: request.method,
    path: request.path,
    querystring: request.querystring,
    headers: request.headers,
    body: request.body,
    acceptsHtml: request.acceptsHtml,
    budget,
  });
  sendClientResponse(res, routed.client);
  routed.store(res.getHeaders());
}
