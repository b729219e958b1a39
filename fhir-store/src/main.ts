// `npm start -w fhir-store`: the embedded FHIR R4 store on its port, base /fhir.
import { createLogger, loadSettings, redactSettings, stopOnSignals } from '@cht-openmrs/common';
import { startFhirStore } from './index';
import { settingsShape } from './settings';

export async function main(): Promise<void> {
  const settings = loadSettings(settingsShape);
  const logger = createLogger('fhir-store', settings.LOG_LEVEL);
  logger.info({ settings: redactSettings(settingsShape, settings) }, 'starting');
  const store = await startFhirStore({
    port: settings.FHIR_STORE_PORT,
    host: settings.FHIR_STORE_HOST,
    database: settings.FHIR_STORE_DATABASE,
    username: settings.FHIR_STORE_USERNAME,
    password: settings.FHIR_STORE_PASSWORD,
    baseUrl: settings.FHIR_STORE_BASE_URL,
    defaultCount: settings.FHIR_STORE_DEFAULT_COUNT,
    maxCount: settings.FHIR_STORE_MAX_COUNT,
    pageLifetimeMs: settings.FHIR_STORE_PAGE_LIFETIME_MINUTES * 60_000,
    logger,
  });
  logger.info(`FHIR store at ${store.url} (${settings.FHIR_STORE_DATABASE})`);
  stopOnSignals(logger, () => store.close());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
