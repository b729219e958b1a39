// `npm start` keeps the local stack's own addresses and stand-in credentials whatever .env holds for
// docker compose (`cp .env.example .env`, then new passwords, as the README says), and says what .env lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { localEnvironment } from '../../../scripts/local-environment';

const root = join(__dirname, '..', '..', '..');
const example = parse(readFileSync(join(root, '.env.example')));
const composeDotenv = {
  ...example,
  OPENHIM_PASSWORD: 'a-production-root-password',
  OPENMRS_PASSWORD: 'a-production-openmrs-password',
  CHT_PASSWORD: 'a-production-cht-password',
};

describe('npm start with a .env written for docker compose', () => {
  const { env, overridden } = localEnvironment(example, composeDotenv, {});

  it('uses the local stand-ins and their credentials, not the compose hosts or blank URLs', () => {
    expect(env).toMatchObject({
      FHIR_URL: 'http://127.0.0.1:8081/fhir',
      OPENHIM_API_URL: 'http://127.0.0.1:8080',
      OPENHIM_PASSWORD: 'openhim-password',
      OPENMRS_HOST: '127.0.0.1',
      OPENMRS_PORT: '8090',
      OPENMRS_PASSWORD: 'Admin123',
      CHT_URL: 'http://127.0.0.1:5988',
      CHT_PASSWORD: 'password',
      CHT_MEDIATOR_HOST: '127.0.0.1',
      OPENMRS_MEDIATOR_HOST: '127.0.0.1',
      SYNC_SIGNAL_URL: 'http://127.0.0.1:6001/sync/signal',
      CHT_SANDBOX_OUTBOUND_BASE_URL: 'http://127.0.0.1:5001',
    });
  });

  it('says what it overrode, without printing a password', () => {
    expect(overridden).toContain('OPENMRS_HOST=openmrs from .env; the local stack uses 127.0.0.1');
    expect(overridden).toContain(
      'CHT_URL=http://cht-api:5988 from .env; the local stack uses http://127.0.0.1:5988',
    );
    expect(overridden).toContain(
      "OPENMRS_PASSWORD from .env is not the local stand-in's; the local stack uses the stand-in's",
    );
    expect(overridden.join('\n')).not.toContain('a-production');
  });

  it('lets a variable set in the environment win, and follows the stand-ins’ own settings from .env', () => {
    const { env: explicit, overridden: none } = localEnvironment(
      example,
      { ...composeDotenv, OPENMRS_SANDBOX_PORT: '9090' },
      { OPENMRS_HOST: 'openmrs.example.org', CHT_URL: 'https://cht.example.org' },
    );
    expect(explicit.OPENMRS_HOST).toBe('openmrs.example.org');
    expect(explicit.CHT_URL).toBe('https://cht.example.org');
    expect(explicit.OPENMRS_PORT).toBe('9090');
    expect(none.some((line) => line.startsWith('OPENMRS_HOST') || line.startsWith('CHT_URL='))).toBe(false);
  });
});
