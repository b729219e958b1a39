// One history, end to end: a fresh world, the generated operations run against it and the model,
// faults off and the sync run until quiet, then every invariant checked. Throws with the violations.
import fc from 'fast-check';
import { history } from '../commands';
import { makePlaces, type Real, type Stats } from '../commands/real';
import { syncOnce } from '../commands/sync-commands';
import { exactlyOnce, fieldsAgree, liveness } from '../check/invariants';
import { observe } from '../check/observe';
import { settle } from '../check/settle';
import { emptyModel } from '../model/model';
import { startWorld, type World } from '../world/world';

export interface PassOptions {
  runs: number;
  seed?: number;
  path?: string;
  /** With `path`: which operations of the shrunk history ran (fast-check's replayPath). */
  replayPath?: string;
  maxCommands: number;
  /** Histories shorter than this are not run (until a failure: then shrinking may go below). */
  minCommands: number;
  /** Stop at the first failing history instead of shrinking it (e.g. for mutation checks). */
  noShrink?: boolean;
}

export function newStats(): Stats {
  return { histories: 0, operations: 0, perHistory: [], faults: {}, failed: 0 };
}

/** Requests OpenMRS answered during one sync run. */
async function requestsOfOneRun(world: World): Promise<number> {
  await world.openmrsControls.delete('/counters');
  await syncOnce(world.mediatorA);
  const { data } = await world.openmrsControls.get('/counters');
  return Object.values(data as Record<string, number>).reduce((a, b) => a + b, 0);
}

export async function checkHistory(
  commands: Iterable<fc.AsyncCommand<ReturnType<typeof emptyModel>, Real>>,
  stats: Stats,
) {
  const world = await startWorld();
  try {
    const places = await makePlaces(world);
    await syncOnce(world.mediatorA);
    const idleBefore = await requestsOfOneRun(world);
    const model = emptyModel();
    const real: Real = { world, places, stats, violations: [], operations: 0 };
    const number = (stats.histories += 1);
    await fc.asyncModelRun(() => ({ model, real }), commands);
    stats.perHistory.push(real.operations);
    const runs = await settle(model, real);
    const seen = await observe(real);
    const problems = [
      ...real.violations,
      ...(runs === undefined ? ['liveness: the sync never went quiet (25 runs)'] : []),
      ...exactlyOnce(model, seen),
      ...fieldsAgree(model, seen),
      ...liveness(model, seen),
    ];
    // Bounded work: an idle run costs what it cost on an empty system, plus one read per unplaced patient.
    const idleAfter = await requestsOfOneRun(world);
    if (idleAfter > idleBefore + seen.unplaced.length)
      problems.push(
        `bounded work: an idle run made ${idleAfter} OpenMRS requests, ${idleBefore} on an empty system (+${seen.unplaced.length} unplaced)`,
      );
    stats.progress?.(
      `history ${number}: ${real.operations} operations, ${problems.length} violations${problems.map((p) => `\n  ${p}`).join('')}`,
    );
    if (problems.length > 0) stats.failed += 1;
    if (problems.length > 0) throw new Error(problems.join('\n'));
  } finally {
    await world.close();
  }
}

export interface PassResult {
  stats: Stats;
  details: fc.RunDetails<[Iterable<fc.AsyncCommand<ReturnType<typeof emptyModel>, Real>>]>;
}

export async function runPass(options: PassOptions, stats = newStats()): Promise<PassResult> {
  let failed = false;
  const property = fc.asyncProperty(history(options.maxCommands, options.replayPath), async (commands) => {
    if (!failed && options.path === undefined) fc.pre([...commands].length >= options.minCommands);
    try {
      await checkHistory(commands, stats);
    } catch (error) {
      failed = true;
      throw error;
    }
  });
  const details = await fc.check(property, {
    numRuns: options.runs,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    maxSkipsPerRun: 1000,
    endOnFailure: options.noShrink ?? false,
  });
  return { stats, details };
}
