// The outbound HTTP request (reference cht.md §1.8): one POST of the compact JSON payload with
// content-type/accept JSON, the configured auth, a timeout over the whole exchange. ≥4.17: redirects
// followed, 2xx or 301–398 is success, a JSON content-type with a body that does not parse is a
// failure; before 4.17 any non-2xx fails and bad JSON is tolerated. The user-agent depends on the version.
import type { OutboundAuth, OutboundConfig } from '../config/app-settings';
import type { ChtBehaviour } from './cht-version';
import { OutboundError } from './outbound-error';
import { fetchTransport, legacyTransport } from './transport';
import { urlJoin } from './url-join';

export interface SendOptions {
  behaviour: ChtBehaviour;
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
  const { behaviour } = options;
  const transport = behaviour.followRedirects ? fetchTransport : legacyTransport;
  const response = await transport({
    url,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(behaviour.userAgent ? { 'user-agent': behaviour.userAgent } : {}),
      ...(options.requestId && behaviour.followRedirects ? { 'x-request-id': options.requestId } : {}),
      ...headers,
    },
    body: JSON.stringify(payload),
    timeoutMs: options.timeoutMs,
  });
  // couch-request parses before it checks the status, so bad JSON fails even a 200 (≥4.17).
  let body: unknown = response.text;
  if (
    response.contentType.startsWith('application/json') &&
    (behaviour.invalidJsonFails || response.text !== '')
  ) {
    try {
      body = JSON.parse(response.text);
    } catch (error) {
      if (behaviour.invalidJsonFails) throw error;
    }
  }
  const redirected = behaviour.followRedirects && response.status >= 301 && response.status <= 398;
  if (!(response.status >= 200 && response.status <= 299) && !redirected)
    throw new OutboundError(`${response.status} - ${JSON.stringify(body).slice(0, 500)}`);
  return { url, status: response.status };
}
