// Phone normalisation for contacts-by-phone and records `from` (reference cht.md §2.6). CHT uses
// libphonenumber with `default_country_code`; this stand-in keeps to E.164-shaped numbers: digits
// with an optional leading +, a national leading 0 replaced by the country code.

export function normalisePhone(phone: unknown, countryCode?: string | number): string | undefined {
  if (typeof phone !== 'string' && typeof phone !== 'number') return undefined;
  const raw = String(phone).replace(/[\s\-().]/g, '');
  if (!/^\+?\d+$/.test(raw)) return undefined;
  let e164: string;
  if (raw.startsWith('+')) e164 = raw;
  else if (raw.startsWith('00')) e164 = `+${raw.slice(2)}`;
  else if (countryCode !== undefined && countryCode !== '')
    e164 = `+${String(countryCode)}${raw.replace(/^0/, '')}`;
  else return undefined;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : undefined;
}
