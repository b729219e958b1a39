// Users and permissions (reference cht.md §2.0, §2.7): a CouchDB admin passes every check; other users
// hold roles, permissions map to roles (app_settings.permissions or CHT's defaults), and a user is
// online when any of their roles is not configured `offline`.
import type { AppSettings } from '../config/app-settings';

export interface SandboxUser {
  name: string;
  password: string;
  roles: string[];
}

export interface UserCtx {
  name: string;
  roles: string[];
  admin: boolean;
}

const PROGRAM = ['program_officer', 'chw_supervisor', 'chw'];

/** The defaults of cht-core config/default/app_settings.json for the permissions the API checks. */
export const DEFAULT_PERMISSIONS: Record<string, string[]> = {
  can_create_records: ['data_entry', 'gateway', ...PROGRAM],
  can_edit: ['gateway', ...PROGRAM],
  can_create_people: PROGRAM,
  can_create_places: PROGRAM,
  can_update_places: PROGRAM,
  can_view_contacts: PROGRAM,
  can_configure: ['program_officer', 'crfo'],
};

export const DEFAULT_ROLES: Record<string, { offline?: boolean }> = {
  chw: { offline: true },
  chw_supervisor: { offline: true },
  program_officer: {},
  data_entry: {},
  analytics: {},
  gateway: {},
  national_admin: {},
};

export class Users {
  private readonly users = new Map<string, SandboxUser>();

  constructor(private readonly admin: { name: string; password: string }) {}

  add(user: SandboxUser): void {
    this.users.set(user.name, user);
  }

  authenticate(name: string, password: string): UserCtx | undefined {
    if (name === this.admin.name && password === this.admin.password)
      return { name, roles: ['_admin'], admin: true };
    const user = this.users.get(name);
    if (!user || user.password !== password) return undefined;
    return { name, roles: user.roles, admin: false };
  }
}

export function hasAllPermissions(settings: AppSettings, user: UserCtx, permissions: string[]): boolean {
  if (user.admin) return true;
  const table = { ...DEFAULT_PERMISSIONS, ...settings.permissions };
  return permissions.every((permission) =>
    (table[permission] ?? []).some((role) => user.roles.includes(role)),
  );
}

export function isOnline(settings: AppSettings, user: UserCtx): boolean {
  if (user.admin) return true;
  const roles = { ...DEFAULT_ROLES, ...settings.roles };
  return user.roles.some((role) => role === 'mm-online' || (role in roles && !roles[role]?.offline));
}
