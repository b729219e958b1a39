// A back-fill caught half-way (OpenMRS holds the last patient's create): the console shows the run, its
// stream, what is done, what remains and an estimated end; once it ends, that no sync is running.
import { startHeldBackfill, type HeldBackfill } from '../test-support/held-backfill';

describe('console progress of a running back-fill', () => {
  let held: HeldBackfill;
  afterEach(() => held.close());

  it('shows done, remaining and the estimated end while the run goes, and nothing once it ended', async () => {
    held = await startHeldBackfill();
    const { stack } = held;
    const during = (await stack.mediator.get<string>('/console')).data.replace(/\s+/g, ' ');
    expect(during).toContain('Sync running');
    expect(during).toContain('<code>patients-to-openmrs</code>');
    // What remains also counts the link writes already made.
    const [, done, remaining] =
      /(\d+) done, (\d+) remaining, [\d.]+ per second, estimated end \d{4}-/.exec(during) ?? [];
    expect(Number(done)).toBeGreaterThan(0);
    expect(Number(done)).toBeLessThan(5);
    expect(Number(remaining)).toBeGreaterThan(0);
    expect(during).toContain('http-equiv="refresh"');

    const report = await held.release();
    expect(report.streams['patients-to-openmrs']?.created).toBe(5);
    const after = (await stack.mediator.get<string>('/console')).data.replace(/\s+/g, ' ');
    expect(after).toContain('No sync is running now.');
    expect(after).toContain('5 created');
  });
});
