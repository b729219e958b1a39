// OpenMRS authentication as the FHIR2 filter and core do it (openmrs-fhir2.md §2): Basic checked only
// while the session is unauthenticated, a JSESSIONID cookie after that, only the first two `:`-separated
// parts used, and a 5-minute lockout after more than 7 failed logins.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';

export interface SandboxUser {
  username: string;
  password: string;
}

const ALLOWED_FAILED_LOGINS = 7;
const LOCKOUT_MS = 5 * 60 * 1000;
/** Clients that send Basic on every call without keeping the cookie make a session each time. */
const MAX_SESSIONS = 10_000;

interface Session {
  id: string;
  user?: string;
}

export class Authenticator {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; lockedUntil?: number }>();

  constructor(
    private readonly users: SandboxUser[],
    private readonly now: () => number,
  ) {}

  reset(): void {
    this.sessions.clear();
    this.failures.clear();
  }

  /** The request's session, made (and its cookie set) when the request has none. */
  session(req: Request, res: Response): Session {
    const id = parseCookies(req.headers.cookie ?? '').JSESSIONID;
    const existing = id ? this.sessions.get(id) : undefined;
    if (existing) return existing;
    const session: Session = { id: randomUUID().replace(/-/g, '').toUpperCase() };
    this.sessions.set(session.id, session);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value ?? '');
    res.cookie('JSESSIONID', session.id, { path: '/openmrs', httpOnly: true });
    return session;
  }

  /** The authenticated user, trying Basic only when the session has none. */
  authenticate(req: Request, res: Response): string | undefined {
    const session = this.session(req, res);
    if (session.user) return session.user;
    const header = req.headers.authorization;
    if (!header?.startsWith('Basic')) return undefined;
    const [username = '', password] = Buffer.from(header.slice(5).trim(), 'base64')
      .toString('utf8')
      .split(':');
    const failures = this.failures.get(username) ?? { count: 0 };
    const user = this.users.find((u) => u.username === username);
    if (failures.lockedUntil && failures.lockedUntil > this.now()) return undefined;
    if (!user || user.password !== password) {
      failures.count += 1;
      if (failures.count > ALLOWED_FAILED_LOGINS) {
        failures.lockedUntil = this.now() + LOCKOUT_MS;
        failures.count = 0;
      }
      this.failures.set(username, failures);
      return undefined;
    }
    this.failures.delete(username);
    session.user = username;
    return username;
  }

  logout(req: Request, res: Response): void {
    this.session(req, res).user = undefined;
  }
}

/** Tomcat's error page, as the container sends it for `sendError(401, "Not authenticated")`. */
export function sendContainerError(res: Response, status: number, message: string): void {
  const title = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Error';
  res
    .status(status)
    .type('text/html;charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><title>HTTP Status ${status} – ${title}</title></head>` +
        `<body><h1>HTTP Status ${status} – ${title}</h1><hr class="line" /><p><b>Type</b> Status Report</p>` +
        `<p><b>Message</b> ${message}</p><hr class="line" /><h3>Apache Tomcat/9.0.83</h3></body></html>`,
    );
}
