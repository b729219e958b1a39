// The stand-in's core, wired once: databases, settings, services, outbound engine and Sentinel.
// Knows nothing of Express; the routes in http/ call it.
import type { Logger } from '@cht-openmrs/common';
import { type AppSettings, mergeSettings } from './config/app-settings';
import { ContactsService } from './core/contacts-service';
import { hydrate } from './core/lineage';
import { Reads } from './core/reads';
import { RecordsService } from './core/records-service';
import type { ChtBehaviour } from './outbound/cht-version';
import { OutboundEngine, type PushAttempt } from './outbound/outbound-engine';
import { type InfoDoc, OutboundStore, type OutboundTask } from './outbound/outbound-store';
import { Sentinel } from './sentinel/sentinel';
import { Transitions } from './sentinel/transitions';
import { CredentialStore } from './store/credentials';
import { type Databases, openDatabases } from './store/databases';
import { MedicStore } from './store/medic-store';
import { type SandboxUser, Users } from './http/users';

export interface ChtCoreOptions {
  appSettings: AppSettings;
  inMemory: boolean;
  dataDir: string;
  admin: { name: string; password: string };
  users: SandboxUser[];
  retryIntervalMs: number;
  outboundTimeoutMs: number;
  /** 'auto' follows the changes feed; 'manual' runs Sentinel only on POST /__sandbox/sentinel. */
  sentinel: 'auto' | 'manual';
  credentialSecret: string;
  behaviour: ChtBehaviour;
  logger: Logger;
}

export interface OutboundState {
  tasks: OutboundTask[];
  completed: InfoDoc[];
  attempts: PushAttempt[];
}

export class ChtCore {
  readonly medic: MedicStore;
  readonly credentials: CredentialStore;
  readonly contacts: ContactsService;
  readonly records: RecordsService;
  readonly reads: Reads;
  readonly users: Users;
  readonly outbound: OutboundEngine;
  private readonly outboundStore: OutboundStore;
  private readonly sentinel: Sentinel;
  private readonly dbs: Databases;
  private appSettings: AppSettings;
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly options: ChtCoreOptions) {
    const now = () => Date.now();
    this.appSettings = options.appSettings;
    this.settings = this.settings.bind(this);
    this.dbs = openDatabases({ inMemory: options.inMemory, dataDir: options.dataDir });
    this.medic = new MedicStore(this.dbs.medic, this.dbs.sentinel);
    this.credentials = new CredentialStore(this.dbs.vault, options.credentialSecret);
    this.outboundStore = new OutboundStore(this.dbs.sentinel, now);
    this.users = new Users(options.admin);
    options.users.forEach((user) => this.users.add(user));
    this.outbound = new OutboundEngine({
      store: this.outboundStore,
      settings: this.settings,
      getCredential: (key) => this.credentials.get(key),
      loadHydrated: async (id) => {
        const doc = await this.medic.get(id);
        return doc ? hydrate(doc, this.medic) : undefined;
      },
      timeoutMs: options.outboundTimeoutMs,
      behaviour: options.behaviour,
      now: () => new Date(),
      logger: options.logger,
    });
    const transitions = new Transitions({
      medic: this.medic,
      outbound: this.outbound,
      outboundStore: this.outboundStore,
      settings: this.settings,
      now,
      logger: options.logger,
    });
    this.contacts = new ContactsService(this.medic, this.settings, now);
    this.records = new RecordsService(
      this.medic,
      transitions,
      this.settings,
      now,
      options.behaviour.recordIdVersion,
    );
    this.reads = new Reads(this.medic, this.settings);
    this.sentinel = new Sentinel(this.dbs.medic, this.dbs.sentinel, transitions, options.logger);
  }

  settings(): AppSettings {
    return this.appSettings;
  }

  /** PUT /api/v1/settings: merged into the stored settings, or replacing them with `replace`. */
  /**
   * PUT /api/v1/settings (api/src/services/settings.js update): `extend` merges objects recursively
   * (arrays and values replaced), `replace` replaces the top-level keys given, `overwrite` the whole
   * document. True when the settings changed.
   */
  updateSettings(update: unknown, mode: 'extend' | 'replace' | 'overwrite'): boolean {
    const body = (typeof update === 'object' && update !== null ? update : {}) as Record<string, unknown>;
    const before = JSON.stringify(this.appSettings);
    if (mode === 'overwrite') this.appSettings = body as AppSettings;
    else if (mode === 'replace') this.appSettings = { ...this.appSettings, ...body } as AppSettings;
    else this.appSettings = mergeSettings(this.appSettings, body);
    return JSON.stringify(this.appSettings) !== before;
  }

  /** Starts Sentinel and the retry scheduler (once now, then every interval, as Sentinel does). */
  start(): void {
    if (this.options.sentinel === 'auto') this.sentinel.startFollowing();
    void this.outbound.retryPass();
    this.retryTimer = setInterval(() => void this.outbound.retryPass(), this.options.retryIntervalMs);
    this.retryTimer.unref();
  }

  sentinelPass(): Promise<void> {
    return this.sentinel.pass();
  }

  retryPass(): Promise<void> {
    return this.outbound.retryPass();
  }

  async outboundState(docId?: string): Promise<OutboundState> {
    const keep = (id: string) => docId === undefined || id === docId;
    return {
      tasks: (await this.outboundStore.tasks()).filter((task) => keep(task.doc_id)),
      completed: (await this.outboundStore.infos()).filter(
        (info) => keep(info.doc_id) && info.completed_tasks?.length,
      ),
      attempts: this.outbound.attempts.filter((attempt) => keep(attempt.docId)),
    };
  }

  async clearOutbound(): Promise<void> {
    await this.outboundStore.clear();
    this.outbound.attempts.length = 0;
  }

  async close(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.sentinel.stop();
    await this.outbound.idle();
    await this.dbs.close();
  }
}
