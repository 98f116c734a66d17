/**
 * The Realtime engine's configuration and bookkeeping: its deps and session options, its turn
 * records (RealtimeBook: texts, timings, the speech handles that answered, the row written once
 * through the host's one turn recorder), where a cleared answer is truncated, and its tool calls.
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
import { headWords, type SpeechHandle } from './speech-handle';
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
  /** Barge-in thresholds (default: TIMING's). */
  interruptMs?: number;
  burstEndMs?: number;
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

/** A stretch of one response's audio that belongs to one model item (from `fromMs` of the handle). */
export interface ItemSpan {
  itemId: string;
  fromMs: number;
}

/**
 * Where `conversation.item.truncate` cuts a response cleared at barge-in: the item playing at
 * what the handle says was heard, and the heard ms of that item; none if all of a finished
 * response was heard.
 */
export function truncation(
  spans: ItemSpan[],
  handle: { heardMs: number; audioMs: number },
  done: boolean,
): { itemId: string; ms: number } | undefined {
  const heard = handle.heardMs;
  if (!spans.length || (done && heard >= handle.audioMs)) return undefined;
  let span = spans[0]!;
  for (const s of spans) if (s.fromMs <= heard) span = s;
  return { itemId: span.itemId, ms: Math.max(0, heard - span.fromMs) };
}

/** The engine's record of one caller turn (the reducer decides; this keeps texts and timings). */
export interface RtTurn {
  index: number;
  callerItems: string[];
  callerText: string;
  transcriptState: 'pending' | 'done' | 'failed';
  agentText: string;
  speechEndAt: number;
  phase: 'listening' | 'thinking' | 'speaking';
  t: { vad?: number; asr?: number; nlp?: number; firstAudio?: number; total?: number };
  lastFrameAt?: number;
  /** The speech handles of the responses that answered it. */
  handles: SpeechHandle[];
  interrupted: boolean;
  errorCode?: string;
  done: boolean;
  finishTimer?: NodeJS.Timeout;
}

const sum = (hs: SpeechHandle[], f: (h: SpeechHandle) => number) => hs.reduce((a, h) => a + f(h), 0);

/** What the caller heard of the agent's text: all of it, or the heard share of an interrupted answer. */
export function heardText(turn: RtTurn): string {
  const text = turn.agentText.trim();
  if (!turn.interrupted) return text;
  const audio = sum(turn.handles, (h) => h.audioMs);
  if (!audio) return '';
  return headWords(text, Math.min(1, sum(turn.handles, (h) => h.heardMs) / audio));
}

/**
 * The Realtime engine's turns: opened on speech_started, written once (transcript lines and the
 * one turn record through the host), waiting briefly for a caller transcript still on its way.
 */
export class RealtimeBook {
  private readonly turns = new Map<number, RtTurn>();
  /** Transcripts of caller items in no turn (yet): speech over the agent, kept until one joins a turn. */
  private readonly unclaimed = new Map<string, { text: string; state: 'done' | 'failed' }>();

  constructor(
    private readonly host: EngineHost,
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  open(index: number, itemId: string, at: number): RtTurn {
    const turn: RtTurn = {
      index,
      callerItems: [itemId],
      callerText: '',
      transcriptState: 'pending',
      agentText: '',
      speechEndAt: at,
      phase: 'listening',
      t: {},
      handles: [],
      interrupted: false,
      done: false,
    };
    this.turns.set(index, turn);
    this.claim(itemId);
    return turn;
  }

  /** One more caller item of turn `index` (the caller went on before any answer). */
  join(index: number, itemId: string): void {
    const turn = this.turns.get(index);
    if (!turn) return;
    turn.callerItems.push(itemId);
    turn.phase = 'listening';
    this.claim(itemId);
  }

  private claim(itemId: string): void {
    const said = this.unclaimed.get(itemId);
    if (!said) return;
    this.unclaimed.delete(itemId);
    this.caller(itemId, said.text, said.state, this.clock.monotonic());
  }

  get(index: number | null | undefined): RtTurn | undefined {
    return index == null ? undefined : this.turns.get(index);
  }

  /**
   * A caller transcript (final or failed) for one of a turn's items; a waiting row is written.
   * For an item in no turn: kept (it may still join one), undefined.
   */
  caller(itemId: string, text: string, state: 'done' | 'failed', now: number): RtTurn | undefined {
    const turn = [...this.turns.values()].find((t) => t.callerItems.includes(itemId));
    if (!turn) {
      this.unclaimed.set(itemId, { text, state });
      for (const k of this.unclaimed.keys()) if (this.unclaimed.size > 8) this.unclaimed.delete(k);
      return undefined;
    }
    if (text) turn.callerText = turn.callerText ? `${turn.callerText} ${text}` : text;
    turn.t.asr ??= Math.round(now - turn.speechEndAt);
    const last = turn.callerItems.indexOf(itemId) === turn.callerItems.length - 1;
    if (last || state === 'failed') turn.transcriptState = state;
    if (turn.finishTimer && turn.transcriptState !== 'pending') {
      clearTimeout(turn.finishTimer);
      turn.finishTimer = undefined;
      this.write(turn);
    } else this.emit(turn);
    return turn;
  }

  /** The turn is over: its row now, or once its transcript came (at most the grace later). */
  finish(index: number, interrupted: boolean, errorCode: string | undefined, now: boolean): void {
    const turn = this.turns.get(index);
    if (!turn || turn.done) return;
    turn.done = true;
    turn.interrupted ||= interrupted;
    if (errorCode) turn.errorCode ??= errorCode;
    const end = turn.lastFrameAt ?? this.clock.monotonic();
    if (sum(turn.handles, (h) => h.audioMs) > 0)
      turn.t.total = Math.max(0, Math.round(end - turn.speechEndAt));
    if (now || turn.transcriptState !== 'pending') return this.write(turn);
    turn.finishTimer = setTimeout(() => {
      turn.finishTimer = undefined;
      this.write(turn);
    }, this.graceMs);
    turn.finishTimer.unref?.();
  }

  /** The call ended: every row still waiting is written now. */
  close(): void {
    for (const t of [...this.turns.values()]) {
      if (t.finishTimer) clearTimeout(t.finishTimer);
      t.finishTimer = undefined;
      t.done = true;
      this.write(t);
    }
  }

  /** The live monitor's view of a turn in progress. */
  emit(turn: RtTurn): void {
    if (turn.done || turn.phase === 'listening') return;
    this.host.publishTurn({
      id: turn.index + 1,
      callSid: this.host.callSid,
      state: turn.phase,
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
      createdAt: this.clock.now(),
    });
  }

  /** The turn's transcript lines and its record (row, metrics line, live event). */
  private write(turn: RtTurn): void {
    if (!this.turns.delete(turn.index)) return;
    const host = this.host;
    const agentText = heardText(turn);
    if (turn.callerText) host.addTranscript('caller', turn.callerText);
    if (agentText) host.addTranscript('agent', agentText + (turn.interrupted ? ' …' : ''));
    const audioMs = sum(turn.handles, (h) => h.audioMs);
    if (!turn.callerText && !agentText && !turn.errorCode && !audioMs) return;
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
