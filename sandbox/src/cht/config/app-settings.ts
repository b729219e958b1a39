// The parts of CHT's app_settings.json the stand-in reads (reference cht.md §1.1, §2.1, §2.7, §3.1).
// Read from a file (the project's cht-config/app_settings.json) or given in-process; replaced at run
// time through PUT /api/v1/settings as in CHT.
import { readFile } from 'node:fs/promises';
import { isObject } from '../core/types';

export type MappingSource = string | { path?: string; expr?: unknown; optional?: boolean };

export interface OutboundAuth {
  type?: string;
  username?: string;
  password_key?: string;
  name?: string;
  value_key?: string;
  path?: string;
}

export interface OutboundConfig {
  relevant_to?: string;
  destination: { base_url?: string; path?: string; auth?: OutboundAuth };
  mapping: Record<string, MappingSource>;
  cron?: string;
}

export interface FormField {
  type?: string;
  required?: boolean;
  [key: string]: unknown;
}

export interface FormDefinition {
  meta?: { code?: string; label?: unknown };
  fields: Record<string, FormField>;
  public_form?: boolean;
  [key: string]: unknown;
}

export interface RegistrationEvent {
  name?: string;
  trigger?: string;
  params?: unknown;
  bool_expr?: string;
}

export interface RegistrationConfig {
  form: string;
  events?: RegistrationEvent[];
  messages?: { event_type?: string; message?: unknown }[];
}

export interface ContactType {
  id: string;
  parents?: string[];
  person?: boolean;
}

export interface AppSettings {
  transitions?: Record<string, unknown>;
  outbound?: Record<string, OutboundConfig>;
  forms?: Record<string, FormDefinition>;
  registrations?: RegistrationConfig[];
  contact_types?: ContactType[];
  permissions?: Record<string, string[]>;
  roles?: Record<string, { name?: string; offline?: boolean }>;
  default_country_code?: string | number;
  [key: string]: unknown;
}

export class AppSettingsError extends Error {
  override name = 'AppSettingsError';
}

/** Reads app_settings.json. A file wrapped as `{settings: …}` (the ddoc form) is unwrapped. */
export async function readAppSettings(path: string): Promise<AppSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AppSettingsError(`cannot read CHT app settings at ${path}: ${(error as Error).message}`);
  }
  return parseAppSettings(text, path);
}

export function parseAppSettings(text: string, source = 'app settings'): AppSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AppSettingsError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new AppSettingsError(`${source} must hold a JSON object`);
  const settings = isObject(parsed.settings) ? parsed.settings : parsed;
  return settings as AppSettings;
}

/** `transitions.X` enabled: truthy, `{}` or `{disable:false}` (§1.1, transitions/index.js loadTransitions). */
export function transitionEnabled(settings: AppSettings, name: string): boolean {
  const value = settings.transitions?.[name];
  if (isObject(value)) return value.disable !== true;
  return Boolean(value);
}

/** Deep merge used by PUT /api/v1/settings without `replace` (CHT extends the stored settings). */
export function mergeSettings(base: AppSettings, update: Record<string, unknown>): AppSettings {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeSettings(current, value) : value;
  }
  return out as AppSettings;
}

/** Every outbound destination pointed at another base URL (tests, and the local stack's addresses). */
export function withOutboundBaseUrl(settings: AppSettings, baseUrl: string): AppSettings {
  const outbound = Object.fromEntries(
    Object.entries(settings.outbound ?? {}).map(([name, config]) => [
      name,
      { ...config, destination: { ...config.destination, base_url: baseUrl } },
    ]),
  );
  return { ...settings, outbound };
}
