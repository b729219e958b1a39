// The request core sends to one route (openhim.md §3.3; core@v8.5.0:src/middleware/router.js
// constructOptionsObject): the client's method and headers minus `host`, minus `authorization` unless
// the route forwards it, the destination path plus the query string, route credentials as Basic.
// Like core, every route shares the one header object, so a removal for one route holds for the
// routes after it. Pure.
import type { HeaderMap, Route } from '../model/types';
import { destinationPath } from './path-transform';

export interface OutgoingRequest {
  secured: boolean;
  hostname: string | undefined;
  port: number | undefined;
  /** Destination path with the query string. */
  path: string;
  method: string;
  headers: HeaderMap;
  /** "user:password" for Node's `auth` option. */
  auth?: string;
  timeoutMs: number;
}

export interface InboundLine {
  method: string;
  path: string;
  querystring: string;
}

export function routeRequest(
  route: Route,
  shared: HeaderMap,
  inbound: InboundLine,
  timeoutMs: number,
): OutgoingRequest {
  const path = destinationPath(route, inbound.path);
  if (shared.authorization && !route.forwardAuthHeader) delete shared.authorization;
  if (shared.host) delete shared.host;
  const request: OutgoingRequest = {
    secured: Boolean(route.secured),
    hostname: route.host,
    port: route.port,
    path: inbound.querystring ? `${path}?${inbound.querystring}` : path,
    method: inbound.method,
    headers: shared,
    timeoutMs,
  };
  if (route.username && route.password) request.auth = `${route.username}:${route.password}`;
  return request;
}
