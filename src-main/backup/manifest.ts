/**
 * The manifest: the first entry of every backup archive. It says what made the backup (app and
 * schema version), what is inside (row counts per table, each part's size and SHA-256), and
 * whether the keys are included (sealed with the owner's password) or only named.
 */
import { z } from 'zod';
import { SECRET_KEYS } from '../api/contract/system';

export const MANIFEST_NAME = 'manifest.json';
export const DB_PART = 'db/agentlocator.db';
export const KEYS_PART = 'keys.enc';
export const FILES_PREFIX = 'files/';
/** A manifest larger than this is not one of ours (a part list of ~200k files). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** An archive path we write: db/agentlocator.db, keys.enc or files/<relative path>, never `..`. */
export const partPath = z.string().min(1).max(1024).refine(isSafePartPath, 'not a path inside the backup');

export function isSafePartPath(p: string): boolean {
  if (p === DB_PART || p === KEYS_PART) return true;
  if (!p.startsWith(FILES_PREFIX) || p.length === FILES_PREFIX.length) return false;
  if (p.includes('\\') || p.includes('\0') || p.startsWith('/') || /^[a-z]:/i.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export const manifestSchema = z.object({
  format: z.literal('agentlocator-backup'),
  formatVersion: z.literal(1),
  app: z.object({ name: z.string(), version: z.string(), commit: z.string() }),
  createdAt: z.number().int(),
  kind: z.enum(['manual', 'auto']),
  schema: z.object({
    /** The last migration applied (its tag and drizzle's `when`), and how many were. */
    last: z.string(),
    when: z.number().int(),
    applied: z.number().int().nonnegative(),
  }),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  parts: z.array(z.object({ path: partPath, size: z.number().int().nonnegative(), sha256 })).min(1),
  keys: z.object({
    included: z.boolean(),
    /** The keys that were set when the backup was taken. */
    names: z.array(z.enum(SECRET_KEYS)),
  }),
});
export type Manifest = z.infer<typeof manifestSchema>;
