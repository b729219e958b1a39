// The OpenMRS mediator alone in its own process, on loopback, so a benchmark can read its memory.
// Settings come from the environment, as in production; the port it got is sent to the parent.
import { createLogger, listen, loadMapping, loadSettings } from '@cht-openmrs/common';
import { createApp, createSyncContext } from '../../openmrs-mediator/src/app';
import { settingsShape } from '../../openmrs-mediator/src/settings';

async function main() {
  const settings = loadSettings(settingsShape);
  const logger = createLogger('openmrs-mediator', settings.LOG_LEVEL);
  const context = createSyncContext(settings, loadMapping(settings.OPENMRS_MEDIATOR_MAPPING), logger);
  const server = await listen(createApp(settings, context, logger), 0, '127.0.0.1');
  const address = server.address();
  process.on('SIGTERM', () => process.exit(0)); // exits cleanly, so a --cpu-prof profile is written
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
