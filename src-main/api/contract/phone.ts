import { z } from 'zod';
import { method } from '../define';
import { empty } from './common';

export const twilioNumberSchema = z.object({
  sid: z.string(),
  phoneNumber: z.string(),
  friendlyName: z.string(),
  voiceUrl: z.string().nullable(),
  /** The owner picked this number for the app. */
  picked: z.boolean(),
  /** Its voice URL and status callback already point at the current public address. */
  pointsHere: z.boolean(),
});
export type TwilioNumber = z.infer<typeof twilioNumberSchema>;

const webhookValues = z.object({
  voiceUrl: z.string(),
  voiceMethod: z.string(),
  statusCallback: z.string(),
  statusCallbackMethod: z.string(),
});

export const phoneSetupSchema = z.object({
  number: z.object({ sid: z.string(), phoneNumber: z.string() }).nullable(),
  auto: z.boolean(),
  /** What the number should point at now (null without a public address). */
  expected: z.object({ voiceUrl: z.string(), statusCallback: z.string() }).nullable(),
  /** Newest first: what was changed, when, and the values it replaced. */
  history: z.array(
    z.object({
      at: z.number().int(),
      reason: z.enum(['picked', 'public_address_changed', 'retry', 'undo', 'manual']),
      before: webhookValues,
      after: webhookValues,
    }),
  ),
  lastError: z.object({ at: z.number().int(), code: z.string(), message: z.string() }).nullable(),
});
export type PhoneSetup = z.infer<typeof phoneSetupSchema>;

export const phoneMethods = {
  'phone.numbers': method({
    summary: "The Twilio account's phone numbers, and which one points here",
    input: empty,
    output: z.array(twilioNumberSchema),
  }),
  'phone.setup': method({
    summary: 'The picked number, what it should point at, and the changes made to it',
    input: empty,
    output: phoneSetupSchema,
  }),
  'phone.pick': method({
    summary: 'Use this Twilio number for the app: point its voice URL and status callback here',
    input: z.object({ sid: z.string().regex(/^PN[0-9a-f]{32}$/, 'a Twilio number id (PN…)') }).strict(),
    output: phoneSetupSchema,
  }),
  'phone.configure': method({
    summary: 'Follow the public address automatically, or not; or forget the picked number',
    input: z.object({ auto: z.boolean().optional(), forget: z.literal(true).optional() }).strict(),
    output: phoneSetupSchema,
  }),
  'phone.undo': method({
    summary: 'Put back the values the last change replaced (and stop following the address)',
    input: empty,
    output: phoneSetupSchema,
  }),
};

export const phoneEvents = {
  'phone.setup': phoneSetupSchema,
};
