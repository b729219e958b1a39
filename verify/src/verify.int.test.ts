// The short seeded pass of `npm test`: a few generated histories with faults, the whole system run and
// checked against the model (docs/ARCHITECTURE.md, "Invariants"). Longer passes: `npm run verify`.
import { runPass, type PassOptions } from './run/property';
import { summary } from './run/summary';

const SHORT: PassOptions = { runs: 3, seed: 17, maxCommands: 14, minCommands: 6 };

describe('the sync, over generated histories with faults', () => {
  it(`keeps its invariants (seed ${SHORT.seed}, ${SHORT.runs} histories)`, async () => {
    const result = await runPass(SHORT);
    if (result.details.failed) throw new Error(summary([result], SHORT));
    expect(result.stats.histories).toBe(SHORT.runs);
  }, 110_000);
});
