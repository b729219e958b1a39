// The one error type of the CHT API boundary (reference cht.md §2.0): a status, the public message
// and optional details. A PublicError (status 500 with details) is CHT's "Server error" with
// `details`; the error middleware turns these into CHT's envelope once.

export class ChtError extends Error {
  override name = 'ChtError';
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** CHT's PublicError: no status, so 500 with the message as `details`. */
export const publicError = (message: string) => new ChtError(500, 'Server error', message);

/** A raw CouchDB answer proxied through /medic: `{error, reason}` with CouchDB's status. */
export class CouchError extends Error {
  override name = 'CouchError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}
