// The error types of the OpenHIM stand-in, each with the name core's own errors carry, because core
// puts `${error}` (name: message) into its answers. ApiError is an answer core gives on purpose:
// a status and a plain-text body (core's `logAndSetResponse`). Test and demo stand-in only.

/** A deliberate API answer: status and the text body core sends. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** Mongoose's ValidationError: "<Model> validation failed: <path>: <message>, …". */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly modelName: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${modelName} validation failed: ${problems.map((p) => `${p.path}: ${p.message}`).join(', ')}`);
  }
}

/** Mongoose's CastError, e.g. a malformed ObjectId in a URL. */
export class CastError extends Error {
  override name = 'CastError';
}

/** MongoDB's duplicate-key error from a unique index. */
export class DuplicateKeyError extends Error {
  override name = 'MongoServerError';
  constructor(collection: string, field: string, value: unknown) {
    super(
      `E11000 duplicate key error collection: openhim.${collection} index: ${field}_1 dup key: { ${field}: ${JSON.stringify(value)} }`,
    );
  }
}

/** A TypeError core throws (and Koa answers 500) where it dereferences a missing document. */
export const nullDereference = (property: string, of: 'null' | 'undefined' = 'null') =>
  new TypeError(`Cannot read property '${property}' of ${of}`);
