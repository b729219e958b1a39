// medic-vault credentials (reference cht.md §2.5): doc `credential:<encodeURIComponent(key)>` holding
// `<ivhex>:<cipherhex>` (AES-256-CBC). There is no read endpoint; only outbound reads them.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { type Db, getOrUndefined } from './databases';

export class CredentialStore {
  private readonly key: Buffer;

  constructor(
    private readonly vault: Db,
    secret: string,
  ) {
    this.key = createHash('sha256').update(secret).digest();
  }

  private id(name: string) {
    return `credential:${encodeURIComponent(name)}`;
  }

  async set(name: string, value: string): Promise<void> {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-cbc', this.key, iv);
    const password = `${iv.toString('hex')}:${Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]).toString('hex')}`;
    const existing = await getOrUndefined(this.vault, this.id(name));
    await this.vault.put({
      _id: this.id(name),
      ...(existing?._rev ? { _rev: existing._rev } : {}),
      password,
    });
  }

  async get(name: string): Promise<string | undefined> {
    const doc = await getOrUndefined(this.vault, this.id(name));
    if (typeof doc?.password !== 'string') return undefined;
    const [iv, cipherText] = doc.password.split(':');
    const decipher = createDecipheriv('aes-256-cbc', this.key, Buffer.from(String(iv), 'hex'));
    return Buffer.concat([
      decipher.update(Buffer.from(String(cipherText), 'hex')),
      decipher.final(),
    ]).toString('utf8');
  }
}
