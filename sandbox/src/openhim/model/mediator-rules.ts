// Mediator checks of core's API (openhim.md §2.2–§2.3; core@v8.5.0:src/api/mediators.js), with its
// messages: configDefs, config against the defs, and the masking of password values. Pure.
import { isPlainObject } from './schema';

export const PASSWORD_MASK = '**********';

export interface ConfigDefLike {
  param?: string;
  type?: string;
  values?: unknown;
  template?: unknown;
  array?: boolean;
}

/** Throws with core's message when a def cannot be used (struct needs a template, option values). */
export function assertConfigDefs(defs: unknown): void {
  if (!Array.isArray(defs)) return;
  for (const def of defs as ConfigDefLike[]) {
    if (def.type === 'struct') {
      if (!def.template) throw new Error(`Must specify a template for struct param '${def.param}'`);
      for (const item of Array.isArray(def.template) ? (def.template as ConfigDefLike[]) : []) {
        if (!item.param)
          throw new Error(`Must specify field 'param' in template definition for param '${def.param}'`);
        if (!item.type)
          throw new Error(`Must specify field 'type' in template definition for param '${def.param}'`);
        if (item.type === 'struct')
          throw new Error(
            `May not recursively specify 'struct' in template definitions (param '${def.param}')`,
          );
      }
    } else if (def.type === 'option') {
      if (!Array.isArray(def.values))
        throw new Error(`Expected field 'values' to be an array (option param '${def.param}')`);
      if (def.values.length === 0)
        throw new Error(`Must specify a values array for option param '${def.param}'`);
    }
  }
}

function assertField(param: string, def: ConfigDefLike, field: unknown): void {
  switch (def.type) {
    case 'string':
      if (typeof field !== 'string') throw new Error(`Expected config param ${param} to be a string.`);
      break;
    case 'bigstring':
      if (typeof field !== 'string') throw new Error(`Expected config param ${param} to be a large string.`);
      break;
    case 'number':
      if (typeof field !== 'number') throw new Error(`Expected config param ${param} to be a number.`);
      break;
    case 'bool':
      if (typeof field !== 'boolean') throw new Error(`Expected config param ${param} to be a boolean.`);
      break;
    case 'option': {
      const values = Array.isArray(def.values) ? def.values : [];
      if (!values.includes(field))
        throw new Error(`Expected config param ${param} to be one of ${values.join(',')}`);
      break;
    }
    case 'map':
      if (typeof field !== 'object') throw new Error(`Expected config param ${param} to be an object.`);
      if (Object.values(field ?? {}).some((v) => typeof v !== 'string'))
        throw new Error(`Expected config param ${param} to only contain string values.`);
      break;
    case 'struct': {
      if (typeof field !== 'object') throw new Error(`Expected config param ${param} to be an object.`);
      const known = (Array.isArray(def.template) ? (def.template as ConfigDefLike[]) : []).map(
        (t) => t.param,
      );
      for (const key of Object.keys(field ?? {}))
        if (!known.includes(key))
          throw new Error(`Field ${key} is not defined in template definition for config param ${param}.`);
      break;
    }
    case 'password':
      if (typeof field !== 'string')
        throw new Error(`Expected config param ${param} to be a string representing a password.`);
      break;
    default:
      break;
  }
}

/** Every config key needs a def, and its value the def's type. Throws with core's message. */
export function assertConfig(defs: ConfigDefLike[], config: unknown): void {
  if (!isPlainObject(config)) return;
  for (const [param, value] of Object.entries(config)) {
    const matching = defs.filter((def) => def.param === param);
    if (matching.length === 0) throw new Error(`No config definition found for parameter ${param}`);
    for (const def of matching) {
      if (def.array) {
        if (!Array.isArray(value))
          throw new Error(`Expected config param ${param} to be an array of type ${def.type}`);
        value.forEach((item, i) => assertField(`${param}[${i}]`, def, item));
      } else assertField(param, def, value);
    }
  }
}

/** A copy with password values (also inside structs) replaced by the mask, as GET /mediators/:urn shows. */
export function maskPasswords(defs: ConfigDefLike[], config: unknown): unknown {
  if (!isPlainObject(config)) return config;
  const out: Record<string, unknown> = { ...config };
  for (const def of defs) {
    const param = def.param ?? '';
    const value = out[param];
    if (!value) continue;
    if (def.type === 'password')
      out[param] = def.array && Array.isArray(value) ? value.map(() => PASSWORD_MASK) : PASSWORD_MASK;
    if (def.type === 'struct') out[param] = maskPasswords((def.template ?? []) as ConfigDefLike[], value);
  }
  return out;
}

/** A copy of `sent` where masked password values are taken back from the stored config. */
export function restoreMaskedPasswords(defs: ConfigDefLike[], sent: unknown, stored: unknown): unknown {
  if (!isPlainObject(sent) || !isPlainObject(stored)) return sent;
  const out: Record<string, unknown> = { ...sent };
  for (const def of defs) {
    const param = def.param ?? '';
    const given = out[param];
    const kept = stored[param];
    if (!given || !kept) continue;
    if (def.type === 'password') {
      if (def.array && Array.isArray(given) && Array.isArray(kept))
        out[param] = given.map((p: unknown, i) => (p === PASSWORD_MASK ? kept[i] : p));
      else if (given === PASSWORD_MASK) out[param] = kept;
    }
    if (def.type === 'struct')
      out[param] = restoreMaskedPasswords((def.template ?? []) as ConfigDefLike[], given, kept);
  }
  return out;
}
