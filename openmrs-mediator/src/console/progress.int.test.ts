// A back-fill caught half-way (OpenMRS holds the last patient's create): the console shows the run, its
// stream, what is done, what remains and an estimated end; once it ends, that no sync is running.
import { chtArea, chtPerson } from '../test-support/sync-fixtures';
import { startHoldingProxy, type HoldingProxy } from '../test-support/holding-proxy';
import { startSyncStack, type SyncStack } from '../test-support/sync-harness';

describe('console progress of a running back-fill', () => {
  let proxy: HoldingProxy;
  let stack: SyncStack;

  beforeEach(async () => {
    proxy = await startHoldingProxy();
    stack = await startSyncStack({
      OPENMRS_HOST: '127.0.0.1',
      OPENMRS_PORT: String(proxy.port),
      SYNC_CONCURRENCY: '1',
    });
    proxy.target = stack.openmrsUrl;
  });
  afterEach(async () => {
    await proxy.close();
    await stack.close();
  });

  it('shows done, remaining and the estimated end while the run goes, and nothing once it ended', async () => {
    const area = await chtArea(stack);
    for (const name of ['Ann One', 'Ben Two', 'Cat Three', 'Dan Four', 'Eve Five'])
      await chtPerson(stack, area, { name });
    // Four patients are worked on at once (one OpenMRS request in flight): the fifth create is asked for
    // only once one of the first four is done, so at that moment 1 to 4 are done and the fifth remains.
    const fifth = proxy.holdNth(/^POST \/openmrs\/ws\/fhir2\/R4\/Patient$/, 5);
    const run = stack.sync();
    await fifth;

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

    proxy.release();
    const report = await run;
    expect(report.streams['patients-to-openmrs']?.created).toBe(5);
    const after = (await stack.mediator.get<string>('/console')).data.replace(/\s+/g, ' ');
    expect(after).toContain('No sync is running now.');
    expect(after).toContain('5 created');
  });
});
