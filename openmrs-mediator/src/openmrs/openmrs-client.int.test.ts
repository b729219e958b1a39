// The OpenMRS client's change query against the OpenMRS stand-in over HTTP: pages read several at once,
// each after the first starting with the last row of the page before (sync/change-scan.ts checks that
// shared row to see rows that moved between two reads).
import type { Bundle } from 'fhir/r4';
import { openmrsFactories, openmrsId, startOpenmrsSandbox, type OpenmrsSandbox } from '@cht-openmrs/sandbox';
import { OpenmrsClient, overlapsPrevious } from './openmrs-client';

const ADMIN = { username: 'admin', password: 'Admin123' };

describe('OpenMRS change query', () => {
  let sandbox: OpenmrsSandbox;
  let client: OpenmrsClient;
  const made: string[] = [];

  beforeAll(async () => {
    sandbox = await startOpenmrsSandbox();
    client = new OpenmrsClient({ baseURL: sandbox.fhirUrl, ...ADMIN, maxInFlight: 32 });
    for (let i = 0; i < 47; i++)
      made.push(
        (
          await client.createPatient(
            openmrsFactories.patientWith({ type: 'OpenMRS ID', value: openmrsId(i + 1) }),
          )
        ).id as string,
      );
  });
  afterAll(() => sandbox.close());

  const ids = (page: Bundle) => (page.entry ?? []).map((e) => e.resource?.id as string);

  it('reads every changed row in order, each page after the first starting with the last row of the one before', async () => {
    const pages: Bundle[] = [];
    for await (const page of client.changePages('Patient', {
      _lastUpdated: 'ge2000-01-01T00:00:00Z',
      _sort: '_lastUpdated',
      _count: 10,
    }))
      pages.push(page);
    // 47 rows, 10 a page, overlapping by one: 10, then 9 new rows a page.
    expect(pages.map((p) => ids(p).length)).toEqual([10, 10, 10, 10, 10, 2]);
    expect(pages.map(overlapsPrevious)).toEqual([false, true, true, true, true, true]);
    pages.slice(1).forEach((page, i) => expect(ids(page)[0]).toBe(ids(pages[i] as Bundle).at(-1)));
    expect([...new Set(pages.flatMap(ids))]).toEqual(made);
  });

  it('reads a query of one page as one page', async () => {
    const pages: Bundle[] = [];
    for await (const page of client.changePages('Patient', {
      _lastUpdated: 'ge2000-01-01T00:00:00Z',
      _count: 100,
    }))
      pages.push(page);
    expect(pages.map((p) => ids(p).length)).toEqual([47]);
  });
});
