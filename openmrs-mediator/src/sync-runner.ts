// Runs one sync for whoever asks (OpenHIM's polling channel, an operator in the console): the mapping
// file is read again first when it changed, then the run, then its metrics.
import { statSync } from 'node:fs';
import { loadMapping, type Logger } from '@cht-openmrs/common';
import type { SyncMetrics } from './metrics';
import type { SyncContext } from './sync/context';
import { runSync, type RunOptions, type SyncReport } from './sync/run-sync';
import type { SyncStateStore } from './sync/sync-state';

/**
 * The mapping file as the sync uses it. An operator edits the file and the next run (or replay) uses it;
 * a file with problems is not used: the last good mapping stays, and the problem is shown.
 */
export class MappingFile {
  loadedAt = new Date().toISOString();
  problem: string | undefined;
  private modified: number;

  constructor(
    readonly file: string,
    private readonly logger?: Logger,
  ) {
    this.modified = this.mtime();
  }

  private mtime(): number {
    try {
      return statSync(this.file).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** Reads the file again if it changed since it was last read; returns whether the mapping changed. */
  refresh(context: SyncContext): boolean {
    const modified = this.mtime();
    if (modified === this.modified) return false;
    this.modified = modified;
    try {
      context.mapping = loadMapping(this.file);
      this.loadedAt = new Date().toISOString();
      this.problem = undefined;
      this.logger?.info({ file: this.file }, 'mapping file changed: read again');
      return true;
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.logger?.error(
        { file: this.file, error: this.problem },
        'mapping file changed but has problems; kept the last good one',
      );
      return false;
    }
  }
}

/** Who asked for a run: the OpenHIM transaction that carried the request, and what it was. */
export interface RunRequest {
  transactionId?: string | undefined;
  trigger: string;
}

export class SyncRunner {
  constructor(
    readonly context: SyncContext,
    readonly states: SyncStateStore,
    private readonly metrics: SyncMetrics,
    private readonly options: RunOptions,
    readonly mapping?: MappingFile,
  ) {}

  async run(by: RunRequest): Promise<SyncReport> {
    this.mapping?.refresh(this.context);
    const report = await runSync(this.context, this.states, {
      ...this.options,
      trigger: by.trigger,
      ...(by.transactionId ? { transactionId: by.transactionId } : {}),
    });
    this.metrics.record(report);
    return report;
  }
}
