// `npm start -w sandbox -- openhim`: the OpenHIM stand-in (API 8080, router 5001, plain HTTP) for the
// demo. Test and demo use only; never production.
import { createLogger, loadSettings, stopOnSignals } from '@cht-openmrs/common';
import { startOpenhimSandbox } from './index';
import { openhimSandboxSettings } from './settings';

export async function main(): Promise<void> {
  const settings = loadSettings(openhimSandboxSettings);
  const logger = createLogger('openhim-sandbox', settings.LOG_LEVEL);
  const sandbox = await startOpenhimSandbox({
    apiPort: settings.OPENHIM_SANDBOX_API_PORT,
    routerPort: settings.OPENHIM_SANDBOX_ROUTER_PORT,
    host: settings.OPENHIM_SANDBOX_HOST,
    root: { email: settings.OPENHIM_SANDBOX_ROOT_EMAIL, password: settings.OPENHIM_SANDBOX_ROOT_PASSWORD },
    coreVersion: settings.OPENHIM_SANDBOX_CORE_VERSION,
    ...(settings.OPENHIM_SANDBOX_STATE_FILE ? { stateFile: settings.OPENHIM_SANDBOX_STATE_FILE } : {}),
    polling: settings.OPENHIM_SANDBOX_POLLING,
    scheduleInstalledPollingChannels: settings.OPENHIM_SANDBOX_SCHEDULE_INSTALLED_CHANNELS,
    routerTimeoutMs: settings.OPENHIM_SANDBOX_ROUTER_TIMEOUT_MS,
    channelCacheMs: settings.OPENHIM_SANDBOX_CHANNEL_CACHE_MS,
    logger,
  });
  logger.info(
    {
      api: sandbox.apiUrl,
      router: sandbox.routerUrl,
      coreVersion: settings.OPENHIM_SANDBOX_CORE_VERSION,
      stateFile: settings.OPENHIM_SANDBOX_STATE_FILE ?? '(memory)',
    },
    'OpenHIM stand-in listening (test and demo use only)',
  );
  stopOnSignals(logger, () => sandbox.close());
}
