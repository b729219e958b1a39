// mark_for_outbound and the outbound retry scheduler (reference cht.md §1.4, §1.9): the immediate
// attempt on a doc change, the task queue on failure, and the retry pass over queued tasks.
import type { Logger } from '@cht-openmrs/common';
import { type AppSettings, type OutboundConfig, transitionEnabled } from '../config/app-settings';
import type { ChtDoc } from '../core/types';
import type { ChtBehaviour } from './cht-version';
import { isCronDue } from './cron-gate';
import { evaluate } from './js-eval';
import { mapDocumentToPayload } from './mapping';
import { alreadySent, type InfoDoc, type OutboundStore } from './outbound-store';
import { payloadHash } from './payload-hash';
import { sendPayload } from './send';

/** `relevant_to` threw: CHT records a transition error and pushes nothing for this change (§1.6). */
export class RelevanceError extends Error {
  override name = 'RelevanceError';
}

export interface PushAttempt {
  docId: string;
  config: string;
  trigger: 'immediate' | 'retry';
  at: string;
  outcome: 'sent' | 'already-sent' | 'failed' | 'not-due';
  url?: string;
  status?: number;
  payload?: unknown;
  error?: string;
}

export interface OutboundDeps {
  store: OutboundStore;
  settings: () => AppSettings;
  getCredential: (key: string) => Promise<string | undefined>;
  /** Loads and hydrates the current doc for the retry path; undefined when missing or deleted. */
  loadHydrated: (docId: string) => Promise<ChtDoc | undefined>;
  timeoutMs: number;
  behaviour: ChtBehaviour;
  now: () => Date;
  logger: Logger;
}

const MAX_ATTEMPTS_KEPT = 1000;

export class OutboundEngine {
  readonly attempts: PushAttempt[] = [];
  private retryRun: Promise<void> = Promise.resolve();

  constructor(private readonly deps: OutboundDeps) {}

  private configs(): [string, OutboundConfig][] {
    const settings = this.deps.settings();
    if (!transitionEnabled(settings, 'mark_for_outbound')) return [];
    return Object.entries(settings.outbound ?? {});
  }

  private record(attempt: Omit<PushAttempt, 'at'>) {
    this.attempts.push({ ...attempt, at: this.deps.now().toISOString() });
    if (this.attempts.length > MAX_ATTEMPTS_KEPT) this.attempts.shift();
  }

  /**
   * One push of one config (outbound.send): true sent, false identical payload already sent; throws on
   * failure. `record: false` leaves completed_tasks unsaved (the pre-4.19 infodoc conflict).
   */
  private async send(
    name: string,
    config: OutboundConfig,
    doc: ChtDoc,
    info: InfoDoc,
    trigger: PushAttempt['trigger'],
    options: { requestId?: string; record?: boolean } = {},
  ): Promise<boolean> {
    const base = { docId: doc._id, config: name, trigger };
    let payload: unknown;
    try {
      payload = mapDocumentToPayload(name, config.mapping ?? {}, doc);
      const hash = payloadHash(payload);
      if (alreadySent(info, name, hash)) {
        this.record({ ...base, outcome: 'already-sent', payload });
        return false;
      }
      const result = await sendPayload(config.destination ?? {}, payload, {
        timeoutMs: this.deps.timeoutMs,
        getCredential: this.deps.getCredential,
        requestId: options.requestId,
        behaviour: this.deps.behaviour,
      });
      this.record({ ...base, outcome: 'sent', payload, url: result.url, status: result.status });
      if (options.record === false) return true;
      await this.deps.store.addCompleted(doc._id, name, hash);
      info.completed_tasks = (await this.deps.store.getInfo(doc._id)).completed_tasks;
      return true;
    } catch (error) {
      const message =
        error instanceof Error
          ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`
          : String(error);
      this.record({ ...base, outcome: 'failed', payload, error: message });
      this.deps.logger.warn({ docId: doc._id, config: name, err: message }, 'outbound push failed');
      throw error;
    }
  }

  /**
   * The immediate attempt of mark_for_outbound on a hydrated doc (§1.4 A). Throws RelevanceError when
   * a `relevant_to` throws: nothing is pushed or queued for this change.
   */
  async onChange(doc: ChtDoc, requestId?: string): Promise<void> {
    const configs = this.configs();
    if (configs.length === 0) return;
    let relevant: [string, OutboundConfig][];
    try {
      relevant = configs.filter(([, config]) => config.relevant_to && evaluate(config.relevant_to, doc));
    } catch (error) {
      throw new RelevanceError((error as Error).message);
    }
    const info = await this.deps.store.getInfo(doc._id);
    const failed: string[] = [];
    let infoSaved = false;
    for (const [name, config] of relevant) {
      if (config.cron !== undefined && !isCronDue(config.cron, this.deps.now())) {
        this.record({ docId: doc._id, config: name, trigger: 'immediate', outcome: 'not-due' });
        failed.push(name);
        continue;
      }
      // Before 4.19 the infodoc put of every later success conflicts (409): queued and sent again.
      const conflicts = this.deps.behaviour.laterConfigsDuplicated && infoSaved;
      try {
        const sent = await this.send(name, config, doc, info, 'immediate', { requestId, record: !conflicts });
        if (sent && conflicts) failed.push(name);
        infoSaved ||= sent;
      } catch {
        failed.push(name);
      }
    }
    if (failed.length === 0) return;
    if (await this.deps.store.getTask(doc._id)) {
      // CHT's TODO: an existing task blocks the new keys; they are never queued (§1.4 A).
      this.deps.logger.info({ docId: doc._id, failed }, 'outbound task already exists, ignoring');
      return;
    }
    await this.deps.store.createTask(doc._id, failed);
  }

  /** One scheduler run (§1.4 B); runs after any run still going, as Sentinel skips overlapping runs. */
  retryPass(): Promise<void> {
    this.retryRun = this.retryRun
      .then(() => this.runRetries())
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'outbound retry run failed');
      });
    return this.retryRun;
  }

  /** Resolves when the retry run in progress (if any) has ended; starts none. */
  idle(): Promise<void> {
    return this.retryRun;
  }

  private async runRetries(): Promise<void> {
    const now = this.deps.now();
    const due = new Map(
      this.configs().filter(([, config]) => config.cron === undefined || isCronDue(config.cron, now)),
    );
    if (due.size === 0) return;
    for (const task of await this.deps.store.tasks()) {
      const doc = await this.deps.loadHydrated(task.doc_id);
      if (!doc) {
        await this.deps.store.deleteTask(task);
        continue;
      }
      const info = await this.deps.store.getInfo(doc._id);
      // ≥4.12: names that are not due (or no longer configured) are filtered out first and stay queued;
      // before, they reach "config no longer exists, clearing task" (which also removes queue[0]).
      const names = this.deps.behaviour.clearsUndueEntries
        ? [...task.queue]
        : task.queue.filter((queued) => due.has(queued));
      for (const name of names) {
        const config = due.get(name);
        if (!config) {
          task.queue.splice(0, 1);
          continue;
        }
        const ok = await this.send(name, config, doc, info, 'retry').then(
          () => true,
          () => false,
        );
        // Bug-compatible removeConfigKeyFromTask: queue.splice(name, 1) removes the FIRST entry (§1.6).
        if (ok) task.queue.splice(0, 1);
      }
      await this.deps.store.saveTask(task);
    }
  }
}
