// `npm run verify -- --runs N --seed S [--min-ops 30] [--max-ops 45] [--path P [--replay-path R]] [--no-shrink]`: runs that many
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
  const result = await runPass(options, stats);
  console.log(summary(result, options));
  console.log(`took ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(result.details.failed ? 1 : 0);
}

void main();
