// In-process API of the OpenHIM stand-in for other packages' tests and the demo: the API and router
// of OpenHIM core v8.5.0 as mediators, configurators and clients see them (openhim.md). Test and demo
// use only; never production.
import type { Server } from 'node:http';
import { closeServer, createLogger, listen, type Logger, serverUrl } from '@cht-openmrs/common';
import type { CoreVersion } from './auth/credentials';
import { OpenhimCore } from './openhim-core';
import type { PollOutcome } from './polling/poll';
import type { PollingJob } from './polling/scheduler';

export type { CoreVersion as OpenhimCoreVersion } from './auth/credentials';
export type { PollOutcome as OpenhimPollOutcome } from './polling/poll';
export type { PollingJob as OpenhimPollingJob } from './polling/scheduler';
export type {
  Channel as OpenhimChannel,
  Client as OpenhimClient,
  Mediator as OpenhimMediator,
  Transaction as OpenhimTransaction,
  User as OpenhimUser,
} from './model/types';
export { OpenhimCore } from './openhim-core';

export const OPENHIM_ROOT = { email: 'root@openhim.org', password: 'openhim-password' } as const;

export interface OpenhimSandboxOptions {
  /** API port (core: 8080). Default 0: any free port. */
  apiPort?: number;
  /** Router port, plain HTTP (core: 5001). Default 0. */
  routerPort?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** The root user core creates on first start (default root@openhim.org / openhim-password). */
  root?: { email: string; password: string };
  /** Which core to be: '8.5' (default; passports, sessions) or '7.1' (credentials on users). */
  coreVersion?: CoreVersion;
  /** JSON file the state is read from and written to; unset: in memory only. */
  stateFile?: string;
  /** Fire polling jobs on their schedules (default true); false: only `runPollingChannel` runs them. */
  polling?: boolean;
  /** Also schedule polling channels installed with POST /mediators/:urn/channels (core does not). */
  scheduleInstalledPollingChannels?: boolean;
  /** Route timeout when a channel has none (core: 60000). */
  routerTimeoutMs?: number;
  /** Token-auth clock window (core: 10 s). */
  authWindowSeconds?: number;
  /** How long the router keeps its channel list (core: 1000 ms). Default 0: always current. */
  channelCacheMs?: number;
  /** agenda's lock lifetime after a failed poll (default 10 min). */
  pollingLockLifetimeMs?: number;
  /** The clock (ms), for tests of heartbeats, token windows and schedules. */
  now?: () => number;
  logger?: Logger;
}

export interface OpenhimSandbox {
  /** e.g. http://127.0.0.1:41234 */
  apiUrl: string;
  /** e.g. http://127.0.0.1:41235 */
  routerUrl: string;
  root: { email: string; password: string };
  core: OpenhimCore;
  /** Runs the named polling channel's job now, as its schedule would; throws if it has no job. */
  runPollingChannel(name: string): Promise<PollOutcome>;
  /** The named channel's polling job (next and last run), or undefined when it is not scheduled. */
  pollingJob(name: string): PollingJob | undefined;
  /** Resolves when the transaction writes core makes after answering are done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startOpenhimSandbox(options: OpenhimSandboxOptions = {}): Promise<OpenhimSandbox> {
  const host = options.host ?? '127.0.0.1';
  const root = options.root ?? { ...OPENHIM_ROOT };
  const core = new OpenhimCore({
    coreVersion: options.coreVersion ?? '8.5',
    root,
    stateFile: options.stateFile,
    polling: options.polling ?? true,
    scheduleInstalledPollingChannels: options.scheduleInstalledPollingChannels ?? false,
    routerTimeoutMs: options.routerTimeoutMs ?? 60_000,
    authWindowSeconds: options.authWindowSeconds ?? 10,
    channelCacheMs: options.channelCacheMs ?? 0,
    pollingLockLifetimeMs: options.pollingLockLifetimeMs,
    now: options.now ?? Date.now,
    logger: options.logger ?? createLogger('openhim-sandbox', 'silent'),
  });
  const servers: Server[] = [];
  const closeAll = async () => {
    core.stop();
    await core.settled();
    await Promise.all(servers.map((server) => closeServer(server)));
  };
  try {
    servers.push(await listen(core.api, options.apiPort ?? 0, host));
    servers.push(await listen(core.router, options.routerPort ?? 0, host));
    // Core's polling server listens on localhost only, whatever the other ports do.
    servers.push(await listen(core.pollingServer, 0, '127.0.0.1'));
    const [api, router, polling] = servers as [Server, Server, Server];
    await core.start(Number(new URL(serverUrl(polling)).port));
    return {
      apiUrl: serverUrl(api),
      routerUrl: serverUrl(router),
      root,
      core,
      runPollingChannel: (name) => core.runPollingChannel(name),
      pollingJob: (name) => core.pollingJob(name),
      settled: () => core.settled(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
