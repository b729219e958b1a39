// API authentication and authorisation over HTTP (openhim.md §1.1, §8 A): Basic, the deprecated token
// scheme, cookie sessions, the admin group, and users created or imported in 8.5 and 7.1 mode.
import { createHash } from 'node:crypto';
import { type OpenhimSandbox, startOpenhimSandbox } from '../index';
import { basicAuth, call } from '../test-support/api-client';

const sha512 = (...parts: string[]) => createHash('sha512').update(parts.join('')).digest('hex');

/** The headers openhim-mediator-utils 0.2.x sends: auth-token = sha512(passwordHash + salt + ts). */
function tokenHeaders(email: string, passwordHash: string, ts: string, salt = 'any-random-salt') {
  return {
    'auth-username': email,
    'auth-ts': ts,
    'auth-salt': salt,
    'auth-token': sha512(passwordHash, salt, ts),
  };
}

async function rootPasswordHash(api: string): Promise<string> {
  const { salt } = (await call(api, 'GET', '/authenticate/root@openhim.org', { auth: null })).json<{
    salt: string;
  }>();
  return sha512(salt, 'openhim-password');
}

describe('API authentication (core 8.5)', () => {
  let clock = Date.now();
  let oh: OpenhimSandbox;
  beforeAll(async () => {
    oh = await startOpenhimSandbox({ polling: false, now: () => clock });
    await call(oh.apiUrl, 'POST', '/users', {
      body: {
        firstname: 'Non',
        surname: 'Admin',
        email: 'plain@example.org',
        groups: ['reader'],
        passwordAlgorithm: 'sha512',
        passwordSalt: 's1',
        passwordHash: sha512('s1', 'plain-pass'),
      },
    });
  });
  afterAll(() => oh.close());
  afterEach(() => {
    clock = Date.now();
  });

  it('§8.1 Basic as root (root@openhim.org / openhim-password) is accepted with 2xx', async () => {
    const reply = await call(oh.apiUrl, 'GET', '/channels');
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual([]);
  });

  it('§8.1 a wrong password, an unknown user or no credentials get a bare 401 "Unauthorized" (no JSON)', async () => {
    for (const auth of [
      basicAuth('root@openhim.org', 'wrong'),
      basicAuth('nobody@openhim.org', 'openhim-password'),
      null,
    ]) {
      const reply = await call(oh.apiUrl, 'GET', '/channels', { auth });
      expect(reply.status).toBe(401);
      expect(reply.text).toBe('Unauthorized');
      expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
  });

  it('§8.1 after a Basic login, status-only answers carry core\'s "User Authenticated Successfully" body', async () => {
    const reply = await call(oh.apiUrl, 'GET', '/no-such-route');
    expect(reply).toMatchObject({ status: 200, text: 'User Authenticated Successfully' });
  });

  it('§8.2 GET /authenticate/:email answers {salt, ts}; 404 for an unknown user or one without a token passport', async () => {
    const found = await call(oh.apiUrl, 'GET', '/authenticate/ROOT@openhim.org', { auth: null });
    expect(found.status).toBe(200);
    expect(found.json()).toEqual({ salt: 'd9bcb40e-ae65-478f-962e-5e5e5e7d0a01', ts: expect.any(String) });
    // The hash core ships for root is sha512(salt + 'openhim-password').
    expect(await rootPasswordHash(oh.apiUrl)).toMatch(/^943a856bba65aad6/);

    const unknown = await call(oh.apiUrl, 'GET', '/authenticate/nobody@openhim.org', { auth: null });
    expect(unknown).toMatchObject({ status: 404, text: 'Could not find user by email nobody@openhim.org' });
    await call(oh.apiUrl, 'POST', '/metadata', {
      body: {
        Users: [{ firstname: 'No', surname: 'Passport', email: 'nopass@example.org', groups: ['admin'] }],
      },
    });
    const noPassport = await call(oh.apiUrl, 'GET', '/authenticate/nopass@example.org', { auth: null });
    expect(noPassport).toMatchObject({
      status: 404,
      text: 'Could not find token passport for user nopass@example.org',
    });
  });

  it('§8.2 a valid auth-token over (passwordHash + any salt + ts) is accepted; auth-ts outside ±10 s gives 401', async () => {
    const hash = await rootPasswordHash(oh.apiUrl);
    const now = new Date(clock).toISOString();
    const ok = await call(oh.apiUrl, 'GET', '/channels', {
      auth: null,
      headers: tokenHeaders('root@openhim.org', hash, now),
    });
    expect(ok.status).toBe(200);

    // Any Date.parse-able time works, e.g. the configurator's Date.toString().
    const asDateString = new Date(clock).toString();
    const dateString = await call(oh.apiUrl, 'GET', '/channels', {
      auth: null,
      headers: tokenHeaders('root@openhim.org', hash, asDateString),
    });
    expect(dateString.status).toBe(200);

    const stale = new Date(clock - 11_000).toISOString();
    const expired = await call(oh.apiUrl, 'GET', '/channels', {
      auth: null,
      headers: tokenHeaders('root@openhim.org', hash, stale),
    });
    expect(expired).toMatchObject({ status: 401, text: 'Unauthorized' });
    const future = new Date(clock + 11_000).toISOString();
    const early = await call(oh.apiUrl, 'GET', '/channels', {
      auth: null,
      headers: tokenHeaders('root@openhim.org', hash, future),
    });
    expect(early.status).toBe(401);
    const wrong = await call(oh.apiUrl, 'GET', '/channels', {
      auth: null,
      headers: tokenHeaders('root@openhim.org', sha512('x'), now),
    });
    expect(wrong.status).toBe(401);
  });

  it('§8.2 any auth-* header means Basic is not tried', async () => {
    const reply = await call(oh.apiUrl, 'GET', '/channels', {
      headers: { 'auth-username': 'root@openhim.org' },
    });
    expect(reply.status).toBe(401);
  });

  it('§8.3 POST /authenticate/local gives 200 {result, user} and a cookie that later calls use; bad credentials 401', async () => {
    const login = await call(oh.apiUrl, 'POST', '/authenticate/local', {
      auth: null,
      body: { username: 'root@openhim.org', password: 'openhim-password' },
    });
    expect(login.status).toBe(200);
    expect(login.json()).toEqual({
      result: 'User authenticated successfully',
      user: expect.objectContaining({ email: 'root@openhim.org', groups: ['admin'], provider: 'local' }),
    });
    const cookies = login.headers.getSetCookie();
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['koa.sess', 'koa.sess.sig']);
    expect(cookies[0]).toMatch(/httponly/i);
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');

    const withCookie = await call(oh.apiUrl, 'GET', '/channels', { auth: null, headers: { cookie } });
    expect(withCookie.status).toBe(200);
    const me = await call(oh.apiUrl, 'GET', '/me', { auth: null, headers: { cookie } });
    expect(me.json()).toEqual({ user: expect.objectContaining({ email: 'root@openhim.org' }) });
    // A status-only answer under a session is Koa's status message, not the Basic text.
    const created = await call(oh.apiUrl, 'POST', '/mediators', {
      auth: null,
      headers: { cookie },
      body: {
        urn: 'urn:mediator:session',
        version: '1.0.0',
        name: 'S',
        endpoints: [{ name: 'e', host: 'h', port: 1 }],
      },
    });
    expect(created).toMatchObject({ status: 201, text: 'Created' });

    const forged = await call(oh.apiUrl, 'GET', '/channels', {
      auth: null,
      headers: { cookie: cookie.replace(/sig=./, 'sig=X') },
    });
    expect(forged.status).toBe(401);
    const bad = await call(oh.apiUrl, 'POST', '/authenticate/local', {
      auth: null,
      body: { username: 'root@openhim.org', password: 'nope' },
    });
    expect(bad).toMatchObject({ status: 401, text: 'Unauthorized' });
  });

  it('§8.4 a non-admin user gets 403 on /mediators*, /channels writes, /clients and /metadata', async () => {
    const auth = basicAuth('plain@example.org', 'plain-pass');
    const expect403 = async (method: string, path: string, body?: unknown) => {
      const reply = await call(oh.apiUrl, method, path, { auth, body });
      expect({ path, status: reply.status }).toEqual({ path, status: 403 });
      expect(reply.text).toMatch(/^User plain@example\.org is not an admin, API access to \w+ denied\.$/);
    };
    await expect403('GET', '/mediators');
    await expect403('POST', '/mediators', { urn: 'x' });
    await expect403('POST', '/mediators/urn:x/heartbeat', { uptime: 1 });
    await expect403('PUT', '/mediators/urn:x/config', {});
    await expect403('POST', '/mediators/urn:x/channels', []);
    await expect403('POST', '/channels', { name: 'x' });
    await expect403('PUT', '/channels/0123456789abcdef01234567', {});
    await expect403('DELETE', '/channels/0123456789abcdef01234567');
    await expect403('GET', '/clients');
    await expect403('POST', '/clients', { clientID: 'c' });
    await expect403('GET', '/metadata');
    await expect403('POST', '/metadata', {});
    // Reading channels is not refused: a non-admin sees those whose txViewAcl names one of its groups.
    const list = await call(oh.apiUrl, 'GET', '/channels', { auth });
    expect(list).toMatchObject({ status: 200, text: '[]' });
  });

  it('§8.5 POST /users with password: no token scheme (no token passport), and no Basic either, as core 8.5.0 stores the password unhashed', async () => {
    const created = await call(oh.apiUrl, 'POST', '/users', {
      body: {
        firstname: 'Pat',
        surname: 'Word',
        email: 'Pat@Example.org',
        groups: ['admin'],
        password: 'secret-pw',
      },
    });
    expect(created).toMatchObject({ status: 201, text: 'User successfully created' });
    const salt = await call(oh.apiUrl, 'GET', '/authenticate/pat@example.org', { auth: null });
    expect(salt).toMatchObject({
      status: 404,
      text: 'Could not find token passport for user pat@example.org',
    });
    const basic = await call(oh.apiUrl, 'GET', '/channels', {
      auth: basicAuth('pat@example.org', 'secret-pw'),
    });
    expect(basic.status).toBe(401);
    // Users created with password hash fields get a token passport: Basic and token both work.
    const tokenUser = await call(oh.apiUrl, 'GET', '/channels', {
      auth: basicAuth('plain@example.org', 'plain-pass'),
    });
    expect(tokenUser.status).toBe(200);
    const headers = tokenHeaders(
      'plain@example.org',
      sha512('s1', 'plain-pass'),
      new Date(clock).toISOString(),
    );
    expect((await call(oh.apiUrl, 'GET', '/channels', { auth: null, headers })).status).toBe(200);
  });

  it('§8.5 users imported by /metadata without Passports can use nothing; a token Passport enables the token scheme', async () => {
    const passwordHash = sha512('salt-1', 'interop-password');
    const user = {
      firstname: 'Interop',
      surname: 'User',
      email: 'interop@openhim.org',
      groups: ['admin'],
      passwordAlgorithm: 'sha512',
      passwordSalt: 'salt-1',
      passwordHash,
    };
    const imported = await call(oh.apiUrl, 'POST', '/metadata', { body: { Users: [user] } });
    expect(imported.status).toBe(201);
    const ts = new Date(clock).toISOString();
    expect(
      (
        await call(oh.apiUrl, 'GET', '/channels', {
          auth: basicAuth('interop@openhim.org', 'interop-password'),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(oh.apiUrl, 'GET', '/channels', {
          auth: null,
          headers: tokenHeaders('interop@openhim.org', passwordHash, ts),
        })
      ).status,
    ).toBe(401);

    const passport = {
      protocol: 'token',
      email: 'interop@openhim.org',
      passwordAlgorithm: 'sha512',
      passwordSalt: 'salt-1',
      passwordHash,
    };
    const withPassport = await call(oh.apiUrl, 'POST', '/metadata', { body: { Passports: [passport] } });
    expect(withPassport.json()).toEqual([
      expect.objectContaining({ model: 'Passports', status: 'Inserted' }),
    ]);
    expect(
      (
        await call(oh.apiUrl, 'GET', '/channels', {
          auth: null,
          headers: tokenHeaders('interop@openhim.org', passwordHash, ts),
        })
      ).status,
    ).toBe(200);
    // Basic looks for the passport of the user's provider ('local' by default): still refused.
    expect(
      (
        await call(oh.apiUrl, 'GET', '/channels', {
          auth: basicAuth('interop@openhim.org', 'interop-password'),
        })
      ).status,
    ).toBe(401);
  });
});

describe('API authentication (core 7.1 mode)', () => {
  let oh: OpenhimSandbox;
  beforeAll(async () => {
    oh = await startOpenhimSandbox({ coreVersion: '7.1', polling: false });
  });
  afterAll(() => oh.close());

  it('§8.5 in 7.1 mode users keep their own sha512 fields: imported users use Basic and token; there is no local login', async () => {
    const passwordHash = sha512('salt-7', 'interop-password');
    const user = {
      firstname: 'Interop',
      surname: 'User',
      email: 'interop@openhim.org',
      groups: ['admin'],
      passwordAlgorithm: 'sha512',
      passwordSalt: 'salt-7',
      passwordHash,
    };
    expect((await call(oh.apiUrl, 'POST', '/metadata', { body: { Users: [user] } })).status).toBe(201);
    const basic = await call(oh.apiUrl, 'POST', '/mediators', {
      auth: basicAuth('interop@openhim.org', 'interop-password'),
      body: {
        urn: 'urn:mediator:seven',
        version: '1.0.0',
        name: 'Seven',
        endpoints: [{ name: 'e', host: 'h', port: 1 }],
      },
    });
    // No pre-set Basic body before 7.2: Koa's status message.
    expect(basic).toMatchObject({ status: 201, text: 'Created' });
    const salt = (await call(oh.apiUrl, 'GET', '/authenticate/interop@openhim.org', { auth: null })).json<{
      salt: string;
    }>();
    expect(salt.salt).toBe('salt-7');
    const headers = tokenHeaders('interop@openhim.org', passwordHash, new Date().toISOString());
    expect((await call(oh.apiUrl, 'GET', '/channels', { auth: null, headers })).status).toBe(200);
    const local = await call(oh.apiUrl, 'POST', '/authenticate/local', {
      auth: null,
      body: { username: 'root@openhim.org', password: 'openhim-password' },
    });
    expect(local.status).toBe(401);
    const passports = await call(oh.apiUrl, 'POST', '/metadata', {
      body: { Passports: [{ protocol: 'token', email: 'x' }] },
    });
    expect(passports.json()).toEqual([
      expect.objectContaining({ status: 'Error', message: 'Invalid Collection in Import Object' }),
    ]);
  });
});

describe('changing a password: PUT /users/:email (core 8.5 updateUser)', () => {
  let oh: OpenhimSandbox;
  beforeEach(async () => {
    oh = await startOpenhimSandbox({ polling: false });
  });
  afterEach(() => oh.close());
  const root = (password: string) => ({ auth: basicAuth('root@openhim.org', password) });

  it("sets root's new password for Basic (and the token scheme when the body names the email); the old one stops working", async () => {
    const changed = await call(oh.apiUrl, 'PUT', '/users/root@openhim.org', {
      ...root('openhim-password'),
      body: { email: 'root@openhim.org', password: 'a-new-root-password' },
    });
    expect(changed.status).toBe(200);
    expect(changed.text).toBe('Successfully updated user.');
    expect((await call(oh.apiUrl, 'GET', '/channels', root('openhim-password'))).status).toBe(401);
    expect((await call(oh.apiUrl, 'GET', '/channels', root('a-new-root-password'))).status).toBe(200);
    const { salt } = (await call(oh.apiUrl, 'GET', '/authenticate/root@openhim.org', { auth: null })).json<{
      salt: string;
    }>();
    const ts = new Date().toISOString();
    const token = {
      auth: null,
      headers: tokenHeaders('root@openhim.org', sha512(salt, 'a-new-root-password'), ts),
    };
    expect((await call(oh.apiUrl, 'GET', '/channels', token)).status).toBe(200);
  });

  it('answers 404 for an unknown user', async () => {
    const missing = await call(oh.apiUrl, 'PUT', '/users/nobody@example.org', {
      ...root('openhim-password'),
      body: { password: 'x' },
    });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('User with email nobody@example.org could not be found.');
  });
});
