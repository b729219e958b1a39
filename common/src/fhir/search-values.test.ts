import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  searchAlternatives,
  searchValue,
  splitTokenValue,
  tokenValue,
  unescapeSearchValue,
} from './search-values';

describe('FHIR search values', () => {
  const hostile = ['a,b', 'a|b', 'a$b', 'a\\b', 'a\\,b', '\\', ',', 'x%2Cy', 'ü 名前'];

  it('escapes every separator, so a value is one alternative that reads back as itself', () => {
    expect(searchValue('a,b|c$d\\e')).toBe('a\\,b\\|c\\$d\\\\e');
    for (const value of hostile) {
      expect(searchAlternatives(searchValue(value))).toHaveLength(1);
      expect(unescapeSearchValue(searchValue(value))).toBe(value);
    }
  });

  it('builds and splits tokens at the one unescaped bar', () => {
    for (const system of ['https://x.org/id', 'CHT Document ID', 's|y'])
      for (const code of hostile) expect(splitTokenValue(tokenValue(system, code))).toEqual([system, code]);
    expect(splitTokenValue('code-only')).toEqual([undefined, 'code-only']);
    expect(searchAlternatives('a,b\\,c')).toEqual(['a', 'b\\,c']);
  });

  it('is the only way production code builds token searches (no `identifier: `…${value}`` by hand)', () => {
    const root = join(__dirname, '..', '..', '..');
    const sources = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return name === 'test-support' ? [] : sources(path);
        return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
      });
    const handBuilt = ['common', 'cht-mediator', 'openmrs-mediator', 'configurator']
      .flatMap((pkg) => sources(join(root, pkg, 'src')))
      .filter((file) =>
        /\b(identifier|_tag|code|ifNoneExist)\s*:\s*`[^`]*\$\{/.test(readFileSync(file, 'utf8')),
      );
    expect(handBuilt).toEqual([]);
  });
});
