// Sends one request to a route over HTTP(S), as core does (openhim.md §3.3): a fresh connection
// (`agent: false`), the body only for POST, PUT and PATCH (PATCH from core 8.4.2), a timeout that
// destroys the request with "Request took longer than <n>ms", and gzip/deflate answers decoded with
// the charset of their content type (other answers stay bytes).
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { OutgoingRequest } from './route-request';

export interface RouteResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer | string;
  timestamp: string;
}

function charsetOf(headers: IncomingHttpHeaders): BufferEncoding {
  const match = /charset=([^;,\r\n]+)/i.exec(headers['content-type'] ?? '');
  const charset = (match?.[1] ?? 'utf-8').toLowerCase();
  return (Buffer.isEncoding(charset) ? charset : 'utf-8') as BufferEncoding;
}

/** `signal` aborts the request when the stand-in stops, so no route call outlives it. */
export function sendToRoute(
  target: OutgoingRequest,
  body: Buffer | undefined,
  now: () => number,
  signal?: AbortSignal,
): Promise<RouteResponse> {
  return new Promise((resolve, reject) => {
    const send = target.secured ? httpsRequest : httpRequest;
    const headers: OutgoingHttpHeaders = {};
    for (const [key, value] of Object.entries(target.headers)) if (value !== undefined) headers[key] = value;
    const outgoing = send(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: target.method,
        headers,
        agent: false,
        ...(signal ? { signal } : {}),
        ...(target.auth ? { auth: target.auth } : {}),
        ...(target.secured ? { rejectUnauthorized: true } : {}),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const raw = Buffer.concat(chunks);
          const encoding = incoming.headers['content-encoding'];
          let decoded: Buffer | string = raw;
          try {
            if (encoding === 'gzip') decoded = gunzipSync(raw).toString(charsetOf(incoming.headers));
            if (encoding === 'deflate') decoded = inflateSync(raw).toString(charsetOf(incoming.headers));
          } catch (error) {
            reject(error as Error);
            return;
          }
          resolve({
            status: incoming.statusCode ?? 500,
            headers: incoming.headers,
            body: decoded,
            timestamp: new Date(now()).toISOString(),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.setTimeout(target.timeoutMs, () =>
      outgoing.destroy(new Error(`Request took longer than ${target.timeoutMs}ms`)),
    );
    if (body && body.length > 0) outgoing.write(body);
    outgoing.end();
  });
}
