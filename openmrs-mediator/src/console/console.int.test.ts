// The operator console over real HTTP against the whole sync chain: a report refused by a wrong mapping
// is listed with its person and the fix, replayed once the mapping file is corrected, and traced.
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import axios from 'axios';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openmrsFactories } from '@cht-openmrs/sandbox';
import { chtArea, chtPerson, chtReport, openmrsPatientOf } from '../test-support/sync-fixtures';
import { startSyncStack, type SyncStack } from '../test-support/sync-harness';
import type { Lineage } from './lineage';

const MAPPING = join(__dirname, '..', '..', 'mapping.json');
const TEMPERATURE = '5088AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HOSTILE = '<script>window.hacked=1</script> Amina';

function writeMapping(file: string, temperatureType: string): void {
  const mapping = JSON.parse(readFileSync(MAPPING, 'utf8'));
  mapping.chtToOpenmrs.forms.referral.observations[TEMPERATURE].valueType = temperatureType;
  writeFileSync(file, JSON.stringify(mapping, null, 2));
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later); // a different modification time, however coarse the clock
}

describe('operator console', () => {
  let stack: SyncStack;
  let mappingFile: string;

  beforeEach(async () => {
    mappingFile = join(mkdtempSync(join(tmpdir(), 'console-mapping-')), 'mapping.json');
    writeMapping(mappingFile, 'coded'); // wrong: temperature is numeric
    stack = await startSyncStack({ OPENMRS_MEDIATOR_MAPPING: mappingFile });
  });
  afterEach(() => stack.close());

  it('lists a failed report by its person, replays it after the mapping is fixed, and traces it', async () => {
    const area = await chtArea(stack);
    const person = await chtPerson(stack, area, { name: HOSTILE });
    await chtReport(stack, 'referral-1', person, 'referral', '2024-06-01T10:00:00Z', { temperature: '38.5' });
    const first = await stack.sync();
    expect(first.streams['encounters-to-openmrs']?.failed).toBe(1);

    const overview = await stack.mediator.get<string>('/console');
    expect(overview.status).toBe(200);
    expect(overview.headers['content-type']).toMatch(/text\/html/);
    expect(overview.data).toContain('1 failed');
    expect(overview.data).toContain('<span id="parked">0</span>');

    const failures = await stack.mediator.get<string>('/console/failures', { params: { q: 'amina' } });
    expect(failures.data).toContain('&lt;script&gt;window.hacked=1&lt;/script&gt; Amina');
    expect(failures.data).not.toContain('<script>window.hacked');
    expect(failures.data).toContain(`concept ${TEMPERATURE} is coded, got 38.5`);
    expect(failures.data).toContain('referral-1');
    const taskId = /data-task="([^"]+)"/.exec(failures.data)?.[1] as string;

    const forged = await stack.mediator.post('/console/failures/replay', `ids=${taskId}`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' },
      maxRedirects: 0,
    });
    expect(forged.status).toBe(403);
    const crossSite = await stack.mediator.post('/console/failures/replay', `ids=${taskId}`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
      maxRedirects: 0,
    });
    expect(crossSite.status).toBe(403);

    writeMapping(mappingFile, 'numeric');
    const replay = await stack.mediator.post('/console/failures/replay', `ids=${taskId}`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      maxRedirects: 0,
    });
    expect(replay.status).toBe(303);
    expect(decodeURIComponent(String(replay.headers.location))).toContain('Replayed 1 item');
    const after = await stack.mediator.get<string>('/console/failures');
    expect(after.data).toContain('0 of 0 open items');

    const runNow = await stack.mediator.post('/console/sync', '', { maxRedirects: 0 });
    expect(runNow.status).toBe(303);
    const overviewNow = (await stack.mediator.get<string>('/console')).data;
    // the replay's run and this one, both asked for from the console
    expect(overviewNow.match(/class="muted">\s*console\s*</g)).toHaveLength(2);

    const patient = await openmrsPatientOf(stack, person);
    const lineage = (await stack.mediator.get<Lineage>('/lineage/referral-1')).data;
    const report = lineage.records.find((r) => r.kind === 'report');
    expect(report?.steps[0]).toMatchObject({ system: 'CHT', id: 'referral-1' });
    const observations = report?.steps.filter((s) => s.what === 'OpenMRS observation') ?? [];
    expect(observations).toHaveLength(1);
    expect(observations[0]).toMatchObject({ status: 'in OpenMRS' });
    expect(observations[0]?.detail).toContain(`${TEMPERATURE} = 38.5`);
    expect(report?.related[0]?.id).toBeDefined();

    const byUuid = (await stack.mediator.get<Lineage>(`/lineage/${patient.id as string}`)).data;
    expect(byUuid.records.find((r) => r.kind === 'patient')?.steps.map((s) => s.system)).toEqual([
      'CHT',
      'FHIR server',
      'OpenMRS',
    ]);
    const byName = (await stack.mediator.get<Lineage>('/lineage/Amina')).data;
    expect(byName.byName).toBe(true);
    expect(byName.records.map((r) => r.title)).toEqual([`Patient ${HOSTILE}`]);
    expect(byName.records[0]?.related.map((r) => r.id)).toEqual(['cht-referral-1']);

    const page = await stack.mediator.get<string>('/console/lineage', { params: { id: 'referral-1' } });
    expect(page.data).toContain('OpenMRS observation');
    expect(page.data).not.toContain('<script>window.hacked');
  });

  it('replays every item failing the same way at once, and lists unplaced patients with the address tried', async () => {
    const area = await chtArea(stack);
    const person = await chtPerson(stack, area, { name: 'Zawadi Otieno' });
    await chtReport(stack, 'referral-a', person, 'referral', '2024-06-01T10:00:00Z', { temperature: '38.5' });
    await chtReport(stack, 'referral-b', person, 'referral', '2024-06-03T10:00:00Z', { temperature: '39' });
    const { addressWith, patientWith } = openmrsFactories;
    await stack.openmrs.create(
      patientWith(
        { type: 'ID Card', value: 'ID-UNPLACED-1' },
        {
          name: [{ given: ['Ali'], family: 'Hassan' }],
          gender: 'male',
          birthDate: '1980-01-01',
          address: [addressWith({ address5: 'CHW area Z' })],
        },
      ),
    );
    expect((await stack.sync()).streams['encounters-to-openmrs']?.failed).toBe(2);

    const page = (await stack.mediator.get<string>('/console/failures')).data.replace(/\s+/g, ' ');
    expect(page).toContain('Replay all 2 with this error');
    expect(page).toMatch(/Ali Hassan.*address5: CHW area Z.*CHW area Z/);
    const ids = [...page.matchAll(/data-task="([^"]+)"/g)].map((m) => m[1] as string);
    expect(ids).toHaveLength(2);

    writeMapping(mappingFile, 'numeric');
    const replay = await stack.mediator.post(
      '/console/failures/replay',
      ids.map((id) => `ids=${encodeURIComponent(id)}`).join('&'),
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, maxRedirects: 0 },
    );
    expect(decodeURIComponent(String(replay.headers.location))).toContain('Replayed 2 items');
    const after = (await stack.mediator.get<string>('/console/failures')).data;
    expect(after).toContain('0 of 0 open items');
  });

  it('names a CHT patient OpenMRS refused, with the step, the error and the fix', async () => {
    const area = await chtArea(stack);
    const person = await chtPerson(stack, area, { name: 'Baraka Mwangi' });
    const sandbox = stack.openmrsUrl.replace(/\/openmrs$/, '/__sandbox');
    await axios.put(`${sandbox}/fault`, { status: 422, count: 1, match: '^POST .+/Patient$' });
    expect((await stack.sync()).streams['patients-to-openmrs']?.failed).toBe(1);

    const page = (await stack.mediator.get<string>('/console/failures', { params: { q: 'baraka' } })).data;
    const text = page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Baraka Mwangi');
    expect(text).toContain(person);
    expect(text).toContain('CHT patient → OpenMRS patient');
    expect(text).toMatch(/422/);
    expect(text).toContain('OpenMRS refused the record');
  });
});
