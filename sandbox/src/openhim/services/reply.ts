// What an API handler answers, in Koa's terms, so the HTTP edge can reproduce core's bodies exactly:
// a text or JSON body, or only a status. Koa leaves the body of a status-only answer as it was; core's
// Basic authentication pre-sets it to "User Authenticated Successfully" (openhim.md §1.1), otherwise
// Koa sends the status message ("Created"). `noBody` is an explicit `ctx.body = undefined`: always
// the status message (the heartbeat's "OK", §2.4).
import type { User } from '../model/types';
import { ApiError } from '../model/errors';
import { isError } from '../model/is-error';

export type ApiReply =
  | { status: number; kind: 'text'; text: string }
  | { status: number; kind: 'json'; json: unknown }
  | { status: number; kind: 'statusOnly' }
  | { status: number; kind: 'noBody' };

export const text = (status: number, body: string): ApiReply => ({ status, kind: 'text', text: body });
export const json = (body: unknown, status = 200): ApiReply => ({ status, kind: 'json', json: body });
export const statusOnly = (status: number): ApiReply => ({ status, kind: 'statusOnly' });
export const noBody = (status: number): ApiReply => ({ status, kind: 'noBody' });

export const isAdmin = (user: User) => user.groups.includes('admin');

/** Core ≤8.5.0's authorisation: every guarded call needs the `admin` group, else 403 with this text. */
export function requireAdmin(user: User, action: string): void {
  if (!isAdmin(user))
    throw new ApiError(403, `User ${user.email} is not an admin, API access to ${action} denied.`);
}

/** `updatedBy` as core writes it (utils.selectAuditFields). */
export const auditFields = (user: User) => ({ id: user._id, name: `${user.firstname} ${user.surname}` });

/** core's `${err}`: "Name: message". */
export const describe = (error: unknown) =>
  isError(error) ? `${error.name}: ${error.message}` : String(error);
