// `npm start -w sandbox -- openmrs`: the OpenMRS stand-in on disk, for the demo. Never for production.
import { createLogger, loadSettings, stopOnSignals } from '@cht-openmrs/common';
import { startOpenmrsSandbox } from './index';
import { openmrsSandboxSettings } from './settings';

export async function main(): Promise<void> {
  const settings = loadSettings(openmrsSandboxSettings);
  const logger = createLogger('openmrs-sandbox', settings.LOG_LEVEL);
  const sandbox = await startOpenmrsSandbox({
    port: settings.OPENMRS_SANDBOX_PORT,
    host: settings.OPENMRS_SANDBOX_HOST,
    dataDir: settings.OPENMRS_SANDBOX_DATA_DIR,
    users: [{ username: settings.OPENMRS_SANDBOX_USERNAME, password: settings.OPENMRS_SANDBOX_PASSWORD }],
    timeZone: settings.OPENMRS_SANDBOX_TIMEZONE,
    logger,
  });
  logger.info(
    { fhir: sandbox.fhirUrl, rest: sandbox.restUrl, dataDir: settings.OPENMRS_SANDBOX_DATA_DIR },
    'OpenMRS stand-in listening (test and demo use only)',
  );
  stopOnSignals(logger, () => sandbox.close());
}
