// What every stream needs to do its work: the three systems, the mapping, the retry queue.
import type { Resource } from 'fhir/r4';
import { type FhirClient, type Logger, type Mapping } from '@cht-openmrs/common';
import type { ChtClient } from '../cht/cht-client';
import type { PlaceDirectory } from '../cht/place-directory';
import type { OpenmrsClient } from '../openmrs/openmrs-client';
import type { RetryQueue } from './retry-queue';

/** What a run reports as it goes, for the operator console's progress (optional). */
export interface SyncProgress {
  runStarted(startedAt: string): void;
  streamStarted(stream: string, since: string): void;
  itemDone(stream: string, result: string): void;
  runEnded(): void;
}

export interface SyncContext {
  fhir: FhirClient;
  openmrs: OpenmrsClient;
  cht: ChtClient;
  places: PlaceDirectory;
  mapping: Mapping;
  queue: RetryQueue;
  logger: Logger;
  progress?: SyncProgress;
  limits: {
    /**
     * Requests in flight to OpenMRS (and to CHT) at once. Patients are worked on by a few times as many
     * at once, so that the bound stays full while each patient waits for its own answers.
     */
    concurrency: number;
    /** Changes read per request from OpenMRS. */
    pageSize: number;
    /** Changes read per request from the FHIR server (CHT's side). */
    fhirPageSize: number;
    /** How far before the newest change each scan starts again. */
    overlapMs: number;
  };
}

export type ItemOutcome = 'created' | 'updated' | 'skipped';

export type CursorPrecision = 'second' | 'millisecond';

export interface Stream<T extends Resource, Facts = unknown> {
  /** Stable name: the cursor's key, the Task code, the counts' key. */
  name: string;
  /** Pages of resources changed at or after `since`, oldest first. */
  changes(context: SyncContext, since: string): AsyncGenerator<T[]>;
  /**
   * How finely its peer searches `_lastUpdated`: FHIR servers to the millisecond (a burst in one second
   * is then not read again from its start), OpenMRS to the second (its default).
   */
  cursorPrecision?: CursorPrecision;
  /** Items of one group (a patient) are synced in order. */
  groupOf(resource: T): string;
  /**
   * Looks up, for a whole page in a few batched requests, what its items would each ask a peer for.
   * Optional; a page whose look-up fails for a reason other than a peer down is synced without facts.
   */
  prepare?(context: SyncContext, page: T[]): Promise<Facts>;
  /** Syncs one changed resource; throws WaitingForPatient, ItemProblem, or a peer error. */
  sync(context: SyncContext, resource: T, facts?: Facts): Promise<ItemOutcome>;
  /** Syncs the item a retry Task names (`Type/id`), as it is now. */
  retry(context: SyncContext, focus: string): Promise<ItemOutcome>;
}
