// In-process API of the CHT stand-in for other packages' tests and the demo. Test and demo use only.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { closeServer, createLogger, listen, type Logger, serverUrl } from '@cht-openmrs/common';
import { ChtCore, type OutboundState } from './cht-core';
import { type AppSettings, readAppSettings, withOutboundBaseUrl } from './config/app-settings';
import { createApp } from './http/app';
import { behaviourOf } from './outbound/cht-version';
import type { SandboxUser } from './http/users';
import { DEFAULT_APP_SETTINGS, DEFAULT_CHT_VERSION, FIXTURE_APP_SETTINGS } from './settings';

export type { AppSettings, OutboundConfig } from './config/app-settings';
export { readAppSettings } from './config/app-settings';
export type { OutboundState } from './cht-core';
export type { PushAttempt } from './outbound/outbound-engine';
export type { SandboxUser } from './http/users';
export { FIXTURE_APP_SETTINGS } from './settings';

export interface ChtSandboxOptions {
  port?: number;
  host?: string;
  /**
   * app_settings.json to read; ignored when `appSettings` is given. Default: the project's
   * cht-config/app_settings.json when it exists, otherwise the stand-in's fixture.
   */
  appSettingsPath?: string;
  appSettings?: AppSettings;
  /** Replaces every outbound `destination.base_url` (e.g. a test receiver's URL). */
  outboundBaseUrl?: string;
  retryIntervalMs?: number;
  outboundTimeoutMs?: number;
  inMemory?: boolean;
  dataDir?: string;
  admin?: { name: string; password: string };
  users?: SandboxUser[];
  sentinel?: 'auto' | 'manual';
  credentialSecret?: string;
  /** The CHT version whose outbound behaviour to reproduce (default 5.2.0; the interop stack pins 4.10.0). */
  chtVersion?: string;
  logger?: Logger;
}

export interface ChtSandbox {
  /** Base URL without credentials, e.g. http://127.0.0.1:41234 */
  url: string;
  /** Base URL with the admin's credentials, e.g. http://medic:password@127.0.0.1:41234 */
  adminUrl: string;
  core: ChtCore;
  /** Runs Sentinel over every pending change (shortcodes, registration, outbound) and waits. */
  sentinelPass(): Promise<void>;
  /** Runs one outbound retry pass now instead of waiting for the interval. */
  retryPass(): Promise<void>;
  outbound(docId?: string): Promise<OutboundState>;
  close(): Promise<void>;
}

async function loadAppSettings(options: ChtSandboxOptions): Promise<AppSettings> {
  const defaultPath = existsSync(DEFAULT_APP_SETTINGS) ? DEFAULT_APP_SETTINGS : FIXTURE_APP_SETTINGS;
  const settings = options.appSettings ?? (await readAppSettings(options.appSettingsPath ?? defaultPath));
  return options.outboundBaseUrl ? withOutboundBaseUrl(settings, options.outboundBaseUrl) : settings;
}

export async function startChtSandbox(options: ChtSandboxOptions = {}): Promise<ChtSandbox> {
  const logger = options.logger ?? createLogger('cht-sandbox', 'silent');
  const admin = options.admin ?? { name: 'medic', password: 'password' };
  const core = new ChtCore({
    appSettings: await loadAppSettings(options),
    inMemory: options.inMemory ?? true,
    dataDir: options.dataDir ?? 'data/cht',
    admin,
    users: options.users ?? [],
    retryIntervalMs: options.retryIntervalMs ?? 5 * 60 * 1000,
    outboundTimeoutMs: options.outboundTimeoutMs ?? 10_000,
    sentinel: options.sentinel ?? 'auto',
    credentialSecret: options.credentialSecret ?? 'cht-sandbox-secret',
    behaviour: behaviourOf(options.chtVersion ?? DEFAULT_CHT_VERSION),
    logger,
  });
  let server: Server;
  try {
    server = await listen(createApp(core, logger), options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    await core.close();
    throw error;
  }
  core.start();
  const url = serverUrl(server);
  return {
    url,
    adminUrl: url.replace('//', `//${encodeURIComponent(admin.name)}:${encodeURIComponent(admin.password)}@`),
    core,
    sentinelPass: () => core.sentinelPass(),
    retryPass: () => core.retryPass(),
    outbound: (docId) => core.outboundState(docId),
    async close() {
      await closeServer(server);
      await core.close();
    },
  };
}
