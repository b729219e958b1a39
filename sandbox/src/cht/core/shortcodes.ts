// Shortcodes for patient_id / place_id (reference cht.md §3.1, cht-core transitions/lib/ids.js):
// N-1 random digits plus a mod-11 check digit; N starts at 5 and grows when 200 candidates are taken.

export const MIN_LENGTH = 5;
export const MAX_LENGTH = 13;
export const CANDIDATES_PER_LENGTH = 200;

export function addCheckDigit(digits: string): string {
  const weightStart = digits.length + 1;
  const total = [...digits].reduce((sum, digit, index) => sum + Number(digit) * (weightStart - index), 0);
  const check = total % 11;
  return `${digits}${check === 10 ? 0 : check}`;
}

export function randomShortcode(length: number, random: () => number = Math.random): string {
  let digits = '';
  for (let i = 0; i < length - 1; i++) digits += String(Math.floor(random() * 10));
  return addCheckDigit(digits);
}

/**
 * A free shortcode. `taken` answers whether any doc already carries it as place_id, patient_id or
 * case_id; `length` is the current length (doc `shortcode-id-length` in CHT).
 */
export async function generateShortcode(
  taken: (code: string) => Promise<boolean>,
  length: number,
  random?: () => number,
): Promise<{ code: string; length: number }> {
  for (let size = length; size <= MAX_LENGTH; size++) {
    for (let i = 0; i < CANDIDATES_PER_LENGTH; i++) {
      const code = randomShortcode(size, random);
      if (!(await taken(code))) return { code, length: size };
    }
  }
  throw new Error('No free shortcode left');
}
