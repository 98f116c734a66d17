import { z } from 'zod';
import { method } from '../define';
import { empty } from './common';

export const readinessValue = z.enum(['ok', 'disabled', 'fail']);
export const readinessSchema = z.object({
  db: readinessValue,
  openai: readinessValue,
  tts: readinessValue,
  whatsapp: readinessValue,
  tunnel: readinessValue,
  payments: z.object({ paypal: readinessValue, tranzila: readinessValue }),
  /** The PDF engine's start-up self-test (Hebrew glyph order); absent in recovery mode. */
  pdf: readinessValue.optional(),
  /** The Silero VAD model (fail: calls use the energy VAD); absent in recovery mode. */
  vad: readinessValue.optional(),
});
export type Readiness = z.infer<typeof readinessSchema>;

export const versionSchema = z.object({
  app: z.string(),
  version: z.string(),
  commit: z.string(),
  build_time: z.string(),
});
export type VersionInfo = z.infer<typeof versionSchema>;

/** Whether the disk refuses writes: set when a write failed for lack of space, cleared by a committed write. */
export const storageStatusSchema = z.object({
  full: z.boolean(),
  /** When the failures began (epoch ms), null while OK. */
  since: z.number().int().nullable(),
});
export type StorageStatusInfo = z.infer<typeof storageStatusSchema>;

export const SECRET_KEYS = [
  'openai_api_key',
  'google_service_account_json',
  'twilio_account_sid',
  'twilio_auth_token',
  'ngrok_authtoken',
  'paypal_client_id',
  'paypal_client_secret',
  'tranzila_terminal',
  'tranzila_api_key',
  'tranzila_api_secret',
] as const;

/** Set while the core runs in recovery mode (the database could not be opened). */
export const recoverySchema = z.object({
  reason: z.literal('database_damaged'),
  /** The damaged database, kept as it is (it moves aside only when the owner starts fresh). */
  damagedFile: z.string(),
  /** SQLite's code, e.g. SQLITE_CORRUPT or SQLITE_NOTADB. */
  code: z.string(),
});
export type RecoveryInfo = z.infer<typeof recoverySchema>;

export const systemMethods = {
  'system.info': method({
    summary: 'Version, mode (electron|browser), public URL and readiness',
    input: empty,
    output: z.object({
      version: versionSchema,
      mode: z.enum(['electron', 'browser']),
      publicUrl: z.string().nullable(),
      publicPort: z.number().int(),
      dataDir: z.string(),
      readiness: readinessSchema,
      /** Absent only where no database is open (recovery mode). */
      storage: storageStatusSchema.optional(),
      recovery: recoverySchema.optional(),
    }),
  }),
  'system.startFresh': method({
    summary:
      'Recovery mode only: move the damaged database aside (kept, renamed) and restart on a new empty one',
    input: empty,
    output: z.object({ keptAs: z.array(z.string()), restarting: z.literal(true) }),
  }),
  'secrets.status': method({
    summary: 'Which keys are stored (never their values)',
    input: empty,
    output: z.record(z.enum(SECRET_KEYS), z.boolean()),
  }),
  'secrets.set': method({
    summary: 'Store or clear one key, encrypted',
    input: z.object({ name: z.enum(SECRET_KEYS), value: z.string().max(20_000).nullable() }).strict(),
    output: z.record(z.enum(SECRET_KEYS), z.boolean()),
  }),
};

export const notificationSchema = z.object({
  title: z.string(),
  body: z.string(),
  route: z.string().optional(),
});

export const systemEvents = {
  'system.readiness': readinessSchema,
  /** The disk started or stopped refusing writes. */
  'system.storage': storageStatusSchema,
  /** A desktop notification, shown by the renderer in browser mode. */
  'system.notification': notificationSchema,
};
