// Cookie sessions of `POST /authenticate/local` (core ≥7.2: koa-session with a server-side store):
// cookie `koa.sess` holds the session key and `koa.sess.sig` its keygrip signature (HMAC-SHA1).
// Over plain HTTP the cookie cannot be `Secure`, as with core's `api.secureCookie: false`.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'koa.sess';
export const SESSION_MAX_AGE_MS = 7_200_000;

interface Session {
  userId: string;
  expiresAt: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly key = randomBytes(32);

  constructor(private readonly now: () => number) {}

  private sign(value: string): string {
    return createHmac('sha1', this.key).update(`${SESSION_COOKIE}=${value}`).digest('base64url');
  }

  /** A new session; returns the Set-Cookie header values. */
  open(userId: string): string[] {
    const id = randomUUID();
    const expiresAt = this.now() + SESSION_MAX_AGE_MS;
    // Token logins open a session on every call (a heartbeat each 10 s): forget the expired ones.
    if (this.sessions.size >= 1000)
      for (const [key, session] of this.sessions)
        if (session.expiresAt < this.now()) this.sessions.delete(key);
    this.sessions.set(id, { userId, expiresAt });
    const attributes = `path=/; expires=${new Date(expiresAt).toUTCString()}; samesite=none; httponly`;
    return [
      `${SESSION_COOKIE}=${id}; ${attributes}`,
      `${SESSION_COOKIE}.sig=${this.sign(id)}; ${attributes}`,
    ];
  }

  /** The user id of a valid, signed, unexpired session in a Cookie header. */
  userOf(cookieHeader: string | undefined): string | undefined {
    const cookies = parseCookies(cookieHeader);
    const id = cookies[SESSION_COOKIE];
    const signature = cookies[`${SESSION_COOKIE}.sig`];
    if (!id || !signature) return undefined;
    const expected = Buffer.from(this.sign(id));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const session = this.sessions.get(id);
    if (!session || session.expiresAt < this.now()) return undefined;
    return session.userId;
  }

  close(cookieHeader: string | undefined): string[] {
    const id = parseCookies(cookieHeader)[SESSION_COOKIE];
    if (id) this.sessions.delete(id);
    const expired = 'path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=none; httponly';
    return [`${SESSION_COOKIE}=; ${expired}`, `${SESSION_COOKIE}.sig=; ${expired}`];
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}
