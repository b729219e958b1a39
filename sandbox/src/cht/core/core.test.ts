// Pure CHT core pieces: shortcodes (§3.1), JSON record building (§2.1), phones, lineage minify.
import type { AppSettings } from '../config/app-settings';
import { minify } from './lineage';
import { normalisePhone } from './phone';
import { buildRecord } from './records';
import { addCheckDigit, generateShortcode, randomShortcode } from './shortcodes';

describe('shortcodes', () => {
  it('appends a mod-11 check digit (10 becomes 0)', () => {
    // 1*5 + 2*4 + 3*3 + 4*2 = 30, 30 % 11 = 8
    expect(addCheckDigit('1234')).toBe('12348');
    // 9*5 + 0 + 0 + 1*2 = 47 % 11 = 3
    expect(addCheckDigit('9001')).toBe('90013');
    // 0+0+0+5*2 = 10 → 0
    expect(addCheckDigit('0005')).toBe('00050');
    expect(randomShortcode(5)).toMatch(/^\d{5}$/);
  });

  it('grows the length when 200 candidates of the current length are all taken', async () => {
    const result = await generateShortcode(async (code) => code.length === 5, 5);
    expect(result.length).toBe(6);
    expect(result.code).toMatch(/^\d{6}$/);
  });
});

describe('buildRecord', () => {
  const settings: AppSettings = {
    forms: {
      F: {
        fields: { 'a.b': { type: 'string' }, n: { type: 'integer', required: true }, Up: { type: 'string' } },
      },
    },
  };

  it('nests dotted definition keys, lower-cases input keys and drops undeclared ones', () => {
    const doc = buildRecord({ _meta: { form: 'f' }, 'a.b': 'x', N: 2, Up: 'never', other: 1 }, settings, 5);
    expect(doc).toMatchObject({ form: 'F', fields: { a: { b: 'x' }, n: 2 }, reported_date: 5 });
    expect(doc.errors).toEqual([]);
  });

  it('throws public errors for missing _meta, missing form and unknown form', () => {
    expect(() => buildRecord({}, settings, 0)).toThrow(
      expect.objectContaining({ details: 'Missing _meta property.' }),
    );
    expect(() => buildRecord({ _meta: { from: '1' } }, settings, 0)).toThrow(
      expect.objectContaining({ details: 'Missing required field: form' }),
    );
    expect(() => buildRecord({ _meta: { form: 'g' } }, settings, 0)).toThrow(
      expect.objectContaining({ details: 'Form not found: G' }),
    );
  });
});

describe('phones and lineage', () => {
  it('normalises national and international numbers', () => {
    expect(normalisePhone('0712 345-678', 254)).toBe('+254712345678');
    expect(normalisePhone('+254712345678')).toBe('+254712345678');
    expect(normalisePhone('00254712345678')).toBe('+254712345678');
    expect(normalisePhone('abc', 254)).toBeUndefined();
    expect(normalisePhone('0712345678')).toBeUndefined();
  });

  it('minifies a hydrated chain to ids', () => {
    expect(minify({ _id: 'c', name: 'C', parent: { _id: 'h', name: 'H', parent: { _id: 'd' } } })).toEqual({
      _id: 'c',
      parent: { _id: 'h', parent: { _id: 'd' } },
    });
  });
});
