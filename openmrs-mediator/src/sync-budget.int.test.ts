// The request budget of the sync (issue #20), counted at the HTTP level: a back-fill makes the writes
// OpenMRS needs and almost nothing else, at most 6 FHIR requests a patient; a run with nothing to do
// costs at most 6 requests to each side, whatever the data size.
import { chtArea, chtPerson, chtReport, type ChtArea } from './test-support/sync-fixtures';
import { startSyncStack, type SyncStack } from './test-support/sync-harness';

const PATIENTS = 6;

describe('the sync request budget', () => {
  let stack: SyncStack;
  let area: ChtArea;

  beforeAll(async () => {
    stack = await startSyncStack();
    area = await chtArea(stack);
    for (let i = 0; i < PATIENTS; i++) {
      const person = await chtPerson(stack, area, { name: `Person ${i}` });
      for (const [n, at] of ['2024-06-01T08:00:00Z', '2024-06-01T14:00:00Z'].entries())
        await chtReport(stack, `hw-${i}-${n}`, person, 'height_weight', at, {
          weight: '61.5',
          height: '158',
        });
    }
  });
  afterAll(() => stack.close());

  it('back-fills with the writes OpenMRS needs, a few searches a page, and at most 6 FHIR requests a patient', async () => {
    stack.openmrsSandbox.controls.resetCounters();
    stack.fhirRequests.reset();
    const report = await stack.sync();
    expect(report.streams['encounters-to-openmrs']).toMatchObject({ created: 2 * PATIENTS, failed: 0 });
    const { total, byRoute } = stack.openmrsSandbox.controls.counts();
    const writes = Object.entries(byRoute)
      .filter(([route]) => route.startsWith('POST'))
      .reduce((sum, [, n]) => sum + n, 0);
    // A patient, then per report a visit, an encounter and its two observations.
    expect(writes).toBe(PATIENTS * (1 + 2 * (1 + 1 + 2)));
    // One search for the page's patients by CHT Document ID, one for their visits, and two queries per
    // stream from OpenMRS (our own writes seen coming back; then nothing new): none per patient or report.
    expect(total - writes).toBeLessThanOrEqual(8);
    // Per patient: its OpenMRS uuid recorded; per report: its visit, then the rest of its links. Per run:
    // the lease, the queue, a page or two per stream, the cursors, the release. How many pages are read
    // again and cursors saved depends on how many second boundaries the run crosses (25 to 26 on HAPI).
    expect(stack.fhirRequests.count()).toBeLessThanOrEqual(5 * PATIENTS + 30);
  });

  it('costs at most 6 OpenMRS and 6 FHIR requests when nothing changed', async () => {
    await stack.sync();
    stack.openmrsSandbox.controls.resetCounters();
    stack.fhirRequests.reset();
    const report = await stack.sync();
    expect(Object.values(report.streams).every((c) => c.created + c.updated + c.failed === 0)).toBe(true);
    expect(stack.openmrsSandbox.controls.counts().total).toBeLessThanOrEqual(6);
    expect(stack.fhirRequests.count()).toBeLessThanOrEqual(6);
  });
});
