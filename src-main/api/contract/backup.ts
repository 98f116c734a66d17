import { z } from 'zod';
import { method } from '../define';
import { empty, epochMs } from './common';
import { SECRET_KEYS } from './system';

const secretName = z.enum(SECRET_KEYS);
/** A file or folder on this computer, as the owner typed or chose it. */
const localPath = z.string().trim().min(1).max(4096);
/** The password that protects the keys inside a backup (scrypt + AES-256-GCM). */
const password = z.string().min(8, 'at least 8 characters').max(1024);

/** What a backup file says about itself (its manifest), without the per-part hashes. */
export const backupSummarySchema = z.object({
  /** The archive's own file name and full path. */
  name: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative(),
  createdAt: epochMs,
  kind: z.enum(['manual', 'auto']),
  appVersion: z.string(),
  /** The last migration applied to the database in the backup, e.g. 0003_media_stream_token. */
  schema: z.string(),
  /** Whether this app can restore it (a backup from a newer app cannot be). */
  schemaSupported: z.boolean(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  files: z.object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  /** Keys: included (protected with the owner's password) or not; which were set at backup time. */
  keys: z.object({ included: z.boolean(), names: z.array(secretName) }),
});
export type BackupSummary = z.infer<typeof backupSummarySchema>;

export const backupSettingsSchema = z.object({
  /** Where backups are written (a second disk or a synced folder); default: the data folder's `backups`. */
  folder: z.string(),
  /** Whether `folder` is the default one inside the data folder. */
  defaultFolder: z.boolean(),
  automatic: z.boolean(),
  keepDaily: z.number().int().min(1).max(60),
  keepWeekly: z.number().int().min(0).max(52),
});
export type BackupSettings = z.infer<typeof backupSettingsSchema>;

export const BACKUP_OPS = ['backup', 'restore'] as const;
export const BACKUP_PHASES = ['database', 'prepare', 'files', 'verify', 'stage', 'done', 'failed'] as const;

export const backupProgressSchema = z.object({
  op: z.enum(BACKUP_OPS),
  phase: z.enum(BACKUP_PHASES),
  /** 0–100 for the whole operation. */
  percent: z.number().min(0).max(100),
  at: epochMs,
  /** A failure's words (failed only). */
  error: z.string().optional(),
});
export type BackupProgress = z.infer<typeof backupProgressSchema>;

export const backupMethods = {
  'backup.create': method({
    summary:
      'Back up the database and the files folder now into one file; keys included only when protected with a password',
    input: z
      .object({
        /** Include the keys, re-encrypted with this password; without it the keys are left out. */
        password: password.optional(),
      })
      .strict()
      .optional(),
    output: backupSummarySchema,
  }),
  'backup.list': method({
    summary: 'The backups in the backup folder (newest first), the last one, and what runs now',
    input: empty,
    output: z.object({
      folder: z.string(),
      backups: z.array(backupSummarySchema),
      /** The newest backup, or null. */
      last: backupSummarySchema.nullable(),
      running: z.enum(BACKUP_OPS).nullable(),
      /** The last automatic backup that failed (its words), cleared by the next success. */
      lastError: z.object({ at: epochMs, message: z.string() }).nullable(),
      /** Set after a restore: the keys the owner must enter again. */
      restored: z.object({ at: epochMs, from: z.string(), keysToReenter: z.array(secretName) }).nullable(),
    }),
  }),
  'backup.settings.get': method({
    summary: 'Backup folder, automatic daily backup on/off, retention (daily and weekly)',
    input: empty,
    output: backupSettingsSchema,
  }),
  'backup.settings.set': method({
    summary: 'Change the backup folder (null: the default), automatic backup, retention',
    input: z
      .object({
        folder: localPath.nullable().optional(),
        automatic: z.boolean().optional(),
        keepDaily: z.number().int().min(1).max(60).optional(),
        keepWeekly: z.number().int().min(0).max(52).optional(),
      })
      .strict(),
    output: backupSettingsSchema,
  }),
  'backup.inspect': method({
    summary: 'The manifest of a backup file, without restoring anything',
    input: z.object({ path: localPath }).strict(),
    output: backupSummarySchema,
  }),
  'backup.restore': method({
    summary:
      'Check a backup completely (manifest, hashes, integrity, schema), then replace the data with it; the current data is kept aside',
    input: z
      .object({
        path: localPath,
        /** The password the keys were protected with (backups that include keys). */
        password: z.string().min(1).max(1024).optional(),
        /** Restore a backup that includes keys without them (the keys are entered again). */
        withoutKeys: z.boolean().optional(),
      })
      .strict(),
    output: z.object({
      from: backupSummarySchema,
      /** The app restarts on the restored data now; false: it takes effect at the next start. */
      restarting: z.boolean(),
      keysRestored: z.array(secretName),
      /** Keys that were set when the backup was taken and are not restored: enter them again. */
      keysToReenter: z.array(secretName),
      /** Where the current data is kept until the app has started on the restored one. */
      keptAside: z.string(),
    }),
  }),
};

export const backupEvents = {
  /** A backup or restore moves on (database pages, files, checks). */
  'backup.progress': backupProgressSchema,
};
