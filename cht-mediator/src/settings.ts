import { z } from 'zod';
import { fhirSettings, httpUrl, loggingSettings, openhimSettings, port, secret } from '@cht-openmrs/common';

export const settingsShape = {
  CHT_MEDIATOR_PORT: port(6000).describe('Port the CHT mediator listens on'),
  CHT_MEDIATOR_USERNAME: z.string().min(1).describe('User CHT outbound push (through OpenHIM) must send'),
  CHT_MEDIATOR_PASSWORD: secret(z.string().min(8).describe('Password CHT outbound push must send')),
  CHT_MEDIATOR_HOST: z
    .string()
    .default('cht-mediator')
    .describe('Host name OpenHIM uses to reach this mediator'),
  SYNC_SIGNAL_URL: httpUrl()
    .optional()
    .or(z.literal('').transform(() => undefined))
    .describe(
      'Where to ask for a sync once something is stored (the OpenMRS mediator /sync/signal); empty: none',
    ),
  OPENMRS_MEDIATOR_USERNAME: z.string().optional().describe('User the sync signal authenticates as'),
  OPENMRS_MEDIATOR_PASSWORD: secret(z.string().optional().describe('Password of the sync signal user')),
  ...fhirSettings,
  ...openhimSettings,
  ...loggingSettings,
};

export type ChtMediatorSettings = z.infer<z.ZodObject<typeof settingsShape>>;
