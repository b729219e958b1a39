// Registers a mediator with OpenHIM, asks for its config at start-up and heartbeats (openhim.md §2),
// through openhim-mediator-utils 0.4.0 (HTTP Basic). OpenHIM may come up after us: registration is
// retried with backoff until it succeeds or the handle is stopped.
import * as utils from 'openhim-mediator-utils';
import type { Logger } from '../logging/logger';

export interface OpenHimConnection {
  apiURL: string;
  username: string;
  password: string;
  trustSelfSigned: boolean;
}

export interface RouteConfig {
  name: string;
  host: string;
  port: number | string;
  path?: string;
  pathTransform?: string;
  primary?: boolean;
  type?: 'http';
  secured?: boolean;
  username?: string;
  password?: string;
  forwardAuthHeader?: boolean;
}

export interface ChannelConfig {
  name: string;
  urlPattern: string;
  methods?: string[];
  type?: 'http' | 'polling';
  pollingSchedule?: string;
  allow?: string[];
  authType?: 'private' | 'public';
  status?: 'enabled' | 'disabled' | 'deleted';
  routes: RouteConfig[];
  [other: string]: unknown;
}

export interface ConfigDef {
  param: string;
  displayName: string;
  description: string;
  type: 'string' | 'bool' | 'number' | 'option' | 'bigstring' | 'map' | 'struct' | 'password';
  values?: string[];
  array?: boolean;
}

export interface MediatorConfig {
  urn: string;
  version: string;
  name: string;
  description: string;
  endpoints: RouteConfig[];
  defaultChannelConfig?: ChannelConfig[];
  configDefs?: ConfigDef[];
  config?: Record<string, unknown>;
}

export type MediatorSettingsListener = (config: Record<string, unknown>) => void;

function options(connection: OpenHimConnection, urn?: string): utils.OpenHimApiOptions {
  return { ...connection, ...(urn ? { urn } : {}) };
}

function describe(error: unknown): string {
  const response = (error as { response?: { status?: number; data?: unknown } }).response;
  if (response) return `OpenHIM answered ${response.status}: ${JSON.stringify(response.data ?? '')}`;
  return error instanceof Error ? error.message : String(error);
}

export function registerMediator(connection: OpenHimConnection, config: MediatorConfig): Promise<void> {
  return new Promise((resolve, reject) =>
    utils.registerMediator(options(connection), config, (error) =>
      error ? reject(new Error(`Registering ${config.urn} failed: ${describe(error)}`)) : resolve(),
    ),
  );
}

/** The mediator's config as OpenHIM holds it (a heartbeat with `config: true`); {} when it has none. */
export function fetchMediatorConfig(
  connection: OpenHimConnection,
  urn: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    utils.fetchConfig(options(connection, urn), (error, config) =>
      error
        ? reject(new Error(`Fetching config of ${urn} failed: ${describe(error)}`))
        : resolve(config ?? {}),
    ),
  );
}

export interface MediatorHandle {
  /** Settles once registered and the config is fetched; never rejects (failures are retried and logged). */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Registers (retrying with backoff up to `maxRetryDelayMs`), fetches the config, then heartbeats every
 * `heartbeatMs`; `onConfig` is called with the config at start-up and whenever OpenHIM pushes a change.
 * openhim-mediator-utils keeps a single heartbeat per process, so start one mediator per process.
 */
export function startMediator(
  connection: OpenHimConnection,
  config: MediatorConfig,
  {
    logger,
    onConfig,
    heartbeatMs = 10_000,
    firstRetryDelayMs = 1_000,
    maxRetryDelayMs = 60_000,
  }: {
    logger: Logger;
    onConfig?: MediatorSettingsListener;
    heartbeatMs?: number;
    firstRetryDelayMs?: number;
    maxRetryDelayMs?: number;
  },
): MediatorHandle {
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const emitter = utils.activateHeartbeat(options(connection, config.urn), 2 ** 31 - 1);
  utils.deactivateHeartbeat(); // only to reach the shared emitter; the heartbeat starts once registered
  const pushed = (pushedConfig: Record<string, unknown>) => onConfig?.(pushedConfig);
  const heartbeatError = (error: unknown) =>
    logger.warn({ error: describe(error) }, 'OpenHIM heartbeat failed');

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      retryTimer = setTimeout(resolve, ms);
    });

  const ready = (async () => {
    for (let delay = firstRetryDelayMs; !stopped; delay = Math.min(delay * 2, maxRetryDelayMs)) {
      try {
        await registerMediator(connection, config);
        logger.info({ urn: config.urn, version: config.version }, 'registered with OpenHIM');
        const current = await fetchMediatorConfig(connection, config.urn);
        if (Object.keys(current).length > 0) onConfig?.(current);
        if (stopped) return;
        emitter.on('config', pushed);
        emitter.on('error', heartbeatError);
        utils.activateHeartbeat(options(connection, config.urn), heartbeatMs);
        return;
      } catch (error) {
        logger.warn({ error: describe(error), retryInMs: delay }, 'OpenHIM registration failed; will retry');
        await sleep(delay);
      }
    }
  })();

  return {
    ready,
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      wake();
      utils.deactivateHeartbeat();
      emitter.off('config', pushed);
      emitter.off('error', heartbeatError);
    },
  };
}

/** OpenHIM settings as every mediator reads them (see `openhimSettings`). */
export interface OpenhimSettingValues {
  OPENHIM_API_URL?: string | undefined;
  OPENHIM_USERNAME: string;
  OPENHIM_PASSWORD: string;
  OPENHIM_TRUST_SELF_SIGNED: boolean;
}

/** Registers and heartbeats when OPENHIM_API_URL is set; a mediator without it runs standalone. */
export function startMediatorIfConfigured(
  settings: OpenhimSettingValues,
  config: MediatorConfig,
  logger: Logger,
): MediatorHandle | undefined {
  if (!settings.OPENHIM_API_URL) {
    logger.info('OPENHIM_API_URL not set: running without OpenHIM');
    return undefined;
  }
  const connection = {
    apiURL: settings.OPENHIM_API_URL,
    username: settings.OPENHIM_USERNAME,
    password: settings.OPENHIM_PASSWORD,
    trustSelfSigned: settings.OPENHIM_TRUST_SELF_SIGNED,
  };
  return startMediator(connection, config, { logger });
}
