import { z } from 'zod';
import { method } from '../define';
import { empty } from './common';

/** The keys the owner enters, checked live with one cheap authenticated request each. */
export const CHECKED_KEYS = ['openai', 'google', 'twilio', 'ngrok'] as const;
export type CheckedKey = (typeof CHECKED_KEYS)[number];

/**
 * Why a check failed, in words the renderer turns into Hebrew: `missing` nothing entered,
 * `invalid_format` not even shaped like such a key, `refused` the service said no (wrong or
 * revoked), `network` the service could not be reached, `other` anything else.
 */
export const CHECK_PROBLEMS = ['missing', 'invalid_format', 'refused', 'network', 'other'] as const;

export const checkResultSchema = z.object({
  ok: z.boolean(),
  problem: z.enum(CHECK_PROBLEMS).nullable(),
  /** The service's own words (for support and the log; the screen shows the Hebrew for `problem`). */
  detail: z.string().nullable(),
  checkedAt: z.number().int(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

/** The first-run steps, in order; the dashboard checklist shows the same ones. */
export const SETUP_STEPS = ['profile', 'knowledge', 'keys', 'address', 'number', 'test_call'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export const setupStatusSchema = z.object({
  steps: z.array(
    z.object({
      id: z.enum(SETUP_STEPS),
      /**
       * Really working now, not only "something was typed": profile has a name and phone;
       * knowledge has hours or services; keys: OpenAI and Twilio accepted (Google optional, the
       * OpenAI voice stands in); address: reachable from outside; number: picked and pointing
       * here; test_call: a test call from the app had an answered turn.
       */
      done: z.boolean(),
      /** The owner chose to skip it in the wizard. */
      skipped: z.boolean(),
    }),
  ),
  /** Every step done: the phone line really answers. */
  lineReady: z.boolean(),
  /** The wizard was finished or closed once (it then opens only from Settings). */
  wizardSeen: z.boolean(),
});
export type SetupStatus = z.infer<typeof setupStatusSchema>;

/** One line of the doctor's report. */
export const doctorCheckSchema = z.object({
  /** healthz, readyz, incoming_call, stream_ended, media_turn, recording, payments, public_url, number, key_<name>. */
  id: z.string(),
  ok: z.boolean(),
  /** What to do, in Hebrew, when it failed. */
  hint: z.string().nullable(),
  /** The technical reason (for support). */
  detail: z.string().nullable(),
  /** A pass with a remark (e.g. "not built yet", "not configured"). */
  note: z.string().nullable(),
});
export type DoctorCheck = z.infer<typeof doctorCheckSchema>;
export const doctorReportSchema = z.object({
  ok: z.boolean(),
  checks: z.array(doctorCheckSchema),
  ranAt: z.number().int(),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

export const setupMethods = {
  'setup.checkKey': method({
    summary: 'Check one stored key against its service (a cheap authenticated request)',
    input: z.object({ key: z.enum(CHECKED_KEYS) }).strict(),
    output: checkResultSchema,
  }),
  'setup.checkAddress': method({
    summary: 'Reach this app from outside: GET <public address>/healthz must answer ok',
    input: empty,
    output: checkResultSchema.extend({ host: z.string().nullable() }),
  }),
  'setup.status': method({
    summary: 'Which first-run steps really work now',
    input: empty,
    output: setupStatusSchema,
  }),
  'setup.mark': method({
    summary: 'Remember that a wizard step was skipped (or un-skipped), or that the wizard was seen',
    input: z
      .object({
        skipped: z.object({ step: z.enum(SETUP_STEPS), value: z.boolean() }).optional(),
        wizardSeen: z.boolean().optional(),
      })
      .strict(),
    output: setupStatusSchema,
  }),
  'setup.doctor': method({
    summary: 'Run the golden-path checks against this running app (npm run doctor and Settings)',
    input: empty,
    output: doctorReportSchema,
  }),
};
