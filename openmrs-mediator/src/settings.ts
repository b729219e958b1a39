import { join } from 'node:path';
import { z } from 'zod';
import {
  fhirSettings,
  flag,
  httpUrl,
  loggingSettings,
  openhimSettings,
  port,
  positiveInt,
  secret,
} from '@cht-openmrs/common';

export const settingsShape = {
  OPENMRS_MEDIATOR_PORT: port(6001).describe('Port the OpenMRS mediator listens on'),
  OPENMRS_MEDIATOR_USERNAME: z
    .string()
    .min(1)
    .describe('User the OpenHIM polling channel (and operators) must send'),
  OPENMRS_MEDIATOR_PASSWORD: secret(z.string().min(8).describe('Password the polling channel must send')),
  OPENMRS_MEDIATOR_HOST: z
    .string()
    .default('openmrs-mediator')
    .describe('Host name OpenHIM uses to reach this mediator'),
  OPENMRS_MEDIATOR_MAPPING: z
    .string()
    .default(join(__dirname, '..', 'mapping.json'))
    .describe('The mapping configuration file (JSON; schema in docs/MAPPING.md)'),
  OPENMRS_PROTOCOL: z.enum(['http', 'https']).default('http').describe('How to reach OpenMRS'),
  OPENMRS_HOST: z.string().min(1).describe('OpenMRS host name'),
  OPENMRS_PORT: port(8080).describe('OpenMRS port'),
  OPENMRS_CONTEXT_PATH: z.string().default('/openmrs').describe('OpenMRS web context path'),
  OPENMRS_USERNAME: z
    .string()
    .min(1)
    .describe('OpenMRS user with rights to read and write patients, visits, encounters, observations'),
  OPENMRS_PASSWORD: secret(z.string().min(1).describe('OpenMRS password')),
  CHT_URL: httpUrl().describe('CHT API base URL, e.g. https://cht.example.org'),
  CHT_USERNAME: z.string().min(1).describe('CHT online user that can create people and records'),
  CHT_PASSWORD: secret(z.string().min(1).describe('CHT password')),
  TLS_ALLOW_SELF_SIGNED: flag(false).describe(
    'Accept self-signed certificates from OpenMRS and CHT (never in production)',
  ),
  SYNC_CONCURRENCY: positiveInt(4).describe(
    'Requests in flight to OpenMRS (and to CHT) at once; four times as many patients are worked on',
  ),
  SYNC_PAGE_SIZE: positiveInt(100).describe('Changes read per request from OpenMRS (its maximum is 100)'),
  SYNC_FHIR_PAGE_SIZE: positiveInt(500).describe('Changes read per request from the FHIR server'),
  SYNC_OVERLAP_SECONDS: z.coerce.number().int().min(0).default(2).describe('How far back each scan re-reads'),
  SYNC_MAX_RUN_SECONDS: positiveInt(50).describe('A run stops here and the next one resumes'),
  SYNC_LEASE_SECONDS: positiveInt(120).describe('How long a run holds the lease'),
  SYNC_SIGNAL_GATHER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(200)
    .describe('How long a sync signal waits for others before its run starts'),
  SYNC_PLACE_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(600)
    .describe('How long the index of CHT places is kept'),
  RETRY_MAX_ATTEMPTS: positiveInt(8).describe('Attempts before a failing item is parked'),
  RETRY_BASE_DELAY_SECONDS: positiveInt(60).describe('Delay before the first retry; doubles each time'),
  RETRY_MAX_DELAY_SECONDS: positiveInt(6 * 3600).describe('Longest delay between retries'),
  ...fhirSettings,
  ...openhimSettings,
  ...loggingSettings,
};

export type OpenmrsMediatorSettings = z.infer<z.ZodObject<typeof settingsShape>>;

export function openmrsFhirUrl(settings: OpenmrsMediatorSettings): string {
  const path = settings.OPENMRS_CONTEXT_PATH.replace(/\/+$/, '');
  return `${settings.OPENMRS_PROTOCOL}://${settings.OPENMRS_HOST}:${settings.OPENMRS_PORT}${path}/ws/fhir2/R4`;
}
