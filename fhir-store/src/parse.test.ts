// What HAPI 8's lenient JSON parser makes of a resource (the contract suite checks the same over HTTP, on
// HAPI too): lists, unknown and empty elements, primitives, and codes of required value sets.
import type { Patient, Resource } from 'fhir/r4';
import { FhirStoreError } from './errors';
import { parseResource } from './parse';
import { loadDefinitions } from './search-parameters';

beforeAll(() => loadDefinitions());

const parse = (json: Record<string, unknown>) => parseResource(json as unknown as Resource) as Patient;
const refusal = (json: Record<string, unknown>) => {
  try {
    parse(json);
  } catch (error) {
    if (error instanceof FhirStoreError) return `${error.status} ${error.message}`;
    throw error;
  }
  return 'accepted';
};

describe('parseResource', () => {
  it('makes a single value of a 0..* element a list, and keeps the first of a list in a 0..1 one', () => {
    expect(parse({ resourceType: 'Patient', name: { family: ['A', 'B'], given: 'C' } })).toEqual({
      resourceType: 'Patient',
      name: [{ family: 'A', given: ['C'] }],
    });
  });

  it('drops unknown and empty elements, at any depth, and keeps a primitive extension beside a known element', () => {
    expect(
      parse({
        resourceType: 'Patient',
        colour: 'blue',
        _colour: {},
        _gender: { extension: [{ url: 'urn:x', valueString: 'y' }] },
        identifier: [null, { value: '' }, { value: 'v', bogus: 1 }],
        contact: [{ name: {} }],
        telecom: [],
      }),
    ).toEqual({
      resourceType: 'Patient',
      _gender: { extension: [{ url: 'urn:x', valueString: 'y' }] },
      identifier: [{ value: 'v' }],
    });
  });

  it('reads choice elements by their type, and resources inside resources by their own type', () => {
    const bundle = parseResource({
      resourceType: 'Bundle',
      type: 'collection',
      entry: {
        resource: { resourceType: 'Observation', status: 'final', code: {}, valueString: 7, valueFoo: 1 },
      },
    } as unknown as Resource);
    expect(bundle).toEqual({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Observation', status: 'final', valueString: '7' } }],
    });
  });

  it('converts primitives HAPI converts and refuses those it refuses', () => {
    expect(parse({ resourceType: 'Patient', active: 'false', multipleBirthInteger: '3' })).toEqual({
      resourceType: 'Patient',
      active: false,
      multipleBirthInteger: 3,
    });
    expect(refusal({ resourceType: 'Patient', active: 'no' })).toMatch(
      /^400 HAPI-0450: .*HAPI-1821: \[element="active"\]/,
    );
    expect(refusal({ resourceType: 'Patient', birthDate: '2023-02-29' })).toMatch(
      /Invalid date\/time format/,
    );
    expect(refusal({ resourceType: 'Patient', birthDate: '2024-02-29' })).toBe('accepted');
    expect(refusal({ resourceType: 'Patient', deceasedDateTime: '2024-02-29T24:00:00Z' })).toMatch(
      /HAPI-1821/,
    );
    expect(refusal({ resourceType: 'Patient', deceasedDateTime: '2024-02-29T23:59:59.5+03:00' })).toBe(
      'accepted',
    );
  });

  it('refuses a code its required value set lacks, and an extension given as an object', () => {
    expect(refusal({ resourceType: 'Patient', gender: 'F' })).toMatch(
      /Unknown AdministrativeGender code 'F'/,
    );
    expect(refusal({ resourceType: 'Patient', gender: 'female' })).toBe('accepted');
    expect(refusal({ resourceType: 'Patient', extension: { url: 'urn:x' } })).toMatch(/HAPI-1841/);
  });
});
