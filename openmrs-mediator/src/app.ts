// The OpenMRS mediator's request pipeline, in order, and the sync's collaborators.
import express, { type Express } from 'express';
import {
  BODY_LIMIT_BYTES,
  basicAuth,
  chtTarget,
  errorHandler,
  FhirClient,
  fhirTarget,
  openhimTarget,
  openmrsTarget,
  PeerChecks,
  requestContext,
  type Logger,
  type Mapping,
} from '@cht-openmrs/common';
import { ChtClient } from './cht/cht-client';
import { consoleRoutes } from './console/console-routes';
import { OpenhimApi } from './console/openhim-api';
import { RunProgress } from './console/run-progress';
import { PlaceDirectory } from './cht/place-directory';
import { OPENMRS_MEDIATOR_URN } from './mediator-config';
import { SyncMetrics } from './metrics';
import { OpenmrsClient } from './openmrs/openmrs-client';
import { syncRoutes } from './routes';
import { openmrsFhirUrl, type OpenmrsMediatorSettings } from './settings';
import { MappingFile, SyncRunner, type RunRequest } from './sync-runner';
import { SyncScheduler } from './sync/sync-runner';
import type { SyncContext } from './sync/context';
import { RetryQueue } from './sync/retry-queue';
import { SyncStateStore } from './sync/sync-state';

export function createSyncContext(
  settings: OpenmrsMediatorSettings,
  mapping: Mapping,
  logger: Logger,
): SyncContext {
  const fhir = new FhirClient({
    baseURL: settings.FHIR_URL,
    username: settings.FHIR_USERNAME,
    password: settings.FHIR_PASSWORD,
    logger,
  });
  const allowSelfSigned = settings.TLS_ALLOW_SELF_SIGNED;
  const openmrs = new OpenmrsClient({
    baseURL: openmrsFhirUrl(settings),
    username: settings.OPENMRS_USERNAME,
    password: settings.OPENMRS_PASSWORD,
    logger,
    allowSelfSigned,
    maxInFlight: settings.SYNC_CONCURRENCY,
  });
  const cht = new ChtClient({
    baseURL: settings.CHT_URL,
    username: settings.CHT_USERNAME,
    password: settings.CHT_PASSWORD,
    logger,
    allowSelfSigned,
    maxInFlight: settings.SYNC_CONCURRENCY,
  });
  return {
    fhir,
    openmrs,
    cht,
    places: new PlaceDirectory(
      cht,
      mapping.openmrsToCht.patients.placeTypes,
      settings.SYNC_PLACE_CACHE_SECONDS * 1000,
      Math.min(30_000, settings.SYNC_PLACE_CACHE_SECONDS * 1000),
    ),
    mapping,
    queue: new RetryQueue(fhir, {
      maxAttempts: settings.RETRY_MAX_ATTEMPTS,
      baseDelaySeconds: settings.RETRY_BASE_DELAY_SECONDS,
      maxDelaySeconds: settings.RETRY_MAX_DELAY_SECONDS,
    }),
    logger,
    limits: {
      concurrency: settings.SYNC_CONCURRENCY,
      pageSize: settings.SYNC_PAGE_SIZE,
      fhirPageSize: settings.SYNC_FHIR_PAGE_SIZE,
      overlapMs: settings.SYNC_OVERLAP_SECONDS * 1000,
    },
  };
}

/** The peers this mediator uses: the FHIR server, OpenMRS, CHT, and OpenHIM when configured. */
export function peerChecks(settings: OpenmrsMediatorSettings): PeerChecks {
  const { OPENHIM_API_URL } = settings;
  return new PeerChecks([
    fhirTarget(settings),
    openmrsTarget(settings),
    chtTarget(settings),
    ...(OPENHIM_API_URL ? [openhimTarget({ ...settings, OPENHIM_API_URL })] : []),
  ]);
}

export function createApp(
  settings: OpenmrsMediatorSettings,
  context: SyncContext,
  logger: Logger,
  peers: PeerChecks = peerChecks(settings),
  mapping: MappingFile = new MappingFile(settings.OPENMRS_MEDIATOR_MAPPING, logger),
): Express {
  const progress = new RunProgress();
  context.progress = progress;
  const states = new SyncStateStore(context.fhir);
  const metrics = new SyncMetrics();
  const runner = new SyncRunner(
    context,
    states,
    metrics,
    { leaseSeconds: settings.SYNC_LEASE_SECONDS, maxRunSeconds: settings.SYNC_MAX_RUN_SECONDS },
    mapping,
  );
  // Runs asked for by signals, the polling channel and the console share one schedule: a signal during a
  // run asks for one follow-up run.
  const scheduler = new SyncScheduler(
    () => runner.run({ trigger: 'signal' }),
    { gatherMs: settings.SYNC_SIGNAL_GATHER_MS, retryMs: 5000, maxRetries: 12 },
    logger,
  );
  const scheduled = {
    context: runner.context,
    states: runner.states,
    mapping: runner.mapping,
    run: (by: RunRequest) => scheduler.runNow(() => runner.run(by)),
  };
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  app.get('/', (_req, res) => {
    res.json({ status: 'ok', service: 'openmrs-mediator' });
  });
  app.use(
    basicAuth(settings.OPENMRS_MEDIATOR_USERNAME, settings.OPENMRS_MEDIATOR_PASSWORD, 'openmrs-mediator'),
  );
  app.use(express.json({ limit: BODY_LIMIT_BYTES }));
  app.use(syncRoutes(context, states, metrics, runner, scheduler, peers, progress));
  app.use(consoleRoutes(scheduled, progress, new OpenhimApi(settings), peers));
  app.use(errorHandler(logger, OPENMRS_MEDIATOR_URN));
  return app;
}
