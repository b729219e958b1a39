// Password hashing as core does it: hex(H(a + b)) with a Node hash name, or bcrypt. bcrypt checks
// are slow by design, so a successful or failed check is remembered (keyed by a digest of hash and
// password, never the password itself) to keep the stand-in fast for tests.
import { createHash, getHashes } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** Core's bcrypt cost (`api.salt`, default 10). */
export const BCRYPT_COST = 10;

const HASHES = new Set(getHashes());
export const isHashAlgorithm = (algorithm: string | undefined): algorithm is string =>
  typeof algorithm === 'string' && HASHES.has(algorithm);

/** hex(H(parts joined)); throws like Node for an unknown algorithm. */
export function hexDigest(algorithm: string, ...parts: string[]): string {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

const remembered = new Map<string, boolean>();

export async function bcryptMatches(password: string, hash: string): Promise<boolean> {
  const key = hexDigest('sha256', hash, '\u0000', password);
  const known = remembered.get(key);
  if (known !== undefined) return known;
  let result = false;
  try {
    result = await bcrypt.compare(password, hash);
  } catch {
    result = false;
  }
  if (remembered.size > 10_000) remembered.clear();
  remembered.set(key, result);
  return result;
}

export const bcryptHash = (password: string) => bcrypt.hash(password, BCRYPT_COST);
