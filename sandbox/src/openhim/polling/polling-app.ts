// Core's internal polling server (core's 7788 on localhost; openhim.md §3.5; core@v8.5.0:src/
// koaMiddleware.js pollingApp): no client authentication (a dummy client), the channel taken from the
// `channel-id` header whatever its urlPattern, allow list or status, then the message store and router
// as for any request. No proxy headers are added. Listens on loopback only; not part of the API.
import express, { type Express } from 'express';
import type { HeaderMap } from '../model/types';
import { koaErrorHandler, rawQuery, type RouterAppDeps } from '../router/app';
import { requestLog } from '../api/request-log';
import { serveAuthorised } from '../router/serve';

/** The polling request core's scheduler and `/channels/:id/trigger` send (axios 0.21 on core's Node). */
export const POLLING_HOST = 'localhost:7788';

export function createPollingApp(deps: RouterAppDeps & { pollingClientId: string }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.logger, 'polling'));
  app.use(express.raw({ type: () => true, limit: '50mb' }));
  app.use(async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const id = req.headers['channel-id'];
    const channel = typeof id === 'string' ? deps.state.channels.findById(id) : undefined;
    // Core then dereferences the missing channel: Koa's bare 500.
    if (!channel) throw new TypeError("Cannot read property '_id' of null");
    await serveAuthorised(
      deps,
      {
        channel,
        clientId: deps.pollingClientId,
        clientIp: req.socket.remoteAddress ?? '',
        hostHeader: req.headers.host,
        method: req.method,
        path: req.path,
        querystring: rawQuery(req),
        headers: { ...req.headers } as HeaderMap,
        body,
        acceptsHtml: Boolean(req.accepts('html')),
      },
      res,
    );
  });
  app.use(koaErrorHandler(deps.logger));
  return app;
}
