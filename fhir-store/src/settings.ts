import { join } from 'node:path';
import { z } from 'zod';
import { httpUrl, loggingSettings, port, positiveInt, secret } from '@cht-openmrs/common';

export const settingsShape = {
  FHIR_STORE_PORT: port(8081).describe('Port of the embedded FHIR store (base path /fhir)'),
  FHIR_STORE_HOST: z.string().default('127.0.0.1').describe('Address it listens on'),
  FHIR_STORE_DATABASE: z
    .string()
    .default(join(__dirname, '..', '..', 'data', 'fhir-store.sqlite'))
    .describe('SQLite file, or :memory:'),
  FHIR_STORE_USERNAME: z.string().optional().describe('Basic auth user; unset: no auth'),
  FHIR_STORE_PASSWORD: secret(z.string().optional().describe('Basic auth password')),
  FHIR_STORE_BASE_URL: httpUrl()
    .optional()
    .describe('Public base URL used in links; default: from the request'),
  FHIR_STORE_DEFAULT_COUNT: positiveInt(20).describe('Page size when _count is not given (HAPI: 20)'),
  FHIR_STORE_MAX_COUNT: positiveInt(1000).describe('Largest page size'),
  FHIR_STORE_PAGE_LIFETIME_MINUTES: positiveInt(60).describe('How long paging links work (HAPI: 60 minutes)'),
  ...loggingSettings,
};
