// `npm start` at the root: runs every service of the local stack that exists, each as its own process
// with its output prefixed by its name. Ctrl-C stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'dotenv';
import { prettyFactory } from 'pino-pretty';

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

/** Where the local stack's services are; .env.example names the docker compose hosts instead. */
const LOCAL_STACK = {
  FHIR_URL: 'http://127.0.0.1:8081/fhir',
  OPENHIM_API_URL: 'http://127.0.0.1:8080',
  OPENMRS_HOST: '127.0.0.1',
  OPENMRS_PORT: '8090',
  CHT_URL: 'http://127.0.0.1:5988',
  CHT_MEDIATOR_HOST: '127.0.0.1',
  OPENMRS_MEDIATOR_HOST: '127.0.0.1',
  // cht-config pushes to the compose host openhim-core: locally, to the OpenHIM stand-in's router
  CHT_SANDBOX_OUTBOUND_BASE_URL: 'http://127.0.0.1:5001',
};

/** .env.example, with the local stack's addresses, overridden by .env, overridden by the environment. */
function localEnvironment(): NodeJS.ProcessEnv {
  const read = (file: string) => (existsSync(join(root, file)) ? parse(readFileSync(join(root, file))) : {});
  return { ...read('.env.example'), ...LOCAL_STACK, ...read('.env'), ...process.env };
}

const environment = localEnvironment();
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

const present = services.filter((s) => existsSync(join(root, s.entry)));
if (present.length === 0) {
  console.log('No service is built yet: nothing to run.');
} else {
  console.log(`Starting ${present.map((s) => s.name).join(', ')}. Ctrl-C stops everything.`);
  present.forEach(start);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
