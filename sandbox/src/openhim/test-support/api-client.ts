// Tests talk to the stand-in over real HTTP: small helpers for Basic calls to the API and the router,
// and for reading back transactions once core's asynchronous writes are done.
import { createHash } from 'node:crypto';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export const ROOT_AUTH = basicAuth('root@openhim.org', 'openhim-password');

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth !== null) headers.authorization = options.auth ?? ROOT_AUTH;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** A client as the configurator makes it: hex(sha512(password + salt)). */
export function sha512Client(clientID: string, password: string, roles: string[], salt = 'b1c2d3e4f5a6b7c8') {
  return {
    clientID,
    name: `${clientID} client`,
    roles,
    passwordAlgorithm: 'sha512',
    passwordSalt: salt,
    passwordHash: createHash('sha512')
      .update(password + salt)
      .digest('hex'),
  };
}

/** An HTTP channel to an upstream, with every field a test does not care about left to core's defaults. */
export function httpChannel(
  name: string,
  urlPattern: string,
  port: number,
  extra: Record<string, unknown> = {},
) {
  return {
    name,
    urlPattern,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allow: ['tester'],
    routes: [{ name: `${name} route`, host: '127.0.0.1', port, primary: true }],
    ...extra,
  };
}

export interface StoredId {
  _id: string;
  name?: string;
  clientID?: string;
}

/** The id core does not return on create: found by name, as the configurator does. */
export async function channelId(api: string, name: string): Promise<string> {
  const channels = (await call(api, 'GET', '/channels')).json<StoredId[]>();
  const found = channels.find((c) => c.name === name);
  if (!found) throw new Error(`no channel named ${name}`);
  return found._id;
}

export async function clientId(api: string, clientID: string): Promise<string> {
  const client = (await call(api, 'GET', `/clients/${clientID}?byNamedClientID=true`)).json<StoredId>();
  return client._id;
}

/** Waits until a condition holds (e.g. a peer saw a request), checking every 10 ms, for at most `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  for (const started = Date.now(); !(await condition());) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
