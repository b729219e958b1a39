// The channel checks core's API makes before saving (openhim.md §3.2; core@v8.5.0:src/api/channels.js),
// with core's messages. They take raw bodies or cast documents, exactly as core applies each one.
// Installing a mediator's default channels skips all of them (§2.3).

export const PATH_MESSAGE =
  'Channel cannot have both path and pathTransform. pathTransform must be of the form s/from/to[/g]';
export const PRIORITY_MESSAGE = 'Channel priority cannot be below 1 (= Highest priority)';
export const TIMEOUT_MESSAGE =
  'Channel property timeoutSeconds has to be a number greater than 1 and less than an 3600';
export const MAX_BODY_AGE_MESSAGE =
  "Channel property maxBodyAgeDays has to be a number that's valid and requestBody or responseBody must be true.";
export const NO_PRIMARY_MESSAGE = 'Channel must have a primary route';
export const MANY_PRIMARIES_MESSAGE = 'Channel cannot have a multiple primary routes';

interface RouteLike {
  path?: unknown;
  pathTransform?: unknown;
  primary?: unknown;
  status?: unknown;
}

const asRoutes = (routes: unknown): RouteLike[] =>
  Array.isArray(routes) ? routes.filter((r): r is RouteLike => typeof r === 'object' && r !== null) : [];

/** A route is enabled when it has no status or status `enabled`. */
export const isRouteEnabled = (route: RouteLike) =>
  route.status === undefined || route.status === null || route.status === 'enabled';

/** Path and pathTransform are exclusive, and a pathTransform must look like s/…/…. */
export function isPathValid(routes: unknown): boolean {
  return asRoutes(routes).every(
    (route) =>
      !(route.path && route.pathTransform) &&
      !(route.pathTransform && !/s\/.*\/.*/.test(String(route.pathTransform))),
  );
}

export function numberOfPrimaryRoutes(routes: unknown): number {
  return asRoutes(routes).filter((route) => isRouteEnabled(route) && route.primary).length;
}

/** Core's method rules: none for non-http types, no repeats. Returns the message, or undefined. */
export function methodProblem(channel: { type?: unknown; methods?: unknown }): string | undefined {
  const methods = Array.isArray(channel.methods) ? channel.methods.map(String) : [];
  if (methods.length === 0) return undefined;
  if (!/http/i.test(typeof channel.type === 'string' && channel.type ? channel.type : 'http'))
    return "Channel method can't be defined if channel type is not http";
  const counts = new Map<string, number>();
  for (const method of methods) counts.set(method, (counts.get(method) ?? 0) + 1);
  const repeats = [...counts].filter(([, n]) => n > 1).map(([m]) => m);
  if (repeats.length > 0)
    return `Channel methods can't be repeated. Repeated methods are ${repeats.sort().join(', ')}`;
  return undefined;
}

export function isTimeoutValid(channel: { timeout?: unknown }): boolean {
  if (channel.timeout === undefined || channel.timeout === null) return true;
  return typeof channel.timeout === 'number' && channel.timeout > 0 && channel.timeout <= 3600000;
}

export function isMaxBodyDaysValid(channel: {
  maxBodyAgeDays?: unknown;
  requestBody?: unknown;
  responseBody?: unknown;
}): boolean {
  const days = channel.maxBodyAgeDays;
  if (days === undefined || days === null) return true;
  if (!channel.requestBody && !channel.responseBody) return false;
  return typeof days === 'number' && days > 0 && days < 36500;
}

/** Core answers a channel with no (or several) enabled primary routes with 400. */
export function primaryRouteProblem(routes: unknown): string | undefined {
  const primaries = numberOfPrimaryRoutes(routes);
  if (primaries === 0) return NO_PRIMARY_MESSAGE;
  if (primaries > 1) return MANY_PRIMARIES_MESSAGE;
  return undefined;
}
