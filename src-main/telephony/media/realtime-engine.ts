/**
 * The second voice engine: OpenAI Realtime speech-to-speech over the same Twilio media stream.
 * The session keeps the transport, the player, goodbye/transfer/hang-up and the after-call work;
 * this engine replaces only the brain: caller μ-law goes straight to the model (server VAD, input
 * transcription), the model's μ-law answer goes to the player, its tool calls run on the same
 * AgentToolbox. Per turn it writes the same record as the pipeline (realtime-support.ts), with
 * t_vad = speech end → speech_stopped, t_asr → input transcript, t_nlp → the model's first audio.
 * Barge-in: speech_started while the agent talks → `clear`, `response.cancel`, and
 * `conversation.item.truncate` at what the marks say was heard. A connection failure at the
 * start, or the model socket dropping mid-call → this call continues on the pipeline engine.
 */
import { isGoodbye } from '../../agent/goodbye';
import { goodbyeText, greetingText } from '../../agent/prompt';
import type { RealtimeEvent, RealtimeVoiceSession } from '../../agent/realtime/port';
import type { Logger } from '../../platform/logger';
import { FRAME_BYTES, FRAME_MS } from '../../audio/convert';
import type { EngineFactory, EngineHost, VoiceEngine } from './engine';
import {
  emitRealtimeTurn,
  heardOfCleared,
  runTool,
  MAX_PENDING_FRAMES,
  newRtTurn,
  sessionOptions,
  writeRealtimeTurn,
  type Chunk,
  type RealtimeEngineDeps,
  type Response,
  type RtTurn,
} from './realtime-support';

export type { RealtimeEngineDeps } from './realtime-support';

export const realtimeEngineFactory =
  (deps: RealtimeEngineDeps): EngineFactory =>
  (host) =>
    new RealtimeEngine(host, deps);

export class RealtimeEngine implements VoiceEngine {
  readonly name = 'realtime';
  private rt: RealtimeVoiceSession | undefined;
  private connecting = true;
  private stopped = false;
  private pending: Buffer[] = [];
  private appendedMs = 0;
  private turnSeq = 0;
  private turn: RtTurn | undefined;
  private response: Response | undefined;
  private responseSeq = 0;
  private chunks = new Map<string, Chunk>();
  private heardByItem = new Map<string, number>();
  private readonly log: Logger;

  constructor(
    private readonly host: EngineHost,
    private readonly deps: RealtimeEngineDeps,
  ) {
    this.log = host.log.child({ engine: 'realtime' });
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
    const text = greetingText(biz);
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
    else {
      rt.createResponse(`פתח/י את השיחה במשפט הזה, מילה במילה: "${text}"`);
      if (this.host.state() === 'greeting' && !this.host.playerBusy()) this.host.setState('listening');
    }
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
  }

  private onEvent(ev: RealtimeEvent): void {
    if (this.stopped) return;
    try {
      this.handle(ev);
    } catch (err) {
      this.log.error({ err, event: ev.type }, 'realtime event handling failed');
    }
  }

  private handle(ev: RealtimeEvent): void {
    switch (ev.type) {
      case 'speech_started':
        return this.onSpeechStarted(ev.itemId);
      case 'speech_stopped':
        return this.onSpeechStopped(ev.itemId, ev.audioEndMs);
      case 'caller_transcript':
        return this.onCallerText(ev.itemId, ev.text, 'done');
      case 'caller_transcript_failed':
        this.log.warn({ message: ev.message }, 'realtime input transcription failed');
        return this.onCallerText(ev.itemId, '', 'failed');
      case 'response_started':
        return this.onResponseStarted(ev.responseId);
      case 'audio':
        return this.onAudio(ev.responseId, ev.itemId, ev.audio);
      case 'audio_done': {
        const r = this.response;
        if (r && r.id === ev.responseId) this.flushAudio(r, true);
        return;
      }
      case 'transcript_delta': {
        const r = this.response;
        if (!r || r.id !== ev.responseId || r.cancelled) return;
        r.text += ev.text;
        if (r.turn) r.turn.agentText += ev.text;
        return;
      }
      case 'function_call':
        return this.onFunctionCall(ev.responseId, ev.callId, ev.name, ev.arguments);
      case 'response_done':
        void this.onResponseDone(ev.responseId, ev.status, ev.reason);
        return;
      case 'error':
        if (ev.code === 'response_cancel_not_active') return;
        this.log.warn({ code: ev.code, message: ev.message }, 'realtime error event');
        if (this.turn && this.turn.state !== 'done')
          this.turn.errorCode ??= `realtime_${ev.code}`.slice(0, 60);
        return;
      case 'closed':
        this.log.error({ code: ev.code, reason: ev.reason }, 'realtime session closed mid-call');
        if (this.turn && this.turn.state !== 'done') {
          this.turn.errorCode = 'realtime_closed';
          this.finishTurn(this.turn, true);
        }
        if (this.host.state() !== 'ending') this.degrade('realtime_closed', null);
        return;
      case 'ready':
        return;
    }
  }

  private onSpeechStarted(itemId: string): void {
    const st = this.host.state();
    if (st === 'ending' || st === 'ended') return;
    const r = this.response;
    const answering = r != null && !r.done && !r.cancelled;
    if (this.host.playerBusy() || (answering && r.chunks > 0)) this.bargeIn();
    else if (answering) {
      // Speech again before any answer audio: the caller went on; the server drops that answer.
      r.cancelled = true;
      this.rt?.cancelResponse();
    }
    const turn = this.turn;
    if (turn && turn.state !== 'done' && turn.audioMs === 0 && !turn.answered) {
      turn.callerItems.push(itemId);
      turn.state = 'listening';
    } else {
      this.turn = newRtTurn(this.turnSeq++, itemId, this.now());
    }
    this.host.setState('listening');
  }

  private onSpeechStopped(itemId: string, audioEndMs: number): void {
    const turn = this.turn;
    if (!turn || turn.state === 'done' || !turn.callerItems.includes(itemId)) return;
    const now = this.now();
    const silenceMs = this.deps.settings().silenceMs;
    // audio_end_ms includes the VAD's silence window; audio appended since then is `lag`.
    const lag = Math.max(0, this.appendedMs - audioEndMs);
    turn.speechEndAt = Math.min(now, now - lag - silenceMs);
    turn.t.vad = Math.round(now - turn.speechEndAt);
    turn.state = 'thinking';
    this.host.setState('thinking');
    this.emitTurn(turn);
  }

  private onCallerText(itemId: string, text: string, state: 'done' | 'failed'): void {
    const turn = this.turnFor(itemId);
    if (!turn) return;
    if (text) {
      turn.callerText = turn.callerText ? `${turn.callerText} ${text}` : text;
      if (isGoodbye(text)) turn.goodbye = true;
    }
    if (turn.t.asr == null) turn.t.asr = Math.round(this.now() - turn.speechEndAt);
    const idx = turn.callerItems.indexOf(itemId);
    if (idx === turn.callerItems.length - 1 || state === 'failed') turn.transcriptState = state;
    this.log.info({ turn: turn.index, asr_ms: turn.t.asr, chars: text.length }, 'caller said');
    if (turn.finishTimer && turn.transcriptState !== 'pending') {
      // The row was waiting for this transcript.
      clearTimeout(turn.finishTimer);
      turn.finishTimer = undefined;
      this.finishTurn(turn, true);
      return;
    }
    this.emitTurn(turn);
  }

  private turnFor(itemId: string): RtTurn | undefined {
    if (this.turn?.callerItems.includes(itemId)) return this.turn;
    return this.recent.find((t) => t.callerItems.includes(itemId));
  }

  /** Turns whose rows wait for a late transcript. */
  private recent: RtTurn[] = [];

  private onResponseStarted(id: string): void {
    const turn = this.turn && this.turn.state !== 'done' ? this.turn : null;
    this.response = {
      id,
      seq: ++this.responseSeq,
      turn,
      text: '',
      rest: Buffer.alloc(0),
      lastItemId: '',
      chunks: 0,
      audioMs: 0,
      done: false,
      cancelled: false,
      tools: [],
    };
    if (turn) turn.answered = true;
  }

  private onAudio(responseId: string, itemId: string, audio: Buffer): void {
    const r = this.response;
    if (!r || r.id !== responseId || r.cancelled) return;
    const st = this.host.state();
    if (st === 'ended') return;
    if (r.turn && r.turn.t.nlp == null) r.turn.t.nlp = Math.round(this.now() - r.turn.speechEndAt);
    if (r.lastItemId && r.lastItemId !== itemId) this.flushAudio(r, true);
    r.lastItemId = itemId;
    r.rest = r.rest.length ? Buffer.concat([r.rest, audio]) : audio;
    this.flushAudio(r, false);
  }

  /** Whole frames go to the player as they come (a partial frame only at the item's end). */
  private flushAudio(r: Response, all: boolean): void {
    const n = all ? r.rest.length : r.rest.length - (r.rest.length % FRAME_BYTES);
    if (n <= 0 || r.cancelled) return;
    const audio = r.rest.subarray(0, n);
    r.rest = r.rest.subarray(n);
    const id = `rt${r.seq}c${r.chunks++}`;
    const ms = Math.ceil(audio.length / FRAME_BYTES) * FRAME_MS;
    this.chunks.set(id, { response: r, itemId: r.lastItemId, ms });
    r.audioMs += ms;
    if (r.turn) r.turn.audioMs += ms;
    this.host.play({ id, audio: Buffer.from(audio), text: '' });
  }

  private onFunctionCall(responseId: string, callId: string, name: string, args: string): void {
    const r = this.response;
    if (!r || r.id !== responseId) return;
    const work = runTool(this.deps.toolbox, this.host, this.log, { id: callId, name, arguments: args }).then(
      (outcome) => {
        if (outcome.effect) r.effect = outcome.effect;
        this.rt?.toolResult(callId, outcome.result);
      },
    );
    r.tools.push(work);
  }

  private async onResponseDone(id: string, status: string, reason: string | null): Promise<void> {
    const r = this.response;
    if (!r || r.id !== id) return;
    this.flushAudio(r, true);
    r.done = true;
    if (r.turn && r.tools.length) r.turn.followUp = true; // not finished on idle while tools run
    if (r.tools.length) await Promise.all(r.tools);
    if (this.stopped) return;
    const turn = r.turn;
    const biz = this.deps.business();
    if (status === 'failed' || status === 'incomplete') {
      this.log.warn({ status, reason }, 'realtime response not completed');
      if (turn && status === 'failed') turn.errorCode ??= `realtime_${reason ?? 'failed'}`.slice(0, 60);
    }
    if (!turn) {
      // The model's own greeting (no cached audio) or an unprompted line.
      if (r.text.trim()) this.host.addTranscript('agent', r.text.trim());
      if (!this.host.playerBusy() && this.host.state() === 'greeting') this.host.setState('listening');
      return;
    }
    if (r.cancelled || status === 'cancelled') return;
    if (r.effect?.kind === 'end_call') {
      this.log.info({ model_reason: r.effect.reason }, 'the model ended the call');
      turn.followUp = false;
      void this.host.endCall('agent_end_call', turn.agentText.trim() ? null : goodbyeText(biz));
      if (!this.host.playerBusy()) this.finishTurn(turn);
      return;
    }
    if (r.effect?.kind === 'transfer') {
      turn.followUp = false;
      void this.host.transfer(r.effect.reason);
      if (!this.host.playerBusy()) this.finishTurn(turn);
      return;
    }
    if (r.tools.length && status === 'completed') {
      // Tool results are in the conversation: the model answers with them (same turn).
      turn.followUp = true;
      this.rt?.createResponse();
      return;
    }
    turn.followUp = false;
    if (turn.goodbye) {
      void this.host.endCall('goodbye', turn.agentText.trim() ? null : goodbyeText(biz));
      if (!this.host.playerBusy()) this.finishTurn(turn);
      return;
    }
    if (!this.host.playerBusy()) {
      this.finishTurn(turn);
      this.host.setState('listening');
    }
  }

  private bargeIn(): void {
    const t0 = this.now();
    const cleared = this.host.clearPlayback();
    const r = this.response;
    const turn = r?.turn && r.turn.state !== 'done' ? r.turn : undefined;
    let truncated: ReturnType<typeof heardOfCleared>;
    // Always cancel: the server may still be generating (a finished one answers "not active").
    this.rt?.cancelResponse();
    if (r && !r.cancelled) {
      r.cancelled = true;
      r.rest = Buffer.alloc(0);
      truncated = heardOfCleared(cleared, this.chunks, r, this.heardByItem);
      if (truncated) {
        this.rt?.truncate(truncated.itemId, truncated.ms);
        if (turn) turn.heardMs += truncated.partial;
      }
    }
    for (const c of cleared) this.chunks.delete(c.id);
    if (turn) {
      turn.interrupted = true;
      turn.followUp = false;
      this.finishTurn(turn);
    }
    this.log.info(
      {
        turn: turn?.index ?? null,
        truncate_ms: truncated?.ms ?? null,
        clear_ms: Math.round(this.now() - t0),
      },
      'barge-in: cleared',
    );
  }

  onItemStart(id: string, at: number): void {
    const chunk = this.chunks.get(id);
    const turn = chunk?.response.turn;
    if (!turn || turn.state === 'done') return;
    if (turn.t.firstAudio == null) turn.t.firstAudio = Math.round(at - turn.speechEndAt);
    if (turn.state !== 'speaking') {
      turn.state = 'speaking';
      if (this.host.state() !== 'ending') this.host.setState('speaking');
      this.emitTurn(turn);
    }
  }

  onItemHeard(id: string): void {
    const chunk = this.chunks.get(id);
    if (!chunk) return;
    this.chunks.delete(id);
    this.heardByItem.set(chunk.itemId, (this.heardByItem.get(chunk.itemId) ?? 0) + chunk.ms);
    const turn = chunk.response.turn;
    if (turn && turn.state !== 'done') turn.heardMs += chunk.ms;
  }

  /** The session ends the call; `cut` (owner hang-up, transfer): the model stops now. */
  ending(cut: boolean): void {
    if (cut) this.stop();
  }

  onFrame(at: number): void {
    const turn = this.response?.turn;
    if (turn && turn.state !== 'done') turn.lastFrameAt = at;
  }

  onIdle(): void {
    const r = this.response;
    const turn = r?.turn;
    if (turn && turn.state !== 'done' && r.done && !r.cancelled && !turn.followUp) this.finishTurn(turn);
    if (this.host.state() === 'speaking' && !(r && !r.done)) this.host.setState('listening');
  }

  stop(): void {
    if (this.stopped && !this.rt) return;
    this.stopped = true;
    const turn = this.turn;
    if (turn && turn.state !== 'done') {
      const r = this.response;
      if (r?.turn === turn && (!r.done || this.host.playerBusy())) {
        turn.interrupted = true;
        turn.errorCode ??= 'caller_hangup';
      }
      this.finishTurn(turn, true);
    }
    for (const t of this.recent) {
      if (t.finishTimer) clearTimeout(t.finishTimer);
      t.finishTimer = undefined;
      this.finishTurn(t, true);
    }
    this.rt?.close();
    this.rt = undefined;
  }

  /** Writes the turn's row once; waits briefly for a caller transcript still on its way. */
  private finishTurn(turn: RtTurn, now = false): void {
    if (turn.state === 'done' && !this.recent.includes(turn)) return;
    if (turn.state !== 'done') {
      turn.state = 'done';
      const end = turn.lastFrameAt ?? this.now();
      if (turn.audioMs > 0) turn.t.total = Math.max(0, Math.round(end - turn.speechEndAt));
      if (this.turn === turn) this.turn = undefined;
    }
    if (!now && turn.transcriptState === 'pending' && !turn.finishTimer) {
      this.recent.push(turn);
      turn.finishTimer = setTimeout(() => {
        turn.finishTimer = undefined;
        this.finishTurn(turn, true);
      }, this.deps.transcriptGraceMs ?? 1500);
      turn.finishTimer.unref?.();
      return;
    }
    if (turn.finishTimer) return;
    this.recent = this.recent.filter((t) => t !== turn);
    this.writeTurn(turn);
  }

  private writeTurn(turn: RtTurn): void {
    writeRealtimeTurn(this.host, turn);
  }

  private emitTurn(turn: RtTurn): void {
    emitRealtimeTurn(this.host, turn, this.deps.clock.now());
  }
}
