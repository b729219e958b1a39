// Turns one outbound HTTP exchange into an OpenHIM orchestration record (openhim.md §5):
// bodies cut to a sane size, credentials and cookies never copied.
import axios, { type AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

export const MAX_BODY_CHARS = 10_000;

export interface Orchestration {
  name: string;
  group?: string;
  request: {
    host: string;
    port: string;
    path: string;
    querystring: string;
    method: string;
    headers: Record<string, string>;
    body: string;
    timestamp: string;
  };
  response?: {
    status: number;
    headers: Record<string, string>;
    body: string;
    timestamp: string;
  };
  error?: { message: string; stack?: string };
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization']);

export function cutBody(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text =
    typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
  return text.length > MAX_BODY_CHARS
    ? `${text.slice(0, MAX_BODY_CHARS)}\n[cut: ${text.length - MAX_BODY_CHARS} more characters]`
    : text;
}

export function safeHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== 'object') return out;
  const plain =
    'toJSON' in headers && typeof headers.toJSON === 'function' ? (headers.toJSON() as object) : headers;
  for (const [key, value] of Object.entries(plain)) {
    if (value === undefined || value === null || typeof value === 'object') continue;
    out[key] = SECRET_HEADERS.has(key.toLowerCase()) ? '[redacted]' : String(value);
  }
  return out;
}

export function orchestrationOf(
  peer: string,
  config: InternalAxiosRequestConfig,
  startedAt: Date,
  outcome: { response?: AxiosResponse; error?: AxiosError },
): Orchestration {
  // The URL exactly as axios sent it (base and path joined, params serialised).
  const url = new URL(axios.getUri(config));
  const method = (config.method ?? 'get').toUpperCase();
  const response = outcome.response ?? outcome.error?.response;
  const orchestration: Orchestration = {
    name: `${peer} ${method} ${url.pathname}`,
    group: peer,
    request: {
      host: url.hostname,
      port: url.port || (url.protocol === 'https:' ? '443' : '80'),
      path: url.pathname,
      querystring: url.search.replace(/^\?/, ''),
      method,
      // axios adds Basic credentials from `auth` only when sending: show that they went, not what they were.
      headers: { ...safeHeaders(config.headers), ...(config.auth ? { Authorization: '[redacted]' } : {}) },
      body: cutBody(config.data),
      timestamp: startedAt.toISOString(),
    },
  };
  if (response) {
    orchestration.response = {
      status: response.status,
      headers: safeHeaders(response.headers),
      body: cutBody(response.data),
      timestamp: new Date().toISOString(),
    };
  }
  if (outcome.error && !response) {
    orchestration.error = { message: `${outcome.error.code ?? 'ERROR'}: ${outcome.error.message}` };
  }
  return orchestration;
}
