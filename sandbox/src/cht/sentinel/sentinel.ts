// The Sentinel stand-in (reference cht.md §1.4 A, §1.7): reads the medic changes feed one change at a
// time in seq order, runs the transitions on each and saves the doc when one changed it (a new
// revision, which Sentinel then sees again). Automatic, or only on demand for tests (§6.14).
import type { Logger } from '@cht-openmrs/common';
import type { ChtDoc } from '../core/types';
import type { Db, LiveChanges } from '../store/pouch';
import type { Transitions } from './transitions';

const SEQ_DOC = '_local/sentinel-seq';
const SKIPPED = /^_design\//;

export class Sentinel {
  private run: Promise<void> = Promise.resolve();
  private feed?: LiveChanges;

  constructor(
    private readonly medic: Db,
    private readonly sentinelDb: Db,
    private readonly transitions: Transitions,
    private readonly logger: Logger,
  ) {}

  /** Follows the changes feed: every write triggers a pass. */
  startFollowing(): void {
    this.feed = this.medic.changes({ since: 'now', live: true });
    this.feed.on('change', () => void this.pass());
    void this.pass();
  }

  async stop(): Promise<void> {
    this.feed?.cancel();
    await this.run;
  }

  /** Processes every change not yet seen, then resolves. Passes never overlap. */
  pass(): Promise<void> {
    this.run = this.run
      .then(() => this.drain())
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'sentinel pass failed');
      });
    return this.run;
  }

  private async readSeq(): Promise<string | number> {
    try {
      const doc = (await this.sentinelDb.get(SEQ_DOC)) as ChtDoc & { seq: string | number };
      return doc.seq;
    } catch {
      return 0;
    }
  }

  private async writeSeq(seq: string | number): Promise<void> {
    let rev: string | undefined;
    try {
      rev = (await this.sentinelDb.get(SEQ_DOC))._rev;
    } catch {
      rev = undefined;
    }
    await this.sentinelDb.put({ _id: SEQ_DOC, ...(rev ? { _rev: rev } : {}), seq });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const since = await this.readSeq();
      const batch = await this.medic.changes({ since, include_docs: true, limit: 50 });
      if (batch.results.length === 0) return;
      for (const change of batch.results) {
        if (!change.doc || change.deleted || SKIPPED.test(change.id)) continue;
        await this.process(change.doc);
      }
      await this.writeSeq(batch.last_seq);
    }
  }

  private async process(doc: ChtDoc): Promise<void> {
    const edited = await this.transitions.onChange(doc);
    if (!edited) return;
    try {
      await this.medic.put(edited);
    } catch (error) {
      // Someone wrote a newer revision meanwhile: Sentinel sees that one next.
      if ((error as { status?: number }).status !== 409) throw error;
    }
  }
}
