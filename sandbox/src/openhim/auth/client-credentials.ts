// Basic authentication of clients on the router (openhim.md §4; core@v8.5.0:src/middleware/
// basicAuthentication.js): hex(H(password + salt)) when the algorithm is a Node hash name (note the
// order: password first, unlike users), bcrypt otherwise. A client without algorithm and hash, an
// unknown clientID or a wrong password are all simply "not authenticated".
import type { Client } from '../model/types';
import { bcryptMatches, hexDigest, isHashAlgorithm } from './passwords';

export interface BasicCredentials {
  name: string;
  password: string;
}

/** The `basic-auth` package's reading of an Authorization header; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  const match = /^ *basic +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function clientPasswordMatches(client: Client, password: string): Promise<boolean> {
  if (!client.passwordAlgorithm || !client.passwordHash) return false;
  if (isHashAlgorithm(client.passwordAlgorithm))
    return hexDigest(client.passwordAlgorithm, password, client.passwordSalt ?? '') === client.passwordHash;
  return bcryptMatches(password, client.passwordHash);
}
