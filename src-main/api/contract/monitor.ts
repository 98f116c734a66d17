/**
 * The live call monitor: calls on the line now (state, live transcript turn by turn with
 * latencies), hang-up and transfer; and the phone agent's voice settings.
 */
import { z } from 'zod';
import { method } from '../define';
import { callTurnSchema } from './calls';
import { empty, epochMs, ok } from './common';

export const liveStateSchema = z.enum([
  'connecting',
  'greeting',
  'listening',
  'thinking',
  'speaking',
  'ending',
  'ended',
]);
export type LiveState = z.infer<typeof liveStateSchema>;

/** A turn as the monitor sees it: live while in progress (id = turn index until saved). */
export const liveTurnSchema = callTurnSchema.extend({
  callSid: z.string(),
  state: z.enum(['thinking', 'speaking', 'done']),
});
export type LiveTurnView = z.infer<typeof liveTurnSchema>;

export const liveCallSchema = z.object({
  callSid: z.string(),
  callId: z.number().int().nullable(),
  from: z.string(),
  customerId: z.number().int().nullable(),
  customerName: z.string().nullable(),
  state: liveStateSchema,
  engine: z.string(),
  /** A test call from the app (microphone and speakers), not a phone call. */
  test: z.boolean().default(false),
  startedAt: epochMs,
  turns: z.array(liveTurnSchema),
});
export type LiveCall = z.infer<typeof liveCallSchema>;

export const voiceSettingsViewSchema = z.object({
  silenceMs: z.number().int().min(400).max(1200),
  minSpeechMs: z.number().int().min(100).max(1000),
  bargeInMs: z.number().int().min(120).max(600),
  adaptiveEndOfTurn: z.boolean(),
  asrMode: z.enum(['batch', 'speculative', 'streaming']),
  asrModel: z.string().min(1).max(60),
  llmModel: z.string().min(1).max(60),
  ttsVoice: z.string().min(1).max(60),
  ttsEncoding: z.enum(['LINEAR16', 'MULAW']),
  openaiTtsModel: z.string().min(1).max(60),
  openaiTtsVoice: z.string().min(1).max(30),
  turnDeadlineMs: z.number().int().min(1000).max(10_000),
  engine: z.enum(['pipeline', 'realtime']),
  realtimeModel: z.string().min(1).max(60),
  realtimeVoice: z.string().min(1).max(30),
  pipelineMode: z.enum(['streaming', 'sequential']),
  /** Start the answer on the speculative transcript (held until the turn is confirmed). */
  preemptiveGeneration: z.boolean(),
  /** Voice-activity detector: Silero at 8 kHz or upsampled to 16 kHz, or the energy detector. */
  vad: z.enum(['silero-8k', 'silero-16k', 'energy']),
});

const callSidInput = z.object({ callSid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict();

export const monitorMethods = {
  'monitor.liveCalls': method({
    summary: 'Calls on the line now, with their live turns',
    input: empty,
    output: z.array(liveCallSchema),
  }),
  'monitor.hangup': method({
    summary: 'Hang up a live call now (no goodbye)',
    input: callSidInput,
    output: ok,
  }),
  'monitor.transfer': method({
    summary: "Transfer a live call to the owner's phone",
    input: callSidInput,
    output: z.object({ ok: z.boolean(), error: z.string().optional() }),
  }),
  'voice.getSettings': method({
    summary: "The phone agent's settings (end-of-turn silence, models, voice …)",
    input: empty,
    output: voiceSettingsViewSchema,
  }),
  'voice.updateSettings': method({
    summary: "Change the phone agent's settings",
    input: voiceSettingsViewSchema.partial().strict(),
    output: voiceSettingsViewSchema,
  }),
};

export const monitorEvents = {
  /** A live call started or changed state (turns come separately). */
  'monitor.call': liveCallSchema,
  /** A turn of a live call started, progressed or finished. */
  'monitor.turn': liveTurnSchema,
  /** A live call ended. */
  'monitor.ended': z.object({
    callSid: z.string(),
    callId: z.number().int().nullable(),
    endedBy: z.string().nullable(),
  }),
};
