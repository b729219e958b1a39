// Faults, each something that happens to real deployments: OpenMRS down, failing or slow for a while;
// the OpenMRS mediator killed mid-run (SIGKILL); the FHIR store killed, later restarted; two mediator
// instances syncing at once; a push delivered twice, or an older one after a newer.
import fc from 'fast-check';
import type { Model } from '../model/model';
import { countFault, sleep, type Real } from './real';
import { syncOnce } from './sync-commands';

type Cmd = fc.AsyncCommand<Model, Real>;

class OpenmrsFault implements Cmd {
  constructor(
    readonly kind: 'down' | '500' | '503' | 'slow',
    readonly count: number,
  ) {}
  check = () => true;
  async run(_model: Model, real: Real) {
    countFault(real, `openmrs-${this.kind}`);
    if (this.kind === 'slow') {
      await real.world.openmrsControls.put('/latency', { ms: this.count * 10 });
      return;
    }
    await real.world.openmrsControls.put('/fault', {
      ...(this.kind === 'down' ? {} : { status: Number(this.kind) }),
      count: this.count,
      rate: 0.5,
    });
  }
  toString = () =>
    `fault: OpenMRS ${this.kind} (${this.kind === 'slow' ? `${this.count * 10} ms` : `${this.count} requests`})`;
}

class KillMediatorMidRun implements Cmd {
  constructor(readonly afterMs: number) {}
  check = () => true;
  async run(_model: Model, real: Real) {
    countFault(real, 'mediator-sigkill');
    const running = syncOnce(real.world.mediatorA);
    await sleep(this.afterMs);
    await real.world.mediator.kill();
    await running;
    await real.world.mediator.start();
  }
  toString = () => `fault: SIGKILL the OpenMRS mediator ${this.afterMs} ms into a run, then restart it`;
}

class KillFhirStore implements Cmd {
  check = (model: Readonly<Model>) => !model.fhirStoreDown;
  async run(model: Model, real: Real) {
    countFault(real, 'fhir-store-sigkill');
    await real.world.fhirStore.kill();
    model.fhirStoreDown = true;
  }
  toString = () => 'fault: SIGKILL the FHIR store';
}

class RestartFhirStore implements Cmd {
  check = (model: Readonly<Model>) => model.fhirStoreDown;
  async run(model: Model, real: Real) {
    await real.world.fhirStore.start();
    model.fhirStoreDown = false;
  }
  toString = () => 'restart the FHIR store';
}

class ConcurrentSyncs implements Cmd {
  check = () => true;
  async run(_model: Model, real: Real) {
    countFault(real, 'concurrent-syncs');
    await Promise.all([syncOnce(real.world.mediatorA), syncOnce(real.world.mediatorB)]);
  }
  toString = () => 'fault: two mediator instances sync at once';
}

interface PushAttempt {
  docId: string;
  config: string;
  outcome: string;
  url?: string;
  payload?: unknown;
}

/** The pushes CHT sent, oldest first, per document and outbound config. */
async function sentPushes(real: Real): Promise<PushAttempt[][]> {
  const { data } = await real.world.chtControls.get('/outbound');
  const byDocument = new Map<string, PushAttempt[]>();
  for (const a of (data.attempts ?? []) as PushAttempt[])
    if (a.outcome === 'sent' && a.url)
      byDocument.set(`${a.docId} ${a.config}`, [...(byDocument.get(`${a.docId} ${a.config}`) ?? []), a]);
  return [...byDocument.values()];
}

/** Delivers a push again, as CHT (or OpenHIM re-running a transaction) would. */
async function deliver(attempt: PushAttempt): Promise<void> {
  await fetch(attempt.url as string, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from('interop-client:interop-client-password').toString('base64')}`,
    },
    body: JSON.stringify(attempt.payload),
  }).then((r) => r.arrayBuffer());
}

class PushTwice implements Cmd {
  constructor(readonly pick: number) {}
  check = () => true;
  async run(_model: Model, real: Real) {
    const sent = (await sentPushes(real)).map((pushes) => pushes.at(-1) as PushAttempt);
    const attempt = sent[this.pick % Math.max(sent.length, 1)];
    if (!attempt) return;
    countFault(real, 'push-twice');
    // CHT delivers the same push again (its dedupe lost, or a retry after a timeout that had arrived).
    await deliver(attempt);
  }
  toString = () => `fault: a document's latest push (#${this.pick}) delivered again`;
}

/**
 * What a push says that a person or a CHW changed: without the revision (it changes with every save)
 * and the shortcode Sentinel adds after the first push.
 */
function edits(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) return payload;
  const { rev: _rev, doc, ...rest } = payload as { rev?: unknown; doc?: Record<string, unknown> };
  if (!doc) return rest;
  const { _rev: _docRev, patient_id: _shortcode, ...fields } = doc;
  return { ...rest, doc: fields };
}

class PushOutOfOrder implements Cmd {
  constructor(readonly pick: number) {}
  check = () => true;
  async run(_model: Model, real: Real) {
    const edited = (await sentPushes(real)).filter(
      (pushes) => new Set(pushes.map((p) => JSON.stringify(edits(p.payload)))).size > 1,
    );
    const pushes = edited[this.pick % Math.max(edited.length, 1)];
    if (!pushes) return;
    countFault(real, 'push-out-of-order');
    // An older version of an edited document arrives after the newer one (an OpenHIM operator re-runs
    // an old transaction, a retry delayed in the network): nothing may go back to it.
    await deliver(pushes[0] as PushAttempt);
  }
  toString = () => `fault: an edited document's first push (#${this.pick}) delivered after its later ones`;
}

export const faultCommands = [
  fc
    .tuple(
      fc.constantFrom('down' as const, '500' as const, '503' as const, 'slow' as const),
      fc.integer({ min: 1, max: 30 }),
    )
    .map(([kind, count]) => new OpenmrsFault(kind, count)),
  fc.integer({ min: 0, max: 1500 }).map((ms) => new KillMediatorMidRun(ms)),
  fc.constant(null).map(() => new KillFhirStore()),
  fc.constant(null).map(() => new RestartFhirStore()),
  fc.constant(null).map(() => new ConcurrentSyncs()),
  fc.nat().map((pick) => new PushTwice(pick)),
  fc.nat().map((pick) => new PushOutOfOrder(pick)),
];
