import { checkLuhnMod30, luhnMod30CheckCharacter, openmrsId } from './luhn';
import { matchesDate, parseDateParameter } from './time';

describe('Luhn mod-30', () => {
  it('accepts the ids it generates and rejects a changed check character', () => {
    for (let i = 1; i < 200; i++) {
      const id = openmrsId(i);
      expect(id).toHaveLength(7);
      expect(checkLuhnMod30(id)).toBe('valid');
      const wrong = id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
      expect(checkLuhnMod30(wrong)).toBe('invalid-check-digit');
    }
  });

  it('computes the check character of a real demo id (100008E)', () => {
    expect(luhnMod30CheckCharacter('100008')).toBe('E');
    expect(checkLuhnMod30('100008E')).toBe('valid');
  });

  it('upper-cases and trims before checking, and refuses letters outside the alphabet', () => {
    expect(checkLuhnMod30(` ${openmrsId(5).toLowerCase()} `)).toBe('valid');
    expect(checkLuhnMod30('10000B8')).toBe('invalid-characters');
  });
});

describe('date search semantics (§7)', () => {
  const at = (value: string) => Date.parse(value);
  it('treats gt as ge and lt as le, both inclusive, at second precision', () => {
    const gt = parseDateParameter('gt2024-01-01T10:00:00.750Z', 'UTC');
    expect(gt && matchesDate(gt, at('2024-01-01T10:00:00.000Z'))).toBe(true);
    const lt = parseDateParameter('lt2024-01-01T10:00:00Z', 'UTC');
    expect(lt && matchesDate(lt, at('2024-01-01T10:00:01.000Z'))).toBe(true);
    expect(lt && matchesDate(lt, at('2024-01-01T10:00:01.001Z'))).toBe(false);
  });

  it('reads a date-only value as midnight in the server time zone', () => {
    const eq = parseDateParameter('2024-01-01', 'Africa/Nairobi');
    expect(eq?.start).toBe(at('2023-12-31T21:00:00Z'));
    expect(eq?.end).toBe(at('2024-01-01T21:00:00Z'));
  });
});
