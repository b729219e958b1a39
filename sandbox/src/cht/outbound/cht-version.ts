// Behaviour that changed across CHT versions (reference cht.md §1.4, §1.6, §1.8, §5). The stand-in
// emulates one version: 5.2.0 by default; 4.10.0 is what the reference interop stack pins.
import { arch, platform } from 'node:os';
import semver from 'semver';

export interface ChtBehaviour {
  version: string;
  /** ≥4.19 "Community Health Toolkit/<v> (…)", 4.18 "CHT/<v> (…)", none before (cht-core#9799, #9937). */
  userAgent?: string;
  /** ≥4.17 fetch follows redirects and counts 301–398 as success; before, any 3xx fails. */
  followRedirects: boolean;
  /** ≥4.17 a JSON content-type with a body that does not parse fails even a 2xx. */
  invalidJsonFails: boolean;
  /** <4.19: every config after the first successful one hits an infodoc 409 and is queued again (cht-core#8160). */
  laterConfigsDuplicated: boolean;
  /** <4.12: the retry run clears queue entries that are not due or no longer configured (cht-core#8947). */
  clearsUndueEntries: boolean;
  /** Record ids: uuid v7 in 5.x, v4 in 4.x (§2.1 step 8). */
  recordIdVersion: 4 | 7;
}

export class ChtVersionError extends Error {
  override name = 'ChtVersionError';
}

export function behaviourOf(version: string): ChtBehaviour {
  const valid = semver.valid(version);
  if (!valid) throw new ChtVersionError(`CHT version must be semver like 5.2.0, got "${version}"`);
  const system = `(${platform()},${arch()})`;
  let userAgent: string | undefined;
  if (semver.gte(valid, '4.19.0')) userAgent = `Community Health Toolkit/${valid} ${system}`;
  else if (semver.gte(valid, '4.18.0')) userAgent = `CHT/${valid} ${system}`;
  return {
    version: valid,
    userAgent,
    followRedirects: semver.gte(valid, '4.17.0'),
    invalidJsonFails: semver.gte(valid, '4.17.0'),
    laterConfigsDuplicated: semver.lt(valid, '4.19.0'),
    clearsUndueEntries: semver.lt(valid, '4.12.0'),
    recordIdVersion: semver.gte(valid, '5.0.0') ? 7 : 4,
  };
}
