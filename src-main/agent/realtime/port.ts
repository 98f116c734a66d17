/**
 * The speech-to-speech port: one live model session per phone call that hears the caller's
 * μ-law audio and answers with μ-law audio, a transcript and tool calls. The one adapter is
 * OpenAI Realtime (`openai-realtime.ts`); the engine that drives it over the Twilio media
 * stream is `telephony/media/realtime-engine.ts`.
 */
import type { ToolSpec } from '../ports';

export interface RealtimeVoiceConfig {
  model: string;
  /** The system prompt (business knowledge, style, tools). */
  instructions: string;
  voice: string;
  tools: ToolSpec[];
  /** Input transcription (for the caller's text in the turn metrics and the transcript). */
  transcription: { model: string; language: string; prompt?: string };
  /**
   * Server VAD: end of the caller's turn after this much silence. It only reports speech start
   * and stop: it never cancels an answer nor creates one (the engine decides, `createResponse`).
   */
  silenceMs: number;
  /** Server VAD: audio kept before the detected start of speech. */
  prefixPaddingMs: number;
}

/** What the engine hears from the model, reduced to what a phone call needs. */
export type RealtimeEvent =
  | { type: 'ready' }
  | { type: 'speech_started'; itemId: string; audioStartMs: number }
  | { type: 'speech_stopped'; itemId: string; audioEndMs: number }
  | { type: 'caller_transcript'; itemId: string; text: string }
  | { type: 'caller_transcript_failed'; itemId: string; message: string }
  | { type: 'response_started'; responseId: string }
  | { type: 'audio'; responseId: string; itemId: string; audio: Buffer }
  | { type: 'audio_done'; responseId: string; itemId: string }
  | { type: 'transcript_delta'; responseId: string; itemId: string; text: string }
  | { type: 'function_call'; responseId: string; callId: string; name: string; arguments: string }
  | {
      type: 'response_done';
      responseId: string;
      status: 'completed' | 'cancelled' | 'failed' | 'incomplete' | 'in_progress';
      reason: string | null;
    }
  | { type: 'error'; code: string; message: string }
  | { type: 'closed'; code: number; reason: string };

export interface RealtimeVoiceSession {
  /** 8 kHz μ-law caller audio (any length). */
  appendAudio(mulaw: Buffer): void;
  /** Asks for an answer now (greeting, a caller turn, after tool results); optional one-off instructions. */
  createResponse(instructions?: string): void;
  cancelResponse(): void;
  /** What the caller actually heard of an assistant audio item. */
  truncate(itemId: string, audioEndMs: number): void;
  toolResult(callId: string, output: string): void;
  /** A line spoken outside the model (the cached greeting), so the model knows it was said. */
  noteAssistantText(text: string): void;
  close(): void;
}

export interface RealtimeVoice {
  /** Opens and configures a session; rejects when it cannot (the engine then degrades). */
  connect(
    cfg: RealtimeVoiceConfig,
    onEvent: (ev: RealtimeEvent) => void,
    opts: { timeoutMs: number },
  ): Promise<RealtimeVoiceSession>;
}
