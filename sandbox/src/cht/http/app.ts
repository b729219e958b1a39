// The CHT stand-in's HTTP pipeline, in order: request context, sandbox controls (no auth), the
// failed-login limiter and Basic auth, the API, the /medic proxy, CouchDB's fall-through 404, and the
// one error handler that turns ChtError / CouchDB errors into CHT's answers.
import { requestContext, type Logger } from '@cht-openmrs/common';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { ChtCore } from '../cht-core';
import { ChtError, CouchError } from '../core/errors';
import { apiRoutes } from './api-routes';
import { authenticate } from './auth';
import { sendChtError } from './envelope';
import { medicRoutes } from './medic-routes';
import { FailedLoginLimiter } from './rate-limiter';
import { sandboxRoutes } from './sandbox-routes';

interface PouchLikeError {
  status: number;
  name: string;
  reason?: string;
  message?: string;
}

const isPouchError = (error: unknown): error is PouchLikeError =>
  typeof (error as PouchLikeError)?.status === 'number' && typeof (error as PouchLikeError).name === 'string';

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof ChtError) {
      if (error.status >= 500) logger.error({ err: error }, error.message);
      return sendChtError(req, res, error.status, error.message, error.details);
    }
    if (error instanceof CouchError)
      return void res.status(error.status).json({ error: error.error, reason: error.reason });
    const parse = error as { type?: string };
    if (parse.type === 'entity.parse.failed')
      return void res.status(400).json({ error: 'bad_request', reason: 'invalid UTF-8 JSON' });
    if (isPouchError(error) && error.status < 500)
      return void res.status(error.status).json({ error: error.name, reason: error.reason ?? error.message });
    logger.error({ err: error }, 'unexpected error');
    sendChtError(req, res, 500, 'Server error');
  };
}

export function createApp(core: ChtCore, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  app.use(sandboxRoutes(core));
  app.use(authenticate(core.users, new FailedLoginLimiter()));
  app.use(apiRoutes(core));
  app.use(medicRoutes(core));
  // CHT proxies anything else to CouchDB: /api/... names a database that does not exist.
  app.use((req, res) => {
    const missingDb = !req.path.startsWith('/medic');
    res.status(404).json({ error: 'not_found', reason: missingDb ? 'Database does not exist.' : 'missing' });
  });
  app.use(errorHandler(logger));
  return app;
}
