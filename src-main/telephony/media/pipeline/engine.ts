/**
 * The pipeline voice engine: VAD → ASR → LLM → TTS. Every decision of turn-taking is the pure
 * reducer's (turn/reducer.ts); this class feeds it events (VAD, transcripts, the answer, the
 * player) and runs the effects it returns: transcription, the answer, pause/clear, hold/release,
 * filler and sorry lines, the turn record, goodbye/transfer through the host.
 */
import type { Conversation, ConversationService } from '../../../agent/conversation';
import type { ChatModel, StreamingTranscriber, Transcriber } from '../../../agent/ports';
import { isAbort, ProviderError } from '../../../agent/ports';
import { goodbyeText } from '../../../agent/prompt';
import type { SpeechService } from '../../../agent/speech';
import type { Business } from '../../../api/contract/business';
import type { Clock } from '../../../platform/clock';
import { classifyUtteranceEnd, endWindowFor } from '../../audio/end-of-turn';
import type { Vad, VadEvent } from '../../audio/vad';
import type { EngineHost, VoiceEngine } from '../engine';
import type { SessionTiming } from '../session-config';
import { initialTurnState, reduce, type TurnConfig, type TurnEffect, type TurnEvent } from '../turn/reducer';
import { endsWithQuestion } from '../turn/steps';
import type { VoiceSettings } from '../voice-settings';
import { startAnswer, type AnswerRun } from './answer';
import { CallAsr, type Speculation } from './asr';
import { playFiller, playSorry, ResumableLines } from './lines';
import { TurnBook, type PipelineTurn } from './turn-book';

export interface PipelineDeps {
  clock: Clock;
  business: () => Business;
  settings: () => VoiceSettings;
  speech: SpeechService;
  brain: () => { transcriber: Transcriber; model: ChatModel } | null;
  /** The agent's brain: the phone channel's conversation (history, tools) comes from it. */
  conversations: ConversationService;
  streamingAsr?: () => StreamingTranscriber | null;
  timing: Pick<
    SessionTiming,
    | 'speculativeAtMs'
    | 'preemptMinSilenceMs'
    | 'asrConnectTimeoutMs'
    | 'asrCommitTimeoutMs'
    | 'resumeWithinMs'
    | 'maxTurnErrors'
    | 'interruptMs'
    | 'burstEndMs'
  >;
}

export class PipelineEngine implements VoiceEngine {
  readonly name = 'pipeline';
  private state = initialTurnState();
  private readonly cfg: TurnConfig;
  private readonly conversation: Conversation;
  private readonly asr: CallAsr;
  private readonly book: TurnBook;
  private preempt: AnswerRun | undefined;
  /** Cleared line audio (greeting, filler, resumed rest) and the rest of an interrupted answer. */
  private readonly cleared = new ResumableLines();
  private speechEndAt = 0;
  private stopped = false;

  constructor(
    private readonly host: EngineHost,
    private readonly vad: Vad,
    private readonly deps: PipelineDeps,
    brain: { model: ChatModel },
  ) {
    const s = deps.settings();
    this.cfg = {
      resumeWithinMs: deps.timing.resumeWithinMs,
      maxTurnErrors: deps.timing.maxTurnErrors,
      preemptive: s.preemptiveGeneration && s.pipelineMode !== 'sequential',
    };
    this.conversation = deps.conversations.start({
      ctx: host.toolCtx,
      callerKnownName: () => host.customerName(),
      model: brain.model,
      log: host.log,
    })!;
    this.asr = new CallAsr(vad, {
      streamingAsr: deps.streamingAsr,
      timing: deps.timing,
      log: () => host.log,
      clock: deps.clock,
      business: deps.business,
      settings: deps.settings,
      transcriber: () => deps.brain()?.transcriber ?? null,
      onSpeculative: (spec, text) => this.onSpeculative(spec, text),
      onPreempt: (text) => this.dispatch({ type: 'speculative', at: this.now(), text }),
    });
    this.book = new TurnBook(host, deps, this.conversation);
    vad.onLateEvents = (events) => {
      if (this.stopped) return;
      this.onVadEvents(events);
      this.asr.maybeSpeculate();
    };
  }

  private now(): number {
    return this.deps.clock.monotonic();
  }

  get history() {
    return this.conversation.history;
  }

  get wastedPreempts(): number {
    return this.state.wastedPreempts;
  }

  /** Set before start() when the call already had its greeting (null: none is due). */
  greeted: string | null | undefined = undefined;

  start(): void {
    this.asr.open();
    if (this.greeted !== undefined) {
      if (this.greeted) this.conversation.noteAgentLine(this.greeted);
      this.dispatch({ type: 'greeting', at: this.now() });
      return;
    }
    void this.host.greet().then((text) => {
      if (text) this.conversation.noteAgentLine(text);
      this.dispatch({ type: 'greeting', at: this.now() });
    });
  }

  // ───────────────────────────── events in ─────────────────────────────

  onMedia(frame: Buffer): void {
    if (this.stopped || this.host.state() === 'ending') return;
    this.asr.beforeFrame();
    this.onVadEvents(this.vad.push(frame));
    this.asr.afterFrame(frame);
    this.asr.maybeSpeculate();
    // While the caller may be talking over the agent, the line's lead stays short (a pause is quick).
    this.host.speaker.lean(this.vad.speaking || this.state.bargeAt != null);
    if (this.state.bargeAt != null) {
      const t = this.deps.timing;
      if (this.vad.currentVoicedMs >= t.interruptMs) this.dispatch({ type: 'sustained', at: this.now() });
      else if (this.vad.currentSilenceMs >= t.burstEndMs)
        this.dispatch({ type: 'burst_end', at: this.now() });
    }
  }

  private onVadEvents(events: VadEvent[]): void {
    for (const ev of events) {
      const at = this.now();
      switch (ev.type) {
        case 'onset':
          this.asr.onset();
          break;
        case 'confirmed':
          this.dispatch({ type: 'confirmed', at });
          break;
        case 'pause':
          this.speechEndAt = at - (ev.lagMs ?? 0);
          this.asr.paused(ev.lagMs ?? 0);
          break;
        case 'resume':
          this.asr.resumed();
          this.dispatch({ type: 'resume', at });
          break;
        case 'noise':
          this.asr.noise();
          this.dispatch({ type: 'noise', at });
          break;
        case 'end': {
          const { spec, audio } = this.asr.takeUtterance(ev.audio, ev.speechMs);
          const speechEndAt = this.speechEndAt || at - ev.silenceMs;
          this.speechEndAt = 0;
          this.book.open(this.state.ids + 1, { audio, spec, speechEndAt, endAt: at, vadMs: ev.silenceMs });
          this.dispatch({ type: 'utterance_end', at, speechEndAt });
          break;
        }
      }
    }
  }

  private onSpeculative(spec: Speculation, text: string): void {
    const s = this.deps.settings();
    const kind = classifyUtteranceEnd(text);
    if (s.adaptiveEndOfTurn && this.vad.confirmed) {
      const win = endWindowFor(kind, { baseMs: s.silenceMs });
      this.vad.setEndWindow(win);
      this.host.log.debug({ kind, window_ms: win }, 'adaptive end of turn');
    }
    if (!spec.abort.signal.aborted) this.asr.preemptFor(text, kind);
  }

  onFrame(at: number): void {
    this.book.lastFrameAt(at);
  }
  onIdle(): void {
    this.dispatch({ type: 'idle', at: this.now() });
  }

  ending(cut: boolean): void {
    this.dispatch({ type: 'ending', at: this.now(), cut });
  }

  stop(): void {
    if (this.stopped) return;
    this.dispatch({ type: 'hangup', at: this.now() });
    this.stopped = true;
    this.asr.close();
    this.vad.close();
    this.book.close();
  }

  // ───────────────────────────── the reducer ─────────────────────────────

  private dispatch(ev: TurnEvent, syncFloor = true): void {
    if (this.stopped) return;
    const r = reduce(this.state, ev, { busy: this.host.playerBusy() }, this.cfg);
    this.state = r.state;
    for (const e of r.effects) {
      try {
        this.run(e);
      } catch (err) {
        this.host.log.error({ err, effect: e.type }, 'turn effect failed');
      }
    }
    // The line is paused only while the reducer says so (a failed effect never leaves it mute).
    if (!this.state.paused) this.host.speaker.resume();
    if (!syncFloor) return;
    const floor = this.state.floor;
    if (floor !== 'ended' && this.host.state() !== 'ending') this.host.setState(floor);
    // Nothing was left to resume: the agent's floor ends now.
    if (floor === 'speaking' && !this.state.answer && !this.host.playerBusy())
      this.dispatch({ type: 'idle', at: this.now() });
  }

  private run(e: TurnEffect): void {
    switch (e.type) {
      case 'transcribe':
        return void this.transcribe(e.id);
      case 'arm_deadline':
        return this.armDeadline(e.id, e.speechEndAt);
      case 'answer':
        return this.answer(e.id, e.index, e.text, e.goodbye);
      case 'preempt':
        return this.startPreempt(e.text);
      case 'adopt':
        return this.adopt(e.id, e.index, e.text);
      case 'drop_preempt':
        return this.dropPreempt();
      case 'clear':
        return this.clear();
      case 'pause':
        this.host.log.debug('barge-in: line paused');
        return this.host.speaker.pause();
      case 'unpause':
        this.host.log.info('false interruption: the agent goes on');
        return this.host.speaker.resume();
      case 'release': {
        const run = this.book.get(e.id)?.run;
        run?.handle.release();
        return run?.resumeTts();
      }
      case 'resume_cleared':
        return this.cleared.resume(this.host, this.conversation);
      case 'cancel':
        return this.cancel(e.id);
      case 'merge': {
        const t = this.book.get(e.id);
        if (!t) return;
        this.host.log.info(
          { turn: t.index ?? null },
          'caller continued; answer cancelled, utterances merged',
        );
        this.asr.merge(t.audio);
        if (e.rollback != null) this.conversation.rollbackLastUser(e.rollback);
        return this.book.drop(e.id);
      }
      case 'speaking':
        this.book.disarm(e.id);
        return this.book.emit(e.id, 'speaking');
      case 'filler':
        return this.filler(e.id);
      case 'sorry':
        return this.sorry(e.id);
      case 'complete':
        return this.book.complete(e.id);
      case 'record':
        this.book.disarm(e.id);
        return this.book.finish(e.id, e.interrupted, e.errorCode);
      case 'end_call': {
        const t = this.book.get(e.id);
        this.book.disarm(e.id);
        if (e.reason === 'agent_end_call')
          this.host.log.info({ model_reason: t?.run?.effect?.reason }, 'the model ended the call');
        const line = t?.run?.text.trim() ? null : goodbyeText(this.deps.business());
        void this.host.endCall(e.reason, line, () => this.book.complete(e.id, line));
        return;
      }
      case 'transfer': {
        const t = this.book.get(e.id);
        this.book.disarm(e.id);
        void this.host.transfer(t?.run?.effect?.reason ?? 'model', () => this.book.complete(e.id));
        return;
      }
      case 'hand_over':
        this.host.log.warn(
          { errors: this.state.turnErrors },
          'repeated turn failures: handing over to the recording fallback',
        );
        void this.host.handOver('turn_failures');
        return;
    }
  }

  // ───────────────────────────── effects ─────────────────────────────

  private async transcribe(id: number): Promise<void> {
    const t = this.book.get(id);
    if (!t) return;
    let heard: { text: string; via: string };
    try {
      heard = await this.asr.transcribe(t.audio, t.spec, t.abort.signal);
    } catch (err) {
      if (t.abort.signal.aborted) return;
      const code = err instanceof ProviderError ? err.code : 'asr_failed';
      if (!isAbort(err)) this.host.log.error({ err, error_code: code }, 'turn failed');
      t.errorCode = code;
      return this.dispatch({ type: 'answer_failed', at: this.now(), id, code });
    }
    if (t.abort.signal.aborted) return;
    t.at.transcript = this.now();
    t.t.asr = Math.round(t.at.transcript - t.endAt);
    t.callerText = heard.text.trim();
    this.host.log.info({ asr_ms: t.t.asr, asr: heard.via, chars: t.callerText.length }, 'caller said');
    this.dispatch({
      type: 'transcript',
      at: this.now(),
      id,
      text: heard.text,
      agentAsking: this.agentAsking(),
    });
  }

  /** The agent is saying the last piece of a finished answer, and that answer ends with a question. */
  private agentAsking(): boolean {
    const a = this.state.answer;
    const run = a?.done ? this.book.get(a.id)?.run : undefined;
    return !!run && run.handle.piecesLeft <= 1 && endsWithQuestion(run.text);
  }

  private answer(id: number, index: number, text: string, goodbye: boolean): void {
    const t = this.book.get(id);
    if (!t) return;
    this.book.begin(t, index, text);
    if (goodbye) {
      this.book.disarm(id);
      const bye = goodbyeText(this.deps.business());
      this.conversation.noteUser(text);
      t.goodbye = bye;
      void this.host.endCall('goodbye', bye, () => this.book.complete(id, bye));
      return;
    }
    this.cleared.drop();
    this.follow(t, this.newRun(text, this.onAnswerStart(t)));
  }

  private onAnswerStart(t: PipelineTurn): (at: number) => void {
    return (at) => {
      this.book.firstAudio(t, at);
      this.dispatch({ type: 'piece_started', at, id: t.id });
    };
  }

  private newRun(text: string, onStart: (at: number) => void, held = false): AnswerRun {
    const handle = this.host.speaker.handle('answer', onStart);
    if (held) handle.hold();
    return startAnswer(
      {
        conversation: this.conversation,
        speech: this.deps.speech,
        now: () => this.now(),
        sequential: this.deps.settings().pipelineMode === 'sequential',
        onTool: (fields, run) => {
          Object.assign(this.host.fields, fields ?? {});
          const owner = this.book.ownerOf(run);
          if (owner != null) this.dispatch({ type: 'tool', at: this.now(), id: owner });
        },
      },
      text,
      handle,
      { preemptive: held },
    );
  }

  /** Turn `t` is answered by `run`: its outcome goes to the reducer. */
  private follow(t: PipelineTurn, run: AnswerRun): void {
    t.run = run;
    void run.done.then(
      (r) => {
        if (r === 'aborted' || t.run !== run) return;
        this.dispatch({
          type: 'answer_done',
          at: this.now(),
          id: t.id,
          spoke: run.pieces > 0,
          ending:
            run.effect?.kind === 'end_call'
              ? 'end_call'
              : run.effect?.kind === 'transfer'
                ? 'transfer'
                : null,
        });
      },
      (err: unknown) => {
        if (run.abort.signal.aborted || t.run !== run) return;
        const code = err instanceof ProviderError ? err.code : 'turn_failed';
        this.host.log.error({ err, turn: t.index, error_code: code }, 'turn failed');
        t.errorCode = code;
        this.dispatch({ type: 'answer_failed', at: this.now(), id: t.id, code });
      },
    );
  }

  private startPreempt(text: string): void {
    this.preempt = this.newRun(text, () => undefined, true);
    this.host.log.debug({ chars: text.length }, 'preemptive answer started');
  }

  private adopt(id: number, index: number, text: string): void {
    const t = this.book.get(id);
    const run = this.preempt;
    this.preempt = undefined;
    if (!t || !run) return this.answer(id, index, text, false);
    this.book.begin(t, index, text);
    t.preemptive = true;
    run.handle.onStart = this.onAnswerStart(t);
    this.follow(t, run);
    run.confirm();
    this.host.log.info({ turn: index }, 'preemptive answer adopted');
  }

  private dropPreempt(): void {
    const run = this.preempt;
    this.preempt = undefined;
    if (!run) return;
    run.abort.abort();
    run.handle.interrupt();
    this.conversation.rollbackLastUser(run.callerText);
    this.book.wasted++;
    this.host.log.info({ wasted: this.book.wasted }, 'preemptive answer dropped (wasted LLM request)');
  }

  private clear(): void {
    const t0 = this.now();
    this.host.speaker.clear();
    const a = this.state.answer;
    this.cleared.cut(this.host, this.book.get(a?.id ?? -1)?.run?.handle);
    this.host.log.info(
      { turn: a?.index ?? null, clear_ms: Math.round(this.now() - t0) },
      'barge-in: cleared',
    );
  }

  private cancel(id: number): void {
    this.book.disarm(id);
    const t = this.book.get(id);
    if (!t) return;
    t.abort.abort();
    t.spec?.abort.abort();
    if (t.run) {
      t.run.abort.abort();
      // What was cleared of it may still resume if this was a false interruption.
      if (t.run.handle.isHeld && t.run.handle.pendingText()) this.cleared.keep(t.run.handle);
      else t.run.handle.interrupt();
    }
  }

  private filler(id: number): void {
    this.host.log.info({ deadline_ms: this.deps.settings().turnDeadlineMs }, 'turn deadline: filler');
    playFiller(this.host, this.book, id, () => {
      const s = this.state;
      return !this.host.playerBusy() && s.floor === 'thinking' && (s.answer?.id ?? s.utterance?.id) === id;
    });
  }

  private sorry(id: number): void {
    const index = this.state.answer?.index ?? null;
    playSorry(
      this.host,
      this.book,
      id,
      index,
      () => this.state.answer?.id === id,
      () => this.dispatch({ type: 'idle', at: this.now() }),
    );
  }

  private armDeadline(id: number, speechEndAt: number): void {
    const ms = this.deps.settings().turnDeadlineMs - (this.now() - speechEndAt);
    this.book.arm(id, ms, () => this.dispatch({ type: 'deadline', at: this.now(), id }));
  }
}
