// Who an API user is and how their password is checked, in each core version the stand-in can be
// (openhim.md §1.1): 7.1 keeps sha512 credentials on the user; 7.2+ keeps them in passports, a
// bcrypt `local` passport or a deprecated `token` passport chosen by the user's `provider`.
import type { Passport, User } from '../model/types';
import type { State } from '../store/state';
import { bcryptMatches, hexDigest, isHashAlgorithm } from './passwords';

export type CoreVersion = '7.1' | '8.5';

export interface TokenHeaders {
  username?: string;
  ts?: string;
  salt?: string;
  token?: string;
}

const sameEmail = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class Credentials {
  constructor(
    private readonly state: State,
    readonly version: CoreVersion,
    private readonly authWindowSeconds: number,
    private readonly now: () => number,
  ) {}

  /** Token-scheme users are found case-insensitively; Basic on ≥7.2 (passport login) exactly. */
  private userByEmail(email: string, exact: boolean): User | undefined {
    return this.state.users.findOne((u) => (exact ? u.email === email : sameEmail(u.email, email)));
  }

  private passport(protocol: string, email: string): Passport | undefined {
    return this.state.passports.findOne((p) => p.protocol === protocol && p.email === email);
  }

  /** HTTP Basic: the user, or undefined. */
  async basic(email: string, password: string): Promise<User | undefined> {
    if (this.version === '7.1') {
      const user = this.userByEmail(email, false);
      if (!user || !isHashAlgorithm(user.passwordAlgorithm)) return undefined;
      const hash = hexDigest(user.passwordAlgorithm, user.passwordSalt ?? '', password);
      return hash === user.passwordHash ? user : undefined;
    }
    return this.login(email, password);
  }

  /** The passport login behind Basic and `POST /authenticate/local` on ≥7.2. */
  async login(email: string, password: string): Promise<User | undefined> {
    const user = this.userByEmail(email, true);
    if (!user) return undefined;
    const passport = this.passport(user.provider === 'token' ? 'token' : 'local', user.email);
    if (!passport) return undefined;
    if (passport.protocol === 'token') {
      if (!isHashAlgorithm(passport.passwordAlgorithm)) return undefined;
      const hash = hexDigest(passport.passwordAlgorithm, passport.passwordSalt ?? '', password);
      return hash === passport.passwordHash ? user : undefined;
    }
    return passport.password && (await bcryptMatches(password, passport.password)) ? user : undefined;
  }

  /** The salt `GET /authenticate/:email` answers with, or the 404 message core gives. */
  tokenSalt(email: string): { salt: string | undefined } | { missing: string } {
    const user = this.userByEmail(email, false);
    if (!user) return { missing: `Could not find user by email ${email}` };
    if (this.version === '7.1') return { salt: user.passwordSalt };
    const passport = this.passport('token', user.email);
    if (!passport) return { missing: `Could not find token passport for user ${email}` };
    return { salt: passport.passwordSalt };
  }

  /** The deprecated token scheme: auth-token = hex(H(passwordHash + auth-salt + auth-ts)). */
  token(headers: TokenHeaders): User | undefined {
    const { username, ts, salt, token } = headers;
    if (!username || !ts || !salt || !token) return undefined;
    const sent = Date.parse(ts);
    const window = this.authWindowSeconds * 1000;
    if (Number.isNaN(sent) || sent < this.now() - window || sent > this.now() + window) return undefined;
    const user = this.userByEmail(username, false);
    if (!user) return undefined;
    const holder =
      this.version === '7.1' ? { ...user, passwordAlgorithm: 'sha512' } : this.passport('token', user.email);
    if (!holder || !isHashAlgorithm(holder.passwordAlgorithm) || holder.passwordHash === undefined)
      return undefined;
    return token === hexDigest(holder.passwordAlgorithm, holder.passwordHash, salt, ts) ? user : undefined;
  }
}
