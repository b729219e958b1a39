// A loopback HTTP proxy in front of a peer that can hold requests matching a pattern until the test
// releases them: a run can be caught half-way, without timing. It stands in for a slow network, never
// for our own code.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  port: number;
  /** Where requests go; set once the peer is up. */
  target: string;
  /** Hold the `nth` request (1-based) whose "METHOD path" matches; resolves when it arrives. */
  holdNth(pattern: RegExp, nth: number): Promise<void>;
  /** Lets the held request go on. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(): Promise<HoldingProxy> {
  let rule: { pattern: RegExp; nth: number; seen: number; arrived: () => void } | undefined;
  let held: (() => void) | undefined;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const target = new URL(req.url ?? '/', proxy.target);
    const out = request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (rule && rule.pattern.test(`${req.method} ${req.url}`) && ++rule.seen === rule.nth) {
        held = () => forward(req, res, body);
        rule.arrived();
        rule = undefined;
        return;
      }
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: HoldingProxy = {
    port: (server.address() as AddressInfo).port,
    target: '',
    holdNth: (pattern, nth) =>
      new Promise<void>((arrived) => {
        rule = { pattern, nth, seen: 0, arrived };
      }),
    release() {
      held?.();
      held = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        held?.();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
