// The router port (core's 5001), its pipeline in core's order (openhim.md §3.3; core@v8.5.0:src/
// koaMiddleware.js setupApp): client Basic authentication, raw body, channel matching, authorisation
// (404 / 401 with no transaction), proxy headers, then the message store and the router. Test and
// demo stand-in only. Mutual TLS, JWT and custom tokens are not reproduced (core: off by default, or
// needs certificates).
import type { Logger } from '@cht-openmrs/common';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { clientPasswordMatches, parseBasic } from '../auth/client-credentials';
import type { Channel, Client, HeaderMap } from '../model/types';
import type { State } from '../store/state';
import { requestLog } from '../api/request-log';
import { isAuthorised } from './authorisation';
import { matchChannel } from './matching';
import type { RouterDeps } from './route-transaction';
import { sendRejection, serveAuthorised } from './serve';

export interface RouterAppDeps extends RouterDeps {
  state: State;
  /** Core refreshes its channel cache every second; 0 reads the channels on every request. */
  channelCacheMs: number;
}

/** Core's basicAuthentication: a matching client, or none (never an error by itself). */
async function authenticateClient(state: State, header: string | undefined): Promise<Client | undefined> {
  const credentials = parseBasic(header);
  if (!credentials) return undefined;
  const client = state.clients.findOne((c) => c.clientID === credentials.name);
  if (!client) return undefined;
  return (await clientPasswordMatches(client, credentials.password)) ? client : undefined;
}

/** X-Forwarded-For (the client's address) and X-Forwarded-Host, appended to a header of that exact name. */
function addProxyHeaders(headers: HeaderMap, ip: string, host: string | undefined): void {
  const append = (name: string, value: string | undefined) => {
    if (!value) return;
    headers[name] = headers[name] ? `${String(headers[name])}, ${value}` : value;
  };
  append('X-Forwarded-For', ip);
  append('X-Forwarded-Host', host);
}

function channelReader(state: State, cacheMs: number, now: () => number): () => Channel[] {
  let cached: Channel[] | undefined;
  let readAt = 0;
  return () => {
    if (!cached || cacheMs <= 0 || now() - readAt > cacheMs) {
      cached = state.channels.all();
      readAt = now();
    }
    return cached;
  };
}

export const rawQuery = (req: Request) => {
  const at = req.originalUrl.indexOf('?');
  return at < 0 ? '' : req.originalUrl.slice(at + 1);
};

export function createRouterApp(deps: RouterAppDeps): Express {
  const channels = channelReader(deps.state, deps.channelCacheMs, deps.now);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.logger, 'router'));
  app.use(express.raw({ type: () => true, limit: '50mb' }));
  app.use(async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ip = req.socket.remoteAddress ?? '';
    const client = await authenticateClient(deps.state, req.headers.authorization);
    const headers: HeaderMap = { ...req.headers };
    if (client) headers['X-OpenHIM-ClientID'] = client.clientID;
    const channel = matchChannel(channels(), {
      path: req.path,
      method: req.method,
      contentType: req.headers['content-type'],
      body,
    });
    if (!channel) return sendRejection(res, 404, body);
    if (!isAuthorised(channel, client, ip)) return sendRejection(res, 401, body);
    addProxyHeaders(headers, ip, req.headers.host);
    await serveAuthorised(
      deps,
      {
        channel,
        clientId: client?._id,
        clientIp: ip,
        hostHeader: req.headers.host,
        method: req.method,
        path: req.path,
        querystring: rawQuery(req),
        headers,
        body,
        acceptsHtml: Boolean(req.accepts('html')),
      },
      res,
    );
  });
  app.use(koaErrorHandler(deps.logger));
  return app;
}

/** Koa's answer to an error nobody handled: 500 "Internal Server Error" (or the parser's 4xx). */
export function koaErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res
        .status(status)
        .type('text/plain')
        .send(status === 413 ? 'Payload Too Large' : 'Bad Request');
      return;
    }
    logger.error({ err: error }, 'unexpected error');
    if (res.headersSent) return;
    res.status(500).type('text/plain').send('Internal Server Error');
  };
}
