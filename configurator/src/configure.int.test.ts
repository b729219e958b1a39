// The configurator against the OpenHIM and OpenMRS stand-ins: from empty, from fully configured and
// from half-configured; the polling channel firing on its schedule; --check; and the configurator as a
// process, exiting non-zero with the mapping entries to fix.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axios, { type AxiosInstance } from 'axios';
import { createLogger, loadSettings } from '@cht-openmrs/common';
import { startLoopbackPeer, type LoopbackPeer } from '../../common/src/test-support/loopback-server';
import {
  startOpenhimSandbox,
  startOpenmrsSandbox,
  type OpenhimSandbox,
  type OpenmrsSandbox,
} from '@cht-openmrs/sandbox';
import { configure } from './configure';
import { problemsOf, type Report } from './report';
import { settingsShape } from './settings';

const ROOT = join(__dirname, '..', '..');
const MAPPING = join(ROOT, 'openmrs-mediator', 'mapping.json');
const logger = createLogger('test', 'silent');

let openhim: OpenhimSandbox;
let openmrs: OpenmrsSandbox;
let mediator: LoopbackPeer;
let api: AxiosInstance;

function environment(): Record<string, string> {
  const openmrsUrl = new URL(openmrs.url);
  const mediatorUrl = new URL(mediator.url);
  return {
    OPENHIM_API_URL: openhim.apiUrl,
    OPENHIM_CLIENT_PASSWORD: 'client-password',
    CHT_MEDIATOR_HOST: '127.0.0.1',
    CHT_MEDIATOR_USERNAME: 'cht-mediator',
    CHT_MEDIATOR_PASSWORD: 'cht-mediator-password',
    OPENMRS_MEDIATOR_HOST: mediatorUrl.hostname,
    OPENMRS_MEDIATOR_PORT: mediatorUrl.port,
    OPENMRS_MEDIATOR_USERNAME: 'openmrs-mediator',
    OPENMRS_MEDIATOR_PASSWORD: 'openmrs-mediator-password',
    OPENMRS_MEDIATOR_MAPPING: MAPPING,
    FHIR_URL: 'http://127.0.0.1:8081/fhir',
    OPENMRS_HOST: openmrsUrl.hostname,
    OPENMRS_PORT: openmrsUrl.port,
    OPENMRS_USERNAME: 'admin',
    OPENMRS_PASSWORD: 'Admin123',
    CONFIGURATOR_WAIT_SECONDS: '5',
    LOG_LEVEL: 'silent',
  };
}

const run = (check = false, overrides: Record<string, string> = {}): Promise<Report> =>
  configure(loadSettings(settingsShape, { ...environment(), ...overrides }), { check }, logger);
const outcomes = (report: Report) =>
  Object.fromEntries(report.sections.flatMap((s) => s.steps).map((line) => [line.step, line.outcome]));

beforeEach(async () => {
  openhim = await startOpenhimSandbox({ polling: false });
  openmrs = await startOpenmrsSandbox();
  mediator = await startLoopbackPeer();
  mediator.answer((_req, res) => {
    res.json({ outcome: 'ran' });
  });
  api = axios.create({
    baseURL: openhim.apiUrl,
    auth: { username: openhim.root.email, password: openhim.root.password },
  });
});
afterEach(async () => {
  await openhim.close();
  await openmrs.close();
  await mediator.close();
});

describe('configurator against the OpenHIM and OpenMRS stand-ins', () => {
  it('from empty: creates the client, the four channels and the identifier types; no problems', async () => {
    const report = await run();
    expect(outcomes(report)).toEqual({
      'client "interop-client"': 'created',
      'channel "CHT mediator"': 'created',
      'channel "FHIR server"': 'created',
      'channel "OpenMRS sync"': 'created',
      'channel "OpenMRS"': 'created',
      'identifier type "CHT Document ID"': 'created',
      'identifier type "CHT Patient ID"': 'created',
    });
    expect(problemsOf(report, false)).toEqual([]);
    const channels = (await api.get<{ name: string }[]>('/channels')).data.map((c) => c.name).sort();
    expect(channels).toEqual(['CHT mediator', 'FHIR server', 'OpenMRS', 'OpenMRS sync']);
  });

  it('from fully configured: changes nothing but re-saving the polling channel; --check finds nothing', async () => {
    await run();
    const again = await run();
    expect(Object.values(outcomes(again)).every((o) => o === 'unchanged')).toBe(true);
    expect((await api.get('/channels')).data).toHaveLength(4);
    expect((await api.get('/clients')).data).toHaveLength(1);
    const check = await run(true);
    expect(problemsOf(check, true)).toEqual([]);
  });

  it('from half-configured: creates what is missing and corrects what differs', async () => {
    await run();
    const channels = (await api.get<{ _id: string; name: string }[]>('/channels')).data;
    const fhir = channels.find((c) => c.name === 'FHIR server');
    await api.delete(`/channels/${channels.find((c) => c.name === 'CHT mediator')?._id}`);
    await api.put(`/channels/${fhir?._id}`, { urlPattern: '^/other$' });
    const check = await run(true);
    expect(problemsOf(check, true)).toEqual([
      'channel "CHT mediator": would be created',
      'channel "FHIR server": differs from the settings; would be updated',
    ]);
    const report = await run();
    expect(outcomes(report)).toMatchObject({
      'channel "CHT mediator"': 'created',
      'channel "FHIR server"': 'updated',
    });
    expect(problemsOf(await run(true), true)).toEqual([]);
  });

  it('leaves a polling channel that fires on its schedule and calls the mediator’s /sync with its credentials', async () => {
    await openhim.close();
    openhim = await startOpenhimSandbox({ polling: true });
    await run();
    const deadline = Date.now() + 10_000;
    while (!mediator.received.some((r) => r.url === '/sync') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const call = mediator.received.find((r) => r.url === '/sync');
    expect(call?.method).toBe('GET');
    expect(call?.headers.authorization).toBe(
      `Basic ${Buffer.from('openmrs-mediator:openmrs-mediator-password').toString('base64')}`,
    );
    expect(openhim.pollingJob('OpenMRS sync')?.nextRunAt).toBeDefined();
  });

  it('as a process: exits 1 and names the mapping entries when a concept is missing or a text is mapped to a numeric concept', async () => {
    const mapping = JSON.parse(readFileSync(MAPPING, 'utf8'));
    const observations = mapping.chtToOpenmrs.forms.height_weight.observations;
    observations['5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'].valueType = 'text';
    observations.missing = { concept: '99999AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueType: 'numeric' };
    const file = join(mkdtempSync(join(tmpdir(), 'mapping-')), 'mapping.json');
    writeFileSync(file, JSON.stringify(mapping));
    const failure = await promisify(execFile)(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(__dirname, 'main.ts')],
      // as `npm start -w configurator` runs it: from its folder, whose tsconfig maps the workspace packages
      {
        cwd: join(ROOT, 'configurator'),
        env: { ...process.env, ...environment(), OPENMRS_MEDIATOR_MAPPING: file },
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stdout).toContain(
      'chtToOpenmrs.forms.height_weight.observations.5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.valueType: concept 5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA (Weight (kg)) is Numeric, the mapping says text',
    );
    expect(failure.stdout).toContain(
      'chtToOpenmrs.forms.height_weight.observations.missing.concept: no concept 99999AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in OpenMRS',
    );
  });

  it("checks every observation code cht-config's outbound push sends: a placeholder code is a problem naming its entry", async () => {
    const shipped = join(ROOT, 'cht-config', 'app_settings.json');
    await run();
    expect(problemsOf(await run(true, { CONFIGURATOR_CHT_APP_SETTINGS: shipped }), true)).toEqual([]);

    const settings = JSON.parse(readFileSync(shipped, 'utf8'));
    settings.outbound.cht_referral.mapping['observations.4.code'].expr = "'DANGER_SIGNS_CONCEPT'";
    settings.outbound.cht_referral.mapping['observations.5.code'].expr =
      "'9999AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'";
    const file = join(mkdtempSync(join(tmpdir(), 'cht-config-')), 'app_settings.json');
    writeFileSync(file, JSON.stringify(settings));
    expect(problemsOf(await run(true, { CONFIGURATOR_CHT_APP_SETTINGS: file }), true)).toEqual([
      'outbound.cht_referral.mapping.observations.4.code: code DANGER_SIGNS_CONCEPT cannot be placed (form referral does not list it, and it is not a concept uuid a "by-code" rule could send): add it to chtToOpenmrs.forms.referral.observations or send a concept uuid',
      'outbound.cht_referral.mapping.observations.5.code: no concept 9999AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA in OpenMRS',
    ]);
  });
});
