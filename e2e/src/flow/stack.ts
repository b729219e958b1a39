// The whole system on loopback, wired the way implementers run it: the configurator sets up the OpenHIM
// stand-in, the OpenMRS stand-in and the CHT stand-in (the openhim1 credential and cht-config's outbound
// entries, their base_url pointed at this OpenHIM as an implementer would edit it); the CHT stand-in then
// pushes to OpenHIM's router, which routes to the CHT mediator; OpenHIM's polling channel triggers the
// OpenMRS mediator's sync.
// Every service is a real HTTP server; only their processes are shared.
import { mkdtempSync, writeFileSync } from 'node:fs';
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
import { startTestFhirServer } from '@cht-openmrs/fhir-store';
import {
  readAppSettings,
  startChtSandbox,
  startOpenhimSandbox,
  startOpenmrsSandbox,
  type ChtSandbox,
  type OpenhimSandbox,
  type OpenmrsSandbox,
  type OpenhimTransaction as Transaction,
} from '@cht-openmrs/sandbox';
import { createApp as createChtMediator } from '../../../cht-mediator/src/app';
import { settingsShape as chtMediatorSettings } from '../../../cht-mediator/src/settings';
import { configure } from '../../../configurator/src/configure';
import type { Report } from '../../../configurator/src/report';
import { settingsShape as configuratorSettings } from '../../../configurator/src/settings';
import { createApp as createOpenmrsMediator, createSyncContext } from '../../../openmrs-mediator/src/app';
import { settingsShape as openmrsMediatorSettings } from '../../../openmrs-mediator/src/settings';

const ROOT = join(__dirname, '..', '..', '..');
export const MAPPING_FILE = join(ROOT, 'openmrs-mediator', 'mapping.json');
const CLIENT_PASSWORD = 'interop-client-password';
const CHT_MEDIATOR = { username: 'cht-mediator', password: 'cht-mediator-password' };
const OPENMRS_MEDIATOR = { username: 'openmrs-mediator', password: 'openmrs-mediator-password' };

export interface Stack {
  openhim: OpenhimSandbox;
  openmrs: OpenmrsSandbox;
  cht: ChtSandbox;
  /** The CHT API as the admin. */
  chtApi: AxiosInstance;
  /** OpenMRS's FHIR API as admin. */
  openmrsFhir: FhirClient;
  fhir: FhirClient;
  /** The FHIR server's base URL. */
  fhirUrl: string;
  configuration: Report;
  /** Fires the OpenMRS sync polling channel, as its schedule would, and waits for its transaction. */
  poll(): Promise<Transaction>;
  /** Every transaction OpenHIM logged, oldest first. */
  transactions(): Promise<Transaction[]>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const logger = createLogger('e2e', 'silent');
  const store = await startTestFhirServer();
  const openmrs = await startOpenmrsSandbox({ timeZone: 'Africa/Nairobi' });
  const openhim = await startOpenhimSandbox({ polling: false });
  const servers: Server[] = [];
  const serve = async (app: Parameters<typeof listen>[0]) => {
    const server = await listen(app, 0, '127.0.0.1');
    servers.push(server);
    return Number(new URL(serverUrl(server)).port);
  };

  const chtMediatorPort = await serve(
    createChtMediator(
      loadSettings(chtMediatorSettings, {
        CHT_MEDIATOR_USERNAME: CHT_MEDIATOR.username,
        CHT_MEDIATOR_PASSWORD: CHT_MEDIATOR.password,
        FHIR_URL: store.url,
        LOG_LEVEL: 'silent',
      }),
      logger,
    ),
  );
  const appSettings = await readAppSettings(join(ROOT, 'cht-config', 'app_settings.json'));
  // a CHT without the outbound push yet: the configurator puts it in
  const cht = await startChtSandbox({ appSettings: { ...appSettings, outbound: {} } });
  const chtConfig = join(mkdtempSync(join(tmpdir(), 'cht-config-')), 'app_settings.json');
  const outbound = Object.fromEntries(
    Object.entries(appSettings.outbound ?? {}).map(([name, entry]) => [
      name,
      { ...entry, destination: { ...entry.destination, base_url: openhim.routerUrl } },
    ]),
  );
  writeFileSync(chtConfig, JSON.stringify({ ...appSettings, outbound }));
  const openmrsUrl = new URL(openmrs.url);
  const mediatorSettings = loadSettings(openmrsMediatorSettings, {
    OPENMRS_MEDIATOR_USERNAME: OPENMRS_MEDIATOR.username,
    OPENMRS_MEDIATOR_PASSWORD: OPENMRS_MEDIATOR.password,
    OPENMRS_HOST: openmrsUrl.hostname,
    OPENMRS_PORT: openmrsUrl.port,
    OPENMRS_USERNAME: 'admin',
    OPENMRS_PASSWORD: 'Admin123',
    CHT_URL: cht.url,
    CHT_USERNAME: 'medic',
    CHT_PASSWORD: 'password',
    FHIR_URL: store.url,
    SYNC_OVERLAP_SECONDS: '0',
    SYNC_PLACE_CACHE_SECONDS: '0',
    LOG_LEVEL: 'silent',
  });
  const openmrsMediatorPort = await serve(
    createOpenmrsMediator(
      mediatorSettings,
      createSyncContext(mediatorSettings, loadMapping(MAPPING_FILE), logger),
      logger,
    ),
  );

  const configuration = await configure(
    loadSettings(configuratorSettings, {
      OPENHIM_API_URL: openhim.apiUrl,
      OPENHIM_CLIENT_PASSWORD: CLIENT_PASSWORD,
      CHT_MEDIATOR_HOST: '127.0.0.1',
      CHT_MEDIATOR_PORT: String(chtMediatorPort),
      CHT_MEDIATOR_USERNAME: CHT_MEDIATOR.username,
      CHT_MEDIATOR_PASSWORD: CHT_MEDIATOR.password,
      OPENMRS_MEDIATOR_HOST: '127.0.0.1',
      OPENMRS_MEDIATOR_PORT: String(openmrsMediatorPort),
      OPENMRS_MEDIATOR_USERNAME: OPENMRS_MEDIATOR.username,
      OPENMRS_MEDIATOR_PASSWORD: OPENMRS_MEDIATOR.password,
      OPENMRS_MEDIATOR_MAPPING: MAPPING_FILE,
      FHIR_URL: store.url,
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

  const chtApi = axios.create({ baseURL: cht.url, auth: { username: 'medic', password: 'password' } });
  const openhimApi = axios.create({
    baseURL: openhim.apiUrl,
    auth: { username: openhim.root.email, password: openhim.root.password },
  });
  const transactions = async () => {
    await openhim.settled();
    const { data } = await openhimApi.get<Transaction[]>('/transactions', {
      params: { filterRepresentation: 'full', filterLimit: 1000 },
    });
    return [...data].reverse();
  };

  return {
    openhim,
    openmrs,
    cht,
    chtApi,
    openmrsFhir: new FhirClient({
      baseURL: openmrs.fhirUrl,
      username: 'admin',
      password: 'Admin123',
      peer: 'OpenMRS',
      retries: 0,
    }),
    fhir: new FhirClient({ baseURL: store.url, retries: 0 }),
    fhirUrl: store.url,
    configuration,
    transactions,
    async poll() {
      const outcome = await openhim.runPollingChannel('OpenMRS sync');
      if (!outcome.ok) throw new Error(`the sync poll answered ${outcome.status}`);
      const logged = (await transactions()).find((t) => t._id === outcome.transactionId);
      if (!logged) throw new Error(`the sync poll was not logged (${outcome.transactionId})`);
      return logged;
    },
    async close() {
      await cht.close();
      for (const server of servers) await closeServer(server);
      await openhim.close();
      await openmrs.close();
      await store.close();
    },
  };
}
