// A benchmark's helper process (a service alone, as in production): started with tsx, its first IPC
// message says where it listens; later messages are answered by id.
import { fork, type ChildProcess } from 'node:child_process';

export interface Child<First> {
  process: ChildProcess;
  first: First;
  ask<Answer>(message: Record<string, unknown>): Promise<Answer>;
  stop(): void;
}

export async function startChild<First>(
  script: string,
  env: NodeJS.ProcessEnv,
  execArgv: string[] = [],
): Promise<Child<First>> {
  const child = fork(script, { env, execArgv: ['--import', 'tsx', ...execArgv] });
  const first = await new Promise<First>((resolve, reject) => {
    child.once('message', (message) => resolve(message as First));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  let next = 0;
  return {
    process: child,
    first,
    ask: <Answer>(message: Record<string, unknown>) =>
      new Promise<Answer>((resolve) => {
        const id = (next += 1);
        const listen = (answer: unknown) => {
          const { id: answered, answer: value } = answer as { id: number; answer: Answer };
          if (answered !== id) return;
          child.off('message', listen);
          resolve(value);
        };
        child.on('message', listen);
        child.send({ ...message, id });
      }),
    stop: () => child.kill(),
  };
}
