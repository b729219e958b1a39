// POST /api/v2/records (reference cht.md §2.1): build the record, run the synchronous transitions
// (registration, then mark_for_outbound, whose pushes the response waits for), then save it.
import { randomUUID } from 'node:crypto';
import type { AppSettings } from '../config/app-settings';
import type { Transitions } from '../sentinel/transitions';
import type { MedicStore } from '../store/medic-store';
import { buildRecord } from './records';
import { uuidV7 } from './uuid-v7';

export class RecordsService {
  constructor(
    private readonly medic: MedicStore,
    private readonly transitions: Transitions,
    private readonly settings: () => AppSettings,
    private readonly now: () => number,
    private readonly idVersion: 4 | 7,
  ) {}

  async createFromJson(body: unknown, requestId?: string): Promise<{ success: true; id: string }> {
    const doc = {
      ...buildRecord(body, this.settings(), this.now()),
      _id: this.idVersion === 7 ? uuidV7(this.now()) : randomUUID(),
    };
    await this.transitions.beforeSave(doc, requestId);
    await this.medic.put(doc);
    return { success: true, id: doc._id };
  }
}
