// A loopback HTTP server for tests of our clients: each test sets how the peer answers, and can read
// back every request the peer received. It stands in for a peer, never for our own code.
import type { Server } from 'node:http';
import express, { type Request, type RequestHandler } from 'express';
import { closeServer, listen, serverUrl } from '../http/server';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Request['headers'];
  body: unknown;
}

export interface LoopbackPeer {
  url: string;
  received: ReceivedRequest[];
  answer(handler: RequestHandler): void;
  close(): Promise<void>;
}

export async function startLoopbackPeer(path = ''): Promise<LoopbackPeer> {
  let handler: RequestHandler = (_req, res) => {
    res.status(500).json({ error: 'no handler set' });
  };
  const received: ReceivedRequest[] = [];
  const app = express();
  app.use(express.json({ type: ['application/json', 'application/fhir+json'], limit: '5mb' }));
  app.use((req, res, next) => {
    received.push({ method: req.method, url: req.originalUrl, headers: req.headers, body: req.body });
    handler(req, res, next);
  });
  const server: Server = await listen(app, 0, '127.0.0.1');
  return {
    url: serverUrl(server, path),
    received,
    answer(next) {
      handler = next;
    },
    close: () => closeServer(server),
  };
}
