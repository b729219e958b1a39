// Luhn mod-30, the check character of "OpenMRS ID" (openmrs-fhir2.md §4.2, idgen's LuhnModNIdentifierValidator).
export const LUHN_MOD30_ALPHABET = '0123456789ACDEFGHJKLMNPRTUVWXY';

export function luhnMod30CheckCharacter(body: string): string {
  const n = LUHN_MOD30_ALPHABET.length;
  let sum = 0;
  let factor = 2;
  for (let i = body.length - 1; i >= 0; i--) {
    const addend = factor * LUHN_MOD30_ALPHABET.indexOf(body[i] ?? '');
    sum += Math.floor(addend / n) + (addend % n);
    factor = factor === 2 ? 1 : 2;
  }
  return LUHN_MOD30_ALPHABET[(n - (sum % n)) % n] ?? '';
}

export type LuhnResult = 'valid' | 'invalid-check-digit' | 'invalid-characters';

export function checkLuhnMod30(identifier: string): LuhnResult {
  const value = identifier.trim().toUpperCase();
  if (value.length < 2 || [...value].some((c) => !LUHN_MOD30_ALPHABET.includes(c))) {
    return 'invalid-characters';
  }
  return luhnMod30CheckCharacter(value.slice(0, -1)) === value.slice(-1) ? 'valid' : 'invalid-check-digit';
}

/** A valid "OpenMRS ID" for a number, as the demo's idgen makes them (from base-30 "100000": 7 characters). */
export function openmrsId(sequence: number): string {
  const body = (30 ** 5 + sequence).toString(30);
  const mapped = [...body].map((c) => LUHN_MOD30_ALPHABET[parseInt(c, 30)] ?? '0').join('');
  return mapped + luhnMod30CheckCharacter(mapped);
}
