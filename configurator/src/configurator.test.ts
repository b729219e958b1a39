import { loadSettings, parseMapping } from '@cht-openmrs/common';
import { clientPasswordHash, desiredChannels, desiredClient } from './openhim/desired';
import { checkMapping } from './openmrs/mapping-check';
import type { RestObject } from './openmrs/openmrs-rest';
import { formatReport, problemsOf } from './report';
import { settingsShape } from './settings';

const base = {
  OPENHIM_API_URL: 'http://127.0.0.1:8080',
  OPENHIM_CLIENT_PASSWORD: 'client-password',
  CHT_MEDIATOR_USERNAME: 'cht',
  CHT_MEDIATOR_PASSWORD: 'cht-password',
  OPENMRS_MEDIATOR_USERNAME: 'sync',
  OPENMRS_MEDIATOR_PASSWORD: 'sync-password',
  FHIR_URL: 'http://hapi-fhir:8080/fhir',
};

describe('desired OpenHIM configuration', () => {
  it('hashes client passwords as core checks them: sha512(password + salt)', () => {
    expect(clientPasswordHash('password', '1234567890')).toMatch(/^28dce350/);
    const client = desiredClient(loadSettings(settingsShape, base), 'salt');
    expect(client).toMatchObject({
      clientID: 'interop-client',
      roles: ['interop'],
      passwordAlgorithm: 'sha512',
      passwordSalt: 'salt',
    });
    expect(client.passwordHash).toBe(clientPasswordHash('client-password', 'salt'));
  });

  it('makes the CHT mediator, FHIR and polling channels, with methods and route credentials', () => {
    const channels = desiredChannels(loadSettings(settingsShape, base));
    expect(channels.map((c) => c.name)).toEqual(['CHT mediator', 'FHIR server', 'OpenMRS sync']);
    const [cht, fhir, polling] = channels;
    expect(cht).toMatchObject({ urlPattern: '^/mediator/.*$', methods: ['GET', 'POST'], allow: ['interop'] });
    expect(cht?.routes[0]).toMatchObject({
      host: 'cht-mediator',
      port: 6000,
      pathTransform: 's/\\/mediator/',
      username: 'cht',
      password: 'cht-password',
    });
    expect(fhir?.routes[0]).toMatchObject({ host: 'hapi-fhir', port: 8080, secured: false });
    expect(fhir?.routes[0]?.pathTransform).toBeUndefined();
    expect(fhir?.methods).toContain('PUT');
    expect(polling).toMatchObject({ type: 'polling', pollingSchedule: '1 minute', urlPattern: '^/trigger$' });
    expect(polling?.routes[0]).toMatchObject({
      host: 'openmrs-mediator',
      port: 6001,
      path: '/sync',
      username: 'sync',
    });
    expect(polling?.methods).toBeUndefined();
  });

  it('adds the OpenMRS channel only when OpenMRS is configured, rewriting to its FHIR API', () => {
    const withOpenmrs = loadSettings(settingsShape, {
      ...base,
      OPENMRS_HOST: 'openmrs',
      OPENMRS_USERNAME: 'admin',
      OPENMRS_PASSWORD: 'Admin123',
    });
    const openmrs = desiredChannels(withOpenmrs).find((c) => c.name === 'OpenMRS');
    expect(openmrs?.routes[0]).toMatchObject({
      host: 'openmrs',
      port: 8080,
      pathTransform: 's/^\\/openmrs/\\/openmrs\\/ws\\/fhir2\\/R4/',
      username: 'admin',
      password: 'Admin123',
    });
    expect(openmrs?.routes[0]?.pathTransform?.startsWith('s/')).toBe(true);
  });

  it('maps /fhir to another base path of the FHIR server', () => {
    const [, fhir] = desiredChannels(
      loadSettings(settingsShape, { ...base, FHIR_URL: 'https://fhir.example.org/hapi/fhir' }),
    );
    expect(fhir?.routes[0]).toMatchObject({
      host: 'fhir.example.org',
      port: 443,
      secured: true,
      pathTransform: 's/^\\/fhir/\\/hapi\\/fhir/',
    });
  });
});

describe('mapping check', () => {
  const WEIGHT = '5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const NAME = '1000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const mapping = parseMapping({
    openmrs: { locationUuid: '44c3efb0-2583-4c80-a79e-1f756a03c0a1' },
    chtToOpenmrs: {
      forms: {
        vitals: {
          visitType: 'd66e9fe0-7d51-4801-a550-5d462ad1c944',
          encounterType: 'd7151f82-c1f3-4152-a605-2f9ea7414a79',
          observations: {
            weight: { concept: WEIGHT, valueType: 'text' },
            missing: { concept: 'DEADBEEFAAAAAAAAAAAAAAAAAAAAAAAAAAAA', valueType: 'numeric' },
          },
        },
      },
    },
    openmrsToCht: {
      visits: [{ visitType: '7b0f5697-27e3-40c4-8bae-f4049abfb4ed', form: 'X', fields: { [NAME]: 'name' } }],
    },
  });
  const openmrs: Record<string, RestObject> = {
    '44c3efb0-2583-4c80-a79e-1f756a03c0a1': { uuid: 'l', display: 'Outpatient Clinic' },
    'd66e9fe0-7d51-4801-a550-5d462ad1c944': { uuid: 'v', display: 'Home Visit' },
    'd7151f82-c1f3-4152-a605-2f9ea7414a79': { uuid: 'e', display: 'Visit Note' },
    '7b0f5697-27e3-40c4-8bae-f4049abfb4ed': { uuid: 'f', display: 'Facility Visit', retired: true },
    [WEIGHT]: { uuid: WEIGHT, display: 'Weight (kg)', datatype: { display: 'Numeric' } },
    [NAME]: { uuid: NAME, display: 'Name', datatype: { display: 'Text' } },
  };

  it('names the entry of every missing, retired or mistyped piece of metadata', async () => {
    const lines = await checkMapping(mapping, async (_kind, uuid) => openmrs[uuid]);
    const report = { sections: [], checks: { title: 'Mapping', lines } };
    expect(problemsOf(report, false)).toEqual([
      'chtToOpenmrs.forms.vitals.observations.weight.valueType: concept 5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA (Weight (kg)) is Numeric, the mapping says text',
      'chtToOpenmrs.forms.vitals.observations.missing.concept: no concept DEADBEEFAAAAAAAAAAAAAAAAAAAAAAAAAAAA in OpenMRS',
      'openmrsToCht.visits.0.visitType: visittype 7b0f5697-27e3-40c4-8bae-f4049abfb4ed is retired',
    ]);
    expect(formatReport(report, false)).toContain('✓ openmrs.locationUuid (location): Outpatient Clinic');
    expect(formatReport(report, false)).toMatch(/3 problem\(s\) to fix:/);
  });
});
