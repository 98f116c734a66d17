/**
 * The voice-engine seam: what drives a call's conversation (the pipeline VAD → ASR → LLM → TTS,
 * or OpenAI Realtime speech-to-speech) and what the session gives it. The session owns the
 * transport, the paced player, call control and the state; an engine owns only the brain.
 */
import type { ToolContext } from '../../agent/tools';
import type { Logger } from '../../platform/logger';
import type { Speaker } from './speech-handle';
import type { FinishedTurn } from './turn-record';
import type { LiveTurn, SessionState } from './types';

/** What the session gives an engine (the engine never touches the transport). */
export interface EngineHost {
  readonly callSid: string;
  readonly callId: number | null;
  readonly log: Logger;
  readonly toolCtx: ToolContext;
  readonly fields: Record<string, string>;
  /** Speech handles on the call's player (one per agent utterance). */
  readonly speaker: Speaker;
  customerName(): string | null;
  state(): SessionState;
  setState(s: SessionState): void;
  /** The player has agent audio queued or not yet heard. */
  playerBusy(): boolean;
  addTranscript(who: 'agent' | 'caller', text: string): void;
  publishTurn(t: LiveTurn): void;
  /** The one turn recorder: `turn_metrics` line, call_turns row, live event. */
  recordTurn(t: FinishedTurn): void;
  /** Plays the cached greeting (the transcript gets it); its text, or null if none played. */
  greet(): Promise<string | null>;
  /**
   * Goodbye: ended_by first, the line (if any), its playout, then `beforeHangup` (the engine
   * records its last turn), then the REST hang-up.
   */
  endCall(reason: string, line: string | null, beforeHangup?: () => void): Promise<void>;
  /** The transfer line, its playout, `settled` (also when a transfer is unavailable), the redirect. */
  transfer(reason: string, settled?: () => void): Promise<unknown>;
  /**
   * A fixed line (filler, sorry) on its own speech handle, if `stillWanted()` once rendered;
   * true when it was queued.
   */
  playLine(
    text: string,
    phrase: 'filler' | 'sorry',
    onStart: ((at: number) => void) | undefined,
    stillWanted: () => boolean,
  ): Promise<boolean>;
  /** The unavailable line, then the stream closes for the recording fallback. */
  handOver(reason: string): Promise<void>;
  /** This call continues on the pipeline engine (the greeting, if played, is passed on). */
  usePipeline(reason: string, greeting: string | null): void;
}

export interface VoiceEngine {
  readonly name: string;
  start(): void;
  onMedia(frame: Buffer): void;
  /** A frame of agent audio left (the engine's own utterances report through their speech handles). */
  onFrame(at: number): void;
  /** Everything sent was heard. */
  onIdle(): void;
  /** The session ends the call (goodbye, transfer, shutdown); `cut`: the current answer stops now. */
  ending(cut: boolean): void;
  /** The call ended: records an unfinished turn, closes the model session. */
  stop(): void;
}

export type EngineFactory = (host: EngineHost) => VoiceEngine;
