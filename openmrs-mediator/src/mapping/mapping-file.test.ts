import { join } from 'node:path';
import { loadMapping, MappingError } from '@cht-openmrs/common';

describe('the shipped mapping file', () => {
  it('is valid, maps both forms of cht-config, and sends any other form by concept code', () => {
    const mapping = loadMapping(join(__dirname, '..', '..', 'mapping.json'));
    expect(Object.keys(mapping.chtToOpenmrs.forms).sort()).toEqual(['*', 'height_weight', 'referral']);
    expect(mapping.chtToOpenmrs.forms['*']?.unlisted).toBe('by-code');
    expect(mapping.openmrsToCht.visits.length).toBeGreaterThan(0);
  });

  it('names the file when it is not JSON', () => {
    expect(() => loadMapping(__filename)).toThrow(MappingError);
    expect(() => loadMapping(__filename)).toThrow(/mapping-file\.test\.ts:\n {2}- cannot read it as JSON/);
  });
});
