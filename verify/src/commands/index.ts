// Every operation a history is made of, as fast-check model-based commands.
import fc from 'fast-check';
import type { Model } from '../model/model';
import { chtCommands } from './cht-commands';
import { faultCommands } from './fault-commands';
import { openmrsCommands } from './openmrs-commands';
import type { Real } from './real';
import { syncCommands } from './sync-commands';

export type Command = fc.AsyncCommand<Model, Real>;

/** Counts the operations a history really ran (those whose precondition held). */
class Counted implements Command {
  constructor(readonly inner: Command) {}
  check = (model: Readonly<Model>) => this.inner.check(model);
  async run(model: Model, real: Real) {
    real.stats.operations += 1;
    real.operations += 1;
    await this.inner.run(model, real);
  }
  toString = () => this.inner.toString();
}

/**
 * Histories of up to `maxCommands` operations. `replayPath` (printed with a shrunk history) tells
 * fast-check which of a shrunk history's operations ran, so that `--path` can replay it.
 */
export function history(maxCommands: number, replayPath?: string) {
  const all = [...chtCommands, ...openmrsCommands, ...syncCommands, ...faultCommands];
  return fc.commands(
    all.map((arb) => arb.map((command) => new Counted(command))),
    { maxCommands, size: 'max', ...(replayPath !== undefined ? { replayPath } : {}) },
  );
}
