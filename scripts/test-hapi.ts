// `npm run test:hapi`: builds the test-only HAPI FHIR server (conformance/hapi, Maven), starts it on a free
// loopback port, waits until /metadata answers, and runs against it the fhir-store contract suite, the
// mediators' integration tests and the end-to-end scenarios (one at a time: each empties the server).
// Prints one summary line; exits non-zero when a test failed or HAPI could not start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const MODULE = join(ROOT, 'conformance', 'hapi');
const HEAP = process.env.HAPI_HEAP ?? '512m';
const TESTS = [
  'fhir-store/src/contract/',
  'cht-mediator/src/.*\\.int\\.test\\.ts$',
  'openmrs-mediator/src/.*\\.int\\.test\\.ts$',
  'e2e/src/flow/',
];

interface Hapi {
  process: ChildProcess;
  url: string;
  version: string;
  startSeconds: number;
}

function build(): void {
  const mvn = spawnSync(
    'mvn',
    ['-B', '-q', '-ntp', '-f', join(MODULE, 'pom.xml'), 'package', '-DskipTests'],
    {
      stdio: 'inherit',
    },
  );
  if (mvn.status !== 0)
    throw new Error(`building conformance/hapi failed (mvn exited ${mvn.status ?? mvn.error})`);
}

/** H2 in memory, unless HAPI_DB_URL names a PostgreSQL database (HAPI_DB_USERNAME, HAPI_DB_PASSWORD). */
function database(): string[] {
  const url = process.env.HAPI_DB_URL;
  if (!url) return [];
  return [
    `-Dhapi.db.url=${url}`,
    `-Dhapi.db.username=${process.env.HAPI_DB_USERNAME ?? ''}`,
    `-Dhapi.db.password=${process.env.HAPI_DB_PASSWORD ?? ''}`,
  ];
}

/** Starts the server on port 0; resolves once it has printed its address and answers /metadata. */
async function start(): Promise<Hapi> {
  const launched = Date.now();
  const java = spawn(
    'java',
    [
      `-Xmx${HEAP}`,
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      // Hibernate's schema set-up warns of every constraint it did not have to drop: noise.
      '-Dorg.slf4j.simpleLogger.log.org.hibernate.engine.jdbc.spi.SqlExceptionHelper=error',
      ...database(),
      '-cp',
      `${join(MODULE, 'target', 'classes')}:${join(MODULE, 'target', 'lib', '*')}`,
      'org.chtopenmrs.conformance.HapiTestServer',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const { version, url } = await new Promise<{ version: string; url: string }>((resolve, reject) => {
    let output = '';
    java.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HAPI FHIR (\S+) listening on (\S+)/.exec(output);
      if (match) resolve({ version: match[1] as string, url: match[2] as string });
    });
    java.on('exit', (code) => reject(new Error(`HAPI exited (${code}) before it listened:\n${output}`)));
  });
  await waitForMetadata(url);
  return { process: java, version, url, startSeconds: (Date.now() - launched) / 1000 };
}

async function waitForMetadata(url: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const ok = await fetch(`${url}/metadata`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url}/metadata did not answer within a minute`);
}

/** Peak resident memory of a process, in MB (Linux). */
function peakRssMb(pid: number | undefined): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return `${Math.round(kb / 1024)} MB`;
  } catch {
    return 'unknown';
  }
}

interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

function runTests(url: string): JestResults | undefined {
  const results = join(mkdtempSync(join(tmpdir(), 'test-hapi-')), 'results.json');
  spawnSync('npx', ['jest', '--runInBand', '--json', `--outputFile=${results}`, ...TESTS], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, FHIR_URL: url, FHIR_CONTRACT_URL: url, FHIR_VALIDATE: '1' },
  });
  try {
    return JSON.parse(readFileSync(results, 'utf8')) as JestResults;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  build();
  const hapi = await start();
  console.log(
    `HAPI FHIR ${hapi.version} at ${hapi.url}, answering /metadata ${hapi.startSeconds.toFixed(1)} s after launch`,
  );
  let results: JestResults | undefined;
  let memory = 'unknown';
  try {
    results = runTests(hapi.url);
    memory = peakRssMb(hapi.process.pid);
  } finally {
    hapi.process.kill();
  }
  const counts = results
    ? `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`
    : 'no results (jest did not run)';
  console.log(
    `\ntest:hapi: ${counts} against HAPI FHIR ${hapi.version}${process.env.HAPI_DB_URL ? ' on PostgreSQL' : ''} (ready in ${hapi.startSeconds.toFixed(1)} s, peak RSS ${memory}, heap cap ${HEAP})`,
  );
  return results && results.numFailedTests === 0 && results.numPassedTests > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('\ntest:hapi: 0 passed, 1 failed, 0 skipped (HAPI did not start)');
    process.exit(1);
  },
);
