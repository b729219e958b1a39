// The printed summary of a pass: histories, operations, faults injected, violations (each with its
// shrunk history and the command that replays it).
import type { Stats } from '../commands/real';
import type { PassOptions, PassResult } from './property';

/** What the issue asks a long run to have: histories of at least this many operations. */
const LONG_HISTORY = 30;

/** Operations that ran per history: least, median, most, and how many histories ran LONG_HISTORY or more. */
function perHistory(stats: Stats): string {
  const sorted = [...stats.perHistory].sort((a, b) => a - b);
  if (sorted.length === 0) return '';
  const median = sorted[Math.floor(sorted.length / 2)];
  const long = sorted.filter((n) => n >= LONG_HISTORY).length;
  return ` (ran per history: least ${sorted[0]}, median ${median}, most ${sorted.at(-1)}; ${long} histories ran ${LONG_HISTORY} or more)`;
}

/** fast-check writes which operations of a shrunk history ran into its text: needed to replay it. */
function replayPathOf(commands: unknown): string {
  const path = /replayPath="([^"]*)"/.exec(String(commands))?.[1];
  return path ? ` --replay-path '${path}'` : '';
}

/**
 * One summary for the passes of a run (one per worker, each with its own seed; they share `stats`):
 * histories, operations, faults, and each violation with the command that replays it.
 */
export function summary(results: PassResult[], options: PassOptions): string {
  const { stats } = results[0] as PassResult;
  const faults = Object.entries(stats.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const failed = results.filter(({ details }) => details.failed);
  const seeds = results.map(({ details }) => details.seed).join(', ');
  const lines = [
    `histories: ${results.reduce((n, { details }) => n + details.numRuns, 0)} generated, each of ${options.minCommands}..${options.maxCommands} operations (${stats.histories} run in all, shrinking included; seed ${seeds})`,
    `operations: ${stats.operations}${perHistory(stats)}`,
    `faults injected: ${Object.values(stats.faults).reduce((a, b) => a + b, 0)} (${faults || 'none'})`,
    `violations: ${failed.length}`,
  ];
  for (const { details } of failed) {
    const [commands] = details.counterexample ?? [];
    lines.push(
      `  seed ${details.seed}, path ${details.counterexamplePath}, shrunk ${details.numShrinks} times`,
      `  shrunk history: ${String(commands)}`,
      `  what failed:\n    ${String(
        details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance,
      )
        .split('\n')
        .join('\n    ')}`,
      `  replay: npm run verify -- --runs 1 --seed ${details.seed} --path ${details.counterexamplePath}${replayPathOf(commands)} --max-ops ${options.maxCommands}`,
    );
  }
  return lines.join('\n');
}

/** What ran before a pass was stopped: no violation had been found by then. */
export function partialSummary(stats: Stats, options: PassOptions): string {
  const faults = Object.values(stats.faults).reduce((a, b) => a + b, 0);
  return [
    `histories: ${stats.histories} run, each of ${options.minCommands}..${options.maxCommands} operations (seed ${options.seed})`,
    `operations: ${stats.operations}${perHistory(stats)}`,
    `faults injected: ${faults} (${JSON.stringify(stats.faults)})`,
    `violations: ${stats.failed === 0 ? 'none so far' : `${stats.failed} failing histories (shrinking included)`}`,
  ].join('\n');
}
