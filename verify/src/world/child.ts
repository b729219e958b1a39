// A service run as its own process (node with tsx, as `npm start -w <service>` runs it), so that it can
// be killed as an operating system kills it: SIGKILL, mid-request, nothing flushed. Restarted on the
// same port with the same settings (and so the same data file), as a supervisor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

// Processes still running when this one exits (a stopped pass) go with it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port the OS says is free now (bound on port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildService {
  readonly name: string;
  readonly port: number;
  readonly running: boolean;
  /** SIGKILL, and waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts it again (same port, same settings) and waits until it answers. */
  start(): Promise<void>;
  /** SIGTERM, for the end of a history. */
  stop(): Promise<void>;
}

export function childService(
  name: string,
  entry: string,
  port: number,
  env: Record<string, string>,
  readyPath: string,
): ChildService {
  let child: ChildProcess | undefined;
  let output = '';
  const exited = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
  const service: ChildService = {
    name,
    port,
    get running() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      if (!service.running) return;
      child?.kill('SIGKILL');
      await exited();
    },
    async stop() {
      if (!service.running) return;
      child?.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await exited();
      clearTimeout(timer);
    },
    async start() {
      output = '';
      child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], {
        cwd: ROOT,
        env: { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.base.json'), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const started = child;
      running.add(started);
      started.once('exit', () => running.delete(started));
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-4000);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (!service.running) throw new Error(`${name} exited at start: ${output}`);
        try {
          const response = await fetch(`http://127.0.0.1:${port}${readyPath}`);
          await response.arrayBuffer();
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error(`${name} did not answer on port ${port} within 30 s: ${output}`);
    },
  };
  return service;
}
