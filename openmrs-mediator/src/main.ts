// `npm start -w openmrs-mediator`: serves the sync endpoint; registers with OpenHIM when configured.
import {
  closeServer,
  createLogger,
  listen,
  loadSettings,
  redactSettings,
  startMediatorIfConfigured,
  stopOnSignals,
  loadMapping,
  logPeerChecks,
} from '@cht-openmrs/common';
import { createApp, createSyncContext, peerChecks } from './app';
import { mediatorConfig } from './mediator-config';
import { settingsShape } from './settings';

export async function main(): Promise<void> {
  const settings = loadSettings(settingsShape);
  const mapping = loadMapping(settings.OPENMRS_MEDIATOR_MAPPING);
  const logger = createLogger('openmrs-mediator', settings.LOG_LEVEL);
  logger.info({ settings: redactSettings(settingsShape, settings) }, 'starting');
  const context = createSyncContext(settings, mapping, logger);
  const peers = peerChecks(settings);
  const server = await listen(createApp(settings, context, logger, peers), settings.OPENMRS_MEDIATOR_PORT);
  logger.info(`OpenMRS mediator listening on port ${settings.OPENMRS_MEDIATOR_PORT}`);
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
