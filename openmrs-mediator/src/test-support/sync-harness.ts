// The whole sync running in-process over real loopback HTTP, for integration tests and the benchmark:
// the embedded FHIR store, the OpenMRS and CHT stand-ins, the CHT mediator (with CHT pushing to it, as
// cht-config says, minus OpenHIM's /mediator prefix) and the OpenMRS mediator.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import {
  closeServer,
  createLogger,
  FhirClient,
  listen,
  loadMapping,
  loadSettings,
  serverUrl,
  type MediatorResponse,
} from '@cht-openmrs/common';
import { startTestFhirServer } from '@cht-openmrs/fhir-store';
import {
  readAppSettings,
  startChtSandbox,
  startOpenmrsSandbox,
  type ChtSandbox,
  type OpenmrsSandbox,
} from '@cht-openmrs/sandbox';
import { createApp as createChtMediator } from '../../../cht-mediator/src/app';
import { settingsShape as chtMediatorSettings } from '../../../cht-mediator/src/settings';
import { createApp, createSyncContext } from '../app';
import type { SyncReport } from '../sync/run-sync';
import { settingsShape } from '../settings';
import { countingProxy } from '../../../common/src/test-support/counting-proxy';

const ROOT = join(__dirname, '..', '..', '..');
const SYNC_USER = { username: 'sync-user', password: 'sync-password' };
const CHT_PUSH_USER = { username: 'interop-client', password: 'interop-password' };

export interface SyncStack {
  fhir: FhirClient;
  openmrs: FhirClient;
  openmrsUrl: string;
  /** The stand-in itself, for its test controls (latency, injected faults, counters). */
  openmrsSandbox: OpenmrsSandbox;
  cht: ChtSandbox;
  chtApi: AxiosInstance;
  mediator: AxiosInstance;
  /** The CHT mediator, called directly with the push credentials (what OpenHIM's router forwards). */
  chtMediator: AxiosInstance;
  sync(): Promise<SyncReport>;
  /** Requests the OpenMRS mediator made to the FHIR server, counted at the HTTP level, by method. */
  fhirRequests: { count(): number; byMethod(): Record<string, number>; reset(): void };
  close(): Promise<void>;
}

export interface SyncStackOptions {
  /** OpenMRS's clock (default Date.now), e.g. ahead of ours, to order edits made on both sides. */
  openmrsNow?: () => number;
  /** The CHT mediator asks the OpenMRS mediator for a sync whenever it stored something. */
  signal?: boolean;
}

export async function startSyncStack(
  overrides: Record<string, string> = {},
  options: SyncStackOptions = {},
): Promise<SyncStack> {
  const logger = createLogger('test', 'silent');
  const store = await startTestFhirServer();
  const fhirProxy = await countingProxy(store.url);
  // Listening before its app exists, so that the CHT mediator can be told where to signal.
  const mediatorServer: Server = createServer();
  await new Promise<void>((resolve) => mediatorServer.listen(0, '127.0.0.1', resolve));
  const openmrsSandbox = await startOpenmrsSandbox({
    timeZone: 'Africa/Nairobi',
    ...(options.openmrsNow ? { now: options.openmrsNow } : {}),
  });
  // What the configurator does at start-up: the identifier types the sync writes.
  for (const name of ['CHT Document ID', 'CHT Patient ID']) {
    await axios.post(
      `${openmrsSandbox.restUrl}/patientidentifiertype`,
      { name, description: name, locationBehavior: 'NOT_USED', uniquenessBehavior: 'UNIQUE' },
      { auth: { username: 'admin', password: 'Admin123' } },
    );
  }
  const chtMediatorServer: Server = await listen(
    createChtMediator(
      loadSettings(chtMediatorSettings, {
        CHT_MEDIATOR_USERNAME: CHT_PUSH_USER.username,
        CHT_MEDIATOR_PASSWORD: CHT_PUSH_USER.password,
        FHIR_URL: store.url,
        LOG_LEVEL: 'silent',
        ...(options.signal
          ? {
              SYNC_SIGNAL_URL: serverUrl(mediatorServer, '/sync/signal'),
              OPENMRS_MEDIATOR_USERNAME: SYNC_USER.username,
              OPENMRS_MEDIATOR_PASSWORD: SYNC_USER.password,
            }
          : {}),
      }),
      logger,
    ),
    0,
    '127.0.0.1',
  );
  const appSettings = await readAppSettings(join(ROOT, 'cht-config', 'app_settings.json'));
  for (const config of Object.values(appSettings.outbound ?? {})) {
    config.destination.base_url = serverUrl(chtMediatorServer);
    config.destination.path = (config.destination.path ?? '').replace(/^\/mediator/, '');
  }
  const cht = await startChtSandbox({ appSettings });
  const chtApi = axios.create({
    baseURL: cht.url,
    auth: { username: 'medic', password: 'password' },
    validateStatus: () => true,
  });
  await chtApi.put('/api/v1/credentials/openhim1', CHT_PUSH_USER.password, {
    headers: { 'Content-Type': 'text/plain' },
  });

  const openmrsUrl = new URL(openmrsSandbox.url);
  const settings = loadSettings(settingsShape, {
    OPENMRS_MEDIATOR_USERNAME: SYNC_USER.username,
    OPENMRS_MEDIATOR_PASSWORD: SYNC_USER.password,
    OPENMRS_HOST: openmrsUrl.hostname,
    OPENMRS_PORT: openmrsUrl.port,
    OPENMRS_USERNAME: 'admin',
    OPENMRS_PASSWORD: 'Admin123',
    CHT_URL: cht.url,
    CHT_USERNAME: 'medic',
    CHT_PASSWORD: 'password',
    FHIR_URL: fhirProxy.url,
    SYNC_OVERLAP_SECONDS: '0',
    SYNC_PLACE_CACHE_SECONDS: '0',
    RETRY_BASE_DELAY_SECONDS: '1',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const context = createSyncContext(settings, loadMapping(settings.OPENMRS_MEDIATOR_MAPPING), logger);
  mediatorServer.on('request', createApp(settings, context, logger));
  const mediator = axios.create({
    baseURL: serverUrl(mediatorServer),
    auth: SYNC_USER,
    validateStatus: () => true,
  });
  return {
    fhir: new FhirClient({ baseURL: store.url, retries: 0 }),
    openmrs: new FhirClient({
      baseURL: openmrsSandbox.fhirUrl,
      username: 'admin',
      password: 'Admin123',
      peer: 'OpenMRS',
      retries: 0,
    }),
    openmrsUrl: openmrsSandbox.url,
    openmrsSandbox,
    cht,
    chtApi,
    mediator,
    chtMediator: axios.create({
      baseURL: serverUrl(chtMediatorServer),
      auth: CHT_PUSH_USER,
      validateStatus: () => true,
    }),
    async sync() {
      const response = await mediator.get('/sync');
      if (response.status !== 200)
        throw new Error(`sync answered ${response.status}: ${JSON.stringify(response.data)}`);
      return JSON.parse((response.data as MediatorResponse).response.body) as SyncReport;
    },
    fhirRequests: fhirProxy,
    async close() {
      await closeServer(mediatorServer);
      await fhirProxy.close();
      await cht.close();
      await closeServer(chtMediatorServer);
      await openmrsSandbox.close();
      await store.close();
    },
  };
}
