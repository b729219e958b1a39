// fhir-store throughput and latency (issue targets: ≥1,000 single writes/s over HTTP, ≥5,000
// resources/s in transaction bundles, identifier search p50 ≤ 5 ms at 100k resources, flat memory), and
// a search for 40 identifiers at once, as the sync's page look-ups make.
// The store runs as its own process (npm start -w fhir-store), the load generator in this one: both on
// this machine's 2 cores. The load goes through undici (Node's own HTTP client engine), which takes about
// half the CPU per request that axios does from the cores the store shares with it.
// Run: npm run fhir-store -w bench   (SIZE=100000 by default)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, BundleEntry, Patient } from 'fhir/r4';
import { Pool } from 'undici';
import { line, percentile, pool, timed } from './measure';

const SIZE = Number(process.env.SIZE ?? 100_000);
const SYSTEM = 'urn:bench:id';
const patient = (i: number): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: SYSTEM, value: `p-${i}` }],
  name: [{ given: ['Bench'], family: `Patient${i}` }],
  gender: i % 2 ? 'female' : 'male',
  birthDate: '1990-01-01',
});

async function main() {
  const folder = mkdtempSync(join(tmpdir(), 'fhir-store-bench-'));
  const port = Number(process.env.PORT ?? 18_181);
  const child = spawn('npm', ['start', '--silent', '-w', 'fhir-store'], {
    cwd: join(__dirname, '..'),
    env: {
      ...process.env,
      FHIR_STORE_PORT: String(port),
      FHIR_STORE_DATABASE: join(folder, 'bench.sqlite'),
      LOG_LEVEL: 'warn',
    },
    stdio: 'inherit',
    detached: true, // its own process group: npm, tsx and node stop together
  });
  const http = new Pool(`http://127.0.0.1:${port}`, { connections: 32 });
  /** One FHIR request; anything but the expected status ends the benchmark. */
  const fhir = async <T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    expected = 200,
  ): Promise<T> => {
    const response = await http.request({
      method,
      path: `/fhir${path}`,
      headers: { 'content-type': 'application/fhir+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    if (response.statusCode !== expected)
      throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as T;
  };
  for (let up = false; !up;) {
    up = await fhir('GET', '/metadata').then(
      () => true,
      () => false,
    );
    if (!up) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const serverRss = async () => {
    const { execSync } = await import('node:child_process');
    const pids = execSync(`pgrep -g ${child.pid} || true`).toString().trim().split('\n').filter(Boolean);
    const kb = pids.map((pid) => Number(execSync(`ps -o rss= -p ${pid} || echo 0`).toString().trim() || 0));
    return Math.round(Math.max(0, ...kb) / 1024);
  };
  console.log(`fhir-store benchmark: ${SIZE} resources, SQLite file in ${folder}, node ${process.version}`);
  let written = 0;
  // Warm-up, not measured: the first requests compile the server's code paths.
  await pool(500, 16, () => fhir('POST', '/Patient', patient(written++), 201));

  const single = 5000;
  const writes = await timed(() => pool(single, 16, () => fhir('POST', '/Patient', patient(written++), 201)));
  line('single-resource writes (POST, 16 in flight)', `${Math.round(single / writes.seconds)} writes/s`);

  const bundleSize = 100;
  const bundles = 50;
  const tx = await timed(() =>
    pool(bundles, 4, async () => {
      const entry: BundleEntry[] = Array.from({ length: bundleSize }, () => ({
        resource: patient(written++),
        request: { method: 'POST', url: 'Patient' },
      }));
      await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
    }),
  );
  line(
    `resources in transaction bundles (${bundleSize} each, 4 in flight)`,
    `${Math.round((bundles * bundleSize) / tx.seconds)} resources/s`,
  );

  const memory = [{ resources: written, mb: await serverRss() }];
  while (written < SIZE) {
    await pool(Math.min(20, Math.ceil((SIZE - written) / 500)), 4, async () => {
      const entry: BundleEntry[] = Array.from({ length: 500 }, () => ({
        resource: patient(written++),
        request: { method: 'POST', url: 'Patient' },
      }));
      await fhir('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
    });
    memory.push({ resources: written, mb: await serverRss() });
  }

  const latencies: number[] = [];
  for (let i = 0; i < 1000; i += 1) {
    const value = `p-${Math.floor(Math.random() * written)}`;
    const started = process.hrtime.bigint();
    const data = await fhir<Bundle>('GET', `/Patient?identifier=${encodeURIComponent(`${SYSTEM}|${value}`)}`);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (data.entry?.length !== 1) throw new Error(`search for ${value} found ${data.entry?.length}`);
  }
  latencies.sort((a, b) => a - b);
  line(
    `identifier search at ${written} resources (1,000 sequential)`,
    `p50 ${percentile(latencies, 50).toFixed(2)} ms, p95 ${percentile(latencies, 95).toFixed(2)} ms`,
  );
  // The sync's page look-ups: 40 identifiers a search, comma-separated (each one an index look-up).
  const batched: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const values = new Set(Array.from({ length: 40 }, () => `p-${Math.floor(Math.random() * written)}`));
    const query = [...values].map((value) => `${SYSTEM}|${value}`).join(',');
    const started = process.hrtime.bigint();
    const data = await fhir<Bundle>('GET', `/Patient?identifier=${encodeURIComponent(query)}&_count=40`);
    batched.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (data.entry?.length !== values.size)
      throw new Error(`a search for ${values.size} identifiers found ${data.entry?.length}`);
  }
  batched.sort((a, b) => a - b);
  line(
    `search for 40 identifiers at once at ${written} resources (200 sequential)`,
    `p50 ${percentile(batched, 50).toFixed(2)} ms, p95 ${percentile(batched, 95).toFixed(2)} ms`,
  );
  line(
    'store process memory (RSS) as the database grew',
    memory
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 6)) === 0 || i === all.length - 1)
      .map(({ resources, mb }) => `${resources}: ${mb} MB`)
      .join(' | '),
  );
  line('peak store process memory (RSS)', `${Math.max(...memory.map(({ mb }) => mb))} MB`);
  await http.close();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid as number), 'SIGTERM');
  await exited;
  rmSync(folder, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
