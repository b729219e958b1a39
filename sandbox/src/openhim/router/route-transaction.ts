// Core's router step (openhim.md §3.3–§3.4, §5; core@v8.5.0:src/middleware/router.js): the request
// goes to every enabled route at once (routes with `waitPrimaryResponse` after the primary, when its
// status passes `statusCodesCheck`); the primary's answer, unwrapped when a mediator sent it, becomes
// the client's; every route is logged, and the final status is set when all have finished.
import type { Logger } from '@cht-openmrs/common';
import { numberOfPrimaryRoutes, isRouteEnabled } from '../model/channel-rules';
import { isError } from '../model/is-error';
import type {
  Channel,
  ErrorRecord,
  HeaderMap,
  Orchestration,
  Route,
  RouteRecord,
  Transaction,
} from '../model/types';
import { finalStatus } from './final-status';
import { type ClientResponse, koaResponse } from './koa-response';
import {
  isMediatorResponse,
  type MediatorReply,
  orchestrationWarnings,
  parseMediatorResponse,
} from './mediator-response';
import { type OutgoingRequest, routeRequest } from './route-request';
import { type RouteResponse, sendToRoute } from './send';
import { type BodyBudget, escapeHeaderKeys, type TransactionLog } from './transaction-log';

export interface RoutingContext {
  channel: Channel;
  transaction: Transaction;
  method: string;
  path: string;
  querystring: string;
  /** Shared with every route, as core's ctx.request.header (already has X-OpenHIM-TransactionID). */
  headers: HeaderMap;
  body: Buffer;
  acceptsHtml: boolean;
  budget: BodyBudget;
}

export interface RouterDeps {
  log: TransactionLog;
  now: () => number;
  /** core's router.timeout (60 s) when the channel has no timeout. */
  routerTimeoutMs: number;
  /** PATCH bodies are forwarded from core 8.4.2 on. */
  forwardPatchBody: boolean;
  logger: Logger;
  /** Aborted when the stand-in stops: pending route calls end at once. */
  stopping?: AbortSignal;
}

export interface Routed {
  client: ClientResponse;
  /** Stores the primary response with the headers the client was sent (core's storeResponse). */
  store(sentHeaders: Record<string, unknown>): void;
}

const errorRecord = (error: unknown): ErrorRecord => {
  const e = isError(error) ? error : new Error(String(error));
  return { message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
};

const bodyText = (body: Buffer | string) => (Buffer.isBuffer(body) ? body.toString() : body);

/** statusCodesCheck: "200,201" or "2**" (the wildcard compares the first digit). */
function passesStatusCheck(route: Route, status: number): boolean {
  if (!route.statusCodesCheck) return true;
  for (const code of route.statusCodesCheck.split(',')) {
    if (Number(code) === status) return true;
    if (code.includes('*')) return String(status)[0] === code[0];
  }
  return false;
}

/** Throws (Koa then answers a bare 500) for a channel with several enabled primaries, as core does. */
export async function routeTransaction(deps: RouterDeps, ctx: RoutingContext): Promise<Routed> {
  const { channel, transaction } = ctx;
  const warnings: string[] = [];
  const timestamp = transaction.request.timestamp;

  const methods = channel.methods;
  if (methods.length > 0 && !methods.includes(ctx.method.toUpperCase())) {
    // Only reachable from polling: core answers 405 and never sets a final status.
    const client = koaResponse(
      {
        status: 405,
        body: `Request with method ${ctx.method} is not allowed. Only ${methods.join(', ')} methods are allowed`,
      },
      { acceptsHtml: ctx.acceptsHtml },
    );
    return {
      client,
      store: (sent) => storePrimary(deps, ctx, client, sent, { orchestrations: [], warnings }),
    };
  }
  if (numberOfPrimaryRoutes(channel.routes) > 1)
    throw new Error(
      'Cannot route transaction: Channel contains multiple primary routes and only one primary is allowed',
    );

  const timeoutMs = channel.timeout ?? deps.routerTimeoutMs;
  const inbound = { method: ctx.method, path: ctx.path, querystring: ctx.querystring };
  const withBody = ['POST', 'PUT', ...(deps.forwardPatchBody ? ['PATCH'] : [])].includes(ctx.method);
  const body = withBody ? ctx.body : undefined;
  const afterPrimary = channel.routes.filter((r) => r.waitPrimaryResponse && !r.primary && isRouteEnabled(r));
  const together = channel.routes.filter((r) => !afterPrimary.includes(r) && isRouteEnabled(r));

  const routeRecords: RouteRecord[] = [];
  const orchestrations: Orchestration[] = [];
  let mediator: MediatorReply | undefined;
  let error: ErrorRecord | undefined;
  let autoRetry: boolean | undefined;
  let primary: Promise<ClientResponse> | undefined;
  let primaryTimestamp: string | undefined;

  const primaryOrchestration = (
    route: Route,
    request: OutgoingRequest,
    outcome: { response: RouteResponse } | { failure: unknown },
  ) => {
    const orchestration: Orchestration = {
      name: route.name,
      request: {
        host: request.hostname,
        port: request.port === undefined ? undefined : String(request.port),
        path: request.path,
        headers: request.headers,
        method: request.method,
        body: ctx.body.toString(),
        timestamp,
      },
    };
    if ('failure' in outcome) orchestration.error = errorRecord(outcome.failure);
    else
      orchestration.response = {
        headers: outcome.response.headers as HeaderMap,
        status: outcome.response.status,
        body: bodyText(outcome.response.body),
        timestamp: outcome.response.timestamp,
      };
    orchestrations.push(orchestration);
  };

  const sendPrimary = async (route: Route, request: OutgoingRequest): Promise<ClientResponse> => {
    try {
      let response: RouteResponse;
      try {
        response = await sendToRoute(request, body, deps.now, deps.stopping);
      } catch (failure) {
        primaryOrchestration(route, request, { failure });
        throw failure;
      }
      primaryOrchestration(route, request, { response });
      if (isMediatorResponse(response.headers['content-type'])) {
        const reply = parseMediatorResponse(bodyText(response.body));
        mediator = reply;
        warnings.push(...orchestrationWarnings(reply));
        if (reply.error !== undefined && reply.error !== null) {
          autoRetry = true;
          error = reply.error;
        }
        if (!reply.response) throw new TypeError("Cannot read property 'status' of undefined");
        primaryTimestamp = reply.response.timestamp;
        return koaResponse(reply.response, { transactionId: transaction._id, acceptsHtml: ctx.acceptsHtml });
      }
      primaryTimestamp = response.timestamp;
      return koaResponse(
        {
          status: response.status,
          headers: response.headers as Record<string, unknown>,
          body: response.body,
        },
        { transactionId: transaction._id, acceptsHtml: ctx.acceptsHtml },
      );
    } catch (failure) {
      // handleServerError: the client gets a plain 500 and the transaction the error.
      autoRetry = true;
      error = errorRecord(failure);
      primaryTimestamp = new Date(deps.now()).toISOString();
      deps.logger.warn(
        { transaction: transaction._id, route: route.name, error: error.message },
        'route failed',
      );
      return koaResponse(
        { status: 500, body: 'An internal server error occurred' },
        { acceptsHtml: ctx.acceptsHtml },
      );
    }
  };

  const sendOther = async (route: Route, request: OutgoingRequest): Promise<void> => {
    const path = request.path.split('?')[0] ?? request.path;
    const routeRequestRecord = () => ({
      host: request.hostname,
      port: request.port === undefined ? undefined : String(request.port),
      path,
      headers: request.headers,
      querystring: ctx.querystring,
      method: request.method,
      timestamp,
    });
    let record: RouteRecord;
    try {
      const response = await sendToRoute(request, body, deps.now, deps.stopping);
      record = { name: route.name, request: routeRequestRecord() };
      if (isMediatorResponse(response.headers['content-type'])) {
        const reply = parseMediatorResponse(bodyText(response.body));
        if (reply['x-mediator-urn'] !== undefined) record.mediatorURN = reply['x-mediator-urn'];
        if (reply.orchestrations !== undefined) record.orchestrations = reply.orchestrations;
        if (reply.properties !== undefined) record.properties = reply.properties;
        if (reply.metrics) record.metrics = reply.metrics;
        record.response = reply.response as RouteRecord['response'];
      } else
        record.response = {
          status: response.status,
          headers: response.headers as HeaderMap,
          body: bodyText(response.body),
          timestamp: response.timestamp,
        };
    } catch (failure) {
      autoRetry = true;
      record = { name: route.name, error: errorRecord(failure) };
    }
    record.response ??= { status: 500, timestamp };
    record.request ??= routeRequestRecord();
    if (channel.responseBody === false && record.response) record.response.body = '';
    for (const part of [record.request, record.response])
      if (part && typeof part.body === 'string') part.body = ctx.budget.take(part.body).body;
    routeRecords.push(record);
    deps.log.pushRoute(transaction._id, record);
  };

  const others: Promise<void>[] = [];
  for (const route of together) {
    const request = routeRequest(route, ctx.headers, inbound, timeoutMs);
    if (route.primary) primary = sendPrimary(route, request);
    else others.push(sendOther(route, request));
  }

  let client: ClientResponse;
  if (primary) client = await primary;
  else {
    // Core never answers when no enabled route is primary; the stand-in answers 500 instead.
    await Promise.all(others);
    warnings.push('the channel has no enabled primary route: core never answers such a request');
    client = koaResponse(
      { status: 500, body: 'An internal server error occurred' },
      { acceptsHtml: ctx.acceptsHtml },
    );
  }

  const rest = (async () => {
    await Promise.all(others);
    await Promise.all(
      afterPrimary
        .filter((route) => passesStatusCheck(route, client.status))
        .map((route) => sendOther(route, routeRequest(route, ctx.headers, inbound, timeoutMs))),
    );
    const status = finalStatus({
      initial: transaction.status,
      primaryStatus: client.status,
      otherRouteStatuses: routeRecords.map((r) => Number(r.response?.status)),
      mediatorStatus: mediator?.status,
      asynchronous: channel.isAsynchronousProcess,
    });
    deps.log.setFinalStatus(transaction._id, status, autoRetry);
  })();
  deps.log.track(rest);

  return {
    client,
    store: (sent) =>
      storePrimary(deps, ctx, client, sent, {
        orchestrations: [...(mediator?.orchestrations ?? []), ...orchestrations],
        properties: mediator?.properties,
        error,
        timestamp: primaryTimestamp,
        warnings,
      }),
  };
}

function storePrimary(
  deps: RouterDeps,
  ctx: RoutingContext,
  client: ClientResponse,
  sent: Record<string, unknown>,
  extra: {
    orchestrations: Orchestration[];
    properties?: Record<string, unknown> | undefined;
    error?: ErrorRecord | undefined;
    timestamp?: string | undefined;
    warnings: string[];
  },
): void {
  const body = ctx.channel.responseBody === false ? '' : ctx.budget.take(client.logBody).body;
  const orchestrations = extra.orchestrations.map((o) => {
    const copy = structuredClone(o);
    for (const part of [copy.request, copy.response])
      if (part && typeof part.body === 'string') part.body = ctx.budget.take(part.body).body;
    return copy;
  });
  deps.log.storeResponse(ctx.transaction._id, {
    response: {
      status: client.status,
      headers: escapeHeaderKeys(sent),
      body,
      ...(extra.timestamp ? { timestamp: extra.timestamp } : {}),
    },
    error: extra.error,
    orchestrations,
    properties: extra.properties,
    warnings: extra.warnings,
  });
}
