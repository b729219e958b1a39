// url-join@4 as CHT uses it for `base_url` + `path` (reference cht.md §1.1): one slash between parts,
// the query string kept. A non-string part throws, as url-join does ("Url must be a string").
export function urlJoin(...parts: unknown[]): string {
  for (const part of parts)
    if (typeof part !== 'string') throw new TypeError(`Url must be a string. Received ${String(part)}`);
  const strings = (parts as string[]).filter((part) => part !== '');
  return strings
    .map((part, index) => {
      let out = part;
      if (index > 0) out = out.replace(/^\/+/, '');
      if (index < strings.length - 1) out = out.replace(/\/+$/, '');
      return out;
    })
    .join('/')
    .replace(/\/(\?|&|#[^!])/g, '$1')
    .replace(/^([a-z]+:)\/*/i, '$1//');
}
