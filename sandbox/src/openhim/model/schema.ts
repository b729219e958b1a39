// A small stand-in for the part of mongoose core relies on: casting request bodies to a model's
// schema (unknown fields dropped, defaults applied, `_id`s on array subdocuments) and the schema
// validators (required, enum, min, max), with mongoose's own error wording. Pure; no I/O.
import { CastError, type FieldProblem, ValidationError } from './errors';
import { isObjectId, newObjectId } from './object-id';

export type Field =
  | { type: 'string'; required?: boolean; enum?: readonly string[]; default?: string }
  | { type: 'number'; required?: boolean; min?: number; max?: number; default?: number }
  | { type: 'boolean'; default?: boolean }
  | { type: 'date'; required?: boolean }
  | { type: 'objectId' }
  | { type: 'mixed' }
  | { type: 'array'; of: 'string' | 'mixed' | 'objectId'; enum?: readonly string[] }
  | { type: 'subdocs'; schema: Schema }
  | { type: 'nested'; schema: Schema };

export type Schema = Record<string, Field>;

export interface Model {
  /** Mongoose model name, used in messages ("Channel validation failed: …"). */
  name: string;
  schema: Schema;
}

export type Doc = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

const typeName = (value: unknown) =>
  Array.isArray(value) ? 'Array' : value === null ? 'null' : typeof value;

function castMessage(kind: string, value: unknown, key: string): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return `Cast to ${kind} failed for value "${shown}" (type ${typeName(value)}) at path "${key}"`;
}

class Caster {
  readonly problems: FieldProblem[] = [];
  constructor(
    private readonly validate: boolean,
    private readonly now: () => number,
  ) {}

  private problem(path: string, message: string) {
    this.problems.push({ path, message });
  }

  scalar(field: Field, value: unknown, path: string, key: string): unknown {
    if (value === null) return null;
    switch (field.type) {
      case 'string':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        return this.fail('string', value, path, key);
      case 'number': {
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'string') {
          if (value.trim() === '') return null;
          const n = Number(value);
          if (Number.isFinite(n)) return n;
        }
        return this.fail('Number', value, path, key);
      }
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 1 || value === '1' || value === 'yes') return true;
        if (value === 'false' || value === 0 || value === '0' || value === 'no') return false;
        return this.fail('Boolean', value, path, key);
      case 'date': {
        const date =
          value instanceof Date
            ? value
            : typeof value === 'string' || typeof value === 'number'
              ? new Date(value)
              : undefined;
        if (date && !Number.isNaN(date.getTime())) return date.toISOString();
        return this.fail('date', value, path, key);
      }
      case 'objectId':
        if (isObjectId(value)) return value.toLowerCase();
        return this.fail('ObjectId', value, path, key);
      default:
        return value;
    }
  }

  private fail(kind: string, value: unknown, path: string, key: string): undefined {
    this.problem(path, castMessage(kind, value, key));
    return undefined;
  }

  field(field: Field, value: unknown, path: string, key: string): unknown {
    if (value === undefined) return undefined;
    switch (field.type) {
      case 'array': {
        if (value === null) return [];
        const items = Array.isArray(value) ? value : [value];
        const of: Field = { type: field.of } as Field;
        return items.map((item, i) => this.scalar(of, item, `${path}.${i}`, key));
      }
      case 'subdocs': {
        if (value === null) return [];
        const items = Array.isArray(value) ? value : [value];
        return items.map((item, i) => {
          if (!isPlainObject(item)) return this.fail('Embedded', item, `${path}.${i}`, key);
          return this.document(field.schema, item, `${path}.${i}.`, true);
        });
      }
      case 'nested':
        if (value === null) return null;
        if (!isPlainObject(value)) return this.fail('Object', value, path, key);
        return this.document(field.schema, value, `${path}.`, false);
      default:
        return this.scalar(field, value, path, key);
    }
  }

  document(schema: Schema, input: Doc, prefix: string, withId: boolean, partial = false): Doc {
    const out: Doc = {};
    if (withId) out._id = isObjectId(input._id) ? input._id.toLowerCase() : newObjectId(this.now());
    for (const [key, field] of Object.entries(schema)) {
      const path = `${prefix}${key}`;
      let value = this.field(field, input[key], path, key);
      if (value === undefined && !partial) value = defaultOf(field);
      if (value !== undefined) out[key] = value;
      if (this.validate) this.check(field, value, path, key);
    }
    return out;
  }

  private check(field: Field, value: unknown, path: string, key: string) {
    const missing = value === undefined || value === null || (field.type === 'string' && value === '');
    if ('required' in field && field.required && missing) {
      this.problem(path, `Path \`${key}\` is required.`);
      return;
    }
    if (missing) return;
    if (field.type === 'string' && field.enum && !field.enum.includes(value as string))
      this.problem(path, `\`${String(value)}\` is not a valid enum value for path \`${key}\`.`);
    if (field.type === 'array' && field.enum)
      (value as unknown[]).forEach((item, i) => {
        if (typeof item === 'string' && !field.enum?.includes(item))
          this.problem(`${path}.${i}`, `\`${item}\` is not a valid enum value for path \`${key}.${i}\`.`);
      });
    if (field.type === 'number' && typeof value === 'number') {
      if (field.min !== undefined && value < field.min)
        this.problem(path, `Path \`${key}\` (${value}) is less than minimum allowed value (${field.min}).`);
      if (field.max !== undefined && value > field.max)
        this.problem(path, `Path \`${key}\` (${value}) is more than maximum allowed value (${field.max}).`);
    }
  }
}

function defaultOf(field: Field): unknown {
  if (field.type === 'array' || field.type === 'subdocs') return [];
  if ('default' in field) return field.default;
  return undefined;
}

/**
 * A new document as `new Model(body).save()` stores it: cast, defaults, `_id`, `__v: 0`, validated.
 * Throws ValidationError listing every failing path (cast failures included).
 */
export function createDocument(model: Model, input: unknown, now: () => number = Date.now): Doc {
  const { doc, error } = buildDocument(model, input, now);
  if (error) throw error;
  return doc;
}

/** `new Model(body)`: the cast document and, separately, what save() would reject. */
export function buildDocument(
  model: Model,
  input: unknown,
  now: () => number = Date.now,
): { doc: Doc; error?: ValidationError } {
  const caster = new Caster(true, now);
  const body = isPlainObject(input) ? input : {};
  const doc = { ...caster.document(model.schema, body, '', true), __v: 0 };
  return caster.problems.length > 0
    ? { doc, error: new ValidationError(model.name, caster.problems) }
    : { doc };
}

/**
 * Re-validates a whole stored document after changes (`doc.set(changes); doc.save()`).
 * Throws ValidationError.
 */
export function validateDocument(model: Model, stored: object, now: () => number = Date.now): Doc {
  const doc = stored as Doc;
  const caster = new Caster(true, now);
  const out = { ...caster.document(model.schema, doc, '', true), __v: doc.__v ?? 0 };
  if (caster.problems.length > 0) throw new ValidationError(model.name, caster.problems);
  return out;
}

/**
 * The fields of an update as `findByIdAndUpdate(id, body)` casts them: only the given fields, no
 * validators (required, enum, min and max are not checked), subdocuments cast with their defaults.
 * Throws CastError for a value that cannot be cast.
 */
export function castUpdate(model: Model, input: unknown, now: () => number = Date.now): Doc {
  const caster = new Caster(false, now);
  const body = isPlainObject(input) ? input : {};
  const doc = caster.document(model.schema, body, '', false, true);
  const [first] = caster.problems;
  if (first) throw new CastError(`${first.message} for model "${model.name}"`);
  return doc;
}

/** `doc.set(changes)`: the given top-level fields replace the stored ones (cast, not validated). */
export function setFields(model: Model, doc: object, changes: unknown, now: () => number = Date.now): Doc {
  const caster = new Caster(false, now);
  const body = isPlainObject(changes) ? changes : {};
  const cast = caster.document(model.schema, body, '', false, true);
  // A value that fails to cast is kept as given, so that save() reports it as mongoose does.
  const raw = Object.fromEntries(
    caster.problems.map((p) => {
      const key = p.path.split('.')[0] ?? p.path;
      return [key, body[key]];
    }),
  );
  return { ...doc, ...cast, ...raw };
}

export { isPlainObject };
