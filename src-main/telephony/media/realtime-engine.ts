/**
 * The second voice engine: OpenAI Realtime speech-to-speech over the same Twilio media stream.
 * The session keeps the transport, the player, goodbye/transfer/hang-up and the after-call work;
 * this engine replaces only the brain: caller μ-law goes straight to the model (server VAD, input
 * transcription), the model's μ-law answer goes to the player, its tool calls run on the same
 * AgentToolbox. Per turn it writes the same record as the pipeline (realtime-support.ts), with
 * t_vad = speech end → speech_stopped, t_asr → input transcript, t_nlp → the model's first audio.
 * Every floor and turn decision is the pure reducer's (turn/realtime-reducer.ts); this class feeds
 * it the model's events and the player's, and runs its effects. Each response plays on its own
 * speech handle. The server VAD neither cancels nor creates responses (the reducer asks for each
 * answer): speech over the agent pauses the line, and only sustained speech (this engine's own
 * energy VAD counts the caller's voiced audio) or words that are not a backchannel make it a
 * barge-in: `clear`, `response.cancel`, and `conversation.item.truncate` at what the handle says
 * was heard; a "כן" lets the answer go on where it paused. A connection failure at the start, or the model socket dropping
 * mid-call → this call continues on the pipeline engine.
 */
import { goodbyeText, greetingText } from '../../agent/prompt';
import type { RealtimeEvent, RealtimeVoiceSession } from '../../agent/realtime/port';
import type { ToolEffect } from '../../agent/tools';
import type { Logger } from '../../platform/logger';
import { FRAME_BYTES, FRAME_MS } from '../../audio/convert';
import { EnergyVad } from '../audio/vad';
import type { EngineFactory, EngineHost, VoiceEngine } from './engine';
import {
  MAX_PENDING_FRAMES,
  RealtimeBook,
  runTool,
  sessionOptions,
  truncation,
  type ItemSpan,
  type RealtimeEngineDeps,
} from './realtime-support';
import { TIMING, vadConfig } from './session-config';
import type { SpeechHandle } from './speech-handle';
import {
  initialRealtimeState,
  reduceRealtime,
  type RtConfig,
  type RtEffect,
  type RtEvent,
} from './turn/realtime-reducer';
import { endsWithQuestion } from './turn/steps';

export type { RealtimeEngineDeps } from './realtime-support';

export const realtimeEngineFactory =
  (deps: RealtimeEngineDeps): EngineFactory =>
  (host) =>
    new RealtimeEngine(host, deps);

/** The current response's audio, text and tool work (its floor state is the reducer's). */
interface ResponseOut {
  id: string;
  turn: number | null;
  text: string;
  /** μ-law not yet a whole frame. */
  rest: Buffer;
  handle?: SpeechHandle;
  spans: ItemSpan[];
  tools: Array<Promise<void>>;
  effect?: ToolEffect;
}

export class RealtimeEngine implements VoiceEngine {
  readonly name = 'realtime';
  private rt: RealtimeVoiceSession | undefined;
  private connecting = true;
  private stopped = false;
  private pending: Buffer[] = [];
  private appendedMs = 0;
  private state = initialRealtimeState();
  private out: ResponseOut | undefined;
  private readonly book: RealtimeBook;
  private readonly log: Logger;
  /** Hears the caller's frames only to measure speech over the agent (the model owns end of turn). */
  private readonly vad: EnergyVad;
  private readonly cfg: RtConfig;

  constructor(
    private readonly host: EngineHost,
    private readonly deps: RealtimeEngineDeps,
  ) {
    this.log = host.log.child({ engine: 'realtime' });
    this.book = new RealtimeBook(host, deps.clock, deps.transcriptGraceMs ?? 1500);
    this.vad = new EnergyVad(vadConfig(deps.settings()));
    this.cfg = {
      interruptMs: deps.interruptMs ?? TIMING.interruptMs,
      burstEndMs: deps.burstEndMs ?? TIMING.burstEndMs,
      silenceMs: deps.settings().silenceMs,
    };
  }

  private now(): number {
    return this.deps.clock.monotonic();
  }

  start(): void {
    void this.run().catch((err: unknown) => {
      this.log.error({ err }, 'realtime engine start failed');
      this.degrade('realtime_start_failed', null);
    });
  }

  private async run(): Promise<void> {
    const biz = this.deps.business();
    const s = this.deps.settings();
    this.deps.calls.update(this.host.callSid, { engine: 'realtime' });
    const voice = this.deps.voice();
    if (!voice) return this.degrade('no_realtime_voice', null);
    const t0 = this.now();
    const connecting = voice.connect(sessionOptions(biz, s, this.deps), (ev) => this.onEvent(ev), {
      timeoutMs: this.deps.connectTimeoutMs ?? 4000,
    });
    connecting.catch(() => undefined);

    // The cached greeting plays at once (no model round trip), while the session connects.
    const greeted = this.stopped ? null : await this.host.greet();
    if (!greeted) this.log.warn('cached greeting failed; the model will greet');

    let rt: RealtimeVoiceSession;
    try {
      rt = await connecting;
    } catch (err) {
      this.log.error(
        { err: (err as Error).message, ms: Math.round(this.now() - t0) },
        'realtime connect failed: this call continues on the pipeline engine',
      );
      return this.degrade('realtime_connect_failed', greeted);
    }
    if (this.stopped) return rt.close();
    this.rt = rt;
    this.connecting = false;
    this.log.info(
      { model: s.realtimeModel, voice: s.realtimeVoice, connect_ms: Math.round(this.now() - t0) },
      'realtime session ready',
    );
    if (greeted) rt.noteAssistantText(greeted);
    this.dispatch({ type: 'connected', at: this.now(), greeted: !!greeted });
    for (const f of this.pending) this.append(f);
    this.pending = [];
  }

  private degrade(reason: string, greeting: string | null): void {
    if (this.stopped) return;
    this.stopped = true;
    this.deps.calls.update(this.host.callSid, { engine: 'pipeline' });
    this.rt?.close();
    this.rt = undefined;
    this.pending = [];
    this.book.close();
    this.host.usePipeline(reason, greeting);
  }

  onMedia(frame: Buffer): void {
    if (this.stopped) return;
    if (this.connecting) {
      this.pending.push(frame);
      if (this.pending.length > MAX_PENDING_FRAMES) this.pending.shift();
      return;
    }
    this.append(frame);
  }

  private append(frame: Buffer): void {
    this.rt?.appendAudio(frame);
    this.appendedMs += (frame.length / FRAME_BYTES) * FRAME_MS;
    this.measure(frame);
  }

  /** The caller's speech while they may be talking over the agent (a short lead: a pause is quick). */
  private measure(frame: Buffer): void {
    const vad = this.vad;
    vad.push(frame);
    const b = this.state.barge;
    this.host.speaker.lean(vad.speaking || !!b?.paused);
    if (!b || (!b.paused && b.stopped != null)) return;
    this.dispatch({
      type: 'caller_audio',
      at: this.now(),
      voicedMs: vad.speaking ? vad.currentVoicedMs : 0,
      quietMs: vad.speaking ? vad.currentSilenceMs : Infinity,
    });
  }

  // ───────────────────────────── events in ─────────────────────────────

  private onEvent(ev: RealtimeEvent): void {
    if (this.stopped) return;
    try {
      this.handle(ev);
    } catch (err) {
      this.log.error({ err, event: ev.type }, 'realtime event handling failed');
    }
  }

  private handle(ev: RealtimeEvent): void {
    const at = this.now();
    switch (ev.type) {
      case 'speech_started':
        return this.dispatch({ type: 'speech_started', at, itemId: ev.itemId });
      case 'speech_stopped':
        return this.dispatch({ type: 'speech_stopped', at, itemId: ev.itemId, audioEndMs: ev.audioEndMs });
      case 'caller_transcript':
        return this.onCallerText(ev.itemId, ev.text, 'done');
      case 'caller_transcript_failed':
        this.log.warn({ message: ev.message }, 'realtime input transcription failed');
        return this.onCallerText(ev.itemId, '', 'failed');
      case 'response_started':
        this.out = {
          id: ev.responseId,
          turn: this.state.turn?.id ?? null,
          text: '',
          rest: Buffer.alloc(0),
          spans: [],
          tools: [],
        };
        return this.dispatch({ type: 'response_started', at, responseId: ev.responseId });
      case 'audio':
        return this.dispatch({
          type: 'audio',
          at,
          responseId: ev.responseId,
          itemId: ev.itemId,
          audio: ev.audio,
        });
      case 'audio_done':
        return this.flushAudio(ev.responseId, true);
      case 'transcript_delta': {
        const o = this.live(ev.responseId);
        if (!o) return;
        o.text += ev.text;
        const turn = this.book.get(o.turn);
        if (turn) turn.agentText += ev.text;
        return;
      }
      case 'function_call':
        return this.dispatch({
          type: 'function_call',
          at,
          responseId: ev.responseId,
          call: { id: ev.callId, name: ev.name, arguments: ev.arguments },
        });
      case 'response_done':
        this.flushAudio(ev.responseId, true);
        if (ev.status === 'failed' || ev.status === 'incomplete') {
          this.log.warn({ status: ev.status, reason: ev.reason }, 'realtime response not completed');
          const turn = this.out?.id === ev.responseId ? this.book.get(this.out.turn) : undefined;
          if (turn && !turn.done && ev.status === 'failed')
            turn.errorCode ??= `realtime_${ev.reason ?? 'failed'}`.slice(0, 60);
        }
        return this.dispatch({ type: 'response_done', at, responseId: ev.responseId, status: ev.status });
      case 'error': {
        if (ev.code === 'response_cancel_not_active') return;
        this.log.warn({ code: ev.code, message: ev.message }, 'realtime error event');
        const turn = this.book.get(this.state.turn?.id);
        if (turn && !turn.done) turn.errorCode ??= `realtime_${ev.code}`.slice(0, 60);
        return;
      }
      case 'closed':
        this.log.error({ code: ev.code, reason: ev.reason }, 'realtime session closed mid-call');
        return this.dispatch({ type: 'closed', at });
      case 'ready':
        return;
    }
  }

  private onCallerText(itemId: string, text: string, state: 'done' | 'failed'): void {
    // First the reducer: words over the agent open their turn, a backchannel is dropped.
    this.dispatch({ type: 'transcript', at: this.now(), itemId, text, agentAsking: this.agentAsking() });
    const turn = this.book.caller(itemId, text, state, this.now());
    if (turn) this.log.info({ turn: turn.index, asr_ms: turn.t.asr, chars: text.length }, 'caller said');
    else if (!this.stopped) this.log.info({ chars: text.length }, 'caller backchannel over the agent');
  }

  /** The current answer is generated, ends with a question, and at most its last ~3 s are unheard. */
  private agentAsking(): boolean {
    const o = this.out;
    if (!o?.handle || !this.state.response?.done || o.id !== this.state.response.id) return false;
    return o.handle.audioMs - o.handle.heardMs <= 3000 && endsWithQuestion(o.text);
  }

  onFrame(at: number): void {
    const turn = this.book.get(this.out?.turn);
    if (turn && !turn.done) turn.lastFrameAt = at;
  }

  onIdle(): void {
    this.dispatch({ type: 'idle', at: this.now() });
  }

  /** The session ends the call; `cut` (owner hang-up, DTMF transfer): the model stops now. */
  ending(cut: boolean): void {
    this.dispatch({ type: 'ending', at: this.now(), cut });
    if (cut) this.stop();
  }

  stop(): void {
    if (this.stopped && !this.rt) return;
    this.dispatch({ type: 'hangup', at: this.now() });
    this.stopped = true;
    this.book.close();
    this.rt?.close();
    this.rt = undefined;
  }

  // ───────────────────────────── the reducer ─────────────────────────────

  private dispatch(ev: RtEvent): void {
    if (this.stopped) return;
    const r = reduceRealtime(this.state, ev, { busy: this.host.playerBusy() }, this.cfg);
    this.state = r.state;
    for (const e of r.effects) {
      try {
        this.exec(e);
      } catch (err) {
        this.log.error({ err, effect: e.type }, 'realtime effect failed');
      }
    }
    if (this.stopped) return; // moved to the pipeline, or over
    // The one place the call's state follows the engine.
    const floor = this.state.floor;
    if (floor !== 'ended' && this.host.state() !== 'ending') this.host.setState(floor);
  }

  private exec(e: RtEffect): void {
    switch (e.type) {
      case 'model_greets':
        return this.rt?.createResponse(
          `פתח/י את השיחה במשפט הזה, מילה במילה: "${greetingText(this.deps.business())}"`,
        );
      case 'turn':
        return void this.book.open(e.id, e.itemId, e.at);
      case 'merge':
        return this.book.join(e.id, e.itemId);
      case 'thinking':
        return this.thinking(e.id, e.at, e.audioEndMs);
      case 'respond':
        return this.rt?.createResponse();
      case 'cancel_response':
        return this.rt?.cancelResponse();
      case 'pause':
        this.log.debug('barge-in: line paused');
        return this.host.speaker.pause();
      case 'unpause':
        this.log.debug('barge-in: not one, the answer goes on');
        return this.host.speaker.resume();
      case 'barge_in':
        return this.bargeIn(e.responseId, e.id);
      case 'play':
        return this.play(e.responseId, e.itemId, e.audio);
      case 'speaking': {
        const turn = this.book.get(e.id);
        if (!turn) return;
        turn.t.firstAudio ??= Math.round(e.at - turn.speechEndAt);
        turn.phase = 'speaking';
        return this.book.emit(turn);
      }
      case 'run_tool':
        return this.runTool(e.responseId, e.call);
      case 'await_tools': {
        const o = this.out;
        if (!o || o.id !== e.responseId) return;
        void Promise.all(o.tools).then(() =>
          this.dispatch({
            type: 'tools_done',
            at: this.now(),
            responseId: o.id,
            ending: o.effect?.kind ?? null,
          }),
        );
        return;
      }
      case 'follow_up':
        return this.rt?.createResponse();
      case 'model_line': {
        const text = this.out?.id === e.responseId ? this.out.text.trim() : '';
        if (text) this.host.addTranscript('agent', text);
        return;
      }
      case 'end_call': {
        const turn = this.book.get(e.id);
        if (e.reason === 'agent_end_call')
          this.log.info({ model_reason: this.out?.effect?.reason }, 'the model ended the call');
        const line = turn?.agentText.trim() ? null : goodbyeText(this.deps.business());
        void this.host.endCall(e.reason, line, () => this.onIdle());
        return;
      }
      case 'transfer':
        // Its answer plays to the end, then the transfer line; an unavailable transfer goes on.
        void this.host.transfer(this.out?.effect?.reason ?? 'model', () => {
          if (this.state.floor === 'ending') this.onIdle();
        });
        return;
      case 'record':
        return this.book.finish(e.id, e.interrupted, e.errorCode, e.now);
      case 'degrade':
        return this.degrade('realtime_closed', null);
    }
  }

  // ───────────────────────────── effects ─────────────────────────────

  private thinking(id: number, at: number, audioEndMs: number): void {
    const turn = this.book.get(id);
    if (!turn) return;
    const silenceMs = this.deps.settings().silenceMs;
    // audio_end_ms includes the VAD's silence window; audio appended since then is `lag`.
    const lag = Math.max(0, this.appendedMs - audioEndMs);
    turn.speechEndAt = Math.min(at, at - lag - silenceMs);
    turn.t.vad = Math.round(at - turn.speechEndAt);
    turn.phase = 'thinking';
    this.book.emit(turn);
  }

  /** The current response if it still plays (not cancelled). */
  private live(responseId: string): ResponseOut | undefined {
    const r = this.state.response;
    const o = this.out;
    return o && o.id === responseId && r?.id === responseId && !r.cancelled ? o : undefined;
  }

  private play(responseId: string, itemId: string, audio: Buffer): void {
    const o = this.live(responseId);
    if (!o) return;
    const turn = this.book.get(o.turn);
    if (turn && turn.t.nlp == null) turn.t.nlp = Math.round(this.now() - turn.speechEndAt);
    const last = o.spans[o.spans.length - 1];
    if (last?.itemId !== itemId) {
      if (last) this.flushAudio(responseId, true);
      o.spans.push({ itemId, fromMs: o.handle?.audioMs ?? 0 });
    }
    o.rest = o.rest.length ? Buffer.concat([o.rest, audio]) : audio;
    this.flushAudio(responseId, false);
  }

  /** Whole frames go to the response's speech handle as they come (a partial frame only at an item's end). */
  private flushAudio(responseId: string, all: boolean): void {
    const o = this.live(responseId);
    if (!o) return;
    const n = all ? o.rest.length : o.rest.length - (o.rest.length % FRAME_BYTES);
    if (n <= 0) return;
    const audio = Buffer.from(o.rest.subarray(0, n));
    o.rest = o.rest.subarray(n);
    if (!o.handle) {
      const turn = o.turn;
      o.handle = this.host.speaker.handle('answer', (at) =>
        this.dispatch({ type: 'audio_started', at, turn }),
      );
      this.book.get(turn)?.handles.push(o.handle);
    }
    o.handle.say(audio, '');
  }

  private runTool(responseId: string, call: { id: string; name: string; arguments: string }): void {
    const o = this.out;
    if (!o || o.id !== responseId) return;
    const work = runTool(this.deps.toolbox, this.host, this.log, call).then((outcome) => {
      if (outcome.effect) o.effect = outcome.effect;
      this.rt?.toolResult(call.id, outcome.result);
    });
    o.tools.push(work);
  }

  private bargeIn(responseId: string | null, turnId: number | null): void {
    const t0 = this.now();
    this.host.speaker.clear();
    // The Realtime engine never resumes cleared audio: every cut utterance stops for good.
    const cut = this.host.speaker.heldHandles();
    // Always cancel: the server may still be generating (a finished one answers "not active").
    this.rt?.cancelResponse();
    const o = this.out;
    let truncated: ReturnType<typeof truncation>;
    if (responseId && o?.id === responseId && o.handle) {
      o.rest = Buffer.alloc(0);
      truncated = truncation(o.spans, o.handle, this.state.response?.done ?? false);
      if (truncated) this.rt?.truncate(truncated.itemId, truncated.ms);
      o.handle.interrupt();
    }
    for (const h of cut) h.interrupt();
    this.log.info(
      { turn: turnId, truncate_ms: truncated?.ms ?? null, clear_ms: Math.round(this.now() - t0) },
      'barge-in: cleared',
    );
  }
}
