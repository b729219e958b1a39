// What one request to a peer costs the caller's CPU: createHttpClient (axios on undici, what our services
// use) next to axios on node:http with a keep-alive agent (what they used before), POSTing an
// Observation as the sync does, 32 at a time, to a peer in its own process that answers at once.
// At SYNC_CONCURRENCY 32 the mediator is one process on one core: its CPU per request bounds a back-fill.
// Run: npm run http-client -w bench   (REQUESTS=10000 by default)
import { Agent } from 'node:http';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import axios, { type AxiosInstance } from 'axios';
import { createHttpClient } from '@cht-openmrs/common';
import { line, pool } from './measure';
import { startChild } from './support/child-process';

const REQUESTS = Number(process.env.REQUESTS ?? 10_000);
const CONCURRENCY = 32;
const BASELINE_US = 206; // createHttpClient on node:http (8c20ff0), measured on this machine
const observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ code: '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }] },
  subject: { reference: 'Patient/7c1e2d3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f' },
  encounter: { reference: 'Encounter/9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4' },
  effectiveDateTime: '2024-06-01T08:00:00Z',
  valueQuantity: { value: 61.5, unit: 'kg' },
};

async function measure(label: string, client: AxiosInstance, note: string) {
  await pool(1000, CONCURRENCY, () => client.post('/Observation', observation)); // warm-up
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  await pool(REQUESTS, CONCURRENCY, () => client.post('/Observation', observation));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { user, system } = process.cpuUsage(before);
  const perRequest = (user + system) / REQUESTS;
  line(
    label,
    `${perRequest.toFixed(0)} µs CPU per request, ${(REQUESTS / seconds).toFixed(0)} requests/s; ${note}`,
  );
}

async function main() {
  console.log(
    `http-client benchmark: ${REQUESTS} POSTs, ${CONCURRENCY} at once; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const peer = await startChild<{ url: string }>(
    join(__dirname, 'support/answering-peer-process.ts'),
    process.env,
  );
  const baseURL = `${peer.first.url}/openmrs/ws/fhir2/R4`;
  const auth = { username: 'bench', password: 'bench-password' };
  await measure(
    'createHttpClient (axios on undici)',
    createHttpClient({ peer: 'bench', baseURL, ...auth, maxInFlight: CONCURRENCY }),
    `baseline: createHttpClient on node:http ${BASELINE_US} µs`,
  );
  await measure(
    '  for comparison: axios on node:http, keep-alive',
    axios.create({
      baseURL,
      auth,
      maxRedirects: 0,
      httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
    }),
    'what createHttpClient was',
  );
  peer.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
