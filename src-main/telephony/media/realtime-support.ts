/**
 * The Realtime engine's configuration and bookkeeping: its deps and session options, its turns,
 * responses and audio chunks, what the caller heard of a cleared answer, and how a turn is
 * written (transcript lines and the one turn record, through the host) and shown live.
 */
import type { Business } from '../../api/contract/business';
import { buildSystemPrompt, transcriptionPrompt } from '../../agent/prompt';
import type { RealtimeVoice } from '../../agent/realtime/port';
import type { SpeechService } from '../../agent/speech';
import type { ToolCall } from '../../agent/ports';
import type { AgentToolbox, ToolEffect } from '../../agent/tools';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { CallRepository } from '../call-repository';
import type { EngineHost } from './engine';
import type { VoiceSettings } from './voice-settings';

export interface RealtimeEngineDeps {
  voice: () => RealtimeVoice | null;
  calls: CallRepository;
  business: () => Business;
  settings: () => VoiceSettings;
  speech: SpeechService;
  toolbox: AgentToolbox;
  clock: Clock;
  connectTimeoutMs?: number;
  /** Waiting for a late input transcript before a turn's row is written. */
  transcriptGraceMs?: number;
}

/** Caller audio kept while the model session connects (3 s). */
export const MAX_PENDING_FRAMES = 150;
const REALTIME_STYLE =
  'את/ה מדבר/ת בקול, בעברית בלבד, בקצב טבעי ובחום. אם הלקוח מתחיל לדבר – הפסק/י והקשב/י.';

/** The model session: the business prompt and tools, Hebrew transcription, server VAD. */
export function sessionOptions(biz: Business, s: VoiceSettings, deps: RealtimeEngineDeps) {
  return {
    model: s.realtimeModel,
    voice: s.realtimeVoice,
    instructions: `${buildSystemPrompt(biz, { channel: 'phone', now: deps.clock.now() })}\n${REALTIME_STYLE}`,
    tools: deps.toolbox.specs('phone'),
    transcription: { model: s.asrModel, language: 'he', prompt: transcriptionPrompt(biz) },
    silenceMs: s.silenceMs,
    prefixPaddingMs: 300,
  };
}

/**
 * What the caller heard of the response's item that was playing when the player was cleared:
 * its whole chunks (marks) + the cleared part; `partial`: the cleared part alone.
 */
export function heardOfCleared(
  cleared: Array<{ id: string; heardMs: number }>,
  chunks: Map<string, Chunk>,
  r: Response,
  heardByItem: Map<string, number>,
): { itemId: string; ms: number; partial: number } | undefined {
  const mine = cleared.map((c) => ({ c, chunk: chunks.get(c.id) })).filter((x) => x.chunk?.response === r);
  const itemId = mine[0]?.chunk?.itemId ?? r.lastItemId;
  if (!itemId || (mine.length === 0 && r.done)) return undefined;
  const partial = mine.filter((x) => x.chunk!.itemId === itemId).reduce((a, x) => a + x.c.heardMs, 0);
  return { itemId, ms: (heardByItem.get(itemId) ?? 0) + partial, partial };
}

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

/** One tool call of the model on the call's toolbox (fields collected on the host); never rejects. */
export async function runTool(
  toolbox: AgentToolbox,
  host: EngineHost,
  log: Logger,
  call: ToolCall,
): Promise<{ result: string; effect?: ToolEffect }> {
  const outcome = await toolbox.execute(call, host.toolCtx).catch((err: unknown) => {
    log.error({ err, tool: call.name }, 'tool failed');
    return { ok: false, result: JSON.stringify({ error: 'internal error' }) } as const;
  });
  log.info({ tool: call.name, ok: outcome.ok }, 'tool call');
  if ('fields' in outcome && outcome.fields) Object.assign(host.fields, outcome.fields);
  return {
    result: outcome.result,
    ...('effect' in outcome && outcome.effect ? { effect: outcome.effect } : {}),
  };
}

/** A caller turn from the server VAD's speech_started. */
export function newRtTurn(index: number, itemId: string, now: number): RtTurn {
  return {
    index,
    callerItems: [itemId],
    callerText: '',
    transcriptState: 'pending',
    agentText: '',
    speechEndAt: now,
    state: 'listening',
    t: {},
    audioMs: 0,
    heardMs: 0,
    interrupted: false,
    goodbye: false,
    followUp: false,
    answered: false,
  };
}
