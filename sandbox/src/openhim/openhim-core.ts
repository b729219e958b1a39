// The OpenHIM stand-in's parts wired together: state, credentials and sessions, the API services,
// the transaction log, the router and polling apps, and the polling scheduler. It knows nothing of
// ports: index.ts listens. Test and demo stand-in for OpenHIM core v8.5.0 (openhim.md); never for
// production.
import type { Logger } from '@cht-openmrs/common';
import type { Express } from 'express';
import { createApiApp } from './api/app';
import { type CoreVersion, Credentials } from './auth/credentials';
import { Sessions } from './auth/sessions';
import { newObjectId } from './model/object-id';
import type { Channel } from './model/types';
import { createPollingApp } from './polling/polling-app';
import { type PollOutcome, pollOnce } from './polling/poll';
import { type PollingJob, PollingScheduler } from './polling/scheduler';
import { createRouterApp, type RouterAppDeps } from './router/app';
import { TransactionLog } from './router/transaction-log';
import { ChannelService } from './services/channels';
import { ClientService } from './services/clients';
import { MediatorService } from './services/mediators';
import { MetadataService } from './services/metadata';
import { TransactionQueries } from './services/transactions';
import { ensureRootUser, UserService } from './services/users';
import { State } from './store/state';

export interface OpenhimCoreOptions {
  coreVersion: CoreVersion;
  root: { email: string; password: string };
  stateFile?: string | undefined;
  /** Fire polling jobs on their schedule; false keeps them for `runPollingChannel` only. */
  polling: boolean;
  /** Schedule polling channels installed from a mediator's defaults (core does not: openhim.md §2.3). */
  scheduleInstalledPollingChannels: boolean;
  routerTimeoutMs: number;
  authWindowSeconds: number;
  channelCacheMs: number;
  pollingLockLifetimeMs?: number | undefined;
  now: () => number;
  logger: Logger;
}

export class OpenhimCore {
  readonly state: State;
  readonly log: TransactionLog;
  readonly scheduler: PollingScheduler;
  readonly startedAt: number;
  /** The `_id` of core's dummy polling client, which polling transactions carry as clientID. */
  readonly pollingClientId: string;
  private pollingPort: number | undefined;
  private readonly stopping = new AbortController();
  readonly api: Express;
  readonly router: Express;
  readonly pollingServer: Express;

  constructor(private readonly options: OpenhimCoreOptions) {
    const { now, logger } = options;
    this.startedAt = now();
    this.state = new State(options.stateFile);
    this.log = new TransactionLog(this.state, now, logger);
    this.pollingClientId = newObjectId(now());
    this.scheduler = new PollingScheduler({
      poll: (channelId, lastRunAt) => this.poll(channelId, lastRunAt),
      now,
      logger,
      auto: options.polling,
      lockLifetimeMs: options.pollingLockLifetimeMs,
    });
    const credentials = new Credentials(this.state, options.coreVersion, options.authWindowSeconds, now);
    const polling = {
      register: (channel: Channel) => this.scheduler.register(channel),
      remove: (channelId: string) => this.scheduler.remove(channelId),
      trigger: async (channel: Channel) => (await this.poll(channel._id, new Date(now()))).ok,
    };
    this.api = createApiApp({
      state: this.state,
      credentials,
      sessions: new Sessions(now),
      mediators: new MediatorService({
        state: this.state,
        now,
        ...(options.scheduleInstalledPollingChannels ? { installedPollingChannel: polling.register } : {}),
      }),
      channels: new ChannelService({ state: this.state, now, polling }),
      clients: new ClientService(this.state, now),
      users: new UserService(this.state, options.coreVersion, now),
      metadata: new MetadataService(this.state, options.coreVersion, now, polling.register),
      transactions: new TransactionQueries(this.state),
      now,
      startedAt: this.startedAt,
      logger,
    });
    const routerDeps: RouterAppDeps = {
      state: this.state,
      log: this.log,
      now,
      routerTimeoutMs: options.routerTimeoutMs,
      forwardPatchBody: options.coreVersion !== '7.1',
      channelCacheMs: options.channelCacheMs,
      logger,
      stopping: this.stopping.signal,
    };
    this.router = createRouterApp(routerDeps);
    this.pollingServer = createPollingApp({
      ...routerDeps,
      channelCacheMs: 0,
      pollingClientId: this.pollingClientId,
    });
  }

  private poll(channelId: string, lastRunAt: Date): Promise<PollOutcome> {
    if (this.pollingPort === undefined) return Promise.resolve({ ok: false });
    return pollOnce(this.pollingPort, channelId, lastRunAt);
  }

  /** Core's start-up: the root user on first start, then every enabled polling channel scheduled. */
  async start(pollingPort: number): Promise<void> {
    this.pollingPort = pollingPort;
    await ensureRootUser(this.state, this.options.coreVersion, this.options.root, this.options.now);
    for (const channel of this.state.channels.find(
      (c) => c.type === 'polling' && (!c.status || c.status === 'enabled'),
    ))
      this.scheduler.register(channel);
  }

  private channelNamed(name: string): Channel {
    const channel = this.state.channels.findOne((c) => c.name === name);
    if (!channel) throw new Error(`no channel is named "${name}"`);
    return channel;
  }

  /** Runs the named channel's polling job now, exactly as its schedule would. Throws when it has no job. */
  async runPollingChannel(name: string): Promise<PollOutcome> {
    const channel = this.channelNamed(name);
    if (!this.scheduler.job(channel._id))
      throw new Error(
        `channel "${name}" has no polling job: core schedules polling channels on start-up, POST/PUT /channels and /metadata, never on POST /mediators/:urn/channels`,
      );
    return this.scheduler.runNow(channel._id);
  }

  pollingJob(name: string): PollingJob | undefined {
    const channel = this.state.channels.findOne((c) => c.name === name);
    return channel && this.scheduler.job(channel._id);
  }

  /** Waits for the transaction writes core makes after answering (final status, routes). */
  settled(): Promise<void> {
    return this.log.settled();
  }

  /** Stops the scheduler and ends every pending route call; the state file is written. */
  stop(): void {
    this.scheduler.stop();
    this.stopping.abort();
    this.state.flush();
  }
}
