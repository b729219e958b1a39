// Time passing and the sync running: OpenHIM's polling channel or a direct call to a mediator, and
// CHT's outbound retry pass (every 5 minutes in CHT).
import fc from 'fast-check';
import type { MediatorResponse } from '@cht-openmrs/common';
import type { AxiosInstance } from 'axios';
import type { Model } from '../model/model';
import type { Real } from './real';

type Cmd = fc.AsyncCommand<Model, Real>;

export interface RunReport {
  outcome: string;
  complete: boolean;
  streams: Record<
    string,
    { created: number; updated: number; failed: number; waiting: number; retried: number }
  >;
}

/** One sync through a mediator instance; undefined when it did not answer with a report. */
export async function syncOnce(mediator: AxiosInstance): Promise<RunReport | undefined> {
  const response = await mediator.get('/sync').catch(() => undefined);
  if (response?.status !== 200) return undefined;
  return JSON.parse((response.data as MediatorResponse).response.body) as RunReport;
}

/** A run that went through every change while nothing was failing: edits before it were seen by both sides. */
export async function markIfClean(model: Model, real: Real, report: RunReport | undefined) {
  if (!report || report.outcome !== 'ran' || !report.complete || model.fhirStoreDown) return;
  const { data } = await real.world.chtControls.get('/outbound');
  if ((data.tasks ?? []).length === 0) model.epoch += 1;
}

class Sync implements Cmd {
  constructor(readonly via: 'mediator' | 'openhim') {}
  check = () => true;
  async run(model: Model, real: Real) {
    if (this.via === 'openhim') {
      await real.world.poll();
      return;
    }
    await markIfClean(model, real, await syncOnce(real.world.mediatorA));
  }
  toString = () => `sync via ${this.via}`;
}

class OutboundRetry implements Cmd {
  check = () => true;
  async run(_model: Model, real: Real) {
    await real.world.chtControls.post('/outbound/retry');
  }
  toString = () => 'cht: outbound retry pass (5 minutes later)';
}

export const syncCommands = [
  fc.constantFrom('mediator' as const, 'openhim' as const).map((via) => new Sync(via)),
  fc.constant(null).map(() => new OutboundRetry()),
];
