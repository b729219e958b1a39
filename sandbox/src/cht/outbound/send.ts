// The outbound HTTP request of CHT ≥4.19 / 5.x (reference cht.md §1.8): one POST of the compact JSON
// payload with content-type/accept JSON, the configured auth, CHT's user-agent, a 10 s timeout over
// the whole exchange, redirects followed; success is 2xx or 301–398, and a JSON content-type with a
// body that does not parse is a failure.
import { arch, platform } from 'node:os';
import type { OutboundAuth, OutboundConfig } from '../config/app-settings';
import { OutboundError } from './outbound-error';
import { urlJoin } from './url-join';

export const CHT_VERSION = '5.2.0';
export const USER_AGENT = `Community Health Toolkit/${CHT_VERSION} (${platform()},${arch()})`;

export interface SendOptions {
  timeoutMs: number;
  getCredential: (key: string) => Promise<string | undefined>;
  requestId?: string;
}

export interface SendResult {
  url: string;
  status: number;
}

async function credential(options: SendOptions, key: string | undefined): Promise<string> {
  const value = key === undefined ? undefined : await options.getCredential(key);
  if (value === undefined)
    throw new OutboundError(
      `Credentials for '${String(key)}' have not been configured. Use the credentials API to store them.`,
    );
  return value;
}

/** MUSO SIH: log in first, then push with `?token=` (§1.1). */
async function musoToken(auth: OutboundAuth, baseUrl: string, options: SendOptions): Promise<string> {
  const password = await credential(options, auth.password_key);
  const response = await fetch(urlJoin(baseUrl, auth.path), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: String(auth.username), password }).toString(),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const body = (await response.json().catch(() => ({}))) as {
    statut?: number;
    data?: { username_token?: string };
  };
  if (body.statut !== 200 || !body.data?.username_token)
    throw new OutboundError(`Got ${String(body.statut)} when requesting auth`);
  return body.data.username_token;
}

async function authHeaders(
  destination: OutboundConfig['destination'],
  options: SendOptions,
): Promise<{ headers: Record<string, string>; token?: string }> {
  const auth = destination.auth;
  if (!auth) return { headers: {} };
  if (auth.type === undefined)
    throw new OutboundError('No auth.type, either declare the type or omit the auth property');
  const type = String(auth.type).toLowerCase();
  if (type === 'basic') {
    const password = await credential(options, auth.password_key);
    const encoded = Buffer.from(`${String(auth.username)}:${password}`).toString('base64');
    return { headers: { authorization: `Basic ${encoded}` } };
  }
  if (type === 'header') {
    if (String(auth.name).toLowerCase() !== 'authorization')
      throw new OutboundError(`Unsupported header name '${String(auth.name)}'. Supported: Authorization`);
    return { headers: { authorization: await credential(options, auth.value_key) } };
  }
  if (type === 'muso-sih')
    return { headers: {}, token: await musoToken(auth, String(destination.base_url), options) };
  throw new OutboundError(`Invalid auth type '${String(auth.type)}'. Supported: basic, header, muso-sih`);
}

/** Throws OutboundError (or the network/timeout error) when the attempt fails. */
export async function sendPayload(
  destination: OutboundConfig['destination'],
  payload: unknown,
  options: SendOptions,
): Promise<SendResult> {
  let url = urlJoin(destination.base_url, destination.path);
  const { headers, token } = await authHeaders(destination, options);
  if (token !== undefined) url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'follow',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      ...headers,
    },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  // couch-request parses before it checks the status, so bad JSON fails even a 200 (≥4.17).
  const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
  const body: unknown = isJson ? await response.json() : await response.text();
  const ok = response.ok || (response.status >= 301 && response.status <= 398);
  if (!ok) throw new OutboundError(`${response.status} - ${JSON.stringify(body).slice(0, 500)}`);
  return { url, status: response.status };
}
