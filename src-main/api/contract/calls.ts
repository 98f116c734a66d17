import { z } from 'zod';
import { method } from '../define';
import { epochMs, id, idInput, pageInput, paged } from './common';

export const CALL_STATUSES = [
  'queued',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
] as const;
export const callStatusSchema = z.enum(CALL_STATUSES);
export const callModeSchema = z.enum(['stream', 'record']);
export const recordingStatusSchema = z.enum(['pending', 'downloaded', 'transcribed', 'no_speech', 'failed']);

/** How much of a voice message or summary the call list carries (then "…"). */
export const CALL_PREVIEW_CHARS = 120;

/** One row of the call history. */
export const callSummarySchema = z.object({
  id,
  callSid: z.string(),
  direction: z.enum(['in', 'out']),
  /** E.164 (or what Twilio sent when it is not a phone number, e.g. "anonymous"). */
  from: z.string(),
  to: z.string(),
  customerId: id.nullable(),
  customerName: z.string().nullable(),
  status: callStatusSchema,
  mode: callModeSchema,
  engine: z.string(),
  /** Why the live stream ended on purpose (goodbye, transfer …), null otherwise. */
  endedBy: z.string().nullable(),
  startedAt: epochMs,
  answeredAt: epochMs.nullable(),
  endedAt: epochMs.nullable(),
  durationSec: z.number().int().nonnegative().nullable(),
  recordingStatus: recordingStatusSchema.nullable(),
  hasRecording: z.boolean(),
  hasTranscript: z.boolean(),
  /**
   * The start of what the call left behind, for the list (at most CALL_PREVIEW_CHARS, then "…"):
   * a voice message's words, a conversation's summary (else the other one); null when neither.
   */
  preview: z.string().nullable(),
});
export type CallSummary = z.infer<typeof callSummarySchema>;

/** One caller/agent exchange of a live call, with its latencies (filled by the voice agent). */
export const callTurnSchema = z.object({
  id,
  turnIndex: z.number().int().nonnegative(),
  mode: callModeSchema,
  callerText: z.string(),
  agentText: z.string(),
  tVadMs: z.number().int().nullable(),
  tAsrMs: z.number().int().nullable(),
  tNlpMs: z.number().int().nullable(),
  tTtsMs: z.number().int().nullable(),
  tFirstAudioMs: z.number().int().nullable(),
  tTotalMs: z.number().int().nullable(),
  interrupted: z.boolean(),
  errorCode: z.string().nullable(),
  createdAt: epochMs,
});
export type CallTurn = z.infer<typeof callTurnSchema>;

export const callDetailSchema = callSummarySchema.extend({
  transcript: z.string().nullable(),
  summary: z.string().nullable(),
  leadFields: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  recording: z
    .object({
      sid: z.string().nullable(),
      status: recordingStatusSchema.nullable(),
      /** A stored audio file exists and `calls.recording` can return it. */
      available: z.boolean(),
      bytes: z.number().int().nonnegative().nullable(),
    })
    .nullable(),
  turns: z.array(callTurnSchema),
});
export type CallDetail = z.infer<typeof callDetailSchema>;

/** Recordings sent to the renderer are bounded; a 30 s message is ~0.5 MB. */
export const MAX_RECORDING_BYTES = 8 * 1024 * 1024;

/** Click-to-call: bridged through the owner's phone, or handled by the agent. */
export const dialModeSchema = z.enum(['bridge', 'agent']);
export type DialMode = z.infer<typeof dialModeSchema>;
/** Why a call cannot be placed now (the `error` of a refused `calls.dial`, 409). */
export const DIAL_PROBLEMS = [
  'customer_phone_missing',
  /** The customer's number is a star code (*2700): it works only from an Israeli phone line. */
  'customer_phone_not_dialable',
  'twilio_not_configured',
  'twilio_number_missing',
  'owner_phone_missing',
  'line_not_connected',
  'agent_disabled',
] as const;
export const dialProblemSchema = z.enum(DIAL_PROBLEMS);
export type DialProblem = z.infer<typeof dialProblemSchema>;

export const callsMethods = {
  'calls.list': method({
    summary:
      "Call history, newest first, paged; filter by status, mode, customer, text (the caller's name or number) and start time [from, to)",
    input: pageInput
      .extend({
        status: callStatusSchema.optional(),
        mode: callModeSchema.optional(),
        customerId: id.optional(),
        /** Part of the customer's name, or part of the number in any typed form (050-123…, +97250…). */
        q: z.string().trim().max(100).optional(),
        /** Calls that started at or after this moment … */
        from: epochMs.nonnegative().optional(),
        /** … and before this one. */
        to: epochMs.nonnegative().optional(),
      })
      .strict()
      .refine((f) => f.from === undefined || f.to === undefined || f.to > f.from, {
        message: 'to must be after from',
        path: ['to'],
      })
      .default({ page: 1, limit: 25 }),
    output: paged(callSummarySchema),
  }),
  'calls.get': method({
    summary: 'One call with transcript, summary, recording info and turns',
    input: idInput.strict(),
    output: callDetailSchema,
  }),
  'calls.recording': method({
    summary: "A call's stored recording as a data: URL for <audio> (bounded size)",
    input: idInput.strict(),
    output: z.object({ mime: z.string(), bytes: z.number().int().nonnegative(), dataUrl: z.string() }),
  }),
  'calls.dialCheck': method({
    summary: 'Can this customer be called now, each way? The first missing piece per way, or null',
    input: z.object({ customerId: id }).strict(),
    output: z.object({ bridge: dialProblemSchema.nullable(), agent: dialProblemSchema.nullable() }),
  }),
  'calls.dial': method({
    summary:
      "Click-to-call through Twilio: bridge (the owner's phone rings first, then the customer) or agent",
    input: z.object({ customerId: id, mode: dialModeSchema }).strict(),
    output: callSummarySchema,
  }),
};

export const callsEvents = {
  /** A call row changed (created, status, mode, recording, transcript …). */
  'call.updated': callSummarySchema,
};
