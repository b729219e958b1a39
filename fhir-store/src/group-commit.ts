// Group commit: the writes of the requests that arrive together share one SQLite commit. Each request's
// work runs at once in a savepoint of the open transaction (a failing request undoes only its own rows);
// the transaction commits once the event loop has handled every request that came in with it, and only
// then are those requests answered. One commit logs each touched page once for the whole group instead of
// once per request, which is most of what a single write costs.
import type Database from 'better-sqlite3';

interface Waiting {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private waiting: Waiting[] = [];

  constructor(private readonly db: Database.Database) {}

  /** Runs `work` in the current group; resolves with its result once the group is committed. */
  run<T>(work: () => T): Promise<T> {
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN IMMEDIATE');
      setImmediate(() => this.commit());
    }
    const result = this.db.transaction(work)();
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: () => resolve(result), reject }));
  }

  private commit(): void {
    const group = this.waiting;
    this.waiting = [];
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const request of group) request.reject(error);
      return;
    }
    for (const request of group) request.resolve();
  }
}
