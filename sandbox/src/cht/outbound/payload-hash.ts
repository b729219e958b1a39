// Dedup hash (reference cht.md §1.5): sha256 of the recursively key-sorted JSON of the payload.
import { createHash } from 'node:crypto';
import { isObject } from '../core/types';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

export function payloadHash(payload: unknown): string {
  const plain: unknown = JSON.parse(JSON.stringify(payload));
  return createHash('sha256')
    .update(JSON.stringify(sortKeys(plain)))
    .digest('hex');
}
