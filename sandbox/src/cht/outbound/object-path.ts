// The two object-path@0.11 operations outbound mapping relies on (reference cht.md §1.3 steps 4 and 6):
// `get` reads own properties only and never throws on a missing step; `set` creates an array when the
// next segment is numeric, otherwise an object.

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** object-path's getKey: a segment whose parseInt round-trips is an array index. */
function toKey(segment: string): string | number {
  const asInt = Number.parseInt(segment, 10);
  return String(asInt) === segment ? asInt : segment;
}

const hasOwn = (target: unknown, key: string | number): boolean =>
  (typeof key === 'number' && Array.isArray(target)) ||
  Object.prototype.hasOwnProperty.call(Object(target), key);

export function getPath(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const key of path.split('.').map(toKey)) {
    if (current === null || current === undefined || !hasOwn(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.').map(toKey);
  let current: Record<string | number, unknown> = target;
  keys.forEach((key, index) => {
    if (typeof key === 'string' && FORBIDDEN.has(key))
      throw new Error(`Unsafe path segment '${key}' in '${path}'`);
    const next = keys[index + 1];
    if (next === undefined) {
      current[key] = value;
      return;
    }
    if (current[key] === undefined) current[key] = typeof next === 'number' ? [] : {};
    current = current[key] as Record<string | number, unknown>;
  });
}
