import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  flag,
  httpUrl,
  loadSettings,
  port,
  readDotenv,
  redactSettings,
  secret,
  SettingsError,
} from './settings';

const shape = {
  PORT: port(6000),
  FHIR_URL: httpUrl().default('http://127.0.0.1:8081/fhir'),
  OPENMRS_HOST: z.string(),
  OPENMRS_PASSWORD: secret(z.string()),
  OPENMRS_PORT: port(8080),
  TRUST: flag(false),
};

describe('settings', () => {
  it('applies defaults and converts types', () => {
    const settings = loadSettings(shape, { OPENMRS_HOST: 'openmrs', OPENMRS_PASSWORD: 'pw', TRUST: 'yes' });
    expect(settings).toEqual({
      PORT: 6000,
      FHIR_URL: 'http://127.0.0.1:8081/fhir',
      OPENMRS_HOST: 'openmrs',
      OPENMRS_PASSWORD: 'pw',
      OPENMRS_PORT: 8080,
      TRUST: true,
    });
  });

  it('lists every missing or invalid setting in one error, never echoing a secret', () => {
    let error: unknown;
    try {
      loadSettings(shape, { PORT: 'abc', FHIR_URL: 'ftp://x', OPENMRS_PASSWORD: '', OPENMRS_PORT: '70000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const message = (error as SettingsError).message;
    expect((error as SettingsError).problems).toHaveLength(5);
    expect(message).toMatch(/PORT: .*\(got "abc"\)/);
    expect(message).toMatch(/FHIR_URL: expected an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/x"\)/);
    expect(message).toContain('OPENMRS_HOST: required but not set');
    expect(message).toContain('OPENMRS_PASSWORD: required but not set');
    expect(message).toMatch(/OPENMRS_PORT: .*70000/);
  });

  it('does not show the value of an invalid secret', () => {
    const secretPort = { PIN: secret(z.coerce.number().int()) };
    expect(() => loadSettings(secretPort, { PIN: 'hunter2' })).toThrow(/PIN: /);
    expect(() => loadSettings(secretPort, { PIN: 'hunter2' })).not.toThrow(/hunter2/);
  });

  it('redacts secrets and credentials in URLs for printing', () => {
    const settings = loadSettings(shape, {
      OPENMRS_HOST: 'openmrs',
      OPENMRS_PASSWORD: 'pw',
      FHIR_URL: 'http://user:pass@hapi:8080/fhir',
    });
    const printed = JSON.stringify(redactSettings(shape, settings));
    expect(printed).not.toContain('pw"');
    expect(printed).not.toContain('pass');
    expect(printed).toContain('"OPENMRS_PASSWORD":"********"');
    expect(printed).toContain('http://********@hapi:8080/fhir');
  });

  it('reads .env from the folder or a parent, without changing process.env', () => {
    const root = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(root, '.env'), 'OPENMRS_HOST=from-dotenv\n# comment\nOPENMRS_PASSWORD=x\n');
    const child = join(root, 'child');
    mkdirSync(child);
    expect(readDotenv(child)).toEqual({ OPENMRS_HOST: 'from-dotenv', OPENMRS_PASSWORD: 'x' });
    expect(process.env.OPENMRS_HOST).toBeUndefined();
    const env = { ...readDotenv(child), OPENMRS_HOST: 'from-env' };
    expect(loadSettings(shape, env).OPENMRS_HOST).toBe('from-env');
  });
});
