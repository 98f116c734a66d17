/**
 * The Realtime engine's bookkeeping: its turns, responses and audio chunks, and how a turn is
 * written (transcript lines and the one turn record, through the host) and shown live.
 */
import type { ToolEffect } from '../../agent/tools';
import type { EngineHost } from './engine';

export interface Chunk {
  response: Response;
  itemId: string;
  ms: number;
}

export interface Response {
  id: string;
  seq: number;
  turn: RtTurn | null;
  text: string;
  /** μ-law not yet a whole frame. */
  rest: Buffer;
  lastItemId: string;
  chunks: number;
  audioMs: number;
  done: boolean;
  cancelled: boolean;
  tools: Array<Promise<void>>;
  effect?: ToolEffect;
}

export interface RtTurn {
  index: number;
  callerItems: string[];
  callerText: string;
  transcriptState: 'pending' | 'done' | 'failed';
  agentText: string;
  speechEndAt: number;
  state: 'listening' | 'thinking' | 'speaking' | 'done';
  t: { vad?: number; asr?: number; nlp?: number; firstAudio?: number; total?: number };
  lastFrameAt?: number;
  audioMs: number;
  heardMs: number;
  interrupted: boolean;
  errorCode?: string;
  goodbye: boolean;
  /** Tool results sent; the model's follow-up answer belongs to this turn too. */
  followUp: boolean;
  answered: boolean;
  finishTimer?: NodeJS.Timeout;
}

/** What the caller heard of the agent's text: all of it, or the heard share of an interrupted answer. */
export function heardText(turn: RtTurn): string {
  const text = turn.agentText.trim();
  if (!turn.interrupted) return text;
  if (!turn.audioMs) return '';
  const words = text.split(/\s+/).filter(Boolean);
  const n = Math.round(words.length * Math.min(1, turn.heardMs / turn.audioMs));
  return words.slice(0, n).join(' ');
}

/** The turn's transcript lines and its record (row, metrics line, live event). */
export function writeRealtimeTurn(host: EngineHost, turn: RtTurn): void {
  const agentText = heardText(turn);
  if (turn.callerText) host.addTranscript('caller', turn.callerText);
  if (agentText) host.addTranscript('agent', agentText + (turn.interrupted ? ' …' : ''));
  if (!turn.callerText && !agentText && !turn.errorCode && !turn.audioMs) return;
  host.recordTurn({
    index: turn.index,
    engine: 'realtime',
    callerText: turn.callerText,
    agentText,
    interrupted: turn.interrupted,
    errorCode: turn.errorCode ?? null,
    ms: {
      vad: turn.t.vad ?? null,
      asr: turn.t.asr ?? null,
      nlp: turn.t.nlp ?? null,
      tts: null,
      firstAudio: turn.t.firstAudio ?? null,
      total: turn.t.total ?? null,
    },
  });
}

/** The live monitor's view of a turn in progress. */
export function emitRealtimeTurn(host: EngineHost, turn: RtTurn, now: number): void {
  if (turn.state === 'done' || turn.state === 'listening') return;
  host.publishTurn({
    id: turn.index + 1,
    callSid: host.callSid,
    state: turn.state,
    turnIndex: turn.index,
    mode: 'stream',
    callerText: turn.callerText,
    agentText: turn.agentText,
    tVadMs: turn.t.vad ?? null,
    tAsrMs: turn.t.asr ?? null,
    tNlpMs: turn.t.nlp ?? null,
    tTtsMs: null,
    tFirstAudioMs: turn.t.firstAudio ?? null,
    tTotalMs: null,
    interrupted: turn.interrupted,
    errorCode: turn.errorCode ?? null,
    createdAt: now,
  });
}
