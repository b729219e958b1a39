// The one way a value from outside goes into a FHIR search (FHIR R4 §3.1.1.5.7 "Escaping search
// parameters"): in a parameter's value `,` separates alternatives, `|` a token's system from its code,
// `$` the parts of a composite; a literal one is written `\,` `\|` `\$`, and `\` itself `\\`. URL
// encoding is the FHIR client's job (toSearchParams), so values built here are never encoded by hand.

/** A value that matches exactly itself: every FHIR search separator in it escaped. */
export function searchValue(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** A token search value `system|code` matching exactly that system and code. */
export function tokenValue(system: string, code: string): string {
  return `${searchValue(system)}|${searchValue(code)}`;
}

/** One parameter matching any of these values, each built by `searchValue` or `tokenValue`. */
export function anyOf(values: readonly string[]): string {
  return values.join(',');
}

// The server side of the same rule, for the embedded store and the stand-ins (as HAPI parses it).

/** A parameter's alternatives: split at each `,` that is not escaped; escapes are kept for the next step. */
export function searchAlternatives(raw: string): string[] {
  return raw.split(/(?<!(?:^|[^\\])(?:\\\\)*\\),/).filter((value) => value !== '');
}

/** The literal text of one value: `\,` `\|` `\$` `\\` unescaped. */
export function unescapeSearchValue(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}

/** A token value as [system, code]: split at the first `|` that is not escaped; system undefined without one. */
export function splitTokenValue(value: string): [string | undefined, string] {
  const bar = /(?<!(?:^|[^\\])(?:\\\\)*\\)\|/.exec(value);
  if (!bar) return [undefined, unescapeSearchValue(value)];
  return [unescapeSearchValue(value.slice(0, bar.index)), unescapeSearchValue(value.slice(bar.index + 1))];
}
