// `npm start -w sandbox -- cht`: the CHT stand-in on disk, for the demo. Never for production.
import { existsSync } from 'node:fs';
import { createLogger, loadSettings, stopOnSignals } from '@cht-openmrs/common';
import { startChtSandbox } from './index';
import { chtSandboxSettings, DEFAULT_APP_SETTINGS, FIXTURE_APP_SETTINGS } from './settings';

export async function main(): Promise<void> {
  const settings = loadSettings(chtSandboxSettings);
  const logger = createLogger('cht-sandbox', settings.LOG_LEVEL);
  let appSettingsPath = settings.CHT_SANDBOX_APP_SETTINGS;
  if (appSettingsPath === DEFAULT_APP_SETTINGS && !existsSync(appSettingsPath)) {
    logger.warn(
      { missing: appSettingsPath, using: FIXTURE_APP_SETTINGS },
      'cht-config/app_settings.json not found',
    );
    appSettingsPath = FIXTURE_APP_SETTINGS;
  }
  const sandbox = await startChtSandbox({
    port: settings.CHT_SANDBOX_PORT,
    host: settings.CHT_SANDBOX_HOST,
    appSettingsPath,
    outboundBaseUrl: settings.CHT_SANDBOX_OUTBOUND_BASE_URL,
    inMemory: false,
    dataDir: settings.CHT_SANDBOX_DATA_DIR,
    admin: { name: settings.CHT_SANDBOX_ADMIN_USER, password: settings.CHT_SANDBOX_ADMIN_PASSWORD },
    retryIntervalMs: settings.CHT_SANDBOX_RETRY_INTERVAL_MS,
    outboundTimeoutMs: settings.CHT_SANDBOX_OUTBOUND_TIMEOUT_MS,
    credentialSecret: settings.CHT_SANDBOX_CREDENTIAL_SECRET,
    chtVersion: settings.CHT_SANDBOX_VERSION,
    logger,
  });
  logger.info(
    { url: sandbox.url, appSettingsPath, chtVersion: settings.CHT_SANDBOX_VERSION },
    'CHT stand-in listening (test and demo use only)',
  );
  stopOnSignals(logger, () => sandbox.close());
}
