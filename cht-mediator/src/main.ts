// `npm start -w cht-mediator`: serves CHT outbound push; registers with OpenHIM when it is configured.
import {
  closeServer,
  createLogger,
  listen,
  loadSettings,
  logPeerChecks,
  redactSettings,
  startMediatorIfConfigured,
  stopOnSignals,
} from '@cht-openmrs/common';
import { createApp, peerChecks } from './app';
import { mediatorConfig } from './mediator-config';
import { settingsShape } from './settings';

export async function main(): Promise<void> {
  const settings = loadSettings(settingsShape);
  const logger = createLogger('cht-mediator', settings.LOG_LEVEL);
  logger.info({ settings: redactSettings(settingsShape, settings) }, 'starting');
  const peers = peerChecks(settings);
  const server = await listen(createApp(settings, logger, peers), settings.CHT_MEDIATOR_PORT);
  logger.info(`CHT mediator listening on port ${settings.CHT_MEDIATOR_PORT}`);
  void logPeerChecks(peers, logger);
  const openhim = startMediatorIfConfigured(settings, mediatorConfig(settings), logger);
  stopOnSignals(logger, async () => {
    openhim?.stop();
    await closeServer(server);
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
