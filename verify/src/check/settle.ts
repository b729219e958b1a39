// After a history: every fault off, everything running, then CHT's retry pass and a sync, again and
// again, until a run changes nothing (or the attempts run out: the liveness check then says what is left).
import { sleep, type Real } from '../commands/real';
import { syncOnce, type RunReport } from '../commands/sync-commands';
import type { Model } from '../model/model';

export interface Failure {
  id: string;
  state: 'queued' | 'waiting' | 'parked';
  stream: string;
  focus: string;
  attempts: number;
  nextAttempt?: string;
  lastError: string;
}

export async function faultsOff(model: Model, real: Real) {
  const { world } = real;
  await world.openmrsControls.delete('/fault');
  await world.openmrsControls.put('/latency', { ms: 0 });
  if (!world.fhirStore.running) await world.fhirStore.start();
  if (!world.mediator.running) await world.mediator.start();
  model.fhirStoreDown = false;
}

const changed = (report: RunReport) =>
  Object.values(report.streams).some((c) => c.created + c.updated + c.retried > 0);

/** Runs until quiet; answers the number of runs it took (undefined: never quiet). */
export async function settle(model: Model, real: Real, maxRuns = 25): Promise<number | undefined> {
  await faultsOff(model, real);
  for (let run = 1; run <= maxRuns; run += 1) {
    await real.world.chtControls.post('/outbound/retry');
    const report = await syncOnce(real.world.mediatorA);
    const failures = (await real.world.mediatorA.get('/failures')).data as Failure[];
    const { data: outbound } = await real.world.chtControls.get('/outbound');
    const queued = failures.filter((f) => f.state === 'queued');
    if (
      report?.outcome === 'ran' &&
      report.complete &&
      !changed(report) &&
      queued.length === 0 &&
      outbound.tasks.length === 0
    )
      return run;
    // A lease left by a killed run, or retries not due yet: wait for them.
    if (!report || report.outcome !== 'ran' || queued.length > 0) await sleep(1000);
  }
  return undefined;
}
