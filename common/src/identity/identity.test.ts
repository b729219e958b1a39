import type { Patient } from 'fhir/r4';
import {
  IDENTIFIER_SYSTEMS,
  identifierOf,
  identifierToken,
  makeIdentifier,
  originOf,
  originTagToken,
  withIdentifier,
  withOrigin,
} from './identity';

describe('identity', () => {
  const patient: Patient = Object.freeze({
    resourceType: 'Patient',
    identifier: [{ system: 'other', value: 'x' }],
  });

  it('makes identifiers with our system and the OpenMRS identifier type name', () => {
    expect(makeIdentifier('chtDocumentId', 'abc')).toEqual({
      system: IDENTIFIER_SYSTEMS.chtDocumentId,
      value: 'abc',
      type: { text: 'CHT Document ID' },
    });
    expect(makeIdentifier('chtPatientId', '12345').type?.text).toBe('CHT Patient ID');
  });

  it('sets an identifier without mutating and replaces one of the same system', () => {
    const once = withIdentifier(patient, 'openmrsUuid', 'u-1');
    const twice = withIdentifier(once, 'openmrsUuid', 'u-2');
    expect(patient.identifier).toHaveLength(1);
    expect(twice.identifier).toHaveLength(2);
    expect(identifierOf(twice, 'openmrsUuid')).toBe('u-2');
    expect(identifierOf(twice, 'other' as never)).toBeUndefined();
    expect(identifierOf(patient, 'chtDocumentId')).toBeUndefined();
  });

  it('reads identifiers that a lenient server gave as one object', () => {
    const single = {
      resourceType: 'Patient',
      identifier: makeIdentifier('chtDocumentId', 'd1'),
    } as unknown as Patient;
    expect(identifierOf(single, 'chtDocumentId')).toBe('d1');
    expect(withIdentifier(single, 'openmrsUuid', 'u').identifier).toHaveLength(2);
  });

  it('builds search tokens as system|value, escaping FHIR search syntax in the value', () => {
    expect(identifierToken('chtDocumentId', 'a,b|c$d\\e')).toBe(
      `${IDENTIFIER_SYSTEMS.chtDocumentId}|a\\,b\\|c\\$d\\\\e`,
    );
    expect(identifierToken('chtDocumentId', 'd1')).toBe(`${IDENTIFIER_SYSTEMS.chtDocumentId}|d1`);
    expect(originTagToken('cht')).toMatch(/\/tag\/origin\|cht$/);
  });

  it('tags origin in meta.tag, keeps other tags, and reads it back', () => {
    const tagged = withOrigin({ ...patient, meta: { tag: [{ system: 's', code: 'c' }] } }, 'cht');
    expect(originOf(tagged)).toBe('cht');
    expect(originOf(withOrigin(tagged, 'openmrs'))).toBe('openmrs');
    expect(withOrigin(tagged, 'openmrs').meta?.tag).toHaveLength(2);
    expect(originOf(patient)).toBeUndefined();
  });
});
