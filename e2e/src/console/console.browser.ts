// The operator console in a real browser (headless Chromium through playwright-core) against the whole
// system on loopback (e2e/src/flow/stack.ts: CHT → OpenHIM → CHT mediator → FHIR store ↔ OpenMRS
// mediator ↔ OpenMRS, set up by the configurator). Each scenario is what an operator does; the
// screenshots in docs/screenshots/ are made here, so the README's pictures stay current.
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MAPPING_FILE, startStack, type Stack } from '../flow/stack';

const ROOT = join(__dirname, '..', '..', '..');
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const TEMPERATURE = '5088AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HOSTILE = '<script>window.hacked=1</script><img src=x onerror="window.hacked=2"> Eve';
const JSON_BODY = { headers: { 'Content-Type': 'application/json' } };

/** The mapping as an operator would have it, with the referral's temperature typed `temperatureType`. */
function writeMapping(file: string, temperatureType: string): void {
  const mapping = JSON.parse(readFileSync(MAPPING_FILE, 'utf8'));
  mapping.chtToOpenmrs.forms.referral.observations[TEMPERATURE].valueType = temperatureType;
  writeFileSync(file, JSON.stringify(mapping, null, 2));
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
}

describe('operator console in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let mappingFile: string;
  let amina: string;
  let eve: string;
  let console_: string;

  beforeAll(async () => {
    mappingFile = join(mkdtempSync(join(tmpdir(), 'console-browser-')), 'mapping.json');
    writeMapping(mappingFile, 'coded'); // a mapping mistake: temperature is numeric in OpenMRS
    stack = await startStack({ mappingFile });
    console_ = stack.openmrsMediator.url;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    const context = await browser.newContext({
      httpCredentials: {
        username: stack.openmrsMediator.username,
        password: stack.openmrsMediator.password,
      },
      viewport: { width: 1366, height: 860 },
    });
    page = await context.newPage();

    // The demo: a CHW area, two patients, a height/weight report and a referral.
    const place = async (body: Record<string, unknown>) =>
      (await stack.chtApi.post('/api/v1/places', body, JSON_BODY)).data.id as string;
    const district = await place({ name: 'Kisumu District', type: 'district_hospital' });
    const centre = await place({ name: 'Nyalenda Health Centre', type: 'health_center', parent: district });
    const area = await place({ name: 'CHW area Nyalenda A', type: 'clinic', parent: centre });
    await stack.cht.sentinelPass();
    const person = async (name: string) =>
      (
        await stack.chtApi.post(
          '/api/v1/people',
          { name, type: 'person', role: 'patient', sex: 'female', date_of_birth: '1994-05-06', place: area },
          JSON_BODY,
        )
      ).data.id as string;
    amina = await person('Amina Wanjiru');
    eve = await person(HOSTILE);
    await stack.cht.sentinelPass();
    const report = async (id: string, form: string, fields: Record<string, string>) =>
      stack.chtApi.put(
        `/medic/${id}`,
        {
          _id: id,
          type: 'data_record',
          form,
          content_type: 'xml',
          reported_date: Date.parse('2024-06-01T10:00:00Z'),
          fields: { patient_uuid: amina, ...fields },
        },
        JSON_BODY,
      );
    await report('hw-amina-1', 'height_weight', { weight: '61', height: '165' });
    await report('referral-amina-1', 'referral', { temperature: '38.5' });
    await stack.cht.sentinelPass();
    await stack.poll(); // OpenHIM's polling channel runs the sync
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the peers and the last run with its counts per stream', async () => {
    await page.goto(`${console_}/console`);
    await expect(page.title()).resolves.toContain('Overview');
    const peers = page.getByRole('table', { name: 'Peers' });
    await expect(peers.getByText('reachable, login accepted').count()).resolves.toBe(4);
    const lastRun = page.locator('#runs tbody tr').first();
    const text = await lastRun.innerText();
    expect(text).toContain('2 created'); // two patients to OpenMRS
    expect(text).toContain('1 failed'); // the referral
    expect(text).toMatch(/[0-9a-f]{24}/); // the OpenHIM transaction that ran it
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });

    // the run's OpenHIM transaction leads to what that run did
    await lastRun.getByRole('link').click();
    await page.waitForURL(/\/console\/lineage\?id=[0-9a-f]{24}/);
    await expect(page.locator('#run').innerText()).resolves.toContain('patients-to-openmrs: 2 created');
  });

  it('finds the failed referral by the patient name, replays it once the mapping is fixed, and it arrives', async () => {
    await page.goto(`${console_}/console/failures`);
    await page.getByLabel('Find by name, id, form or error').fill('amina');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=amina/);
    const row = page.locator('#failures tbody tr').filter({ hasText: 'Amina Wanjiru' });
    await expect(row.count()).resolves.toBe(1);
    const text = await row.innerText();
    expect(text).toContain('referral');
    expect(text).toContain(`concept ${TEMPERATURE} is coded, got 38.5`);
    expect(text).toContain('correct that entry of the mapping file');
    expect(text).toContain(amina);
    await page.screenshot({ path: join(SCREENSHOTS, 'failure.png'), fullPage: true });

    writeMapping(mappingFile, 'numeric'); // the operator corrects the mapping file
    await row.getByRole('button', { name: 'Replay Amina Wanjiru' }).focus(); // by keyboard
    await page.keyboard.press('Enter');
    await page.waitForURL(/notice=/);
    const notice = await page.locator('#notice').innerText();
    expect(notice).toContain('Replayed 1 item');
    expect(notice).toContain('1 created'); // the referral's visit in OpenMRS
    expect(notice).toContain('(through OpenHIM)'); // the run is a transaction in OpenHIM's log
    await expect(page.locator('#count').innerText()).resolves.toContain('0 of 0 open items');

    const [patient] = await stack.openmrsFhir.searchAll('Patient', {
      identifier: `CHT Document ID|${amina}`,
    });
    const observations = await stack.openmrsFhir.searchAll('Observation', {
      patient: patient?.id as string,
      code: TEMPERATURE,
    });
    expect(observations.map((o) => o.valueQuantity?.value)).toEqual([38.5]);
  });

  it('traces the CHT report by its document id to its OpenMRS observations, with the OpenHIM push', async () => {
    await page.goto(`${console_}/console/lineage`);
    await page.getByLabel(/Any id/).fill('hw-amina-1');
    await page.getByRole('button', { name: 'Trace' }).click();
    await page.waitForURL(/id=hw-amina-1/);
    const path = page.locator('ol.path').first();
    const text = await path.innerText();
    expect(text).toContain('CHT report (height_weight) hw-amina-1');
    const push = (await stack.transactions()).find((t) => t.properties?.chtDocument === 'hw-amina-1');
    expect(push?.request.path).toBe('/mediator/cht/encounter');
    expect(text).toContain(`${String(push?._id)} (Successful`);
    expect(text).toMatch(/OpenHIM: [0-9a-f]{24} \(Completed with error\(s\)/); // the sync run that sent it
    await expect(
      path.locator('li[data-system="OpenMRS"]').filter({ hasText: 'OpenMRS observation' }).count(),
    ).resolves.toBe(2);
    expect(text).toContain('5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA = 61');
    expect(text).toContain('in OpenMRS');
    await page.screenshot({ path: join(SCREENSHOTS, 'lineage.png'), fullPage: true });

    // The push's OpenHIM transaction id leads to the same record.
    await page.getByLabel(/Any id/).fill(String(push?._id));
    await page.getByRole('button', { name: 'Trace' }).click();
    await page.waitForURL(new RegExp(`id=${String(push?._id)}`));
    await expect(page.locator('ol.path').first().innerText()).resolves.toContain('hw-amina-1');
  });

  it('names every control of every page for assistive technology', async () => {
    // an input needs a <label for>, a wrapping label or aria-label; a button or link needs its text or aria-label
    const unnamed = `[...document.querySelectorAll('input:not([type=hidden]), button, a, select, textarea')]
      .filter((el) => !(el.getAttribute('aria-label') || el.textContent.trim() || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest('label')))
      .map((el) => el.outerHTML)`;
    for (const path of ['/console', '/console/failures', '/console/lineage?id=hw-amina-1']) {
      await page.goto(`${console_}${path}`);
      await expect(page.evaluate(unnamed)).resolves.toEqual([]);
      await expect(page.locator('input:visible, button, a').count()).resolves.toBeGreaterThan(3);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    }
  });

  it('shows a script injected through a patient name as text', async () => {
    await page.goto(`${console_}/console/lineage?id=${encodeURIComponent(eve)}`);
    await expect(page.getByRole('heading', { level: 2 }).first().innerText()).resolves.toContain(HOSTILE);
    await expect(page.evaluate(() => (globalThis as { hacked?: number }).hacked)).resolves.toBeUndefined();
    await expect(page.locator('main script, main img').count()).resolves.toBe(0);
  });
});
