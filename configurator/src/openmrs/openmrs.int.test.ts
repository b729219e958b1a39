// The configurator's OpenMRS steps against the running OpenMRS stand-in over REST v1: identifier types
// created once (and usable through FHIR without a location), and the mapping checked entry by entry.
import { join } from 'node:path';
import axios from 'axios';
import { loadMapping, type Mapping } from '@cht-openmrs/common';
import { startOpenmrsSandbox, type OpenmrsSandbox } from '@cht-openmrs/sandbox';
import { ensureIdentifierTypes } from './identifier-types';
import { checkMapping } from './mapping-check';
import { OpenmrsRest } from './openmrs-rest';

const MAPPING = join(__dirname, '..', '..', '..', 'openmrs-mediator', 'mapping.json');
const NAMES = ['CHT Document ID', 'CHT Patient ID'];

let openmrs: OpenmrsSandbox;
let rest: OpenmrsRest;
beforeEach(async () => {
  openmrs = await startOpenmrsSandbox();
  rest = new OpenmrsRest(openmrs.restUrl, 'admin', 'Admin123');
});
afterEach(() => openmrs.close());

describe('identifier types', () => {
  it('creates the missing types once; a second run finds them unchanged', async () => {
    const first = await ensureIdentifierTypes(rest, NAMES, false);
    expect(first.map((line) => line.outcome)).toEqual(['created', 'created']);
    const second = await ensureIdentifierTypes(rest, NAMES, false);
    expect(second.map((line) => line.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(second[0]?.detail).toContain(first[0]?.detail);
  });

  it('in check mode reports them missing and creates nothing', async () => {
    const lines = await ensureIdentifierTypes(rest, NAMES, true);
    expect(lines.map((line) => line.outcome)).toEqual(['missing', 'missing']);
    expect(await rest.identifierTypes('CHT Document ID')).toEqual([]);
  });

  it('makes types OpenMRS accepts through FHIR without an identifier location, and keeps unique', async () => {
    await ensureIdentifierTypes(rest, NAMES, false);
    const fhir = axios.create({
      baseURL: openmrs.fhirUrl,
      auth: { username: 'admin', password: 'Admin123' },
      validateStatus: () => true,
    });
    const patient = {
      resourceType: 'Patient',
      identifier: [{ use: 'official', type: { text: 'CHT Document ID' }, value: 'doc-1' }],
      name: [{ given: ['Amina'] }],
      gender: 'female',
    };
    expect((await fhir.post('/Patient', patient)).status).toBe(201);
    const duplicate = await fhir.post('/Patient', patient);
    expect(duplicate.status).toBe(422);
    expect(duplicate.data.issue[0].diagnostics).toContain(
      'Identifier doc-1 already in use by another patient',
    );
  });
});

describe('mapping check', () => {
  it('finds every entry of the default mapping in the seeded O3 metadata', async () => {
    const lines = await checkMapping(loadMapping(MAPPING), (kind, uuid) => rest.get(kind, uuid));
    expect(lines.filter((line) => !line.ok)).toEqual([]);
    expect(lines.length).toBeGreaterThan(10);
  });

  it('names the entry, the concept and the datatype when the mapping does not fit OpenMRS', async () => {
    const mapping: Mapping = structuredClone(loadMapping(MAPPING));
    const form = mapping.chtToOpenmrs.forms.height_weight;
    if (!form) throw new Error('the default mapping has no height_weight form');
    const weight = form.observations['5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'];
    if (!weight) throw new Error('the default mapping has no weight observation');
    weight.valueType = 'coded';
    form.visitType = '00000000-0000-0000-0000-000000000000';
    const problems = (await checkMapping(mapping, (kind, uuid) => rest.get(kind, uuid))).filter(
      (line) => !line.ok,
    );
    expect(problems).toEqual([
      expect.objectContaining({
        entry: 'chtToOpenmrs.forms.height_weight.visitType',
        detail: 'no visittype 00000000-0000-0000-0000-000000000000 in OpenMRS',
      }),
      expect.objectContaining({
        entry: 'chtToOpenmrs.forms.height_weight.observations.5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.valueType',
        detail:
          'concept 5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA (Weight (kg)) is Numeric, the mapping says coded',
      }),
    ]);
  });
});
