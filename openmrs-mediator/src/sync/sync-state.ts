// The sync state, kept on the FHIR server so mediator instances stay stateless (design.md §4): one
// cursor per stream and a lease, so that only one sync runs at a time across instances. Every write
// uses If-Match: two instances that read the same version cannot both take the lease.
import type { Basic, Extension } from 'fhir/r4';
import { FhirClient, FhirVersionConflictError, NAMESPACE } from '@cht-openmrs/common';

/** The state is found by this identifier and created by a conditional create, so two instances starting at once make one. */
export const SYNC_STATE_IDENTIFIER = {
  system: `${NAMESPACE}/identifier/sync-state`,
  value: 'openmrs-mediator',
};
const LEASE = `${NAMESPACE}/StructureDefinition/sync-lease`;
const CURSOR = `${NAMESPACE}/StructureDefinition/sync-cursor`;
const LAST_RUN = `${NAMESPACE}/StructureDefinition/sync-last-run`;
const RUN_HISTORY = `${NAMESPACE}/StructureDefinition/sync-run-history`;
/** How many runs the state keeps for the operator console, newest first. */
export const RUN_HISTORY_SIZE = 20;

/**
 * Where a stream has got to: everything last updated before `since` is handled, and so is each
 * `Type/id@version` in `seen` (with its lastUpdated). Servers compare `_lastUpdated` inclusively (OpenMRS
 * at whole seconds), so the boundary is read again and de-duplicated.
 */
export interface Cursor {
  since: string;
  seen: Record<string, string>;
}

export interface SyncState {
  id: string;
  versionId: string;
  lease?: { owner: string; expires: string };
  cursors: Record<string, Cursor>;
  lastRun?: Record<string, unknown>;
  /** The last runs' summaries, newest first (the console's run list). */
  history?: Record<string, unknown>[];
  /** Set by `acquire` when the lease it took had been left by a run that died (it expired unreleased). */
  tookOverDeadRun?: boolean;
}

export class LeaseTakenError extends Error {
  override name = 'LeaseTakenError';
}

function sub(extension: Extension | undefined, url: string): string | undefined {
  return extension?.extension?.find((e) => e.url === url)?.valueString;
}

function toState(resource: Basic): SyncState {
  const lease = resource.extension?.find((e) => e.url === LEASE);
  const cursors: Record<string, Cursor> = {};
  for (const extension of resource.extension?.filter((e) => e.url === CURSOR) ?? []) {
    const stream = sub(extension, 'stream');
    const value = sub(extension, 'value');
    if (stream && value) cursors[stream] = JSON.parse(value) as Cursor;
  }
  const lastRun = resource.extension?.find((e) => e.url === LAST_RUN)?.valueString;
  const history = resource.extension?.find((e) => e.url === RUN_HISTORY)?.valueString;
  const owner = sub(lease, 'owner');
  const expires = sub(lease, 'expires');
  return {
    id: resource.id as string,
    versionId: resource.meta?.versionId ?? '1',
    cursors,
    ...(owner && expires ? { lease: { owner, expires } } : {}),
    ...(lastRun ? { lastRun: JSON.parse(lastRun) as Record<string, unknown> } : {}),
    ...(history ? { history: JSON.parse(history) as Record<string, unknown>[] } : {}),
  };
}

type Unsaved = Omit<SyncState, 'id' | 'versionId'> & { id?: string };

function toResource(state: Unsaved): Basic {
  const extension: Extension[] = [];
  if (state.lease) {
    extension.push({
      url: LEASE,
      extension: [
        { url: 'owner', valueString: state.lease.owner },
        { url: 'expires', valueString: state.lease.expires },
      ],
    });
  }
  for (const [stream, cursor] of Object.entries(state.cursors)) {
    extension.push({
      url: CURSOR,
      extension: [
        { url: 'stream', valueString: stream },
        { url: 'value', valueString: JSON.stringify(cursor) },
      ],
    });
  }
  if (state.lastRun) extension.push({ url: LAST_RUN, valueString: JSON.stringify(state.lastRun) });
  if (state.history) extension.push({ url: RUN_HISTORY, valueString: JSON.stringify(state.history) });
  return {
    resourceType: 'Basic',
    ...(state.id ? { id: state.id } : {}),
    identifier: [SYNC_STATE_IDENTIFIER],
    code: {
      coding: [{ system: `${NAMESPACE}/code-system/resource-kind`, code: 'sync-state' }],
      text: 'OpenMRS sync state',
    },
    extension,
  };
}

export class SyncStateStore {
  constructor(private readonly fhir: FhirClient) {}

  async read(): Promise<SyncState | undefined> {
    const [found] = await this.fhir.findByIdentifier(
      'Basic',
      SYNC_STATE_IDENTIFIER.system,
      SYNC_STATE_IDENTIFIER.value,
    );
    return found ? toState(found) : undefined;
  }

  /** Takes the lease for `seconds`, or throws LeaseTakenError while another owner holds an unexpired one. */
  async acquire(owner: string, seconds: number, now = new Date()): Promise<SyncState> {
    const current = await this.read();
    if (
      current?.lease &&
      current.lease.owner !== owner &&
      Date.parse(current.lease.expires) > now.getTime()
    ) {
      throw new LeaseTakenError(
        `another sync (${current.lease.owner}) holds the lease until ${current.lease.expires}`,
      );
    }
    const lease = { owner, expires: new Date(now.getTime() + seconds * 1000).toISOString() };
    if (current)
      return {
        ...(await this.write({ ...current, lease }, 'lease')),
        tookOverDeadRun: Boolean(current.lease),
      };
    const initial = toResource({ cursors: {}, lease });
    const { resource, created } = await this.fhir.createOnce(
      initial,
      SYNC_STATE_IDENTIFIER.system,
      SYNC_STATE_IDENTIFIER.value,
    );
    if (!created) throw new LeaseTakenError('another sync created the sync state first');
    return toState(resource);
  }

  /** Saves the state under the lease; fails if anyone else wrote since (the lease was lost). */
  async save(state: SyncState): Promise<SyncState> {
    return this.write(state, 'state');
  }

  async release(state: SyncState, lastRun: Record<string, unknown>): Promise<SyncState> {
    const { lease: _lease, ...rest } = state;
    const history = [lastRun, ...(state.history ?? [])].slice(0, RUN_HISTORY_SIZE);
    return this.write({ ...rest, lastRun, history }, 'state');
  }

  private async write(state: SyncState, what: string): Promise<SyncState> {
    try {
      const { resource } = await this.fhir.update(toResource(state), { ifMatch: state.versionId });
      return toState(resource);
    } catch (error) {
      if (error instanceof FhirVersionConflictError)
        throw new LeaseTakenError(`another sync changed the sync ${what} first`);
      throw error;
    }
  }
}
