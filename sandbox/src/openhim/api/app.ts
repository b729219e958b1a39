// The API port (core's 8080), its pipeline in core's order (openhim.md §1–§4; core@v8.5.0:src/
// koaApi.js): CORS, body parser, the public routes (heartbeat, login, token salt), authentication,
// then the guarded routes. Handlers only translate: the services answer in Koa's terms. Test and demo
// stand-in only.
import type { Logger } from '@cht-openmrs/common';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Credentials } from '../auth/credentials';
import type { Sessions } from '../auth/sessions';
import { ApiError } from '../model/errors';
import type { User } from '../model/types';
import type { ChannelService } from '../services/channels';
import type { ClientService } from '../services/clients';
import type { MediatorService } from '../services/mediators';
import type { MetadataService } from '../services/metadata';
import { type ApiReply, text } from '../services/reply';
import type { TransactionQueries } from '../services/transactions';
import type { UserService } from '../services/users';
import type { State } from '../store/state';
import { koaErrorHandler } from '../router/app';
import { authenticate, sessionUser, userOf } from './authenticate';
import { cors } from './cors';
import { requestLog } from './request-log';
import { presetBody, sendReply, sendText } from './send-reply';

export interface ApiDeps {
  state: State;
  credentials: Credentials;
  sessions: Sessions;
  mediators: MediatorService;
  channels: ChannelService;
  clients: ClientService;
  users: UserService;
  metadata: MetadataService;
  transactions: TransactionQueries;
  now: () => number;
  startedAt: number;
  logger: Logger;
}

type Handler = (req: Request, user: User) => ApiReply | Promise<ApiReply>;

/** A thin route: call the service with the authenticated user; an ApiError is its text answer. */
function handle(handler: Handler): RequestHandler {
  return async (req, res) => {
    try {
      sendReply(res, await handler(req, userOf(res)));
    } catch (error) {
      if (error instanceof ApiError) return sendText(res, error.status, error.message);
      throw error;
    }
  };
}

const param = (req: Request, name: string) => String(req.params[name] ?? '');

/** GET /heartbeat (public): core's uptime, each mediator's uptime or null after 60 s of silence. */
function heartbeatRoute(deps: ApiDeps): RequestHandler {
  return (_req, res) => {
    const now = deps.now();
    const body: Record<string, unknown> = { master: (now - deps.startedAt) / 1000 };
    const mediators = deps.state.mediators.all();
    if (mediators.length > 0)
      body.mediators = Object.fromEntries(
        mediators.map((m) => {
          const fresh =
            m._lastHeartbeat !== undefined &&
            m._uptime !== undefined &&
            (now - Date.parse(m._lastHeartbeat)) / 1000 <= 60;
          return [m.urn, fresh ? m._uptime : null];
        }),
      );
    body.now = now;
    res.json(body);
  };
}

function publicRoutes(deps: ApiDeps): express.Router {
  const router = express.Router();
  const modern = deps.credentials.version !== '7.1';
  router.get('/heartbeat', heartbeatRoute(deps));
  if (modern) {
    router.get('/me', (req, res) => {
      const user = sessionUser(deps.state, deps.sessions, req);
      if (user) res.json({ user });
      else sendText(res, 404, 'Not authenticated');
    });
    router.post('/authenticate/local', async (req: Request, res: Response) => {
      const body = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (
        typeof body.username !== 'string' ||
        !body.username ||
        typeof body.password !== 'string' ||
        !body.password
      )
        return sendText(res, 400, 'Bad Request');
      const user = await deps.credentials.login(body.username, body.password);
      if (!user) return sendText(res, 401, 'Unauthorized');
      res.append('Set-Cookie', deps.sessions.open(user._id));
      res.json({ result: 'User authenticated successfully', user });
    });
  }
  router.get('/authenticate/:username', (req, res) => {
    const found = deps.credentials.tokenSalt(param(req, 'username'));
    if ('missing' in found) return sendText(res, 404, found.missing);
    res.json({ salt: found.salt, ts: new Date(deps.now()).toISOString() });
  });
  return router;
}

function guardedRoutes(deps: ApiDeps): express.Router {
  const r = express.Router();
  const { channels, clients, mediators, metadata, transactions, users } = deps;
  if (deps.credentials.version !== '7.1')
    r.get('/logout', (req, res) => {
      res.append('Set-Cookie', deps.sessions.close(req.header('cookie')));
      sendReply(res, { status: 200, kind: 'statusOnly' });
    });

  r.get(
    '/users',
    handle((_req, user) => users.list(user)),
  );
  r.get(
    '/users/:email',
    handle((req, user) => users.get(user, param(req, 'email'))),
  );
  r.post(
    '/users',
    handle((req, user) => users.add(user, req.body)),
  );
  r.put(
    '/users/:email',
    handle((req, user) => users.updatePassword(user, param(req, 'email'), req.body)),
  );

  r.get(
    '/clients',
    handle((_req, user) => clients.list(user)),
  );
  r.post(
    '/clients',
    handle((req, user) => clients.add(user, req.body)),
  );
  r.get(
    '/clients/domain/:domain',
    handle((req, user) => clients.byDomain(user, param(req, 'domain'))),
  );
  r.get(
    '/clients/:id',
    handle((req, user) => clients.get(user, param(req, 'id'), req.query.byNamedClientID === 'true')),
  );
  r.get(
    '/clients/:id/:property',
    handle((req, user) =>
      clients.get(user, param(req, 'id'), req.query.byNamedClientID === 'true', param(req, 'property')),
    ),
  );
  r.put(
    '/clients/:id',
    handle((req, user) => clients.update(user, param(req, 'id'), req.body)),
  );
  r.delete(
    '/clients/:id',
    handle((req, user) => clients.remove(user, param(req, 'id'))),
  );

  r.get(
    '/transactions',
    handle((req, user) => transactions.list(user, req.query as Record<string, unknown>)),
  );
  r.get(
    '/transactions/:id',
    handle((req, user) => transactions.get(user, param(req, 'id'), req.query as Record<string, unknown>)),
  );

  r.get(
    '/channels',
    handle((_req, user) => channels.list(user)),
  );
  r.post(
    '/channels',
    handle((req, user) => channels.add(user, req.body)),
  );
  r.get(
    '/channels/:id',
    handle((req, user) => channels.get(user, param(req, 'id'))),
  );
  r.post(
    '/channels/:id/trigger',
    handle((req, user) => channels.trigger(user, param(req, 'id'))),
  );
  r.put(
    '/channels/:id',
    handle((req, user) => channels.update(user, param(req, 'id'), req.body)),
  );
  r.delete(
    '/channels/:id',
    handle((req, user) => channels.remove(user, param(req, 'id'))),
  );

  r.get(
    '/mediators',
    handle((_req, user) => mediators.list(user)),
  );
  r.get(
    '/mediators/:urn',
    handle((req, user) => mediators.get(user, param(req, 'urn'))),
  );
  r.post(
    '/mediators',
    handle((req, user) => mediators.register(user, req.body)),
  );
  r.delete(
    '/mediators/:urn',
    handle((req, user) => mediators.remove(user, param(req, 'urn'))),
  );
  r.post(
    '/mediators/:urn/heartbeat',
    handle((req, user) => mediators.heartbeat(user, param(req, 'urn'), req.body)),
  );
  r.put(
    '/mediators/:urn/config',
    handle((req, user) => mediators.setConfig(user, param(req, 'urn'), req.body)),
  );
  r.post(
    '/mediators/:urn/channels',
    handle((req, user) => mediators.installChannels(user, param(req, 'urn'), req.body)),
  );

  r.get(
    '/metadata',
    handle((_req, user) => metadata.exportAll(user)),
  );
  r.post(
    '/metadata/validate',
    handle((req, user) => metadata.post(user, req.body, 'validate')),
  );
  r.post(
    '/metadata',
    handle((req, user) => metadata.post(user, req.body, 'import')),
  );
  return r;
}

export function createApiApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.logger, 'api'));
  app.use(cors());
  app.use(
    express.json({
      limit: '50mb',
      type: [
        'application/json',
        'application/json-patch+json',
        'application/vnd.api+json',
        'application/csp-report',
      ],
    }),
  );
  app.use(express.urlencoded({ extended: true, limit: '50mb' }));
  app.use(publicRoutes(deps));
  app.use(authenticate(deps.state, deps.credentials, deps.sessions));
  app.use(guardedRoutes(deps));
  // No route: Koa's 404 "Not Found" -- or, after a Basic login, the pre-set 200 body.
  app.use((_req, res) => {
    const preset = presetBody(res);
    if (preset) sendReply(res, text(200, preset));
    else sendReply(res, text(404, 'Not Found'));
  });
  app.use(koaErrorHandler(deps.logger));
  return app;
}
