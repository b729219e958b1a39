// The whole system on loopback, one world per history: the embedded FHIR store and the OpenMRS mediator
// as processes of their own (so they can be SIGKILLed and restarted), the OpenMRS, CHT and OpenHIM
// stand-ins and the CHT mediator in this process, a second OpenMRS mediator instance (for two syncs
// at once), all set up by the configurator as implementers run it. CHT pushes through OpenHIM's
// router with cht-config/app_settings.json; the sync runs directly or through OpenHIM's polling channel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
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
} from '@cht-openmrs/common';
import {
  readAppSettings,
  startChtSandbox,
  startOpenhimSandbox,
  startOpenmrsSandbox,
  type ChtSandbox,
  type OpenhimSandbox,
  type OpenmrsSandbox,
} from '@cht-openmrs/sandbox';
import { createApp as createChtMediator } from '../../../cht-mediator/src/app';
import { settingsShape as chtMediatorSettings } from '../../../cht-mediator/src/settings';
import { configure } from '../../../configurator/src/configure';
import { problemsOf } from '../../../configurator/src/report';
import { settingsShape as configuratorSettings } from '../../../configurator/src/settings';
import { createApp as createOpenmrsMediator, createSyncContext } from '../../../openmrs-mediator/src/app';
import { settingsShape as openmrsMediatorSettings } from '../../../openmrs-mediator/src/settings';
import { childService, freePort, ROOT, type ChildService } from './child';

const MAPPING_FILE = join(ROOT, 'openmrs-mediator', 'mapping.json');
const CLIENT_PASSWORD = 'interop-client-password';
const CHT_MEDIATOR = { username: 'cht-mediator', password: 'cht-mediator-password' };
export const SYNC_USER = { username: 'openmrs-mediator', password: 'openmrs-mediator-password' };
const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };

export interface World {
  fhirStore: ChildService;
  mediator: ChildService;
  openmrs: OpenmrsSandbox;
  cht: ChtSandbox;
  openhim: OpenhimSandbox;
  /** CHT's API as its admin (people, places, /medic). */
  chtApi: AxiosInstance;
  /** OpenMRS's FHIR API as admin. */
  openmrsFhir: FhirClient;
  /** The stand-ins' documented test controls. */
  openmrsControls: AxiosInstance;
  chtControls: AxiosInstance;
  fhir: FhirClient;
  /** The mediator process (A) and the in-process second instance (B), as OpenHIM calls them. */
  mediatorA: AxiosInstance;
  mediatorB: AxiosInstance;
  /** Fires OpenHIM's polling channel, as its schedule does. */
  poll(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const logger = createLogger('verify', 'silent');
  const dir = mkdtempSync(join(tmpdir(), 'verify-world-'));
  const fhirPort = await freePort();
  const fhirStore = childService(
    'fhir-store',
    'fhir-store/src/main.ts',
    fhirPort,
    { FHIR_STORE_PORT: String(fhirPort), FHIR_STORE_DATABASE: join(dir, 'fhir.sqlite'), LOG_LEVEL: 'silent' },
    '/fhir/metadata',
  );
  await fhirStore.start();
  const fhirUrl = `http://127.0.0.1:${fhirPort}/fhir`;
  const openmrs = await startOpenmrsSandbox({ timeZone: 'Africa/Nairobi' });
  const openhim = await startOpenhimSandbox({ polling: false });
  const servers: Server[] = [];
  const serve = async (app: Parameters<typeof listen>[0]) => {
    const server = await listen(app, 0, '127.0.0.1');
    servers.push(server);
    return serverUrl(server);
  };
  const chtMediatorUrl = await serve(
    createChtMediator(
      loadSettings(chtMediatorSettings, {
        CHT_MEDIATOR_USERNAME: CHT_MEDIATOR.username,
        CHT_MEDIATOR_PASSWORD: CHT_MEDIATOR.password,
        FHIR_URL: fhirUrl,
        LOG_LEVEL: 'silent',
      }),
      logger,
    ),
  );
  const appSettings = await readAppSettings(join(ROOT, 'cht-config', 'app_settings.json'));
  const cht = await startChtSandbox({
    appSettings: { ...appSettings, outbound: {} },
    sentinel: 'manual',
    retryIntervalMs: 24 * 3600_000,
  });
  const chtConfig = join(dir, 'app_settings.json');
  const outbound = Object.fromEntries(
    Object.entries(appSettings.outbound ?? {}).map(([name, entry]) => [
      name,
      { ...entry, destination: { ...entry.destination, base_url: openhim.routerUrl } },
    ]),
  );
  writeFileSync(chtConfig, JSON.stringify({ ...appSettings, outbound }));

  const openmrsUrl = new URL(openmrs.url);
  const mediatorEnv = {
    OPENMRS_MEDIATOR_USERNAME: SYNC_USER.username,
    OPENMRS_MEDIATOR_PASSWORD: SYNC_USER.password,
    OPENMRS_HOST: openmrsUrl.hostname,
    OPENMRS_PORT: openmrsUrl.port,
    OPENMRS_USERNAME: 'admin',
    OPENMRS_PASSWORD: 'Admin123',
    CHT_URL: cht.url,
    CHT_USERNAME: 'medic',
    CHT_PASSWORD: 'password',
    FHIR_URL: fhirUrl,
    SYNC_OVERLAP_SECONDS: '1',
    SYNC_PLACE_CACHE_SECONDS: '0',
    SYNC_LEASE_SECONDS: '4',
    RETRY_BASE_DELAY_SECONDS: '1',
    RETRY_MAX_DELAY_SECONDS: '2',
    RETRY_MAX_ATTEMPTS: '2',
    LOG_LEVEL: 'silent',
  };
  const mediatorPort = await freePort();
  const mediator = childService(
    'openmrs-mediator',
    'openmrs-mediator/src/main.ts',
    mediatorPort,
    { ...mediatorEnv, OPENMRS_MEDIATOR_PORT: String(mediatorPort) },
    '/',
  );
  await mediator.start();
  const settingsB = loadSettings(openmrsMediatorSettings, mediatorEnv);
  const mediatorBUrl = await serve(
    createOpenmrsMediator(settingsB, createSyncContext(settingsB, loadMapping(MAPPING_FILE), logger), logger),
  );

  const report = await configure(
    loadSettings(configuratorSettings, {
      OPENHIM_API_URL: openhim.apiUrl,
      OPENHIM_CLIENT_PASSWORD: CLIENT_PASSWORD,
      CHT_MEDIATOR_HOST: '127.0.0.1',
      CHT_MEDIATOR_PORT: new URL(chtMediatorUrl).port,
      CHT_MEDIATOR_USERNAME: CHT_MEDIATOR.username,
      CHT_MEDIATOR_PASSWORD: CHT_MEDIATOR.password,
      OPENMRS_MEDIATOR_HOST: '127.0.0.1',
      OPENMRS_MEDIATOR_PORT: String(mediatorPort),
      OPENMRS_MEDIATOR_USERNAME: SYNC_USER.username,
      OPENMRS_MEDIATOR_PASSWORD: SYNC_USER.password,
      OPENMRS_MEDIATOR_MAPPING: MAPPING_FILE,
      FHIR_URL: fhirUrl,
      OPENMRS_HOST: openmrsUrl.hostname,
      OPENMRS_PORT: openmrsUrl.port,
      OPENMRS_USERNAME: 'admin',
      OPENMRS_PASSWORD: 'Admin123',
      CHT_URL: cht.url,
      CHT_USERNAME: 'medic',
      CHT_PASSWORD: 'password',
      CONFIGURATOR_CHT_APP_SETTINGS: chtConfig,
      CONFIGURATOR_WAIT_SECONDS: '5',
      LOG_LEVEL: 'silent',
    }),
    { check: false, installChtOutbound: true },
    logger,
  );
  const problems = problemsOf(report, false);
  if (problems.length > 0) throw new Error(`configurator: ${problems.join('; ')}`);

  const client = (baseURL: string, auth?: { username: string; password: string }) =>
    axios.create({ baseURL, ...(auth ? { auth } : {}), validateStatus: () => true, ...JSON_BODY });
  return {
    fhirStore,
    mediator,
    openmrs,
    cht,
    openhim,
    chtApi: client(cht.url, { username: 'medic', password: 'password' }),
    openmrsFhir: new FhirClient({
      baseURL: openmrs.fhirUrl,
      username: 'admin',
      password: 'Admin123',
      peer: 'OpenMRS',
      retries: 0,
    }),
    openmrsControls: client(`${openmrs.url}/__sandbox`),
    chtControls: client(`${cht.url}/__sandbox`),
    fhir: new FhirClient({ baseURL: fhirUrl, retries: 0 }),
    mediatorA: client(`http://127.0.0.1:${mediatorPort}`, SYNC_USER),
    mediatorB: client(mediatorBUrl, SYNC_USER),
    async poll() {
      await openhim.runPollingChannel('OpenMRS sync');
    },
    async close() {
      // The world is thrown away with its data: no need to wait for graceful stops.
      await mediator.kill();
      await cht.close();
      for (const server of servers) await closeServer(server);
      await openhim.close();
      await openmrs.close();
      await fhirStore.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
