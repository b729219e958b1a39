// A real loopback HTTP server standing in for the outbound push destination in tests: it records
// every request and answers as scripted (status, content type, body, delay).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  contentType?: string;
  body?: string;
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answer requests to this path (default: every path) this way from now on. */
  reply(reply: Reply | ((req: Received) => Reply | Promise<Reply>), path?: string): void;
  /** Requests received on a path, bodies parsed as JSON. */
  bodies(path: string): unknown[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const replies = new Map<string, Reply | ((req: Received) => Reply | Promise<Reply>)>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = {
        method: String(req.method),
        url: String(req.url),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      const path = entry.url.split('?')[0] as string;
      const scripted = replies.get(path) ?? replies.get('*') ?? {};
      void Promise.resolve(typeof scripted === 'function' ? scripted(entry) : scripted).then((reply) => {
        const answer = () => {
          if (res.destroyed) return;
          const type = reply.contentType ?? 'application/json';
          res.writeHead(reply.status ?? 200, { ...(type ? { 'content-type': type } : {}), ...reply.headers });
          res.end(reply.body ?? '{"ok":true}');
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
        else answer();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    reply(reply, path = '*') {
      replies.set(path, reply);
    },
    bodies(path) {
      return received
        .filter((entry) => entry.url.split('?')[0] === path)
        .map((entry) => JSON.parse(entry.body) as unknown);
    },
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
