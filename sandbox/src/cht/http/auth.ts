// Authentication and permission checks of the CHT API (reference cht.md §2.0, §2.7).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppSettings } from '../config/app-settings';
import { ChtError } from '../core/errors';
import { sendChtError } from './envelope';
import type { FailedLoginLimiter } from './rate-limiter';
import { hasAllPermissions, isOnline, type UserCtx, type Users } from './users';

function credentials(req: Request): { name: string; password: string } | undefined {
  const header = req.header('authorization') ?? '';
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function unauthorized(req: Request, res: Response) {
  res.setHeader('logout-authorization', 'CHT-Core API');
  if (req.accepts(['text', 'json']) === 'json') {
    res.status(401).json({ code: 401, error: 'unauthorized' });
    return;
  }
  res.setHeader('WWW-Authenticate', 'Basic realm="Medic Web Services"');
  res.status(401).type('text/plain').send('not logged in');
}

export function authenticate(users: Users, limiter: FailedLoginLimiter): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = credentials(req);
    const keys = given ? [`ip:${req.ip ?? ''}`, `user:${given.name}`, `password:${given.password}`] : [];
    if (given)
      res.on('finish', () => {
        if (res.statusCode === 401 || res.statusCode === 429) limiter.consume(keys);
      });
    if (given && limiter.isLimited(keys)) return sendChtError(req, res, 429, 'Too Many Requests');
    const user = given ? users.authenticate(given.name, given.password) : undefined;
    if (!user) return unauthorized(req, res);
    res.locals.user = user;
    next();
  };
}

export const userOf = (res: Response): UserCtx => res.locals.user as UserCtx;

/** auth.check(req, perms): hasAll; `online` adds the offline-user check of newer controllers. */
export function requirePermissions(
  settings: () => AppSettings,
  permissions: string[],
  online = false,
): RequestHandler {
  return (_req, res, next) => {
    const user = userOf(res);
    if (online && !isOnline(settings(), user)) throw new ChtError(403, 'Insufficient privileges');
    if (!hasAllPermissions(settings(), user, permissions)) throw new ChtError(403, 'Insufficient privileges');
    next();
  };
}

/** The API firewall for online-only endpoints (_find, hydrate, contacts-by-phone, /medic reads). */
export function requireOnline(settings: () => AppSettings): RequestHandler {
  return (_req, res, next) => {
    if (!isOnline(settings(), userOf(res)))
      throw new ChtError(403, 'forbidden', 'Offline users are not allowed access to this endpoint');
    next();
  };
}

export function requireAdmin(message = 'Insufficient permissions'): RequestHandler {
  return (_req, res, next) => {
    if (!userOf(res).admin) throw new ChtError(403, message);
    next();
  };
}
