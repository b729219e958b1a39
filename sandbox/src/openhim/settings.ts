// Settings of the OpenHIM stand-in (see the OpenHIM stand-in section of .env.example).
import { resolve } from 'node:path';
import { flag, loggingSettings, port, positiveInt, secret } from '@cht-openmrs/common';
import { z } from 'zod';

/** Relative paths are taken from the repository root (npm start runs in sandbox/). */
const REPO_ROOT = resolve(__dirname, '../../..');

export const openhimSandboxSettings = {
  ...loggingSettings,
  OPENHIM_SANDBOX_API_PORT: port(8080).describe('API port (core: 8080, HTTPS there; plain HTTP here)'),
  OPENHIM_SANDBOX_ROUTER_PORT: port(5001).describe('Router port, plain HTTP (core: 5001)'),
  OPENHIM_SANDBOX_HOST: z.string().default('127.0.0.1').describe('Address to listen on (loopback)'),
  OPENHIM_SANDBOX_ROOT_EMAIL: z.string().default('root@openhim.org').describe('Root user created at start'),
  OPENHIM_SANDBOX_ROOT_PASSWORD: secret(
    z.string().default('openhim-password').describe('Root user password'),
  ),
  OPENHIM_SANDBOX_CORE_VERSION: z
    .enum(['8.5', '7.1'], { error: 'expected 8.5 or 7.1' })
    .default('8.5')
    .describe('Core whose authentication to reproduce: 8.5 (passports) or 7.1 (credentials on users)'),
  OPENHIM_SANDBOX_STATE_FILE: z
    .string()
    .transform((file) => resolve(REPO_ROOT, file))
    .optional()
    .describe('JSON file to keep the state in (relative to the repository root); unset: memory'),
  OPENHIM_SANDBOX_POLLING: flag(true).describe('Run polling channels on their schedules'),
  OPENHIM_SANDBOX_SCHEDULE_INSTALLED_CHANNELS: flag(false).describe(
    'Also schedule polling channels installed from a mediator (core does not until restart or edit)',
  ),
  OPENHIM_SANDBOX_ROUTER_TIMEOUT_MS: positiveInt(60_000).describe('Route timeout without a channel timeout'),
  OPENHIM_SANDBOX_CHANNEL_CACHE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe("How long the router keeps its channel list (core's caching.refreshMillis)"),
};
