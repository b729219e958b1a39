// CHT 5.x gives records a uuid v7 (reference cht.md §2.1 step 8); the installed `uuid` package
// predates v7, so this builds one per RFC 9562: 48-bit ms timestamp, version 7, variant 10.
import { randomBytes } from 'node:crypto';

export function uuidV7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
