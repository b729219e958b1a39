// The client's answer as core builds it from the primary route's (or a mediator's) response
// (openhim.md §3.3; core@v8.5.0:src/middleware/router.js setKoaResponse, with Koa's body rules):
// the status (a string is parsed), the body (its type inferred like Koa when no content-type comes),
// every header except content-length/-encoding and transfer-encoding, `location` on a 3xx as a Koa
// redirect, and `X-OpenHIM-TransactionID`. Pure.
import { STATUS_CODES } from 'node:http';

export interface ClientResponse {
  status: number;
  /** Headers in the order they are set; `content-type` as given (Express adds the charset as Koa does). */
  headers: [string, string | string[]][];
  body: Buffer;
  /** The body as core logs it: `body.toString()`, so an object body is "[object Object]". */
  logBody: string;
}

export interface PrimaryResponse {
  status?: number | string | undefined;
  headers?: Record<string, unknown> | undefined;
  body?: unknown;
}

/** What core stores: `ctx.response.body.toString()`, or '' when there is none. */
function logged(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  if (Buffer.isBuffer(body)) return body.toString();
  return String(body);
}

const REDIRECT_STATUSES = new Set([300, 301, 302, 303, 305, 307, 308]);
const SKIPPED = new Set(['content-length', 'content-encoding', 'transfer-encoding']);

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function asHeaderValue(value: unknown): string | string[] {
  return Array.isArray(value) ? value.map(String) : String(value);
}

/**
 * Koa's body setter: a Buffer is binary, a string text (html when it starts with '<'), the rest JSON.
 * An undefined body makes Koa send the status message as text; null sends nothing.
 */
function bodyAndType(body: unknown, status: number): { body: Buffer; type?: string; forcedType?: boolean } {
  if (body === null) return { body: Buffer.alloc(0) };
  if (body === undefined)
    return {
      body: Buffer.from(STATUS_CODES[status] ?? String(status)),
      type: 'text/plain; charset=utf-8',
      forcedType: true,
    };
  if (Buffer.isBuffer(body)) return { body, type: 'application/octet-stream' };
  if (typeof body === 'string')
    return {
      body: Buffer.from(body),
      type: /^\s*</.test(body) ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    };
  return { body: Buffer.from(JSON.stringify(body)), type: 'application/json; charset=utf-8' };
}

/**
 * Throws (as Koa does) for a status that is not a number, e.g. a mediator response without a usable
 * `status`; the caller answers that like any other routing error. Mutates `response.headers` as core
 * does: the transaction id added there shows in the stored response and orchestration too.
 */
export function koaResponse(
  response: PrimaryResponse,
  options: { transactionId?: string | undefined; acceptsHtml: boolean },
): ClientResponse {
  const status = typeof response.status === 'string' ? Number.parseInt(response.status, 10) : response.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999)
    throw new Error(`invalid status code: ${String(response.status)}`);
  if (options.transactionId && response.headers)
    response.headers['X-OpenHIM-TransactionID'] = options.transactionId;

  const inferred = bodyAndType(response.body, status);
  let { body, type } = inferred;
  let logBody = logged(response.body);
  let finalStatus = status;
  const headers = new Map<string, [string, string | string[]]>();
  const set = (name: string, value: string | string[]) => headers.set(name.toLowerCase(), [name, value]);
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (value === undefined || value === null) continue;
    const lower = name.toLowerCase();
    if (SKIPPED.has(lower)) continue;
    if (lower === 'content-type') type = String(value);
    else if (lower === 'set-cookie') {
      const previous = headers.get('set-cookie')?.[1] ?? [];
      set('Set-Cookie', [
        ...(Array.isArray(previous) ? previous : [previous]),
        ...[asHeaderValue(value)].flat(),
      ]);
    } else if (lower === 'location' && finalStatus >= 300 && finalStatus < 400) {
      const url = encodeURI(String(value));
      set('Location', url);
      if (!REDIRECT_STATUSES.has(finalStatus)) finalStatus = 302;
      if (options.acceptsHtml) {
        type = 'text/html; charset=utf-8';
        body = Buffer.from(`Redirecting to <a href="${escapeHtml(url)}">${escapeHtml(url)}</a>.`);
      } else {
        type = 'text/plain; charset=utf-8';
        body = Buffer.from(`Redirecting to ${url}.`);
      }
      logBody = body.toString();
    } else set(name, asHeaderValue(value));
  }
  if (inferred.forcedType) type = inferred.type;
  if (type) set('Content-Type', type);
  return { status: finalStatus, headers: [...headers.values()], body, logBody };
}
