// API users (openhim.md §1.1; core@v8.5.0:src/api/users.js, src/model/users.js, src/server.js):
// the root user created at first start, `POST /users`, and reading users. On ≥7.2 credentials live
// in passports; on 7.1 on the user document.
import { randomBytes } from 'node:crypto';
import type { CoreVersion } from '../auth/credentials';
import { bcryptHash, hexDigest } from '../auth/passwords';
import { nullDereference } from '../model/errors';
import { createDocument, isPlainObject } from '../model/schema';
import { models } from '../model/schemas';
import type { Passport, User } from '../model/types';
import type { State } from '../store/state';
import { type ApiReply, describe, isAdmin, json, requireAdmin, text } from './reply';

/** The salt core ships for root's token passport (core@v8.5.0:src/server.js). */
export const ROOT_TOKEN_SALT = 'd9bcb40e-ae65-478f-962e-5e5e5e7d0a01';

/** Creates the root user as core does on first start (both passports on ≥7.2), if it is missing. */
export async function ensureRootUser(
  state: State,
  version: CoreVersion,
  root: { email: string; password: string },
  now: () => number,
): Promise<void> {
  if (state.users.findOne((u) => u.email === root.email)) return;
  const passwordHash = hexDigest('sha512', ROOT_TOKEN_SALT, root.password);
  const base = {
    firstname: 'Super',
    surname: 'User',
    email: root.email,
    groups: ['admin'],
    provider: 'local',
  };
  if (version === '7.1') {
    const user = { ...base, passwordAlgorithm: 'sha512', passwordHash, passwordSalt: ROOT_TOKEN_SALT };
    state.users.save(createDocument(models.User, user, now) as unknown as User);
    return;
  }
  state.users.save(createDocument(models.User, base, now) as unknown as User);
  const local = { protocol: 'local', email: root.email, password: await bcryptHash(root.password) };
  const token = {
    protocol: 'token',
    email: root.email,
    passwordAlgorithm: 'sha512',
    passwordHash,
    passwordSalt: ROOT_TOKEN_SALT,
  };
  for (const passport of [local, token])
    state.passports.save(createDocument(models.Passport, passport, now) as unknown as Passport);
}

export class UserService {
  constructor(
    private readonly state: State,
    private readonly version: CoreVersion,
    private readonly now: () => number,
  ) {}

  list(user: User): ApiReply {
    requireAdmin(user, 'getUsers');
    return json(this.state.users.all());
  }

  get(user: User, email: string): ApiReply {
    if (!isAdmin(user) && user.email !== email) requireAdmin(user, 'getUser');
    const found = this.state.users.findOne((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!found) return text(404, `User with email ${email} could not be found.`);
    return json(found);
  }

  /**
   * POST /users. On ≥7.2 a `password` goes into a `local` passport exactly as core 8.5.0 stores it,
   * unhashed, so it never passes bcrypt (see README); hash fields make a `token` passport.
   */
  add(user: User, body: unknown): ApiReply {
    requireAdmin(user, 'addUser');
    const data: Record<string, unknown> = isPlainObject(body) ? { ...body } : {};
    if (typeof data.email !== 'string') throw nullDereference('toLowerCase', 'undefined');
    data.email = data.email.toLowerCase();
    data.token = randomBytes(16).toString('hex');
    data.tokenType = 'newUser';
    data.locked = true;
    data.expiry = new Date(this.now() + 7 * 24 * 3600 * 1000).toISOString();
    const { password, passwordHash, passwordAlgorithm, passwordSalt } = data;
    try {
      if (this.version === '7.1') {
        this.state.users.save(createDocument(models.User, data, this.now) as unknown as User);
        return text(201, 'User successfully created');
      }
      if (password || passwordHash || passwordAlgorithm || passwordSalt) {
        for (const key of ['password', 'passwordHash', 'passwordAlgorithm', 'passwordSalt']) delete data[key];
        data.provider = password ? 'local' : 'token';
      }
      const saved = this.state.users.save(createDocument(models.User, data, this.now) as unknown as User);
      const passport =
        passwordHash || passwordAlgorithm || passwordSalt
          ? { protocol: 'token', email: saved.email, passwordHash, passwordAlgorithm, passwordSalt }
          : { protocol: password ? 'local' : 'token', email: saved.email, password };
      this.state.passports.save(createDocument(models.Passport, passport, this.now) as unknown as Passport);
      return text(201, 'User successfully created');
    } catch (error) {
      return text(500, `Could not add user via the API ${describe(error)}`);
    }
  }

  /**
   * PUT /users/:email with a `password` (core@v8.5.0:src/api/users.js updateUser, src/model/users.js
   * updateUser): admins, or the user itself. The local passport gets the new bcrypt hash; the token
   * passport is rehashed only when the body names the user's `email` (core looks it up by the body's).
   * Other fields of the body are not modelled here.
   */
  async updatePassword(user: User, email: string, body: unknown): Promise<ApiReply> {
    if (!isAdmin(user) && user.email !== email)
      return text(403, `User ${user.email} is not an admin, API access to updateUser denied.`);
    const found = this.state.users.findOne((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!found) return text(404, `User with email ${email} could not be found.`);
    const data = isPlainObject(body) ? body : {};
    if (typeof data.password === 'string' && data.password !== '' && this.version !== '7.1') {
      const password = data.password;
      for (const passport of this.state.passports.find((p) => p.email === found.email)) {
        if (passport.protocol === 'local') passport.password = await bcryptHash(password);
        else if (passport.protocol === 'token' && data.email === found.email)
          passport.passwordHash = hexDigest(
            passport.passwordAlgorithm ?? 'sha512',
            passport.passwordSalt ?? '',
            password,
          );
        else continue;
        this.state.passports.save(passport);
      }
    }
    return text(200, 'Successfully updated user.');
  }
}
