// A CHT report reaches OpenMRS within moments of CHT's push, without waiting for the polling channel:
// the CHT mediator signals the OpenMRS mediator, which runs the sync (issue #20). Pushes during a run
// make one follow-up run; nothing is sent twice.
import {
  chtArea,
  chtPerson,
  chtReport,
  encountersOf,
  openmrsPatientOf,
  visitsOf,
} from './test-support/sync-fixtures';
import { startSyncStack, type SyncStack } from './test-support/sync-harness';

async function eventually<T>(check: () => Promise<T | undefined>, withinMs = 10_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the signalled sync', () => {
  let stack: SyncStack;
  beforeEach(async () => {
    stack = await startSyncStack({}, { signal: true });
  });
  afterEach(async () => {
    // a signalled run may still be going: let it end before the servers close
    await eventually(async () => ((await stack.sync()).outcome === 'ran' ? true : undefined));
    await stack.close();
  });

  it('brings CHT pushes to OpenMRS without a poll, each once, however many come during a run', async () => {
    const area = await chtArea(stack);
    const people: string[] = [];
    for (let i = 0; i < 4; i++) {
      const person = await chtPerson(stack, area, { name: `Person ${i}` });
      await chtReport(stack, `hw-${i}`, person, 'height_weight', '2024-06-01T08:00:00Z', {
        weight: '61.5',
        height: '158',
      });
      people.push(person);
    }
    for (const person of people) {
      const patient = await eventually(() => openmrsPatientOf(stack, person));
      await eventually(async () =>
        (await encountersOf(stack, patient.id as string)).length > 0 ? true : undefined,
      );
      expect(await visitsOf(stack, patient.id as string)).toHaveLength(1);
      expect(await encountersOf(stack, patient.id as string)).toHaveLength(1);
    }
    const after = await stack.sync();
    expect(
      Object.values(after.streams).every((c) => c.created + c.updated + c.failed + c.waiting === 0),
    ).toBe(true);
  });
});
