// A back-fill caught half-way, without timing: five CHT patients, one OpenMRS request in flight, and
// OpenMRS holding the fifth patient's create. Four patients are worked on at once, so the fifth create
// is asked for only once one of the first four is done: at that moment 1 to 4 are done and one remains.
import type { SyncReport } from '../sync/run-sync';
import { startHoldingProxy, type HoldingProxy } from './holding-proxy';
import { chtArea, chtPerson } from './sync-fixtures';
import { startSyncStack, type SyncStack } from './sync-harness';

export interface HeldBackfill {
  stack: SyncStack;
  /** Lets the held create go on; the run then ends. */
  release(): Promise<SyncReport>;
  close(): Promise<void>;
}

export async function startHeldBackfill(): Promise<HeldBackfill> {
  const proxy: HoldingProxy = await startHoldingProxy();
  const stack = await startSyncStack({
    OPENMRS_HOST: '127.0.0.1',
    OPENMRS_PORT: String(proxy.port),
    SYNC_CONCURRENCY: '1',
  });
  proxy.target = stack.openmrsUrl;
  const area = await chtArea(stack);
  for (const name of ['Ann One', 'Ben Two', 'Cat Three', 'Dan Four', 'Eve Five'])
    await chtPerson(stack, area, { name });
  const fifth = proxy.holdNth(/^POST \/openmrs\/ws\/fhir2\/R4\/Patient$/, 5);
  const run = stack.sync();
  await fifth;
  return {
    stack,
    release: () => {
      proxy.release();
      return run;
    },
    async close() {
      await proxy.close();
      await stack.close();
    },
  };
}
