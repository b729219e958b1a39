import { createLogger } from '@cht-openmrs/common';
import type { SyncReport } from './run-sync';
import { SyncScheduler } from './sync-runner';

const report = (overrides: Partial<SyncReport> = {}): SyncReport => ({
  outcome: 'ran',
  startedAt: new Date().toISOString(),
  durationMs: 1,
  streams: {},
  unplaced: 0,
  complete: true,
  ...overrides,
});
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SyncScheduler', () => {
  const logger = createLogger('test', 'silent');
  const options = { gatherMs: 10, retryMs: 20, maxRetries: 2 };

  /** A run that lasts `ms` and answers `answer()`; counts the runs started. */
  function runs(ms: number, answer: () => SyncReport = () => report()) {
    const started: number[] = [];
    const start = async () => {
      started.push(Date.now());
      await settle(ms);
      return answer();
    };
    return { started, start };
  }

  it('starts a run shortly after a signal, gathering a burst into one', async () => {
    const { started, start } = runs(5);
    const runner = new SyncScheduler(start, options, logger);
    for (let i = 0; i < 10; i++) runner.signal();
    await settle(60);
    expect(started).toHaveLength(1);
  });

  it('turns any number of signals during a run into one follow-up run', async () => {
    const { started, start } = runs(50);
    const runner = new SyncScheduler(start, options, logger);
    const first = runner.runNow();
    for (let i = 0; i < 10; i++) runner.signal();
    await first;
    await settle(100);
    expect(started).toHaveLength(2);
  });

  it('goes on at once after a run that ran out of time, until one completes', async () => {
    let n = 0;
    const { started, start } = runs(5, () => report({ complete: ++n >= 3 }));
    const runner = new SyncScheduler(start, options, logger);
    await runner.runNow();
    await settle(80);
    expect(started).toHaveLength(3);
  });

  it('does not go on after a run a peer stopped (the next poll does), and retries a refused signalled run a few times', async () => {
    const down = runs(5, () => report({ complete: false, streams: { s: { interrupted: true } as never } }));
    await new SyncScheduler(down.start, options, logger).runNow();
    await settle(50);
    expect(down.started).toHaveLength(1);

    const refused = runs(5, () => report({ outcome: 'skipped' }));
    new SyncScheduler(refused.start, options, logger).signal();
    await settle(150);
    expect(refused.started).toHaveLength(1 + options.maxRetries);
  });
});
