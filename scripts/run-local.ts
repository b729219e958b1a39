// `npm start` at the root: runs every service of the local stack that exists, each as its own process
// with its output prefixed by its name. Ctrl-C stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'dotenv';
import { prettyFactory } from 'pino-pretty';
import { localEnvironment } from './local-environment';
import { seedDemo, triggerSync } from './seed-demo';

interface Service {
  name: string;
  entry: string;
  args: string[];
}

const root = join(__dirname, '..');
const services: Service[] = [
  { name: 'fhir-store', entry: 'fhir-store/src/main.ts', args: ['start', '-w', 'fhir-store'] },
  {
    name: 'openmrs',
    entry: 'sandbox/src/openmrs/main.ts',
    args: ['start', '-w', 'sandbox', '--', 'openmrs'],
  },
  { name: 'cht', entry: 'sandbox/src/cht/main.ts', args: ['start', '-w', 'sandbox', '--', 'cht'] },
  {
    name: 'openhim',
    entry: 'sandbox/src/openhim/main.ts',
    args: ['start', '-w', 'sandbox', '--', 'openhim'],
  },
  { name: 'cht-mediator', entry: 'cht-mediator/src/main.ts', args: ['start', '-w', 'cht-mediator'] },
  {
    name: 'openmrs-mediator',
    entry: 'openmrs-mediator/src/main.ts',
    args: ['start', '-w', 'openmrs-mediator'],
  },
];

/** .env.example, .env, the local stack's addresses and stand-in credentials, then the environment. */
function readEnvironment(): NodeJS.ProcessEnv {
  const read = (file: string) => (existsSync(join(root, file)) ? parse(readFileSync(join(root, file))) : {});
  const { env, overridden } = localEnvironment(read('.env.example'), read('.env'), process.env);
  for (const line of overridden) console.log(`[npm start] ${line} (set it in the environment to override)`);
  return env;
}

const environment = readEnvironment();
const children: ChildProcess[] = [];
const width = Math.max(...services.map((s) => s.name.length));

/** JSON log lines become one readable line each (set LOG_FORMAT=json to keep them as they are). */
const pretty =
  environment.LOG_FORMAT === 'json'
    ? undefined
    : prettyFactory({
        colorize: process.stdout.isTTY,
        translateTime: 'HH:MM:ss',
        ignore: 'pid,hostname,service,name',
        singleLine: true,
        errorLikeObjectKeys: ['err'],
      });

function readable(line: string): string {
  if (!pretty || !line.startsWith('{')) return line;
  try {
    return pretty(line).trimEnd();
  } catch {
    return line;
  }
}

function prefixLines(name: string, stream: NodeJS.ReadableStream): void {
  const label = `[${name.padEnd(width)}]`;
  createInterface({ input: stream }).on('line', (line) => console.log(`${label} ${readable(line)}`));
}

function start(service: Service): void {
  const child = spawn('npm', ['--silent', ...service.args], {
    cwd: root,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(service.name, child.stdout);
  prefixLines(service.name, child.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) console.log(`[${service.name}] exited (${signal ?? code}); stopping the rest`);
    stop();
  });
  children.push(child);
}

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 5000).unref();
}

/** Runs a one-shot service (the configurator) with prefixed output; resolves with its exit code. */
function runOnce(name: string, args: string[], env: NodeJS.ProcessEnv = environment): Promise<number> {
  const child = spawn('npm', ['--silent', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(name, child.stdout);
  prefixLines(name, child.stderr);
  children.push(child);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function whereToLook(): string {
  const e = environment;
  return [
    'The demo is running. Where to look:',
    `  operator console      http://127.0.0.1:${e.OPENMRS_MEDIATOR_PORT ?? 6001}/console  (user ${e.OPENMRS_MEDIATOR_USERNAME}, password ${e.OPENMRS_MEDIATOR_PASSWORD})`,
    `  OpenHIM transactions  curl -u ${e.OPENHIM_USERNAME}:${e.OPENHIM_PASSWORD} '${e.OPENHIM_API_URL}/transactions?filterRepresentation=full'`,
    `  sync status           curl -u ${e.OPENMRS_MEDIATOR_USERNAME}:${e.OPENMRS_MEDIATOR_PASSWORD} http://127.0.0.1:${e.OPENMRS_MEDIATOR_PORT ?? 6001}/status`,
    `  FHIR server           curl ${e.FHIR_URL}/Patient`,
    `  OpenMRS (stand-in)    curl -u ${e.OPENMRS_USERNAME}:${e.OPENMRS_PASSWORD} http://${e.OPENMRS_HOST}:${e.OPENMRS_PORT}/openmrs/ws/fhir2/R4/Patient`,
    `  CHT (stand-in)        curl -u ${e.CHT_USERNAME}:${e.CHT_PASSWORD} -X POST -H 'Content-Type: application/json' -d '{"selector":{"type":"person"}}' ${e.CHT_URL}/medic/_find`,
    'OpenHIM runs the sync every minute. Ctrl-C stops everything.',
  ].join('\n');
}

/** Once the services are up: the configurator, then the demo data, then a first sync. */
async function configureAndSeed(): Promise<void> {
  // Without CHT_URL: the CHT stand-in points cht-config's outbound entries at the local OpenHIM, so they
  // differ from the file by design; the demo stores CHT's openhim1 credential itself.
  const code = await runOnce('configurator', ['start', '-w', 'configurator'], {
    ...environment,
    CHT_URL: '',
  });
  if (stopping) return;
  if (code !== 0) {
    console.log('[demo] the configurator reported problems (above); the demo data is not seeded');
    return;
  }
  try {
    // OpenHIM's router keeps its channel list for a second: pushes sooner would find no channel yet.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seeded = await seedDemo(environment);
    console.log(
      seeded ? '[demo] seeded CHT and OpenMRS' : '[demo] demo data already there (kept from a previous run)',
    );
    // CHT pushes the new records on its own; give it a moment so the first sync finds them.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await triggerSync(environment);
    console.log(whereToLook());
  } catch (error) {
    console.log(`[demo] seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const present = services.filter((s) => existsSync(join(root, s.entry)));
if (present.length === 0) {
  console.log('No service is built yet: nothing to run.');
} else {
  console.log(`Starting ${present.map((s) => s.name).join(', ')}. Ctrl-C stops everything.`);
  present.forEach(start);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  void configureAndSeed();
}
