import { z } from 'zod';

/** The phone agent's settings (the `voice` settings key), with their defaults and ranges. */
const voiceSettingsObject = z.object({
  /** End of utterance after this much silence. */
  silenceMs: z.number().int().min(400).max(1200).default(700),
  /** Voiced audio an utterance needs to be a turn (coughs and clicks are shorter). */
  minSpeechMs: z.number().int().min(100).max(1000).default(200),
  /** Speech that confirms a barge-in while the agent talks. */
  bargeInMs: z.number().int().min(120).max(600).default(240),
  /** Shorter window after a complete-sounding sentence, longer after a trailing ו/ש/אבל/כי or digits. */
  adaptiveEndOfTurn: z.boolean().default(true),
  /**
   * How the caller is transcribed. `speculative` (default): the utterance is uploaded when a pause
   * starts, before the end of the turn is certain (off the critical path). `streaming`: a live
   * transcription session per call hears the caller while they speak and is committed at the
   * pause (no upload after the utterance); a call whose session fails falls back to `speculative`.
   * `batch`: one upload after the end of the turn.
   */
  asrMode: z.enum(['batch', 'speculative', 'streaming']).default('speculative'),
  asrModel: z.string().min(1).max(60).default('gpt-4o-transcribe'),
  llmModel: z.string().min(1).max(60).default('gpt-4o-mini'),
  ttsVoice: z.string().min(1).max(60).default('he-IL-Wavenet-A'),
  ttsEncoding: z.enum(['LINEAR16', 'MULAW']).default('LINEAR16'),
  openaiTtsModel: z.string().min(1).max(60).default('gpt-4o-mini-tts'),
  openaiTtsVoice: z.string().min(1).max(30).default('alloy'),
  /** No first audio by then → a short filler line, and the turn continues. */
  turnDeadlineMs: z.number().int().min(1000).max(10_000).default(2500),
  /** `pipeline` (ASR → chat → TTS, the default) or `realtime` (OpenAI Realtime speech-to-speech). */
  engine: z.enum(['pipeline', 'realtime']).default('pipeline'),
  realtimeModel: z.string().min(1).max(60).default('gpt-realtime'),
  realtimeVoice: z.string().min(1).max(30).default('marin'),
  /**
   * `streaming` (default): speculative transcript, answer cut into clauses, each spoken at once.
   * `sequential`: the naive pipeline (transcript after the turn, whole answer, one TTS request) —
   * kept as the latency baseline for benchmarks and diagnostics.
   */
  pipelineMode: z.enum(['streaming', 'sequential']).default('streaming'),
  /**
   * Preemptive generation (default on): the answer starts on the speculative transcript during the
   * end-of-turn window — its text and audio are prepared, nothing plays and no tool runs until the
   * turn is confirmed; a different final transcript or the caller going on cancels it, counted as
   * `llm_wasted` (the cost: extra LLM requests; bench voice-latency and turn-taking report them).
   * Off: the answer starts at the end-of-turn decision (the end-of-turn window is then on the
   * critical path of every first audio).
   */
  preemptiveGeneration: z.boolean().default(true),
  /**
   * The voice-activity detector: the energy detector (default), or the Silero VAD model on the
   * line's native 8 kHz or upsampled to 16 kHz (falls back to energy if its model cannot load).
   * Energy stays the default until the turn-taking benchmark shows Silero's gains (coughs and line
   * noise ignored) outweigh its cost: it reports the end of speech ~100 ms later (bench vad).
   */
  vad: z.enum(['silero-8k', 'silero-16k', 'energy']).default('energy'),
});
/** Settings saved before `asrMode` had `speculativeAsr: boolean`; `false` meant batch. */
function migrateLegacy(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const { speculativeAsr, ...rest } = v as Record<string, unknown>;
  if (rest.asrMode === undefined && speculativeAsr === false) rest.asrMode = 'batch';
  return rest;
}
export const voiceSettingsSchema = z.preprocess(migrateLegacy, voiceSettingsObject);
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;
export const VOICE_SETTINGS_KEY = 'voice';
export const voiceSettingsDefaults = (): VoiceSettings => voiceSettingsSchema.parse({});
/** What SettingsStore reads: a missing key parses as all defaults. */
export const voiceSettingsStored = voiceSettingsSchema.prefault({});
