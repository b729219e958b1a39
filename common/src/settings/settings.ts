// Settings come from the environment, with a `.env` file as a fallback. They are validated once at
// start-up, and every problem is reported in one message. Secrets never appear in what is printed.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { LOG_LEVELS } from '../logging/logger';

export type SettingsShape = Record<string, z.ZodType>;
export type Settings<S extends SettingsShape> = z.infer<z.ZodObject<S>>;

const secrets = new WeakSet<z.ZodType>();

/** Marks a setting as secret: its value is never printed, not even in an error. */
export function secret<T extends z.ZodType>(schema: T): T {
  secrets.add(schema);
  return schema;
}

export const port = (defaultPort: number) => z.coerce.number().int().min(1).max(65535).default(defaultPort);
export const httpUrl = () =>
  z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .transform((url) => url.replace(/\/+$/, ''));
export const flag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes'].includes(value));
export const positiveInt = (defaultValue: number) => z.coerce.number().int().positive().default(defaultValue);
export const logLevel = () => z.enum(LOG_LEVELS).default('info');

export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly problems: string[]) {
    super(
      `Invalid settings (set them in the environment or in .env; see .env.example):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Reads `.env` from the given folder, without touching process.env. Missing file: nothing. */
export function readDotenv(folder: string = process.cwd()): Record<string, string> {
  for (let dir = folder; ;) {
    const file = `${dir}/.env`;
    if (existsSync(file)) return parseDotenv(readFileSync(file));
    const parent = dir.replace(/\/[^/]+$/, '');
    if (parent === dir || parent === '') return {};
    dir = parent;
  }
}

/**
 * Validates settings against their schema. The environment wins over `.env`; empty values count as
 * unset. Throws SettingsError listing every missing or invalid setting.
 */
export function loadSettings<S extends SettingsShape>(
  shape: S,
  env: Record<string, string | undefined> = { ...readDotenv(), ...process.env },
): Settings<S> {
  const values: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key]?.trim();
    if (value) values[key] = value;
  }
  const result = z.object(shape).safeParse(values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const schema = shape[key];
    const given = values[key];
    if (given === undefined) return `${key}: required but not set`;
    const shown = schema && secrets.has(schema) ? '' : ` (got "${given}")`;
    return `${key}: ${issue.message}${shown}`;
  });
  throw new SettingsError(problems);
}

/** A copy fit for logs: secret settings masked, and credentials inside URLs removed. */
export function redactSettings<S extends SettingsShape>(
  shape: S,
  settings: Settings<S>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings as Record<string, unknown>)) {
    const schema = shape[key];
    if (schema && secrets.has(schema)) out[key] = value === undefined ? undefined : '********';
    else if (typeof value === 'string' && /^[a-z]+:\/\/[^/]*@/i.test(value))
      out[key] = value.replace(/\/\/[^/]*@/, '//********@');
    else out[key] = value;
  }
  return out;
}

/** Settings every service shares. Each service spreads the groups it uses into its own shape. */
export const loggingSettings = {
  LOG_LEVEL: logLevel().describe('Log level: fatal, error, warn, info, debug, trace or silent'),
};

export const fhirSettings = {
  FHIR_URL: httpUrl()
    .default('http://127.0.0.1:8081/fhir')
    .describe('FHIR R4 base URL; defaults to the embedded fhir-store'),
  FHIR_USERNAME: z.string().optional().describe('Basic auth user for the FHIR server, if it needs one'),
  FHIR_PASSWORD: secret(z.string().optional().describe('Basic auth password for the FHIR server')),
};

export const openhimSettings = {
  OPENHIM_API_URL: httpUrl()
    .optional()
    .describe('OpenHIM core API, e.g. https://openhim-core:8080; unset: run without OpenHIM'),
  OPENHIM_USERNAME: z.string().default('root@openhim.org').describe('OpenHIM API user (admin group)'),
  OPENHIM_PASSWORD: secret(z.string().default('openhim-password').describe('OpenHIM API password')),
  OPENHIM_TRUST_SELF_SIGNED: flag(false).describe(
    "Accept OpenHIM's self-signed certificate (core's default)",
  ),
};
