// `npm run verify -- --runs N --seed S [--workers W] [--min-ops 30] [--max-ops 45] [--path P [--replay-path R]] [--no-shrink]`: runs that many
// histories and prints the summary; exits 1 when a violation was found.
import { parseArgs } from 'node:util';
import { newStats, runPass, type PassOptions } from './property';
import { partialSummary, summary } from './summary';

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'replay-path': { type: 'string' },
      'min-ops': { type: 'string', default: '0' },
      'max-ops': { type: 'string', default: '40' },
      'no-shrink': { type: 'boolean', default: false },
      workers: { type: 'string', default: '1' },
    },
  });
  const options: PassOptions = {
    runs: Number(values.runs),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : { seed: Date.now() % 2 ** 31 }),
    ...(values.path !== undefined ? { path: values.path } : {}),
    ...(values['replay-path'] !== undefined ? { replayPath: values['replay-path'] } : {}),
    minCommands: Number(values['min-ops']),
    maxCommands: Number(values['max-ops']),
    noShrink: values['no-shrink'],
  };
  const started = Date.now();
  const stats = { ...newStats(), progress: (line: string) => console.error(line) };
  // Stopped early (Ctrl-C, a time limit): print what ran so far.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.log(`stopped by ${signal} after ${Math.round((Date.now() - started) / 1000)} s`);
      console.log(partialSummary(stats, options));
      process.exit(2);
    });
  // A history mostly waits (for runs, restarts, faults to pass): several run side by side, each worker a
  // pass of its own with its own seed (seed, seed + 1, …) and its share of the runs.
  const workers = Math.max(1, Math.min(Number(values.workers), options.runs));
  const seed = options.seed as number;
  const results = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      runPass(
        {
          ...options,
          seed: seed + i,
          runs: Math.floor(options.runs / workers) + (i < options.runs % workers ? 1 : 0),
        },
        stats,
      ),
    ),
  );
  console.log(summary(results, options));
  console.log(`took ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(results.some((r) => r.details.failed) ? 1 : 0);
}

void main();
