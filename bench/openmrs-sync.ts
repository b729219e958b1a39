// The sync into OpenMRS at scale (issue #20). With the OpenMRS stand-in answering after LATENCY_MS, for
// CHT patients with 2 reports of 5 observations each, prints next to each target and to the baseline
// before this work (the measurements):
// - a back-fill of PATIENTS at each of CONCURRENCIES: time next to its lower bound (required OpenMRS
//   requests × latency ÷ concurrency), OpenMRS and FHIR-server requests per patient (HTTP level);
// - a run with nothing to do on top of IDLE_PATIENTS synced patients: requests to each side;
// - a back-fill of BIG_PATIENTS, run after run as the mediator chains them, with /status progress, and
//   the mediator's peak memory next to that of a back-fill of SMALL_PATIENTS.
// The mediator and the OpenMRS stand-in run each in a process of its own, as in production (the
// mediator's memory is read from /proc); the FHIR store, the CHT stand-in and the loader run in this one. Run: npm run openmrs-sync -w bench
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import axios, { type AxiosInstance } from 'axios';
import type { MediatorResponse } from '@cht-openmrs/common';
import { startFhirStore } from '@cht-openmrs/fhir-store';
import { countingProxy } from '../common/src/test-support/counting-proxy';
import { cpuSeconds, line, timed } from './measure';
import { CONCEPTS, loadChtData, REPORTS_PER_PATIENT } from './support/cht-data';
import { AUTH, startSyncPeers } from './support/sync-peers';

const PATIENTS = Number(process.env.PATIENTS ?? 500);
const CONCURRENCIES = (process.env.CONCURRENCIES ?? '8,32').split(',').map(Number);
const IDLE_PATIENTS = Number(process.env.IDLE_PATIENTS ?? 10_000);
const SMALL_PATIENTS = Number(process.env.SMALL_PATIENTS ?? 2_000);
const BIG_PATIENTS = Number(process.env.BIG_PATIENTS ?? 20_000);
const BIG_CONCURRENCY = Number(process.env.BIG_CONCURRENCY ?? 32);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 20);
/** What OpenMRS must be sent per patient: the patient, and per report a visit, an encounter and its observations. */
const WRITES_PER_PATIENT = 1 + REPORTS_PER_PATIENT * (2 + CONCEPTS.length);
const BASELINE = {
  backfill: {
    4: '77.6 s (2 runs)',
    8: '58.2 s (main before this work, measured here at load 3–6)',
    32: '42.2 s',
  } as Record<number, string>,
  openmrsPerPatient: '20.4',
  fhirPerPatient: '28.4',
  idle: '5–6 OpenMRS + 17–18 FHIR',
  reference: '6.4 s (medic/cht-interoperability, unbounded and unordered)',
};

/** Peak resident memory of a process so far, from Linux's /proc (VmHWM). */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

interface RunReport {
  outcome: string;
  complete: boolean;
  streams: Record<string, { created: number; updated: number; failed: number; retried: number }>;
}

/** A fresh FHIR store here; the CHT stand-in, the OpenMRS stand-in and the mediator around it. */
async function startStack(concurrency: number) {
  const store = await startFhirStore();
  const fhirProxy = await countingProxy(store.url);
  const peers = await startSyncPeers(fhirProxy.url, concurrency);
  const mediator: AxiosInstance = axios.create({ baseURL: peers.mediatorUrl, auth: AUTH, timeout: 0 });
  let patients = 0;
  return {
    ...peers,
    fhirProxy,
    mediator,
    /** Adds CHT patients (with or without reports) straight into the FHIR store. */
    async add(count: number, reports: number) {
      await loadChtData(store.url, patients, count, reports);
      patients += count;
    },
    /**
     * Runs the sync until a run completes with nothing to do; returns the runs it asked for (the runs the
     * mediator chained on its own meanwhile are not counted: asked then, the lease says `skipped`).
     */
    async syncUntilIdle(): Promise<number> {
      for (let runs = 0; ;) {
        const response = await mediator.get<MediatorResponse>('/sync');
        const report = JSON.parse(response.data.response.body) as RunReport;
        if (report.outcome === 'skipped') {
          await new Promise((resolve) => setTimeout(resolve, 500)); // a chained run holds the lease
          continue;
        }
        runs += 1;
        if (process.env.BENCH_RUN_REPORTS) console.log(JSON.stringify(report));
        const work = Object.values(report.streams).reduce(
          (n, c) => n + c.created + c.updated + c.failed + c.retried,
          0,
        );
        if (report.complete && work === 0) return runs;
      }
    },
    async close() {
      await peers.close();
      await fhirProxy.close();
      await store.close();
    },
  };
}

const lowerBound = (patients: number, concurrency: number) =>
  (patients * WRITES_PER_PATIENT * LATENCY_MS) / 1000 / concurrency;

async function backfill(concurrency: number, idleOnTop: boolean) {
  const stack = await startStack(concurrency);
  await stack.add(PATIENTS, REPORTS_PER_PATIENT);
  await stack.setLatency(LATENCY_MS);
  await stack.resetCounters();
  stack.fhirProxy.reset();
  const cpuAt = () => [cpuSeconds(stack.mediatorPid), cpuSeconds(stack.openmrsPid), cpuSeconds()];
  const cpuBefore = cpuAt();
  const { seconds, result: runs } = await timed(() => stack.syncUntilIdle());
  const cpu = cpuAt().map((after, i) => after - (cpuBefore[i] ?? 0));
  const openmrsCounts = await stack.openmrsCounts();
  const openmrsRequests = openmrsCounts.total;
  const bound = lowerBound(PATIENTS, concurrency);
  console.log(`\nback-fill of ${PATIENTS} patients at SYNC_CONCURRENCY=${concurrency}`);
  line(
    '  time (target ≤ 1.3 × bound)',
    `${seconds.toFixed(1)} s in ${runs} runs; bound ${bound.toFixed(1)} s; ratio ${(seconds / bound).toFixed(2)}; baseline ${BASELINE.backfill[concurrency] ?? '—'}; reference ${BASELINE.reference}`,
  );
  line(
    '  OpenMRS requests per patient (target ≤ 15.5)',
    `${(openmrsRequests / PATIENTS).toFixed(2)} (writes needed: ${WRITES_PER_PATIENT}); baseline ${BASELINE.openmrsPerPatient}`,
  );
  line(
    '  FHIR-server requests per patient (target ≤ 6)',
    `${(stack.fhirProxy.count() / PATIENTS).toFixed(2)}; baseline ${BASELINE.fhirPerPatient}`,
  );
  for (const [route, n] of Object.entries(openmrsCounts.byRoute)) line(`    OpenMRS ${route}`, String(n));
  line('    FHIR server, by method', JSON.stringify(stack.fhirProxy.byMethod()));
  line(
    '    CPU seconds: mediator; OpenMRS stand-in; FHIR store',
    `${cpu.map((s) => s.toFixed(1)).join('; ')} (mediator ${(((cpu[0] ?? 0) * 1000) / PATIENTS).toFixed(1)} ms per patient; all ${((cpu.reduce((a, b) => a + b, 0) * 1000) / PATIENTS).toFixed(1)} ms on ${cpus().length} cores)`,
  );

  if (idleOnTop) {
    await stack.setLatency(0);
    await stack.add(IDLE_PATIENTS - PATIENTS, 0);
    await stack.syncUntilIdle();
    await stack.setLatency(LATENCY_MS);
    // Polls a while later: the first after the back-fill reads once more what it wrote in its last
    // seconds (the overlap); the ones after it find nothing to read again.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const which of ['first run after the back-fill', 'idle run']) {
      await stack.resetCounters();
      stack.fhirProxy.reset();
      const idle = await timed(() => stack.mediator.get<MediatorResponse>('/sync'));
      const openmrs = await stack.openmrsCounts();
      line(
        `${which} on top of ${IDLE_PATIENTS} synced patients (target ≤ 6 + 6)`,
        `${openmrs.total} OpenMRS + ${stack.fhirProxy.count()} FHIR requests, ${(idle.seconds * 1000).toFixed(0)} ms; baseline ${BASELINE.idle}`,
      );
      line(
        '    OpenMRS; FHIR server',
        `${JSON.stringify(openmrs.byRoute)}; ${JSON.stringify(stack.fhirProxy.byMethod())}`,
      );
    }
  }
  await stack.close();
}

/** A back-fill the mediator chains run after run; progress read from /status every few seconds. */
async function largeBackfill(patients: number, showProgress: boolean) {
  const stack = await startStack(BIG_CONCURRENCY);
  await stack.add(patients, REPORTS_PER_PATIENT);
  await stack.setLatency(LATENCY_MS);
  const started = Date.now();
  let done = false;
  const watching = (async () => {
    while (!done && showProgress) {
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      if (done) break;
      const { progress } = (await stack.mediator.get('/status')).data as {
        progress: { done: number; remaining: number; rate: number; estimatedEnd: string | null };
      };
      line(
        `  /status at ${Math.round((Date.now() - started) / 1000)} s`,
        `done ${progress.done}, remaining ${progress.remaining}, ${progress.rate}/s, estimated end ${progress.estimatedEnd ?? '—'}`,
      );
    }
  })();
  const { seconds, result: runs } = await timed(() => stack.syncUntilIdle());
  done = true;
  await watching;
  const rss = peakRssMb(stack.mediatorPid);
  await stack.close();
  return { seconds, runs, rss };
}

async function main() {
  console.log(
    `openmrs-sync benchmark: OpenMRS stand-in latency ${LATENCY_MS} ms; ${PATIENTS} patients × ${REPORTS_PER_PATIENT} reports × ${CONCEPTS.length} observations; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const [i, concurrency] of CONCURRENCIES.entries())
    await backfill(concurrency, i === CONCURRENCIES.length - 1 && IDLE_PATIENTS > PATIENTS);

  if (BIG_PATIENTS > 0) {
    console.log(
      `\nback-fill of ${BIG_PATIENTS} patients at SYNC_CONCURRENCY=${BIG_CONCURRENCY}, run after run`,
    );
    const small = await largeBackfill(SMALL_PATIENTS, false);
    const big = await largeBackfill(BIG_PATIENTS, true);
    const bound = lowerBound(BIG_PATIENTS, BIG_CONCURRENCY);
    line(
      '  time (target ≤ 1.3 × bound)',
      `${big.seconds.toFixed(0)} s (${big.runs} asked for, the others chained); bound ${bound.toFixed(0)} s; ratio ${(big.seconds / bound).toFixed(2)}`,
    );
    line(
      `  mediator peak RSS at ${BIG_PATIENTS} vs ${SMALL_PATIENTS} (target ≤ 1.2 ×)`,
      `${big.rss} MB vs ${small.rss} MB: ${(big.rss / small.rss).toFixed(2)} ×; baseline: not measured before (the old benchmark added patients without reports)`,
    );
  }
  console.log(
    `\nload average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
