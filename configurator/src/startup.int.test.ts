// The configurator's start-up against the stand-ins: a wrong password or an unknown host stops it at
// once with one line naming the setting; OpenHIM's root password is set from OPENHIM_PASSWORD; CHT gets
// the openhim1 credential, and its missing or different outbound entries are reported by key, or
// installed with --install-cht-outbound while every other setting is kept.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axios from 'axios';
import { createLogger, loadSettings } from '@cht-openmrs/common';
import { startLoopbackPeer, type LoopbackPeer } from '../../common/src/test-support/loopback-server';
import { useOfflineResolver } from '../../common/src/test-support/offline-resolver';
import {
  startChtSandbox,
  startOpenhimSandbox,
  startOpenmrsSandbox,
  type ChtSandbox,
  type OpenhimSandbox,
  type OpenmrsSandbox,
} from '@cht-openmrs/sandbox';
import { configure, type ConfigureOptions } from './configure';
import { problemsOf, type Report } from './report';
import { settingsShape } from './settings';

const ROOT = join(__dirname, '..', '..');
const APP_SETTINGS = join(ROOT, 'cht-config', 'app_settings.json');
const chtConfigOutbound = (
  JSON.parse(readFileSync(APP_SETTINGS, 'utf8')) as { outbound: Record<string, unknown> }
).outbound;
const logger = createLogger('test', 'silent');

let openhim: OpenhimSandbox;
let openmrs: OpenmrsSandbox;
let cht: ChtSandbox;
let mediator: LoopbackPeer;

const theirs = {
  relevant_to: 'true',
  destination: { base_url: 'http://elsewhere', path: '/x' },
  mapping: { id: 'doc._id' },
};

beforeEach(async () => {
  openhim = await startOpenhimSandbox({ polling: false });
  openmrs = await startOpenmrsSandbox();
  cht = await startChtSandbox({ appSettingsPath: APP_SETTINGS });
  cht.core.updateSettings({ outbound: { theirs } }, 'replace');
  mediator = await startLoopbackPeer();
});
afterEach(async () => {
  await Promise.all([openhim.close(), openmrs.close(), cht.close(), mediator.close()]);
});

function environment(): Record<string, string> {
  const openmrsUrl = new URL(openmrs.url);
  return {
    OPENHIM_API_URL: openhim.apiUrl,
    OPENHIM_CLIENT_PASSWORD: 'client-password',
    CHT_MEDIATOR_HOST: '127.0.0.1',
    CHT_MEDIATOR_USERNAME: 'cht-mediator',
    CHT_MEDIATOR_PASSWORD: 'cht-mediator-password',
    OPENMRS_MEDIATOR_HOST: '127.0.0.1',
    OPENMRS_MEDIATOR_PORT: new URL(mediator.url).port,
    OPENMRS_MEDIATOR_USERNAME: 'openmrs-mediator',
    OPENMRS_MEDIATOR_PASSWORD: 'openmrs-mediator-password',
    FHIR_URL: 'http://127.0.0.1:8081/fhir',
    OPENMRS_HOST: openmrsUrl.hostname,
    OPENMRS_PORT: openmrsUrl.port,
    OPENMRS_USERNAME: 'admin',
    OPENMRS_PASSWORD: 'Admin123',
    CHT_URL: cht.url,
    CHT_USERNAME: 'medic',
    CHT_PASSWORD: 'password',
    CONFIGURATOR_WAIT_SECONDS: '60',
    LOG_LEVEL: 'silent',
  };
}

const run = (overrides: Record<string, string> = {}, options: ConfigureOptions = { check: false }) =>
  configure(loadSettings(settingsShape, { ...environment(), ...overrides }), options, logger);

async function failure(overrides: Record<string, string>): Promise<{ message: string; ms: number }> {
  const started = Date.now();
  const error = await run(overrides).then(
    () => new Error('configure succeeded'),
    (e: unknown) => e as Error,
  );
  return { message: error.message, ms: Date.now() - started };
}

const linesOf = (report: Report, title: string) =>
  Object.fromEntries(
    (report.sections.find((s) => s.title.startsWith(title))?.steps ?? []).map((l) => [
      l.step,
      `${l.outcome}: ${l.detail}`,
    ]),
  );
const chtOutbound = () => (cht.core.settings() as { outbound: Record<string, unknown> }).outbound;

describe('start-up errors name the setting, at once', () => {
  it('a wrong OPENMRS_PASSWORD', async () => {
    const { message, ms } = await failure({ OPENMRS_PASSWORD: 'wrong' });
    expect(message).toBe(
      `OPENMRS_PASSWORD: OpenMRS at ${openmrs.url.replace(/\/$/, '')} answered 401 for user admin`,
    );
    expect(ms).toBeLessThan(5000);
  });

  it('an OPENMRS_HOST that does not resolve, without waiting CONFIGURATOR_WAIT_SECONDS', async () => {
    const restore = useOfflineResolver();
    try {
      const port = new URL(openmrs.url).port;
      const { message, ms } = await failure({ OPENMRS_HOST: 'openmrs.invalid' });
      expect(message).toBe(
        `OPENMRS_HOST: openmrs.invalid does not resolve, so OpenMRS at http://openmrs.invalid:${port}/openmrs cannot be reached`,
      );
      expect(ms).toBeLessThan(5000);
    } finally {
      restore();
    }
  });

  it('a wrong CHT_PASSWORD, and a wrong OPENHIM_PASSWORD once root has its own', async () => {
    expect((await failure({ CHT_PASSWORD: 'wrong' })).message).toBe(
      `CHT_PASSWORD: CHT at ${cht.url} answered 401 for user medic`,
    );
    await run({ OPENHIM_PASSWORD: 'root-password-1' });
    expect((await failure({ OPENHIM_PASSWORD: 'root-password-2' })).message).toBe(
      `OPENHIM_PASSWORD: OpenHIM at ${openhim.apiUrl} answered 401 for user root@openhim.org`,
    );
  });

  it('as a process: exits 2 with only that line on stderr', async () => {
    const failed = await promisify(execFile)(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(__dirname, 'main.ts')],
      {
        cwd: join(ROOT, 'configurator'),
        env: { ...process.env, ...environment(), OPENMRS_PASSWORD: 'wrong' },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr.trim()).toBe(
      `OPENMRS_PASSWORD: OpenMRS at ${openmrs.url.replace(/\/$/, '')} answered 401 for user admin`,
    );
  });

  it('an OpenMRS that is not up yet is waited for, then named with the wait', async () => {
    const port = new URL(openmrs.url).port;
    await openmrs.close();
    const { message } = await failure({ CONFIGURATOR_WAIT_SECONDS: '1' });
    expect(message).toBe(
      `OPENMRS_HOST/OPENMRS_PORT: nothing answers at http://127.0.0.1:${port}/openmrs (connection refused); is OpenMRS up? (waited 1 s: CONFIGURATOR_WAIT_SECONDS)`,
    );
    openmrs = await startOpenmrsSandbox();
  });
});

describe("OpenHIM's root password", () => {
  it('is set from OPENHIM_PASSWORD while it is still core’s default; then only the new one works', async () => {
    const report = await run({ OPENHIM_PASSWORD: 'a-strong-root-password' });
    expect(linesOf(report, 'OpenHIM')['user "root@openhim.org" password']).toBe(
      "updated: changed from OpenHIM's default to OPENHIM_PASSWORD",
    );
    const status = (password: string) =>
      axios
        .get(`${openhim.apiUrl}/channels`, {
          auth: { username: 'root@openhim.org', password },
          validateStatus: () => true,
        })
        .then((r) => r.status);
    expect(await status('a-strong-root-password')).toBe(200);
    expect(await status('openhim-password')).toBe(401);
    const again = await run({ OPENHIM_PASSWORD: 'a-strong-root-password' });
    expect(linesOf(again, 'OpenHIM')['user "root@openhim.org" password']).toBeUndefined();
  });
});

describe('CHT set-up', () => {
  it('stores the openhim1 credential and reports each missing outbound entry by key, changing no setting', async () => {
    const before = JSON.stringify(cht.core.settings());
    const report = await run();
    const lines = linesOf(report, 'CHT');
    expect(lines['credential "openhim1"']).toBe('updated: stored as OPENHIM_CLIENT_PASSWORD (on every run)');
    expect(await cht.core.credentials.get('openhim1')).toBe('client-password');
    for (const key of Object.keys(chtConfigOutbound))
      expect(lines[`outbound "${key}"`]).toBe(
        "problem: not in CHT's app settings; run the configurator with --install-cht-outbound to put them in",
      );
    expect(problemsOf(report, false)).toHaveLength(Object.keys(chtConfigOutbound).length);
    expect(JSON.stringify(cht.core.settings())).toBe(before);
  });

  it('with --install-cht-outbound puts them in, keeping the other entries and settings; then all is well', async () => {
    const contactTypes = (cht.core.settings() as { contact_types: unknown }).contact_types;
    const report = await run({}, { check: false, installChtOutbound: true });
    for (const key of Object.keys(chtConfigOutbound))
      expect(linesOf(report, 'CHT')[`outbound "${key}"`]).toBe('created: installed from cht-config');
    expect(chtOutbound()).toEqual({ theirs, ...chtConfigOutbound });
    expect((cht.core.settings() as { contact_types: unknown }).contact_types).toEqual(contactTypes);
    expect(problemsOf(await run({}, { check: true }), true)).toEqual([]);
  });

  it('names CHT_USERNAME when that user may log in but is not a CHT admin', async () => {
    await cht.close();
    cht = await startChtSandbox({
      appSettingsPath: APP_SETTINGS,
      users: [{ name: 'officer', password: 'officer-password', roles: ['program_officer'] }],
    });
    const { message } = await failure({
      CHT_URL: cht.url,
      CHT_USERNAME: 'officer',
      CHT_PASSWORD: 'officer-password',
    });
    expect(message).toBe(
      `CHT_USERNAME: CHT at ${cht.url} answered 403 to PUT /api/v1/credentials/openhim1 (Insufficient permissions): user officer must be a CHT (CouchDB) admin`,
    );
  });

  it('names where an entry differs, and replaces only that entry when installing', async () => {
    await run({}, { check: false, installChtOutbound: true });
    const [key, entry] = Object.entries(chtConfigOutbound)[0] as [string, { destination: object }];
    cht.core.updateSettings(
      {
        outbound: {
          ...chtOutbound(),
          [key]: { ...entry, destination: { ...entry.destination, base_url: 'http://old' } },
        },
      },
      'replace',
    );
    const check = await run({}, { check: true });
    expect(problemsOf(check, true)).toEqual([
      `outbound "${key}": differs from cht-config at destination.base_url`,
    ]);
    const installed = await run({}, { check: false, installChtOutbound: true });
    expect(linesOf(installed, 'CHT')[`outbound "${key}"`]).toBe(
      "updated: replaced by cht-config's (it differs from cht-config at destination.base_url)",
    );
    expect(chtOutbound()).toEqual({ theirs, ...chtConfigOutbound });
  });
});
