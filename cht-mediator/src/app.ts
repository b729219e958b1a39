// The CHT mediator's request pipeline, in order.
import express, { type Express } from 'express';
import {
  basicAuth,
  BODY_LIMIT_BYTES,
  errorHandler,
  FhirClient,
  fhirTarget,
  openhimTarget,
  PeerChecks,
  requestContext,
  type Logger,
} from '@cht-openmrs/common';
import { CHT_MEDIATOR_URN } from './mediator-config';
import { pushRoutes } from './routes';
import type { ChtMediatorSettings } from './settings';
import { PatientStore } from './store/patient-store';
import { ReportStore } from './store/report-store';
import { SyncSignal } from './sync-signal';

/** The peers this mediator uses: the FHIR server, and OpenHIM when configured. */
export function peerChecks(settings: ChtMediatorSettings): PeerChecks {
  const { OPENHIM_API_URL } = settings;
  return new PeerChecks([
    fhirTarget(settings),
    ...(OPENHIM_API_URL ? [openhimTarget({ ...settings, OPENHIM_API_URL })] : []),
  ]);
}

export function createApp(
  settings: ChtMediatorSettings,
  logger: Logger,
  peers: PeerChecks = peerChecks(settings),
): Express {
  const fhir = new FhirClient({
    baseURL: settings.FHIR_URL,
    username: settings.FHIR_USERNAME,
    password: settings.FHIR_PASSWORD,
    logger,
  });
  const patients = new PatientStore(fhir);
  const reports = new ReportStore(fhir, patients);

  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  app.get('/', (_req, res) => {
    res.json({ status: 'ok', service: 'cht-mediator' });
  });
  app.use(basicAuth(settings.CHT_MEDIATOR_USERNAME, settings.CHT_MEDIATOR_PASSWORD, 'cht-mediator'));
  app.get('/status', async (_req, res) => {
    res.json({ service: 'cht-mediator', peers: await peers.current() });
  });
  app.use(express.json({ limit: BODY_LIMIT_BYTES, type: ['application/json', 'application/*+json'] }));
  const signal = new SyncSignal(
    settings.SYNC_SIGNAL_URL
      ? {
          url: settings.SYNC_SIGNAL_URL,
          username: settings.OPENMRS_MEDIATOR_USERNAME,
          password: settings.OPENMRS_MEDIATOR_PASSWORD,
        }
      : undefined,
    logger,
  );
  app.use(pushRoutes(patients, reports, () => signal.notify()));
  app.use(errorHandler(logger, CHT_MEDIATOR_URN));
  return app;
}
