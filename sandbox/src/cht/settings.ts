// Settings of the CHT stand-in (see the CHT section of .env.example).
import { resolve } from 'node:path';
import { httpUrl, loggingSettings, port, positiveInt, secret } from '@cht-openmrs/common';
import { z } from 'zod';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const DEFAULT_APP_SETTINGS = resolve(REPO_ROOT, 'cht-config/app_settings.json');
export const FIXTURE_APP_SETTINGS = resolve(__dirname, 'fixtures/app_settings.json');

export const DEFAULT_CHT_VERSION = '5.2.0';

export const chtSandboxSettings = {
  ...loggingSettings,
  CHT_SANDBOX_PORT: port(5988).describe('Port of the CHT stand-in (CHT API default 5988)'),
  CHT_SANDBOX_HOST: z.string().default('127.0.0.1').describe('Address to listen on (loopback)'),
  CHT_SANDBOX_ADMIN_USER: z.string().default('medic').describe('CouchDB admin user'),
  CHT_SANDBOX_ADMIN_PASSWORD: secret(z.string().default('password').describe('CouchDB admin password')),
  CHT_SANDBOX_APP_SETTINGS: z.string().default(DEFAULT_APP_SETTINGS).describe('Path of app_settings.json'),
  CHT_SANDBOX_DATA_DIR: z.string().default(resolve(REPO_ROOT, 'data/cht')).describe('PouchDB folder on disk'),
  CHT_SANDBOX_OUTBOUND_BASE_URL: httpUrl()
    .optional()
    .describe('Replaces every outbound destination.base_url (unset: as app_settings.json says)'),
  CHT_SANDBOX_RETRY_INTERVAL_MS: positiveInt(5 * 60 * 1000).describe('Outbound retry interval (CHT: 5 min)'),
  CHT_SANDBOX_OUTBOUND_TIMEOUT_MS: positiveInt(10_000).describe('Outbound request timeout (CHT: 10 s)'),
  CHT_SANDBOX_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'expected a CHT version like 5.2.0 or 4.10.0')
    .default(DEFAULT_CHT_VERSION)
    .describe('CHT version whose outbound behaviour to reproduce'),
  CHT_SANDBOX_CREDENTIAL_SECRET: secret(
    z.string().default('cht-sandbox-secret').describe('Key material for medic-vault encryption'),
  ),
};
