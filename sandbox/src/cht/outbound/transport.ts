// The two HTTP clients CHT has used for outbound pushes (reference cht.md §1.8). ≥4.17: fetch
// (undici), redirects followed, undici's default headers. ≤4.16: request-promise-native, whose wire
// format was only host, accept, content-type, content-length and `connection: close`, and which does
// not follow redirects for POST. Both time out over the whole exchange.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TransportAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface TransportRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export async function fetchTransport(req: TransportRequest): Promise<TransportAnswer> {
  const response = await fetch(req.url, {
    method: 'POST',
    redirect: 'follow',
    headers: req.headers,
    body: req.body,
    signal: AbortSignal.timeout(req.timeoutMs),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

export function legacyTransport(req: TransportRequest): Promise<TransportAnswer> {
  const send = req.url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      req.url,
      {
        method: 'POST',
        headers: {
          ...req.headers,
          'content-length': String(Buffer.byteLength(req.body)),
          connection: 'close',
        },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(new Error(`ETIMEDOUT after ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(req.body);
  });
}
