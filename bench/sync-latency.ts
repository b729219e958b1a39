// How soon a CHT report reaches OpenMRS after CHT pushes it (issue #20): the CHT mediator signals the
// OpenMRS mediator once it stored the report, and the sync runs (no polling channel here). Pushes
// REPORTS reports of synced patients at RATE a second through the CHT mediator; a report has reached
// OpenMRS when its FHIR Encounter records its OpenMRS encounter (written after the observations).
// Prints p50 / p95 next to the targets, and checks nothing was sent twice.
// Run: npm run sync-latency -w bench
import { Agent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import axios from 'axios';
import { createLogger, FhirClient, identifierOf, listen, loadSettings, serverUrl } from '@cht-openmrs/common';
import { startFhirStore } from '@cht-openmrs/fhir-store';
import { createApp as createChtMediator } from '../cht-mediator/src/app';
import { settingsShape as chtMediatorSettings } from '../cht-mediator/src/settings';
import { line, percentile } from './measure';
import { loadChtData, reportPush } from './support/cht-data';
import { AUTH, startSyncPeers } from './support/sync-peers';

const PATIENTS = Number(process.env.PATIENTS ?? 200);
const REPORTS = Number(process.env.REPORTS ?? 200);
const RATE = Number(process.env.RATE ?? 20);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 20);
const CONCURRENCY = Number(process.env.SYNC_CONCURRENCY ?? 8);

async function main() {
  console.log(
    `sync-latency benchmark: ${REPORTS} reports of ${PATIENTS} synced patients pushed at ${RATE}/s; OpenMRS stand-in latency ${LATENCY_MS} ms, SYNC_CONCURRENCY=${CONCURRENCY}; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const store = await startFhirStore();
  const peers = await startSyncPeers(store.url, CONCURRENCY);
  const { mediatorUrl } = peers;
  const chtMediator = await listen(
    createChtMediator(
      loadSettings(chtMediatorSettings, {
        CHT_MEDIATOR_USERNAME: AUTH.username,
        CHT_MEDIATOR_PASSWORD: AUTH.password,
        FHIR_URL: store.url,
        SYNC_SIGNAL_URL: `${mediatorUrl}/sync/signal`,
        OPENMRS_MEDIATOR_USERNAME: AUTH.username,
        OPENMRS_MEDIATOR_PASSWORD: AUTH.password,
        LOG_LEVEL: 'silent',
      }),
      createLogger('bench', 'silent'),
    ),
    0,
    '127.0.0.1',
  );
  const push = axios.create({
    baseURL: serverUrl(chtMediator),
    auth: AUTH,
    httpAgent: new Agent({ keepAlive: true, maxSockets: 8 }),
  });

  // The patients, synced first.
  await loadChtData(store.url, 0, PATIENTS, 0);
  await axios.get(`${mediatorUrl}/sync`, { auth: AUTH, timeout: 0 });
  await peers.setLatency(LATENCY_MS);
  await peers.resetCounters();

  const fhir = new FhirClient({ baseURL: store.url });
  const pushedAt = new Map<string, number>();
  const latencies: number[] = [];
  const started = new Date().toISOString();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const changed = await fhir.searchAll('Encounter', { _lastUpdated: `ge${started}`, _count: 1000 });
      for (const encounter of changed) {
        const at = pushedAt.get(encounter.id as string);
        if (at !== undefined && identifierOf(encounter, 'openmrsUuid')) {
          latencies.push(Date.now() - at);
          pushedAt.delete(encounter.id as string);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  for (let n = 0; n < REPORTS; n++) {
    const patient = n % PATIENTS;
    const body = reportPush(patient, 0, Date.parse('2024-06-01T08:00:00Z') + n * 3_600_000);
    const sent = Date.now();
    const answer = await push.post('/cht/encounter', body);
    pushedAt.set(answer.data.response ? JSON.parse(answer.data.response.body).id : answer.data.id, sent);
    const wait = sent + 1000 / RATE - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const deadline = Date.now() + 120_000;
  while (pushedAt.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  polling = false;
  await poller;
  latencies.sort((a, b) => a - b);
  const visits = (await peers.openmrsCounts()).byRoute['POST /ws/fhir2/R4/Encounter'] ?? 0;
  line('reports that reached OpenMRS', `${latencies.length} of ${REPORTS}`);
  line(
    'push → in OpenMRS, p50 (target ≤ 3 s)',
    `${(percentile(latencies, 50) / 1000).toFixed(2)} s; baseline: up to 60 s of polling plus the run`,
  );
  line('push → in OpenMRS, p95 (target ≤ 10 s)', `${(percentile(latencies, 95) / 1000).toFixed(2)} s`);
  line('OpenMRS visits + encounters created (2 per report: none twice)', `${visits} for ${REPORTS} reports`);
  console.log(
    `load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  chtMediator.close();
  await peers.close();
  await store.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
