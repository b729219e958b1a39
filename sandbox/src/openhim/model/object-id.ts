// MongoDB-style ObjectIds (24 hex digits: seconds, random, counter), so ids look like core's.
import { randomBytes } from 'node:crypto';
import { CastError } from './errors';

const processPart = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

export function newObjectId(now: number = Date.now()): string {
  counter = (counter + 1) % 0xffffff;
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `${seconds}${processPart}${counter.toString(16).padStart(6, '0')}`;
}

export const isObjectId = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-fA-F]{24}$/.test(value);

/** Throws mongoose's CastError for an id that cannot be an ObjectId (core answers these with 500). */
export function assertObjectId(value: string, model: string): string {
  if (!isObjectId(value))
    throw new CastError(
      `Cast to ObjectId failed for value "${value}" (type string) at path "_id" for model "${model}"`,
    );
  return value.toLowerCase();
}
