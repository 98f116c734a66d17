/**
 * The call session's configuration shapes: the AI brain it is handed, its pacing and timers
 * (tests shorten them) and the snapshot the monitor reads.
 */
import type { ChatModel, Transcriber } from '../../agent/ports';
import type { LiveTurn, SessionState } from './types';

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
  /** Silence into a pause when the speculative transcript is requested. */
  speculativeAtMs: number;
  /** Waiting for the last mark of a goodbye at most this much more than its length. */
  markGraceMs: number;
  /** A caller utterance right after the agent was interrupted may resume it within this. */
  resumeWithinMs: number;
  /** Voiced audio that makes a barge-in an interruption (a shorter burst is a backchannel). */
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
  speculativeAtMs: 240,
  markGraceMs: 3000,
  resumeWithinMs: 8000,
  interruptMs: 480,
  maxTurnErrors: 2,
  asrConnectTimeoutMs: 3000,
  asrCommitTimeoutMs: 4000,
  startTimeoutMs: 15_000,
};
