/**
 * The agent's ports: speech-to-text, the chat model and text-to-speech. One real adapter each
 * (OpenAI, OpenAI, Google / OpenAI TTS); tests point the adapters at local fakes.
 */

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text as the model produced it. */
  arguments: string;
}

export type AgentMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type ChatDelta = { type: 'text'; text: string } | { type: 'tool_call'; call: ToolCall };

export interface ChatModel {
  /** Streams one completion; text deltas as they come, each tool call once complete. */
  stream(req: { messages: AgentMessage[]; tools: ToolSpec[]; signal: AbortSignal }): AsyncIterable<ChatDelta>;
  /** One whole answer (post-call summary); JSON mode when `json` is set. */
  complete(req: { messages: AgentMessage[]; json?: boolean; signal?: AbortSignal }): Promise<string>;
}

export interface Transcriber {
  /** 8 kHz μ-law mono in; Hebrew text out ('' when nothing was said). */
  transcribe(mulaw: Buffer, opts: { prompt?: string; signal?: AbortSignal }): Promise<string>;
}

/** A live transcription session's settings: the transcription model, 'he', the business vocabulary. */
export interface StreamingTranscriberConfig {
  model: string;
  language: string;
  prompt?: string;
}

/**
 * One live transcription session (one per phone call): the caller's μ-law is appended while they
 * speak, and a commit at the end of an utterance resolves with its text — no upload after the
 * utterance. Commits are answered in order.
 */
export interface StreamingTranscription {
  /** 8 kHz μ-law mono, any length. Ignored once the session is closed. */
  append(mulaw: Buffer): void;
  /** Drops audio appended since the last commit. */
  clear(): void;
  /** Ends the current utterance; resolves with its text ('' when nothing was said). */
  commit(opts?: { timeoutMs?: number }): Promise<string>;
  /** False once the session failed, dropped or was closed. */
  readonly alive: boolean;
  close(): void;
}

export interface StreamingTranscriptionEvents {
  /** The text so far of the utterance being transcribed (partial, for a live view). */
  onDelta?(text: string): void;
  /** The session dropped (not after close()); pending commits have been rejected. */
  onClosed?(reason: string): void;
}

export interface StreamingTranscriber {
  /** Opens and configures a session; rejects when it cannot (the caller then degrades). */
  open(
    cfg: StreamingTranscriberConfig,
    events: StreamingTranscriptionEvents,
    opts: { timeoutMs: number },
  ): Promise<StreamingTranscription>;
}

export interface Synthesizer {
  readonly name: string;
  /** Text in (or SSML, when given and acceptsSsml); 8 kHz μ-law out, header already stripped. */
  synthesize(text: string, opts: { voice: string; signal?: AbortSignal; ssml?: string }): Promise<Buffer>;
  /** Whether this provider takes SSML for this voice. */
  acceptsSsml?(voice: string): boolean;
  /**
   * One streaming synthesis session for an utterance, when this provider and voice support it
   * (undefined otherwise): text pieces in as they come, audio out as it is made.
   */
  stream?(opts: { voice: string; signal?: AbortSignal }): SynthesisStream | undefined;
  /** Whether stream() works for this voice. */
  streamsVoice?(voice: string): boolean;
}

export interface SynthesisStream {
  /** The next piece of text (already speakable). */
  push(text: string): void;
  /** No more text: the audio ends once the last piece is synthesized. */
  end(): void;
  /** 8 kHz μ-law chunks in order, as they arrive; rejects (AbortError on abort) if the session fails. */
  readonly audio: AsyncIterable<Buffer>;
  /** Gives up on the session: `audio` rejects with a non-abort error. */
  cancel(): void;
}

/** An error from a provider, with a short code for the turn metrics. */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export const isAbort = (err: unknown): boolean =>
  err instanceof Error &&
  (err.name === 'AbortError' || err.name === 'APIUserAbortError' || /aborted/i.test(err.message));
