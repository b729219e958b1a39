// A loopback HTTP server standing in for a route's destination (HAPI, a mediator) in tests: it records
// every request exactly as it arrived and answers as the test scripts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Arrived {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The sender gave up before the body it announced was complete. */
  aborted?: boolean;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Never answer (for timeout tests): the socket stays open until the test closes the server. */
  hang?: boolean;
}

export interface Upstream {
  url: string;
  port: number;
  arrived: Arrived[];
  answer(answer: Answer | ((req: Arrived) => Answer)): void;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const arrived: Arrived[] = [];
  let answer: Answer | ((req: Arrived) => Answer) = { status: 200, body: 'ok' };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let ended = false;
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('close', () => {
      if (!ended)
        arrived.push({
          method: String(req.method),
          url: String(req.url),
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          aborted: true,
        });
    });
    req.on('end', () => {
      ended = true;
      const entry = {
        method: String(req.method),
        url: String(req.url),
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      arrived.push(entry);
      const reply = typeof answer === 'function' ? answer(entry) : answer;
      if (reply.hang) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
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
    port,
    arrived,
    answer(next) {
      answer = next;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
