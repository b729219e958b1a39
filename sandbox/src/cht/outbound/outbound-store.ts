// Outbound state in medic-sentinel (reference cht.md §3.3): `task:outbound:<docid>` tasks and the
// `<docid>-info` infodoc whose completed_tasks carry the hash of each successful push.
import type { ChtDoc } from '../core/types';
import { type Db, getOrUndefined } from '../store/databases';

export interface OutboundTask extends ChtDoc {
  type: 'task:outbound';
  created: number;
  doc_id: string;
  queue: string[];
}

export interface CompletedTask {
  type: string;
  name: string;
  timestamp: number;
  hash: string;
}

export interface InfoDoc extends ChtDoc {
  type: 'info';
  doc_id: string;
  completed_tasks?: CompletedTask[];
  transitions?: Record<string, { ok: boolean; run_date: number; last_rev?: string }>;
}

const TASK_PREFIX = 'task:outbound:';

export class OutboundStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  taskId(docId: string) {
    return `${TASK_PREFIX}${docId}`;
  }

  async getTask(docId: string): Promise<OutboundTask | undefined> {
    return (await getOrUndefined(this.db, this.taskId(docId))) as OutboundTask | undefined;
  }

  async createTask(docId: string, queue: string[]): Promise<void> {
    const task: OutboundTask = {
      _id: this.taskId(docId),
      type: 'task:outbound',
      created: this.now(),
      doc_id: docId,
      queue,
    };
    await this.db.put(task);
  }

  async saveTask(task: OutboundTask): Promise<void> {
    if (task.queue.length === 0) await this.db.remove(task._id, String(task._rev));
    else await this.db.put(task);
  }

  async deleteTask(task: OutboundTask): Promise<void> {
    await this.db.remove(task._id, String(task._rev));
  }

  /** Tasks in doc-id order, as the scheduler reads them from _all_docs (§1.4 B). */
  async tasks(): Promise<OutboundTask[]> {
    const result = await this.db.allDocs({
      startkey: TASK_PREFIX,
      endkey: `${TASK_PREFIX}\ufff0`,
      include_docs: true,
    });
    return result.rows.flatMap((row) => (row.doc ? [row.doc as OutboundTask] : []));
  }

  async getInfo(docId: string): Promise<InfoDoc> {
    const existing = (await getOrUndefined(this.db, `${docId}-info`)) as InfoDoc | undefined;
    return existing ?? { _id: `${docId}-info`, type: 'info', doc_id: docId, completed_tasks: [] };
  }

  async infos(): Promise<InfoDoc[]> {
    const result = await this.db.allDocs({ include_docs: true });
    return result.rows.flatMap((row) => (row.doc?.type === 'info' ? [row.doc as InfoDoc] : []));
  }

  async updateInfo(docId: string, change: (info: InfoDoc) => void): Promise<void> {
    for (;;) {
      const info = await this.getInfo(docId);
      change(info);
      try {
        await this.db.put(info);
        return;
      } catch (error) {
        if ((error as { status?: number }).status !== 409) throw error;
      }
    }
  }

  async addCompleted(docId: string, name: string, hash: string): Promise<void> {
    await this.updateInfo(docId, (info) => {
      info.completed_tasks = [
        ...(info.completed_tasks ?? []),
        { type: 'outbound', name, timestamp: this.now(), hash },
      ];
    });
  }

  async clear(): Promise<void> {
    const result = await this.db.allDocs();
    await this.db.bulkDocs(result.rows.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true })));
  }
}

/** The last successful push of this config had the same payload hash (§1.5). */
export function alreadySent(info: InfoDoc, name: string, hash: string): boolean {
  const last = (info.completed_tasks ?? [])
    .filter((task) => task.type === 'outbound' && task.name === name)
    .at(-1);
  return last?.hash === hash;
}
