// Can this service reach and log in to a peer? One probe request, and an answer that names the setting
// to fix in one line ("OPENMRS_PASSWORD: OpenMRS at http://openmrs:8080/openmrs answered 401 for user
// admin"). `fatal` problems (a host that does not resolve, refused credentials, a wrong path or
// certificate) will not go away by waiting; the others (refused connection, timeout, 5xx) may.
import { Agent } from 'node:https';
import axios, { type AxiosError } from 'axios';

export interface PeerTarget {
  /** The peer's name, as in the messages: "OpenMRS". */
  peer: string;
  /** The address operators configured, shown in the messages. */
  url: string;
  /** A request that needs a login, relative to `url` (e.g. "/ws/fhir2/R4/Patient?_count=1"). */
  probePath: string;
  username?: string | undefined;
  password?: string | undefined;
  allowSelfSigned?: boolean | undefined;
  /** The settings to name for each kind of problem. */
  settings: {
    address: string;
    host?: string;
    path?: string;
    username?: string;
    password?: string;
    tls?: string;
  };
}

export interface PeerStatus {
  peer: string;
  url: string;
  ok: boolean;
  /** One line naming the setting to fix, when not ok. */
  problem?: string;
  /** True when waiting will not help. */
  fatal?: boolean;
  /** The peer answered, and refused the credentials. */
  loginRefused?: boolean;
  checkedAt: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function networkProblem(target: PeerTarget, error: AxiosError, timeoutMs: number): [string, boolean] {
  const { peer, url, settings } = target;
  const code = error.code ?? '';
  const host = new URL(url).hostname;
  if (code === 'ENOTFOUND')
    return [
      `${settings.host ?? settings.address}: ${host} does not resolve, so ${peer} at ${url} cannot be reached`,
      true,
    ];
  if (code === 'ECONNREFUSED')
    return [`${settings.address}: nothing answers at ${url} (connection refused); is ${peer} up?`, false];
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return [`${settings.address}: ${peer} at ${url} did not answer within ${timeoutMs / 1000} s`, false];
  if (TLS_CODES.has(code))
    return [
      `${settings.tls ?? settings.address}: ${peer} at ${url} has a TLS certificate that is not trusted (${code})`,
      true,
    ];
  return [`${settings.address}: ${peer} at ${url} cannot be reached (${code || error.message})`, false];
}

const refusesLogin = (status: number) => status === 401 || status === 403;

function answerProblem(target: PeerTarget, status: number): [string, boolean] | undefined {
  const { peer, url, settings, username } = target;
  if (refusesLogin(status)) {
    const answered = `answered ${status}`;
    if (!username)
      return [
        `${settings.username ?? settings.password}: ${peer} at ${url} ${answered} without credentials`,
        true,
      ];
    return [
      `${settings.password ?? settings.username}: ${peer} at ${url} ${answered} for user ${username}`,
      true,
    ];
  }
  if (status === 404)
    return [
      `${settings.path ?? settings.address}: ${peer} at ${url} answered 404 for ${target.probePath}; is the address right?`,
      true,
    ];
  if (status >= 200 && status < 300) return undefined;
  return [`${peer} at ${url} answered ${status} to ${target.probePath}`, false];
}

/** One probe; never throws. */
export async function checkPeer(target: PeerTarget, timeoutMs = 5000): Promise<PeerStatus> {
  const checkedAt = new Date().toISOString();
  const base = { peer: target.peer, url: target.url, checkedAt };
  try {
    const response = await axios.get(`${target.url.replace(/\/+$/, '')}${target.probePath}`, {
      timeout: timeoutMs,
      validateStatus: () => true,
      maxRedirects: 0,
      auth:
        target.username !== undefined
          ? { username: target.username, password: target.password ?? '' }
          : undefined,
      ...(target.allowSelfSigned ? { httpsAgent: new Agent({ rejectUnauthorized: false }) } : {}),
    });
    const problem = answerProblem(target, response.status);
    if (!problem) return { ...base, ok: true };
    const loginRefused = refusesLogin(response.status);
    return {
      ...base,
      ok: false,
      problem: problem[0],
      fatal: problem[1],
      ...(loginRefused ? { loginRefused } : {}),
    };
  } catch (error) {
    const [problem, fatal] = networkProblem(target, error as AxiosError, timeoutMs);
    return { ...base, ok: false, problem, fatal };
  }
}

/**
 * Probes until the peer answers well, a fatal problem shows, or `seconds` pass; resolves with the last
 * status (ok, or the problem). Peers start in any order under docker compose.
 */
export async function waitForPeer(
  target: PeerTarget,
  seconds: number,
  onWait?: (status: PeerStatus) => void,
): Promise<PeerStatus> {
  const deadline = Date.now() + seconds * 1000;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    const status = await checkPeer(target, Math.min(10_000, Math.max(1000, seconds * 1000)));
    if (status.ok || status.fatal || Date.now() + delay > deadline) return status;
    onWait?.(status);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** The checks a service runs at start and in /status; results are kept `maxAgeMs` (OpenMRS locks
 * an account after repeated failed logins, so a busy /status must not probe every time). */
export class PeerChecks {
  private last: { at: number; statuses: Promise<PeerStatus[]> } | undefined;

  constructor(
    readonly targets: PeerTarget[],
    private readonly maxAgeMs = 30_000,
  ) {}

  current(): Promise<PeerStatus[]> {
    if (!this.last || Date.now() - this.last.at > this.maxAgeMs)
      this.last = { at: Date.now(), statuses: Promise.all(this.targets.map((t) => checkPeer(t))) };
    return this.last.statuses;
  }
}

/**
 * At start-up: waits (up to `seconds`) for each peer, as they may start after this service, then logs
 * one line per peer: which works, and for which not, the setting to fix.
 */
export async function logPeerChecks(
  checks: PeerChecks,
  logger: { info(o: object, m: string): void; error(o: object, m: string): void },
  seconds = 120,
): Promise<void> {
  await Promise.all(
    checks.targets.map(async (target) => {
      let status = await waitForPeer(target, seconds);
      // a peer that has just started may not have created its users yet: ask once more
      if (status.loginRefused) {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        status = await checkPeer(target);
      }
      const where = { peer: status.peer, url: status.url };
      if (status.ok) logger.info(where, `${status.peer} at ${status.url}: reachable, login accepted`);
      else logger.error(where, status.problem ?? `${status.peer}: not reachable`);
    }),
  );
}
