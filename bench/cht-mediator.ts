// Outbound-push requests per second the CHT mediator sustains, for patients and for reports with five
// observations, with the embedded FHIR store behind it, and the FHIR requests each costs (counted at the
// HTTP level), next to the targets and the baseline before issue #20. The store runs in a process of its
// own, as in production; the mediator and the load generator in this one.
// Run: npm run cht-mediator -w bench   (COUNT=2000 by default)
import { Agent } from 'node:http';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import axios from 'axios';
import { createLogger, listen, loadSettings, serverUrl } from '@cht-openmrs/common';
import { createApp } from '../cht-mediator/src/app';
import { settingsShape } from '../cht-mediator/src/settings';
import { cpuSeconds, line, percentile, pool, timed } from './measure';
import { startChild } from './support/child-process';

const COUNT = Number(process.env.COUNT ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);
const TARGETS: Record<string, string> = {
  'report pushes (5 observations each)': 'target ≥ 400/s; baseline 206/s, 3 FHIR requests each',
};
const CONCEPTS = ['5089', '5090', '5088', '5085', '5086'].map((id) => id.padEnd(36, 'A'));

async function main() {
  const store = await startChild<{ url: string }>(
    join(__dirname, 'support', 'fhir-store-process.ts'),
    process.env,
  );
  const settings = loadSettings(settingsShape, {
    CHT_MEDIATOR_USERNAME: 'bench',
    CHT_MEDIATOR_PASSWORD: 'bench-password',
    FHIR_URL: store.first.url,
    LOG_LEVEL: 'silent',
  });
  const server = await listen(createApp(settings, createLogger('bench', 'silent')), 0, '127.0.0.1');
  const http = axios.create({
    baseURL: serverUrl(server),
    auth: { username: 'bench', password: 'bench-password' },
    httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
  });
  console.log(
    `cht-mediator benchmark: ${COUNT} patients, then ${COUNT} reports of ${CONCEPTS.length} observations, ${CONCURRENCY} pushes in flight; ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  const run = async (label: string, push: (i: number) => Promise<unknown>) => {
    const latencies: number[] = [];
    await store.ask({ op: 'reset' });
    const cpuBefore = [cpuSeconds(), cpuSeconds(store.process.pid)];
    const { seconds } = await timed(() =>
      pool(COUNT, CONCURRENCY, async (i) => {
        const started = process.hrtime.bigint();
        await push(i);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }),
    );
    const cpu = [cpuSeconds(), cpuSeconds(store.process.pid)].map((after, i) => after - (cpuBefore[i] ?? 0));
    const requests = await store.ask<number>({ op: 'count' });
    latencies.sort((a, b) => a - b);
    line(
      label,
      `${Math.round(COUNT / seconds)} pushes/s (p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms), ${(requests / COUNT).toFixed(1)} FHIR requests each, CPU ${cpu.map((c) => c.toFixed(1)).join(' s mediator, ')} s store${TARGETS[label] ? `; ${TARGETS[label]}` : ''}`,
    );
  };

  await run('patient pushes (new patients)', (i) =>
    http.post('/cht/patient', {
      doc: {
        _id: `person-${i}`,
        name: `Bench Person ${i}`,
        phone: '+254700000000',
        sex: 'female',
        date_of_birth: '1990-01-01',
        patient_id: String(10000 + i),
      },
    }),
  );
  const report = (i: number) => ({
    id: `report-${i}`,
    form: 'referral',
    patient_uuid: `person-${i}`,
    reported_date: 1717236000000 + i,
    observations: CONCEPTS.map((code, n) => ({ code, valueDecimal: 36 + n })),
  });
  await run('report pushes (5 observations each)', (i) => http.post('/cht/encounter', report(i)));
  await run('repeated report pushes (unchanged: no writes)', (i) => http.post('/cht/encounter', report(i)));
  server.close();
  store.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
