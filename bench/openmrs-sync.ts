// The sync into OpenMRS at scale. With the OpenMRS stand-in answering after a fixed latency, prints:
// the time to back-fill PATIENTS CHT patients with 2 reports of 5 observations each, next to the lower
// bound (required OpenMRS requests × latency ÷ the sync's concurrency); the requests and time of a run
// with nothing to do on top of IDLE_PATIENTS synced patients; the mediator's peak memory at PATIENTS and
// at MEMORY_PATIENTS. The mediator runs in its own process; the FHIR store, the stand-ins and the CHT
// mediator that loads the data run in this one. Run: npm run openmrs-sync -w bench
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { createLogger, listen, loadSettings, serverUrl, type MediatorResponse } from '@cht-openmrs/common';
import { startFhirStore } from '@cht-openmrs/fhir-store';
import { startChtSandbox, startOpenmrsSandbox } from '@cht-openmrs/sandbox';
import { createApp as createChtMediator } from '../cht-mediator/src/app';
import { settingsShape as chtMediatorSettings } from '../cht-mediator/src/settings';
import { line, pool, timed } from './measure';
import { countingProxy } from '../common/src/test-support/counting-proxy';

const PATIENTS = Number(process.env.PATIENTS ?? 2000);
const IDLE_PATIENTS = Number(process.env.IDLE_PATIENTS ?? 10_000);
const MEMORY_PATIENTS = Number(process.env.MEMORY_PATIENTS ?? 20_000);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 20);
const CONCURRENCY = Number(process.env.SYNC_CONCURRENCY ?? 4);
const REPORTS_PER_PATIENT = 2;
const CONCEPTS: [string, number][] = [
  ['5089', 61.5],
  ['5090', 165],
  ['5088', 36.6],
  ['5085', 120],
  ['5086', 80],
].map(([id, value]) => [String(id).padEnd(36, 'A'), Number(value)]);
const ROOT = join(__dirname, '..');
const AUTH = { username: 'bench', password: 'bench-password' };

function benchMapping(): string {
  const mapping = JSON.parse(readFileSync(join(ROOT, 'openmrs-mediator', 'mapping.json'), 'utf8'));
  mapping.chtToOpenmrs.forms.bench_visit = {
    visitType: 'd66e9fe0-7d51-4801-a550-5d462ad1c944',
    encounterType: 'd7151f82-c1f3-4152-a605-2f9ea7414a79',
    visitDurationMinutes: 30,
    observations: Object.fromEntries(
      CONCEPTS.map(([concept]) => [concept, { concept, valueType: 'numeric' }]),
    ),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'bench-mapping-')), 'mapping.json');
  writeFileSync(file, JSON.stringify(mapping));
  return file;
}

/** Peak resident memory of a process so far, from Linux's /proc (VmHWM). */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

interface RunReport {
  complete: boolean;
  streams: Record<
    string,
    { created: number; updated: number; failed: number; waiting: number; retried: number }
  >;
}

async function main() {
  const store = await startFhirStore();
  const openmrs = await startOpenmrsSandbox();
  const admin = { username: 'admin', password: 'Admin123' };
  for (const name of ['CHT Document ID', 'CHT Patient ID'])
    await axios.post(
      `${openmrs.restUrl}/patientidentifiertype`,
      { name, description: name, locationBehavior: 'NOT_USED', uniquenessBehavior: 'UNIQUE' },
      { auth: admin },
    );
  const cht = await startChtSandbox();
  const logger = createLogger('bench', 'silent');
  const chtMediatorServer = await listen(
    createChtMediator(
      loadSettings(chtMediatorSettings, {
        CHT_MEDIATOR_USERNAME: AUTH.username,
        CHT_MEDIATOR_PASSWORD: AUTH.password,
        FHIR_URL: store.url,
        LOG_LEVEL: 'silent',
      }),
      logger,
    ),
    0,
    '127.0.0.1',
  );
  const push = axios.create({
    baseURL: serverUrl(chtMediatorServer),
    auth: AUTH,
    httpAgent: new Agent({ keepAlive: true, maxSockets: 8 }),
  });
  const openmrsUrl = new URL(openmrs.url);
  const fhirProxy = await countingProxy(store.url);

  const child = fork(join(__dirname, 'support', 'openmrs-mediator-process.ts'), {
    cwd: __dirname,
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/wt20-prof'] : []),
    ],
    env: {
      ...process.env,
      OPENMRS_MEDIATOR_USERNAME: AUTH.username,
      OPENMRS_MEDIATOR_PASSWORD: AUTH.password,
      OPENMRS_MEDIATOR_MAPPING: benchMapping(),
      OPENMRS_HOST: openmrsUrl.hostname,
      OPENMRS_PORT: openmrsUrl.port,
      OPENMRS_USERNAME: admin.username,
      OPENMRS_PASSWORD: admin.password,
      CHT_URL: cht.url,
      CHT_USERNAME: 'medic',
      CHT_PASSWORD: 'password',
      FHIR_URL: fhirProxy.url,
      SYNC_CONCURRENCY: String(CONCURRENCY),
      LOG_LEVEL: 'silent',
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the mediator exited with ${code}`)));
  });
  const mediator: AxiosInstance = axios.create({
    baseURL: `http://127.0.0.1:${port}`,
    auth: AUTH,
    timeout: 0,
  });

  let pushed = 0;
  const addPatients = async (count: number, reports: boolean) => {
    const from = pushed;
    pushed += count;
    await pool(count, 8, async (n) => {
      const i = from + n;
      await push.post('/cht/patient', {
        doc: {
          _id: `person-${i}`,
          name: `Bench Person ${i}`,
          sex: 'female',
          date_of_birth: '1990-01-01',
          patient_id: String(100000 + i),
        },
      });
      if (!reports) return;
      for (let r = 0; r < REPORTS_PER_PATIENT; r++) {
        await push.post('/cht/encounter', {
          id: `report-${i}-${r}`,
          form: 'bench_visit',
          patient_uuid: `person-${i}`,
          reported_date: Date.parse('2024-06-01T08:00:00Z') + r * 3_600_000,
          observations: CONCEPTS.map(([code, value]) => ({ code, valueDecimal: value })),
        });
      }
    });
  };
  /** Runs the sync until a run completes with nothing to do; returns the runs and what they did. */
  const syncUntilIdle = async () => {
    let runs = 0;
    let orchestrations = 0;
    for (;;) {
      const response = await mediator.get<MediatorResponse>('/sync');
      runs += 1;
      orchestrations += response.data.orchestrations?.length ?? 0;
      const report = JSON.parse(response.data.response.body) as RunReport;
      if (process.env.BENCH_VERBOSE) console.log(JSON.stringify(report.streams));
      const work = Object.values(report.streams).reduce(
        (sum, c) => sum + c.created + c.updated + c.failed + c.retried,
        0,
      );
      if (report.complete && work === 0) return { runs, orchestrations };
    }
  };
  const setLatency = (ms: number) => (openmrs.controls.latencyMs = ms);

  console.log(
    `openmrs-sync benchmark: OpenMRS stand-in latency ${LATENCY_MS} ms, sync concurrency ${CONCURRENCY}; ${PATIENTS} patients × ${REPORTS_PER_PATIENT} reports × ${CONCEPTS.length} observations`,
  );
  await addPatients(PATIENTS, true);
  setLatency(LATENCY_MS);
  openmrs.controls.resetCounters();
  fhirProxy.reset();
  const backfill = await timed(syncUntilIdle);
  const requests = openmrs.controls.counts().total;
  // Per patient: a search (never create twice) and a create; per report: a visit search, the visit,
  // the encounter and one create per observation.
  const required = PATIENTS * 2 + PATIENTS * REPORTS_PER_PATIENT * (3 + CONCEPTS.length);
  const lowerBound = (required * LATENCY_MS) / 1000 / CONCURRENCY;
  line('back-fill time', `${backfill.seconds.toFixed(1)} s in ${backfill.result.runs} runs`);
  line(
    '  lower bound (required requests × latency ÷ concurrency)',
    `${lowerBound.toFixed(1)} s (${required} requests); ratio ${(backfill.seconds / lowerBound).toFixed(2)}`,
  );
  line('  OpenMRS requests made', `${requests} (${(requests / required).toFixed(2)} × required)`);
  line('  OpenMRS requests per patient', (requests / PATIENTS).toFixed(1));
  line(
    '  FHIR-server requests per patient',
    `${(fhirProxy.count() / PATIENTS).toFixed(1)} ${JSON.stringify(fhirProxy.byMethod())}`,
  );
  for (const [route, n] of Object.entries(openmrs.controls.counts().byRoute)) line(`    ${route}`, String(n));
  line(`mediator peak RSS after ${PATIENTS} patients`, `${peakRssMb(child.pid ?? 0)} MB`);

  setLatency(0);
  await addPatients(IDLE_PATIENTS - PATIENTS, false);
  await syncUntilIdle();
  setLatency(LATENCY_MS);
  openmrs.controls.resetCounters();
  fhirProxy.reset();
  const idle = await timed(async () => (await mediator.get<MediatorResponse>('/sync')).data);
  line(
    `idle run on top of ${IDLE_PATIENTS} synced patients`,
    `${(idle.seconds * 1000).toFixed(0)} ms, ${idle.result.orchestrations?.length ?? 0} requests (${openmrs.controls.counts().total} to OpenMRS, ${fhirProxy.count()} to the FHIR server)`,
  );

  setLatency(0);
  await addPatients(MEMORY_PATIENTS - IDLE_PATIENTS, false);
  await syncUntilIdle();
  line(`mediator peak RSS after ${MEMORY_PATIENTS} patients`, `${peakRssMb(child.pid ?? 0)} MB`);

  child.kill();
  chtMediatorServer.close();
  await cht.close();
  await openmrs.close();
  await store.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
