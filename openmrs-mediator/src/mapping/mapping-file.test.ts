import { join } from 'node:path';
import { loadMapping, MappingError } from '@cht-openmrs/common';

describe('the shipped mapping file', () => {
  it('is valid and maps both forms of cht-config', () => {
    const mapping = loadMapping(join(__dirname, '..', '..', 'mapping.json'));
    expect(Object.keys(mapping.chtToOpenmrs.forms).sort()).toEqual(['height_weight', 'referral']);
    expect(mapping.openmrsToCht.visits.length).toBeGreaterThan(0);
  });

  it('names the file when it is not JSON', () => {
    expect(() => loadMapping(__filename)).toThrow(MappingError);
    expect(() => loadMapping(__filename)).toThrow(/mapping-file\.test\.ts:\n {2}- cannot read it as JSON/);
  });
});
