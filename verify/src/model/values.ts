// Realistic values, as people type them and as CHT app forms save them (every answer a string, an
// unanswered one ''): unicode and long names, phones in several formats, birth dates, report times
// near midnight (in Nairobi and in UTC), ids with the characters FHIR searches must escape.
import fc from 'fast-check';

const GIVEN = [
  'Amina',
  'Zoë',
  'Ngũgĩ',
  'Wanjiru',
  "N'Dri",
  'Fatuma',
  'José',
  'Ахмед',
  '李',
  'Dúnlaith',
  'Achieng',
];
const FAMILY = [
  'Otieno',
  'Kamau-Wairimu',
  "O'Brien",
  'Ndlovu',
  'Nyambura',
  'Öztürk',
  'van der Berg',
  '王',
  'Mwangi',
];

export const given = fc.constantFrom(...GIVEN);
export const family = fc.constantFrom(...FAMILY);
/** A long family name (several parts, as some registrations carry). */
const longFamily = fc.array(family, { minLength: 3, maxLength: 5 }).map((parts) => parts.join(' '));

/** A CHT person's name as typed in the app: one string, at times with extra spaces. */
export const chtName = fc
  .tuple(
    given,
    fc.oneof({ weight: 4, arbitrary: family }, { weight: 1, arbitrary: longFamily }),
    fc.boolean(),
  )
  .map(([g, f, spaced]) => (spaced ? ` ${g}  ${f} ` : `${g} ${f}`));

export const openmrsName = fc.record({ given, family });

export const sex = fc.constantFrom('male', 'female');

export const birthDate = fc
  .record({
    year: fc.integer({ min: 1940, max: 2023 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);

/** Kenyan mobile numbers as people write them; '' for none. */
export const phone = fc
  .tuple(
    fc.integer({ min: 10_000_000, max: 99_999_999 }),
    fc.constantFrom('e164', 'national', 'spaced', 'dashed', 'none'),
  )
  .map(([n, style]) => {
    const digits = `7${n}`;
    if (style === 'none') return '';
    if (style === 'e164') return `+254${digits}`;
    if (style === 'national') return `0${digits}`;
    if (style === 'spaced') return `0${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
    return `+254-${digits.slice(0, 3)}-${digits.slice(3)}`;
  });

/** A report id as a client may choose it: a uuid-like one, or one with characters searches must escape. */
export const reportIdStyle = fc.constantFrom('plain', 'comma', 'pipe', 'dollar', 'backslash');
export function reportId(style: string, n: number): string {
  const tail = { plain: '-', comma: ',', pipe: '|', dollar: '$', backslash: '\\' }[style] ?? '-';
  return `report${tail}${n}`;
}

/** Report times: a day in June 2024 and a minute of it, often near midnight in Nairobi (21:00Z) or UTC. */
export const reportTime = fc
  .record({
    day: fc.integer({ min: 1, max: 4 }),
    minute: fc.oneof(
      fc.constantFrom(20 * 60 + 59, 21 * 60, 21 * 60 + 1, 23 * 60 + 59, 0, 1),
      fc.integer({ min: 0, max: 24 * 60 - 1 }),
    ),
  })
  .map(({ day, minute }) => Date.UTC(2024, 5, day, 0, minute));

/** A numeric answer as a form saves it: a string, sometimes blank. */
const answer = (values: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ') },
  );

export const heightWeight = fc.record({
  weight: answer(['3.2', '62.5', '70', '81.25']),
  height: answer(['50', '160', '172.5']),
});

export const referral = fc.record({
  temperature: answer(['36.6', '38.2', '39']),
  systolic_bp: answer(['110', '120', '135']),
  diastolic_bp: answer(['70', '80', '90']),
  pregnant: fc.constantFrom('yes', 'no', ''),
  danger_signs: fc.constantFrom('', 'fever, cough | “chest” pain', 'homa kali; kifafa', 'none'),
  referred: fc.constantFrom('true', 'false', ''),
});

/** The answers OpenMRS will keep as observations: every answer that is not blank. */
export function answered(fields: Record<string, string>): number {
  return Object.values(fields).filter((v) => v.trim() !== '').length;
}
