// API authentication in core's order (openhim.md §1.1): a session cookie (≥7.2), else the token
// headers when any `auth-*` header is present, else HTTP Basic. 7.1 tries Basic first, then token.
// Failure is Koa's bare 401 "Unauthorized". A Basic success on ≥7.2 pre-sets the body (send-reply.ts).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parseBasic } from '../auth/client-credentials';
import type { Credentials } from '../auth/credentials';
import type { Sessions } from '../auth/sessions';
import type { User } from '../model/types';
import type { State } from '../store/state';
import { BASIC_PRESET_BODY, sendText } from './send-reply';

export const userOf = (res: Response): User => res.locals.user as User;

const tokenHeaders = (req: Request) => ({
  username: req.header('auth-username'),
  ts: req.header('auth-ts'),
  salt: req.header('auth-salt'),
  token: req.header('auth-token'),
});

/** The user of a valid session cookie (passport.session()), or undefined. */
export function sessionUser(state: State, sessions: Sessions, req: Request): User | undefined {
  const id = sessions.userOf(req.header('cookie'));
  return id ? state.users.findById(id) : undefined;
}

export function authenticate(state: State, credentials: Credentials, sessions: Sessions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = tokenHeaders(req);
    const anyToken = Boolean(token.username || token.ts || token.salt || token.token);
    const basic = parseBasic(req.header('authorization'));
    let user: User | undefined;
    if (credentials.version === '7.1') {
      if (basic) user = await credentials.basic(basic.name, basic.password);
      else user = credentials.token(token);
    } else {
      user = sessionUser(state, sessions, req);
      if (!user && anyToken) {
        user = credentials.token(token);
        // A token login is a passport login: it opens a session, as `local` does.
        if (user) res.append('Set-Cookie', sessions.open(user._id));
      } else if (!user && (req.header('authorization') ?? '').includes('Basic') && basic) {
        user = await credentials.basic(basic.name, basic.password);
        if (user) res.locals.presetBody = BASIC_PRESET_BODY;
      }
    }
    if (!user) return sendText(res, 401, 'Unauthorized');
    res.locals.user = user;
    next();
  };
}
