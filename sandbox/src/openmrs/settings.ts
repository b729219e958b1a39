// Settings of the OpenMRS stand-in (see the OpenMRS stand-in section of .env.example).
import { resolve } from 'node:path';
import { loggingSettings, port, secret } from '@cht-openmrs/common';
import { z } from 'zod';

const REPO_ROOT = resolve(__dirname, '../../..');

export const openmrsSandboxSettings = {
  ...loggingSettings,
  OPENMRS_SANDBOX_PORT: port(8090).describe('Port of the OpenMRS stand-in'),
  OPENMRS_SANDBOX_HOST: z.string().default('127.0.0.1').describe('Address to listen on (loopback)'),
  OPENMRS_SANDBOX_USERNAME: z
    .string()
    .default('admin')
    .describe('The OpenMRS user (reference application: admin)'),
  OPENMRS_SANDBOX_PASSWORD: secret(
    z.string().default('Admin123').describe('Its password (reference application: Admin123)'),
  ),
  OPENMRS_SANDBOX_DATA_DIR: z
    .string()
    .default(resolve(REPO_ROOT, 'data/openmrs'))
    .describe('Folder of the snapshot file that keeps the data across restarts'),
  OPENMRS_SANDBOX_TIMEZONE: z
    .string()
    .default('UTC')
    .describe(
      'Time zone of the imitated server (IANA name, e.g. Africa/Nairobi): offsets in output, date-only searches',
    ),
};
