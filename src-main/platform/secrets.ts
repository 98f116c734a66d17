import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { SECRET_KEYS } from '../api/contract/system';
import type { Db } from '../db/client';
import { secrets } from '../db/schema';

/** Turns a secret into bytes at rest and back: Electron safeStorage, or AES-256-GCM headless. */
export interface SecretCipher {
  readonly kind: string;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

/** Headless mode: AES-256-GCM with a random key kept in a 0600 file beside the database. */
export class KeyFileCipher implements SecretCipher {
  readonly kind = 'aes-256-gcm-keyfile';
  private readonly key: Buffer;

  constructor(keyFile: string) {
    if (!existsSync(keyFile)) {
      writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(keyFile, 0o600);
    this.key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    if (this.key.length !== 32) throw new Error(`secret key file ${keyFile} is damaged`);
  }

  encrypt(plain: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer): string {
    if (blob[0] !== 1) throw new Error('unknown secret format');
    const iv = blob.subarray(1, 13);
    const tag = blob.subarray(13, 29);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString('utf8');
  }
}

export type SecretName = (typeof SECRET_KEYS)[number];

/** Encrypted key/value store in the `secrets` table. Values never leave except through get(). */
export class SecretsStore {
  /**
   * Decrypted values already read (voice calls resolve keys per request: no query + decrypt on
   * every sentence). Only this store writes the table, so set() keeps it exact.
   */
  private readonly cache = new Map<SecretName, string | undefined>();

  constructor(
    private readonly db: Db,
    private readonly cipher: SecretCipher,
  ) {}

  get(name: SecretName): string | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const row = this.db.select().from(secrets).where(eq(secrets.name, name)).get();
    const value = row ? this.cipher.decrypt(row.ciphertext) : undefined;
    this.cache.set(name, value);
    return value;
  }

  has(name: SecretName): boolean {
    return this.db.select({ name: secrets.name }).from(secrets).where(eq(secrets.name, name)).get() != null;
  }

  set(name: SecretName, value: string | null): void {
    this.cache.delete(name);
    if (value == null || value === '') {
      this.db.delete(secrets).where(eq(secrets.name, name)).run();
      return;
    }
    const ciphertext = this.cipher.encrypt(value);
    this.db
      .insert(secrets)
      .values({ name, ciphertext, updatedAt: Date.now() })
      .onConflictDoUpdate({ target: secrets.name, set: { ciphertext, updatedAt: Date.now() } })
      .run();
  }

  /** Which secrets are set, without their values. */
  list(): Record<SecretName, boolean> {
    const present = new Set(
      this.db
        .select({ name: secrets.name })
        .from(secrets)
        .all()
        .map((r) => r.name),
    );
    return Object.fromEntries(SECRET_KEYS.map((n) => [n, present.has(n)])) as Record<SecretName, boolean>;
  }
}
