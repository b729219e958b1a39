import { join } from 'node:path';
import { z } from 'zod';
import { flag, httpUrl, loggingSettings, port, positiveInt, secret } from '@cht-openmrs/common';

export const settingsShape = {
  OPENHIM_API_URL: httpUrl().describe('OpenHIM core API, e.g. https://openhim-core:8080'),
  OPENHIM_USERNAME: z.string().default('root@openhim.org').describe('OpenHIM API user (admin group)'),
  OPENHIM_PASSWORD: secret(z.string().default('openhim-password').describe('OpenHIM API password')),
  OPENHIM_TRUST_SELF_SIGNED: flag(false).describe(
    "Accept OpenHIM's self-signed certificate (core's default)",
  ),
  OPENHIM_CLIENT_ID: z
    .string()
    .min(1)
    .default('interop-client')
    .describe('OpenHIM client CHT outbound push uses'),
  OPENHIM_CLIENT_PASSWORD: secret(
    z.string().min(8).describe('Its password (stored in CHT as credential openhim1)'),
  ),
  OPENHIM_CLIENT_ROLE: z.string().min(1).default('interop').describe('Role the channels allow'),
  CHT_MEDIATOR_HOST: z.string().default('cht-mediator').describe('Host OpenHIM reaches the CHT mediator on'),
  CHT_MEDIATOR_PORT: port(6000),
  CHT_MEDIATOR_USERNAME: z.string().min(1),
  CHT_MEDIATOR_PASSWORD: secret(z.string().min(8)),
  OPENMRS_MEDIATOR_HOST: z
    .string()
    .default('openmrs-mediator')
    .describe('Host OpenHIM reaches the OpenMRS mediator on'),
  OPENMRS_MEDIATOR_PORT: port(6001),
  OPENMRS_MEDIATOR_USERNAME: z.string().min(1),
  OPENMRS_MEDIATOR_PASSWORD: secret(z.string().min(8)),
  OPENMRS_MEDIATOR_MAPPING: z
    .string()
    .optional()
    .describe('The mapping file the OpenMRS mediator uses; checked against OpenMRS'),
  SYNC_POLLING_SCHEDULE: z
    .string()
    .default('1 minute')
    .describe('How often OpenHIM triggers the sync (agenda interval or cron)'),
  FHIR_URL: httpUrl()
    .default('http://127.0.0.1:8081/fhir')
    .describe('The FHIR server the /fhir channel routes to'),
  FHIR_USERNAME: z.string().optional(),
  FHIR_PASSWORD: secret(z.string().optional()),
  OPENMRS_PROTOCOL: z.enum(['http', 'https']).default('http'),
  OPENMRS_HOST: z.string().optional().describe('Unset: no OpenMRS channel and no OpenMRS set-up'),
  OPENMRS_PORT: port(8080),
  OPENMRS_CONTEXT_PATH: z.string().default('/openmrs'),
  OPENMRS_USERNAME: z.string().optional(),
  OPENMRS_PASSWORD: secret(z.string().optional()),
  CHT_URL: httpUrl().optional().describe('CHT API; set: the credential and outbound push set up in CHT'),
  CHT_USERNAME: z
    .string()
    .optional()
    .describe('A CHT (CouchDB) admin: credentials and app settings need one'),
  CHT_PASSWORD: secret(z.string().optional()),
  TLS_ALLOW_SELF_SIGNED: flag(false).describe('Accept self-signed certificates from OpenMRS and CHT'),
  CONFIGURATOR_CHT_APP_SETTINGS: z
    .string()
    .default(join(__dirname, '..', '..', 'cht-config', 'app_settings.json'))
    .describe('The app_settings.json whose outbound entries CHT must hold'),
  CONFIGURATOR_WAIT_SECONDS: positiveInt(120).describe(
    'How long to wait for OpenHIM, OpenMRS and CHT to come up',
  ),
  ...loggingSettings,
};

export type ConfiguratorSettings = z.infer<z.ZodObject<typeof settingsShape>>;
