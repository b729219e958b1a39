// §12.31–38 of openmrs-fhir2.md: search and paging, against the running stand-in.
import type { Bundle, BundleLink } from 'fhir/r4';
import {
  diagnostics,
  encounterBody,
  nextOpenmrsId,
  observationBody,
  startKit,
  visitBody,
  WEIGHT,
  type Kit,
} from './test-support/openmrs-test-kit';

let kit: Kit;
let now = Date.parse('2025-01-15T12:00:00.000Z');
beforeAll(async () => {
  kit = await startKit({ now: () => now, storedSearches: 100 });
});
afterAll(() => kit.close());

const link = (bundle: Bundle, relation: string): BundleLink | undefined =>
  bundle.link?.find((l) => l.relation === relation);
const follow = async (url: string) =>
  (await kit.fhir.get(url.slice(kit.sandbox.fhirUrl.length) || '/')).data as Bundle;

async function patientsNamed(family: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await kit.patient({ name: [{ given: [`P${i}`], family }] });
}

describe('search and paging', () => {
  it('§12.31 25 matches page as 10 + 10 + 5 with total 25, next at the server base, previous on pages 2 and 3', async () => {
    await patientsNamed('Paged', 25);
    const first = (await kit.fhir.get('/Patient', { params: { family: 'Paged' } })).data as Bundle;
    expect(first.total).toBe(25);
    expect(first.entry).toHaveLength(10);
    expect(first.entry?.[0]?.search).toBeUndefined();
    const next = link(first, 'next')?.url ?? '';
    expect(next).toMatch(
      new RegExp(
        `^${kit.sandbox.fhirUrl}\\?_getpages=[0-9a-f-]{36}&_getpagesoffset=10&_count=10&_bundletype=searchset$`,
      ),
    );
    expect(link(first, 'previous')).toBeUndefined();
    const second = await follow(next);
    expect(second.entry).toHaveLength(10);
    expect(second.id).toBe(first.id);
    expect(link(second, 'previous')).toBeDefined();
    const third = await follow(link(second, 'next')?.url ?? '');
    expect(third.entry).toHaveLength(5);
    expect(link(third, 'next')).toBeUndefined();
    expect(link(third, 'previous')).toBeDefined();
  });

  it('§7 each page is the search run again on live data: a row voided after page 1 moves page 2 up one place', async () => {
    await patientsNamed('Live', 25);
    const first = (await kit.fhir.get('/Patient', { params: { family: 'Live' } })).data as Bundle;
    const next = link(first, 'next')?.url ?? '';
    const secondBefore = await follow(next);
    const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource?.id);
    // Read again while nothing changed, the same page; after a row of page 1 is voided, every later
    // row is one place up: page 2 starts with what was its second row.
    expect(ids(await follow(next))).toEqual(ids(secondBefore));
    expect((await kit.fhir.delete(`/Patient/${first.entry?.[2]?.resource?.id}`)).status).toBe(200);
    const secondAfter = await follow(next);
    expect(ids(secondAfter)[0]).toBe(ids(secondBefore)[1]);
    expect(secondAfter.total).toBe(25); // the first page's total
  });

  it('§12.32 _count=500 gives 100 a page; _count=0 gives the total only', async () => {
    await patientsNamed('Many', 105);
    const capped = (await kit.fhir.get('/Patient', { params: { family: 'Many', _count: 500 } }))
      .data as Bundle;
    expect(capped.entry).toHaveLength(100);
    expect(link(capped, 'next')?.url).toContain('_count=100');
    const countOnly = (await kit.fhir.get('/Patient', { params: { family: 'Many', _count: 0 } }))
      .data as Bundle;
    expect(countOnly.total).toBe(105);
    expect(countOnly.entry).toBeUndefined();
  });

  it('§12.33 after 101 newer paged searches the first search’s next link is 410 HAPI-0417', async () => {
    await patientsNamed('Evicted', 3);
    const first = (await kit.fhir.get('/Patient', { params: { family: 'Evicted', _count: 1 } }))
      .data as Bundle;
    const next = link(first, 'next')?.url ?? '';
    expect((await kit.fhir.get(next.slice(kit.sandbox.fhirUrl.length))).status).toBe(200);
    for (let i = 0; i < 101; i++)
      await kit.fhir.get('/Patient', { params: { family: 'Evicted', _count: 1 } });
    const expired = await kit.fhir.get(next.slice(kit.sandbox.fhirUrl.length));
    expect(expired.status).toBe(410);
    const key = new URL(next).searchParams.get('_getpages');
    expect(diagnostics(expired.data)).toBe(
      `HAPI-0417: Search ID "${key}" does not exist and may have expired`,
    );
  });

  it('§12.34 _lastUpdated: gt includes T itself and T+0.5 s when T has milliseconds; lt includes T+1 s − ε', async () => {
    now = Date.parse('2025-02-01T10:00:00.000Z');
    const atT = await kit.patient({ name: [{ given: ['AtT'], family: 'Clock' }] });
    now = Date.parse('2025-02-01T10:00:00.900Z');
    const atHalf = await kit.patient({ name: [{ given: ['Half'], family: 'Clock' }] });
    now = Date.parse('2025-02-01T10:00:05.000Z');
    const later = await kit.patient({ name: [{ given: ['Later'], family: 'Clock' }] });
    const ids = async (params: Record<string, string>) =>
      (
        ((await kit.fhir.get('/Patient', { params: { family: 'Clock', ...params } })).data as Bundle).entry ??
        []
      ).map((e) => e.resource?.id);
    expect(await ids({ _lastUpdated: 'gt2025-02-01T10:00:00Z' })).toEqual([atT.id, atHalf.id, later.id]);
    expect(await ids({ _lastUpdated: 'gt2025-02-01T10:00:00.700Z' })).toEqual([atT.id, atHalf.id, later.id]);
    expect(await ids({ _lastUpdated: 'lt2025-02-01T10:00:00Z' })).toEqual([atT.id, atHalf.id]);
    expect(await ids({ _lastUpdated: 'gt2025-02-01T10:00:01Z' })).toEqual([later.id]);
  });

  it('§12.35 _revinclude and _include entries follow the matches with no search.mode; total counts matches only', async () => {
    now = Date.parse('2025-03-01T12:00:00Z');
    const patient = await kit.patient();
    const visit = await kit.create(
      visitBody(patient.id ?? '', '2025-03-01T08:00:00+00:00', '2025-03-01T09:00:00+00:00'),
    );
    const encounter = await kit.create(
      encounterBody(patient.id ?? '', '2025-03-01T08:30:00+00:00', visit.id),
    );
    const obs = await kit.create(
      observationBody(
        patient.id ?? '',
        WEIGHT,
        { valueQuantity: { value: 70 } },
        { encounter: { reference: `Encounter/${encounter.id}` } },
      ),
    );
    const bundle = (
      await kit.fhir.get('/Encounter', {
        params: {
          subject: patient.id,
          _tag: 'encounter',
          _revinclude: 'Observation:encounter',
          _include: 'Encounter:patient',
        },
      })
    ).data as Bundle;
    expect(bundle.total).toBe(1);
    expect(bundle.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`)).toEqual([
      `Encounter/${encounter.id}`,
      `Patient/${patient.id}`,
      `Observation/${obs.id}`,
    ]);
    expect(bundle.entry?.every((e) => e.search === undefined)).toBe(true);
  });

  it('§12.36 an unknown parameter is 400 HAPI-0303; _since is ignored; _include=Encounter:foo is 400', async () => {
    const foo = await kit.fhir.get('/Patient', { params: { foo: 'bar' } });
    expect(foo.status).toBe(400);
    expect(diagnostics(foo.data)).toBe(
      'HAPI-0303: Invalid request: The FHIR endpoint on this server does not know how to handle GET operation[Patient] with parameters [[foo]]',
    );
    expect((await kit.fhir.get('/Patient', { params: { _since: '2020-01-01' } })).status).toBe(200);
    const include = await kit.fhir.get('/Encounter', { params: { _include: 'Encounter:foo' } });
    expect(include.status).toBe(400);
    expect(diagnostics(include.data)).toMatch(
      /^Invalid _include parameter value: 'Encounter:foo'. Valid values are: \[/,
    );
  });

  it('§12.37 identifier=<value> and identifier=<type name>|<value> match; a URL system matches nothing', async () => {
    const value = nextOpenmrsId();
    const patient = await kit.patient({
      identifier: [{ use: 'official', type: { text: 'OpenMRS ID' }, value }],
    });
    const ids = async (identifier: string) =>
      (((await kit.fhir.get('/Patient', { params: { identifier } })).data as Bundle).entry ?? []).map(
        (e) => e.resource?.id,
      );
    expect(await ids(value)).toEqual([patient.id]);
    expect(await ids(`OpenMRS ID|${value}`)).toEqual([patient.id]);
    expect(await ids(`https://openmrs.org/identifier|${value}`)).toEqual([]);
  });

  it('§12.38 a voided resource is in no search, _include or _lastUpdated result', async () => {
    now = Date.parse('2025-04-01T12:00:00Z');
    const patient = await kit.patient({ name: [{ given: ['Void'], family: 'Voided' }] });
    const encounter = await kit.create(encounterBody(patient.id ?? '', '2025-04-01T08:30:00+00:00'));
    const obs = await kit.create(
      observationBody(
        patient.id ?? '',
        WEIGHT,
        { valueQuantity: { value: 70 } },
        { encounter: { reference: `Encounter/${encounter.id}` } },
      ),
    );
    await kit.fhir.delete(`/Observation/${obs.id}`);
    await kit.fhir.delete(`/Patient/${patient.id}`);
    const since = { _lastUpdated: 'ge2025-04-01T00:00:00Z' };
    const patients = (await kit.fhir.get('/Patient', { params: { family: 'Voided', ...since } }))
      .data as Bundle;
    expect(patients.total).toBe(0);
    const observations = (await kit.fhir.get('/Observation', { params: { patient: patient.id, ...since } }))
      .data as Bundle;
    expect(observations.total).toBe(0);
    const withIncludes = (
      await kit.fhir.get('/Encounter', {
        params: { subject: patient.id, _include: 'Encounter:patient', _revinclude: 'Observation:encounter' },
      })
    ).data as Bundle;
    expect(withIncludes.entry?.map((e) => e.resource?.resourceType)).toEqual(['Encounter']);
  });
});
