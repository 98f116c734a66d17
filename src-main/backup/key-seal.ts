/**
 * Keys inside a backup: the machine's own encryption (Electron safeStorage, or the headless key
 * file) cannot be read on another computer, so a backup that includes keys carries them decrypted
 * and sealed again with a password the owner chooses: scrypt (N=2^15, r=8, p=1) → AES-256-GCM.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { z } from 'zod';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

const sealedSchema = z.object({
  kdf: z.literal('scrypt'),
  N: z.number().int(),
  r: z.number().int(),
  p: z.number().int(),
  salt: z.string(),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
});

export class WrongPasswordError extends Error {
  constructor() {
    super('wrong password: the keys in this backup cannot be opened with it');
    this.name = 'WrongPasswordError';
  }
}

function deriveKey(password: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  if (p.N > 2 ** 20 || p.r > 16 || p.p > 4)
    return Promise.reject(new Error('keys part: unsupported scrypt cost'));
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { ...p, maxmem: 256 * p.N * p.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function sealKeys(values: Record<string, string>, password: string): Promise<Buffer> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(password, salt, SCRYPT);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
  const sealed = {
    kdf: 'scrypt',
    ...SCRYPT,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return Buffer.from(JSON.stringify(sealed));
}

/** The keys' values; WrongPasswordError when the password does not open them. */
export async function openKeys(blob: Buffer, password: string): Promise<Record<string, string>> {
  const parsed = sealedSchema.safeParse(JSON.parse(blob.toString('utf8')));
  if (!parsed.success) throw new Error('the keys part of this backup is not readable');
  const s = parsed.data;
  const key = await deriveKey(password, Buffer.from(s.salt, 'base64'), s);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(s.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(s.data, 'base64')), decipher.final()]);
    return z.record(z.string(), z.string()).parse(JSON.parse(plain.toString('utf8')));
  } catch {
    throw new WrongPasswordError();
  }
}
