/**
 * The call session's configuration: what it is handed (deps, hooks, the AI brain), its pacing
 * and timers (tests shorten them), the snapshot the monitor reads, and the per-call VAD and
 * tool context built from them.
 */
import type { Business } from '../../api/contract/business';
import type { ChatModel, StreamingTranscriber, Transcriber } from '../../agent/ports';
import type { SpeechService } from '../../agent/speech';
import type { ConversationService } from '../../agent/conversation';
import type { ToolContext } from '../../agent/tools';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { toE164 } from '../../platform/phone';
import { DEFAULT_VAD, type Vad, type VadConfig } from '../audio/vad';
import type { CallRepository } from '../call-repository';
import type { EngineFactory } from './engine';
import type { CallControl, LiveTurn, SessionState } from './types';
import type { VoiceSettings } from './voice-settings';

export interface AgentBrain {
  transcriber: Transcriber;
  model: ChatModel;
}

export interface SessionSnapshot {
  callSid: string;
  callId: number | null;
  streamSid: string;
  from: string;
  customerId: number | null;
  customerName: string | null;
  state: SessionState;
  engine: string;
  startedAt: number;
  turns: LiveTurn[];
}

export interface SessionTiming {
  leadMs: number;
  markEveryMs: number;
  /**
   * Silence into a pause when the speculative transcript is requested (counted from where the VAD
   * put the pause's start). With preemptive generation the answer starts on it, so it is on the
   * first audio's critical path: early enough to hide the ASR, LLM and TTS inside the end-of-turn
   * window. A gap between words that reaches it costs an upload (or a commit), not an LLM request
   * (preemptMinSilenceMs).
   */
  speculativeAtMs: number;
  /**
   * A preemptive answer never starts before this much silence: shorter gaps are mostly between
   * words (with a fast transcript they would each cost an LLM request); the speculative
   * transcript rarely arrives earlier anyway (speculativeAtMs + the transcription's own time).
   */
  preemptMinSilenceMs: number;
  /** Waiting for the last mark of a goodbye at most this much more than its length. */
  markGraceMs: number;
  /** A caller utterance right after the agent was interrupted may resume it within this. */
  resumeWithinMs: number;
  /**
   * Silence after the caller's speech over the agent (paused, not yet an interruption) after
   * which the agent goes on: a "כן"/"אהה" leaves a gap of about this much plus the burst.
   */
  burstEndMs: number;
  /**
   * Voiced audio that makes a barge-in an interruption (clear, cancel) without waiting for its
   * words: longer than any backchannel ("בסדר", "נכון" ≈ 0.6 s said).
   */
  interruptMs: number;
  /** Unrecoverable turn errors in a row before handing over to the recording fallback. */
  maxTurnErrors: number;
  /** Opening the live transcription session at most this long (else: speculative upload). */
  asrConnectTimeoutMs: number;
  /** A committed utterance's transcript at most this long after the commit (else: upload). */
  asrCommitTimeoutMs: number;
  /** A phone stream with no accepted `start` this long after the socket opened is closed. */
  startTimeoutMs: number;
}

export const TIMING: SessionTiming = {
  leadMs: 160,
  markEveryMs: 200,
  speculativeAtMs: 100,
  preemptMinSilenceMs: 240,
  markGraceMs: 3000,
  resumeWithinMs: 8000,
  burstEndMs: 200,
  interruptMs: 700,
  maxTurnErrors: 2,
  asrConnectTimeoutMs: 3000,
  asrCommitTimeoutMs: 4000,
  startTimeoutMs: 15_000,
};

/** The registry's view of a session's life (`S`: the session). */
export interface SessionHooksOf<S> {
  /** A session is on the line for this CallSid now (a newcomer never replaces it). */
  isLive?(callSid: string): boolean;
  onStart(s: S): void;
  onState(s: S): void;
  onTurn(s: S, turn: LiveTurn): void;
  onEnd(s: S, work: Promise<void>): void;
  /** Milliseconds this session spent handling one inbound media frame (benchmarks, health). */
  onInboundFrame?(ms: number): void;
}

export interface SessionDepsOf<S> {
  log: Logger;
  clock: Clock;
  calls: CallRepository;
  business: () => Business;
  settings: () => VoiceSettings;
  speech: SpeechService;
  /** null when there is no OpenAI key: the unavailable line, then the recording fallback. */
  brain: () => AgentBrain | null;
  /** The agent's brain (AgentToolbox and knowledge inside): the pipeline's conversations. */
  conversations: ConversationService;
  control: () => CallControl | null;
  hooks: SessionHooksOf<S>;
  afterCall: (s: S) => Promise<void>;
  /** Live transcription sessions (settings `asrMode: 'streaming'`); null without an OpenAI key. */
  streamingAsr?: () => StreamingTranscriber | null;
  /** The speech-to-speech engine (settings `engine: 'realtime'`); the pipeline runs without it. */
  realtime?: EngineFactory;
  /** Pacing and timers (tests shorten them). */
  timing?: Partial<SessionTiming>;
  /** A test call from the app (microphone transport), not a phone call. */
  test?: boolean;
  /** The call's voice-activity detector (default: energy). */
  vad?: (cfg: VadConfig) => Vad;
}

/** The call's VAD configuration from the voice settings. */
export function vadConfig(s: VoiceSettings): VadConfig {
  return { ...DEFAULT_VAD, silenceMs: s.silenceMs, minSpeechMs: s.minSpeechMs, confirmMs: s.bargeInMs };
}

/** What the agent's tools act on during a phone call. */
export function phoneToolContext(
  callId: number | null,
  from: string,
  customerId: number | null,
  onCustomer: (id: number) => void,
): ToolContext {
  return { channel: 'phone', callId, phone: toE164(from), customerId, onCustomer };
}
