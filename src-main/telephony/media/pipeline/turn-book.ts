/**
 * The pipeline's per-turn records: the caller's utterance, its timings and stage marks, the
 * answer run, and — once — the turn's row, metrics line, live event and transcript lines.
 */
import type { Conversation } from '../../../agent/conversation';
import type { Business } from '../../../api/contract/business';
import type { Clock } from '../../../platform/clock';
import type { EngineHost } from '../engine';
import { stageOffsets, type TurnStageMarks } from '../turn-record';
import type { AnswerRun } from './answer';
import type { Speculation } from './asr';

export interface PipelineTurn {
  id: number;
  index: number | null;
  abort: AbortController;
  spec: Speculation | undefined;
  audio: Buffer;
  speechEndAt: number;
  endAt: number;
  vadMs: number;
  callerText: string;
  run?: AnswerRun;
  goodbye?: string;
  sorry?: string;
  preemptive?: boolean;
  errorCode?: string;
  t: { asr?: number; firstAudio?: number };
  at: TurnStageMarks;
  lastFrameAt?: number;
}

export class TurnBook {
  private readonly turns = new Map<number, PipelineTurn>();
  private speaking: PipelineTurn | undefined;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /** Preemptive answers dropped since the last turn record (wasted LLM requests). */
  wasted = 0;

  constructor(
    private readonly host: EngineHost,
    private readonly deps: { clock: Clock; business: () => Business },
    private readonly conversation: Conversation,
  ) {}

  open(
    id: number,
    u: { audio: Buffer; spec: Speculation | undefined; speechEndAt: number; endAt: number; vadMs: number },
  ): void {
    this.turns.set(id, {
      id,
      index: null,
      abort: new AbortController(),
      callerText: '',
      t: {},
      at: { endOfTurn: u.endAt },
      ...u,
    });
  }

  /** Turn `id`'s deadline (the filler) in `ms`. */
  arm(id: number, ms: number, fire: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        fire();
      },
      Math.max(0, ms),
    );
    timer.unref?.();
    this.timers.set(id, timer);
  }

  disarm(id: number): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  get(id: number): PipelineTurn | undefined {
    return this.turns.get(id);
  }

  ownerOf(run: AnswerRun): number | undefined {
    for (const t of this.turns.values()) if (t.run === run) return t.id;
    return undefined;
  }

  drop(id: number): void {
    this.turns.delete(id);
  }

  /** The transcript had words: the turn is the caller's, with its row index. */
  begin(t: PipelineTurn, index: number, text: string): void {
    t.index = index;
    t.callerText = text;
    this.speaking = t;
    this.host.addTranscript('caller', text);
    this.emit(t.id, 'thinking');
  }

  firstAudio(t: PipelineTurn, at: number): void {
    t.t.firstAudio ??= Math.round(at - t.speechEndAt);
    t.at.firstFrame ??= at;
  }

  lastFrameAt(at: number): void {
    if (this.speaking) this.speaking.lastFrameAt = at;
  }

  private agentText(t: PipelineTurn): string {
    return (t.run?.text ?? '').trim() || t.goodbye || t.sorry || '';
  }

  /** The answer was heard to its end (or the call ends after it): committed, recorded. */
  complete(id: number, line?: string | null): void {
    const t = this.turns.get(id);
    if (!t) return;
    const heard = t.run?.handle.heardText() ?? '';
    this.conversation.commitSpoken(heard || this.agentText(t) || line || '', false);
    this.finish(id, false);
  }

  /** Writes the turn's row and metrics line once. */
  finish(id: number, interrupted: boolean, errorCode?: string): void {
    const t = this.turns.get(id);
    if (!t) return;
    this.turns.delete(id);
    if (this.speaking === t) this.speaking = undefined;
    const run = t.run;
    if (errorCode) t.errorCode ??= errorCode;
    if (run?.errorCode) t.errorCode ??= run.errorCode;
    const end = t.lastFrameAt ?? this.deps.clock.monotonic();
    const total = Math.round(end - t.speechEndAt);
    const agentText = interrupted ? (run?.handle.heardText() ?? '') : this.agentText(t);
    if (interrupted) this.conversation.commitSpoken(agentText, true);
    if (agentText) this.host.addTranscript('agent', agentText + (interrupted ? ' …' : ''));
    if (t.index == null) return;
    const wasted = this.wasted;
    this.wasted = 0;
    this.host.recordTurn({
      index: t.index,
      engine: 'pipeline',
      callerText: t.callerText,
      agentText,
      interrupted,
      errorCode: t.errorCode ?? null,
      ms: {
        vad: t.vadMs,
        asr: t.t.asr ?? null,
        nlp: run?.t.nlp ?? null,
        tts: run?.t.tts ?? null,
        firstAudio: t.t.firstAudio ?? null,
        total,
      },
      stages: stageOffsets(t.speechEndAt, {
        ...t.at,
        speculated: t.spec?.requestedAt,
        speculativeTranscript: t.spec?.arrivedAt,
        ...run?.marks,
        firstFrame: t.at.firstFrame,
      }),
      llm: { preemptive: t.preemptive === true, wasted },
    });
  }

  emit(id: number, state: 'thinking' | 'speaking'): void {
    const t = this.turns.get(id);
    if (!t || t.index == null) return;
    this.host.publishTurn({
      id: t.index + 1, // provisional (positive) until the row is saved
      callSid: this.host.callSid,
      state,
      turnIndex: t.index,
      mode: 'stream',
      callerText: t.callerText,
      agentText: t.run?.text ?? t.goodbye ?? '',
      tVadMs: t.vadMs,
      tAsrMs: t.t.asr ?? null,
      tNlpMs: t.run?.t.nlp ?? null,
      tTtsMs: t.run?.t.tts ?? null,
      tFirstAudioMs: t.t.firstAudio ?? null,
      tTotalMs: null,
      interrupted: false,
      errorCode: t.errorCode ?? null,
      createdAt: this.deps.clock.now(),
    });
  }
}
