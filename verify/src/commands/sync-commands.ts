// Time passing and the sync running: OpenHIM's polling channel or a direct call to a mediator, and
// CHT's outbound retry pass (every 5 minutes in CHT).
import fc from 'fast-check';
import type { MediatorResponse } from '@cht-openmrs/common';
import type { AxiosInstance } from 'axios';
import { chtFields, openmrsFields, type ChtDoc } from '../check/observe';
import { FIELDS, normalise, type Fields, type Model, type Side } from '../model/model';
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
    if (!model.fhirStoreDown) real.violations.push(...(await reverted(model, real)));
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

/**
 * No revert, after every sync: a side holds none of its own superseded values of a field, unless the
 * other side's edits set it again.
 */
async function reverted(model: Model, real: Real): Promise<string[]> {
  const problems: string[] = [];
  const patients = await real.world.openmrsFhir.searchAll('Patient', {});
  for (const person of model.persons) {
    const patient = patients.find((p) => p.id === person.openmrsUuid);
    const doc = person.chtId
      ? await real.world.chtApi.get(`/medic/${encodeURIComponent(person.chtId)}`)
      : undefined;
    const held: [Side, Fields | undefined][] = [
      ['openmrs', patient && openmrsFields(patient)],
      ['cht', doc?.status === 200 ? chtFields(doc.data as ChtDoc) : undefined],
    ];
    for (const [side, fields] of held) {
      if (!fields) continue;
      for (const field of FIELDS) {
        const own = person.history[field][side];
        const value = normalise(field, fields[field]);
        const other = person.history[field][side === 'cht' ? 'openmrs' : 'cht'];
        if (own.slice(0, -1).includes(value) && value !== own.at(-1) && !other.includes(value))
          problems.push(
            `no revert: after a sync, #${person.key} ${field} in ${side} went back to ${JSON.stringify(value)} (its latest edit there: ${JSON.stringify(own.at(-1))})`,
          );
      }
    }
  }
  return problems;
}
