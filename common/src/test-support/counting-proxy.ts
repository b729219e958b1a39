// A loopback HTTP proxy that counts the requests passing through it: how a benchmark counts what a
// service asks of a peer at the HTTP level (deterministic, unlike time).
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** The target's URL as seen through the proxy (same path). */
  url: string;
  count(): number;
  byMethod(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export async function countingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let methods: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const key = `${req.method}`;
    methods[key] = (methods[key] ?? 0) + 1;
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${to.pathname}`,
    count: () => Object.values(methods).reduce((a, b) => a + b, 0),
    byMethod: () => ({ ...methods }),
    reset: () => {
      methods = {};
    },
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
