// A real mediator process built only with common/'s mediator kit, for the stand-in's end-to-end test:
// it listens on a free loopback port, registers with the OpenHIM at OPENHIM_API_URL (config, then
// heartbeats), and answers GET /echo in the mediator format after calling KIT_UPSTREAM_URL/thing
// (one orchestration). It prints JSON lines: {"ready":true,"port":…} once registered, and
// {"config":…} for each config OpenHIM pushes. Test use only.
import {
  closeServer,
  createHttpClient,
  createLogger,
  errorHandler,
  listen,
  requestContext,
  sendMediatorResponse,
  startMediator,
  type MediatorConfig,
} from '@cht-openmrs/common';
import express from 'express';
import { KIT_URN } from './kit-urn';

async function run(): Promise<void> {
  const logger = createLogger('kit-mediator', 'silent');
  const upstream = createHttpClient({
    peer: 'Upstream',
    baseURL: process.env.KIT_UPSTREAM_URL ?? '',
    retries: 0,
    logger,
  });
  const app = express();
  app.use(requestContext(logger));
  app.get('/echo', async (_req, res) => {
    const thing = await upstream.get<unknown>('/thing');
    sendMediatorResponse(
      res,
      KIT_URN,
      { status: 200, body: { echo: thing.data } },
      { properties: { calls: 1 } },
    );
  });
  app.use(errorHandler(logger, KIT_URN));
  const server = await listen(app, 0, '127.0.0.1');
  const port = (server.address() as { port: number }).port;

  const route = { name: 'Kit route', host: '127.0.0.1', port, primary: true, type: 'http' as const };
  const config: MediatorConfig = {
    urn: KIT_URN,
    version: '1.0.0',
    name: 'Kit test mediator',
    description: 'Built with the common mediator kit',
    endpoints: [{ ...route, name: 'Kit', path: '/' }],
    defaultChannelConfig: [
      {
        name: 'Kit channel',
        urlPattern: '^/kit/.*$',
        methods: ['GET'],
        type: 'http',
        allow: ['kit'],
        authType: 'private',
        routes: [{ ...route, pathTransform: 's/\\/kit/' }],
      },
    ],
    configDefs: [{ param: 'greeting', displayName: 'Greeting', description: 'Said on echo', type: 'string' }],
    config: { greeting: 'hello' },
  };
  const handle = startMediator(
    {
      apiURL: process.env.OPENHIM_API_URL ?? '',
      username: 'root@openhim.org',
      password: 'openhim-password',
      trustSelfSigned: false,
    },
    config,
    {
      logger,
      heartbeatMs: Number(process.env.KIT_HEARTBEAT_MS ?? 100),
      firstRetryDelayMs: 50,
      onConfig: (pushed) => console.log(JSON.stringify({ config: pushed })),
    },
  );
  process.once('SIGTERM', () => {
    handle.stop();
    void closeServer(server).then(() => process.exit(0));
  });
  await handle.ready;
  console.log(JSON.stringify({ ready: true, port }));
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
