// Errors from Node's own modules come from another realm under test runners such as jest, where
// `instanceof Error` is false: recognise them by shape.
import { types } from 'node:util';

export const isError = (value: unknown): value is Error =>
  types.isNativeError(value) ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as Error).message === 'string' &&
    'name' in value);
