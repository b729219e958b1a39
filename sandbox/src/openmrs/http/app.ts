// The OpenMRS stand-in's HTTP pipeline, in order: test controls, request counting / latency /
// injected faults, then the FHIR2 endpoint and REST v1 behind OpenMRS's authentication.
import express, { type Express } from 'express';
import type { Logger } from '@cht-openmrs/common';
import type { Database } from '../model/database';
import type { PagedSearches } from '../fhir/paging';
import type { OpenmrsResources } from '../fhir/resources';
import { sendContainerError, type Authenticator } from './auth';
import { FHIR_PATH, fhirRoutes } from './fhir-routes';
import { REST_PATH, restRoutes } from './rest-routes';
import type { SandboxControls } from './sandbox-routes';

export interface AppDeps {
  db: Database;
  resources: OpenmrsResources;
  searches: PagedSearches;
  auth: Authenticator;
  controls: SandboxControls;
  reset: () => void;
  logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const { db, resources, searches, auth, controls, reset, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use('/__sandbox', controls.routes(reset));
  app.use('/openmrs', controls.middleware());
  app.use(FHIR_PATH, express.text({ type: () => true, limit: '20mb' }));
  app.use(
    FHIR_PATH,
    fhirRoutes({
      resources,
      searches,
      auth,
      onError: (error) => logger.error({ err: error }, 'unexpected error'),
    }),
  );
  // Only R3 and R4 are forwarded to the FHIR servlet; anything else is the container's 404 (§2).
  app.use('/openmrs/ws/fhir2', (_req, res) => sendContainerError(res, 404, 'Not Found'));
  app.use(REST_PATH, express.json({ limit: '5mb' }), restRoutes(db, auth));
  app.use((_req, res) => sendContainerError(res, 404, 'The requested resource is not available.'));
  return app;
}
