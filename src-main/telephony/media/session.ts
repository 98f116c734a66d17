/**
 * MediaStreamSession: one phone call on /ws/twilio-media (or the app's test-call transport).
 * It owns the transport (Twilio frames in, media/mark/clear out), the paced player with its
 * speech handles, the call row and Twilio call control (greeting, goodbye, transfer, hang-up,
 * the recording fallback), and hands the conversation to one voice engine: the pipeline
 * (pipeline/engine.ts, turn-taking in turn/reducer.ts) or OpenAI Realtime (realtime-engine.ts).
 */
import type { ToolContext } from '../../agent/tools';
import type { Logger } from '../../platform/logger';
import { EnergyVad, DEFAULT_VAD, type Vad } from '../audio/vad';
import { STREAM_TOKEN_PARAM } from '../twiml';
import { callAudio } from './call-audio';
import { CallLines } from './call-lines';
import type { EngineHost, VoiceEngine } from './engine';
import { PipelineEngine } from './pipeline/engine';
import type { OutboundPlayer } from './player';
import { parseInbound, type StartMessage } from './protocol';
import type { Speaker } from './speech-handle';
import {
  phoneToolContext,
  TIMING,
  vadConfig,
  type SessionDepsOf,
  type SessionHooksOf,
  type SessionSnapshot,
  type SessionTiming,
} from './session-config';
import { recordTurn } from './turn-record';
import type { AudioTap, LiveTurn, MediaTransport, SessionState } from './types';

export type { AudioTap, CallControl, LiveTurn, MediaTransport, SessionState } from './types';
export type { AgentBrain, SessionSnapshot, SessionTiming } from './session-config';

export type SessionHooks = SessionHooksOf<MediaStreamSession>;
export type SessionDeps = SessionDepsOf<MediaStreamSession>;

const MAX_BAD_FRAMES_LOGGED = 20;
/** WebSocket close code for a refused `start` (1008: policy violation). */
export const STREAM_REFUSED_CODE = 1008;
export class MediaStreamSession {
  state: SessionState = 'connecting';
  streamSid = '';
  callSid = '';
  callId: number | null = null;
  from = '';
  customerId: number | null = null;
  customerName: string | null = null;
  readonly startedAt: number;
  lastMediaAt: number;
  readonly fields: Record<string, string> = {};
  readonly transcript: Array<{ who: 'agent' | 'caller'; text: string; at: number }> = [];
  readonly liveTurns: LiveTurn[] = [];
  endedBy: string | null = null;
  /** Listen-in subscribers' fan-out (see listen.ts); undefined costs nothing per frame. */
  tap: AudioTap | undefined;

  private log: Logger;
  private readonly timing: SessionTiming;
  private vad: Vad = new EnergyVad(DEFAULT_VAD);
  private readonly player: OutboundPlayer;
  private readonly speaker: Speaker;
  private engine: VoiceEngine | undefined;
  private badFrames = 0;
  private mediaFrames = 0;
  private turns = 0;
  private finalized = false;
  /** The `start` was refused: the socket is closing and every later frame is ignored. */
  private refused = false;
  private startTimer: NodeJS.Timeout | undefined;
  private readonly ending: CallLines;
  private toolCtx: ToolContext | undefined;

  constructor(
    private readonly transport: MediaTransport,
    private readonly deps: SessionDeps,
  ) {
    this.log = deps.log;
    this.timing = { ...TIMING, ...deps.timing };
    this.startedAt = deps.clock.now();
    this.lastMediaAt = deps.clock.monotonic();
    const audio = callAudio(
      transport,
      { streamSid: () => this.streamSid, tap: () => this.tap },
      deps.clock,
      this.timing,
      {
        onIdle: () => this.onPlayerIdle(),
        onFrame: (at) => this.engine?.onFrame(at),
      },
    );
    this.player = audio.player;
    this.speaker = audio.speaker;
    this.ending = new CallLines({
      log: () => this.log,
      callSid: () => this.callSid,
      state: () => this.state,
      finalized: () => this.finalized,
      business: () => this.deps.business(),
      speech: deps.speech,
      control: () => this.deps.control(),
      speaker: this.speaker,
      playerBusy: () => this.player.busy,
      markGraceMs: this.timing.markGraceMs,
      beginEnding: (endedBy, cut) => {
        this.setState('ending');
        if (cut) this.speaker.clear();
        this.engine?.ending(cut);
        if (!endedBy) return;
        this.endedBy = endedBy;
        this.deps.calls.setEndedBy(this.callSid, endedBy);
      },
      addTranscript: (text) => this.transcript.push({ who: 'agent', text, at: this.deps.clock.now() }),
      closeTransport: (code, reason) => this.closeTransport(code, reason),
    });
    // A phone socket that never sends an acceptable `start` does not stay open (the app's test
    // call starts when its audio runs, on the local side).
    if (!deps.test) {
      this.startTimer = setTimeout(() => {
        if (this.state === 'connecting' && !this.refused) this.refuse('no_start', '');
      }, this.timing.startTimeoutMs);
      this.startTimer.unref?.();
    }
  }

  /** One WebSocket text frame from Twilio. Never throws. */
  handleMessage(data: string): void {
    if (this.refused) return;
    const t0 = this.deps.clock.monotonic();
    try {
      const parsed = parseInbound(data);
      if (!parsed.ok) return this.badFrame(parsed.reason);
      const msg = parsed.msg;
      switch (msg.event) {
        case 'connected':
          return;
        case 'start':
          if (this.state !== 'connecting') return this.badFrame('second_start');
          return this.start(msg);
        case 'media':
          if (this.state === 'connecting') return this.badFrame('media_before_start');
          if (this.state === 'ended') return;
          this.tap?.inbound(msg.media.payload);
          this.lastMediaAt = this.deps.clock.monotonic();
          this.mediaFrames++;
          this.engine?.onMedia(Buffer.from(msg.media.payload, 'base64'));
          this.deps.hooks.onInboundFrame?.(this.deps.clock.monotonic() - t0);
          return;
        case 'mark':
          return this.player.handleMark(msg.mark.name);
        case 'dtmf':
          this.log.info({ digit: msg.dtmf.digit }, 'dtmf');
          if (msg.dtmf.digit === '0' && this.state !== 'ending') void this.transferToOwner('dtmf_0');
          return;
        case 'stop':
          this.log.info('stream stop');
          return this.finalize('stop');
      }
    } catch (err) {
      this.log.error({ err }, 'media frame handling failed');
    }
  }

  /** The socket closed (normally after `stop`, or abruptly). */
  handleClose(code: number): void {
    if (this.refused) return;
    if (!this.finalized) this.log.warn({ code }, 'media socket closed without stop');
    this.finalize('socket_closed');
  }

  /** A `start` that may not open this stream: WARN (never the token), close, nothing written. */
  private refuse(reason: string, claimedCallSid: string): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.refused = true;
    this.finalized = true;
    this.state = 'ended';
    this.log.warn(
      { reason, claimed_call_sid: claimedCallSid.slice(0, 64) },
      'media stream refused: start not authorized',
    );
    this.closeTransport(STREAM_REFUSED_CODE, 'stream_refused');
  }

  private badFrame(reason: string): void {
    this.badFrames++;
    if (this.badFrames <= MAX_BAD_FRAMES_LOGGED)
      this.log.warn({ reason, count: this.badFrames }, 'bad media frame ignored');
  }

  /**
   * `start` is accepted only with the call's single-use stream token (from incoming_call's TwiML,
   * or minted by the app for its own test call), for a call that is not over and has no stream yet.
   * Anything else closes this socket and changes nothing: no row, no update, no after-call, and a
   * live session for that CallSid is never touched.
   */
  private start(msg: StartMessage): void {
    const params = msg.start.customParameters ?? {};
    const callSid = msg.start.callSid;
    if (this.deps.hooks.isLive?.(callSid)) return this.refuse('stream_live', callSid);
    const claim = this.deps.calls.claimStream(callSid, params[STREAM_TOKEN_PARAM]);
    if (!claim.ok) return this.refuse(claim.reason, callSid);
    const row = claim.call;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.streamSid = msg.streamSid;
    this.callSid = callSid;
    const biz = this.deps.business();
    this.log = this.deps.log.child({ call_sid: this.callSid, business_id: biz.id });
    this.callId = row.id;
    this.from = row.fromNumber;
    this.customerId = row.customerId;
    if (row.status === 'ringing' || row.status === 'queued') {
      this.deps.calls.update(this.callSid, {
        status: 'in-progress',
        answeredAt: row.answeredAt ?? this.deps.clock.now(),
      });
    }
    const settings = this.deps.settings();
    const vadCfg = vadConfig(settings);
    this.vad = this.deps.vad?.(vadCfg) ?? new EnergyVad(vadCfg);
    this.toolCtx = phoneToolContext(this.callId, this.from, this.customerId, (id) => {
      this.customerId = id;
      this.deps.calls.update(this.callSid, { customerId: id });
    });
    this.log.info(
      { stream_sid: this.streamSid, engine: settings.engine, vad: this.vad.kind },
      'media stream started',
    );
    this.deps.hooks.onStart(this);
    if (!this.deps.brain()) {
      this.log.warn('no OpenAI key: unavailable line, then the recording fallback');
      void this.ending.handOver('no_openai_key');
      return;
    }
    this.setState('greeting');
    if (settings.engine === 'realtime' && this.deps.realtime) this.engine = this.deps.realtime(this.host());
    else this.engine = this.pipeline();
    this.engine?.start();
  }

  /** The pipeline engine; `fallback`: this call moves over from another engine. */
  private pipeline(fallback?: { greeting: string | null }): VoiceEngine | undefined {
    const brain = this.deps.brain();
    if (!brain) return undefined;
    const engine = new PipelineEngine(this.host(), this.vad, { ...this.deps, timing: this.timing }, brain);
    if (fallback) engine.greeted = fallback.greeting ?? (this.state === 'greeting' ? undefined : null);
    return engine;
  }

  /** What an engine may use of this session (transport, player and call control stay here). */
  private host(): EngineHost {
    return {
      callSid: this.callSid,
      callId: this.callId,
      log: this.log,
      toolCtx: this.toolCtx!,
      fields: this.fields,
      speaker: this.speaker,
      customerName: () => this.customerName,
      state: () => this.state,
      setState: (s) => this.setState(s),
      playerBusy: () => this.player.busy,
      addTranscript: (who, text) => this.transcript.push({ who, text, at: this.deps.clock.now() }),
      publishTurn: (t) => this.publishTurn(t),
      recordTurn: (t) => {
        this.turns++;
        recordTurn(
          {
            log: this.log,
            calls: this.deps.calls,
            callSid: this.callSid,
            callId: this.callId,
            businessId: this.deps.business().id,
            publishTurn: (x) => this.publishTurn(x),
          },
          t,
        );
      },
      greet: () => this.ending.greet(),
      endCall: (reason, line, before) => this.endCall(reason, line, before),
      transfer: (reason, settled) => this.transferToOwner(reason, settled),
      handOver: (reason) => this.ending.handOver(reason),
      playLine: (text, phrase, onStart, wanted) => this.ending.line(text, phrase, onStart, wanted),
      usePipeline: (reason, greeting) => {
        this.log.warn({ reason }, 'engine fallback: pipeline');
        this.engine = this.pipeline({ greeting });
        if (!this.engine) return void this.ending.handOver(reason);
        this.deps.hooks.onState(this);
        this.engine.start();
      },
    };
  }

  private onPlayerIdle(): void {
    this.ending.idle();
    this.engine?.onIdle();
  }

  private publishTurn(t: LiveTurn): void {
    const i = this.liveTurns.findIndex((x) => x.turnIndex === t.turnIndex);
    if (i >= 0) this.liveTurns[i] = t;
    else this.liveTurns.push(t);
    if (this.liveTurns.length > 50) this.liveTurns.shift();
    this.deps.hooks.onTurn(this, t);
  }

  /** Goodbye: ended_by first (stream_ended answers <Hangup/>), the line, its playout, hang-up. */
  endCall(reason: string, line: string | null, beforeHangup?: () => void): Promise<void> {
    return this.ending.endCall(reason, line, beforeHangup);
  }

  /** The owner pressed "hang up" in the monitor: no goodbye, straight away. */
  hangupFromMonitor(): Promise<void> {
    return this.ending.hangupNowFromMonitor();
  }

  /** Says the transfer line, then re-points the call at <Dial> to the owner's phone. */
  transferToOwner(reason: string, settled?: () => void): Promise<{ ok: boolean; error?: string }> {
    return this.ending.transfer(reason, settled);
  }

  private closeTransport(code: number, reason: string): void {
    try {
      this.transport.close(code, reason);
    } catch {
      /* already closed */
    }
  }

  /** Once: stops timers and playback, records an unfinished turn, runs the after-call work. */
  finalize(why: string): void {
    if (this.finalized) return;
    this.finalized = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.engine?.stop();
    this.vad.close();
    this.player.close();
    this.ending.close();
    this.setState('ended');
    this.log.info(
      { why, turns: this.turns, frames: this.mediaFrames, bad_frames: this.badFrames },
      'media stream ended',
    );
    const work = this.callSid
      ? this.deps.afterCall(this).catch((err: unknown) => this.log.error({ err }, 'after-call work failed'))
      : Promise.resolve();
    this.deps.hooks.onEnd(this, work);
  }

  /** Heartbeat from the registry: DEBUG line, and the idle timeout. */
  heartbeat(now: number, idleTimeoutMs: number): void {
    if (this.finalized) return;
    const idle = now - this.lastMediaAt;
    const floor = this.vad.noiseFloorDb;
    const noise_floor_db = floor == null ? null : Math.round(floor);
    const fields = { state: this.state, frames: this.mediaFrames, idle_ms: Math.round(idle), noise_floor_db };
    this.log.debug(fields, 'media heartbeat');
    if (idle >= idleTimeoutMs) {
      this.log.warn({ idle_ms: Math.round(idle) }, 'no inbound media: closing the stream');
      this.closeTransport(1000, 'idle_timeout');
      this.finalize('idle_timeout');
    }
  }

  private setState(s: SessionState): void {
    if (this.state === s || this.state === 'ended') return;
    this.state = s;
    this.deps.hooks.onState(this);
  }

  snapshot(): SessionSnapshot {
    const { callSid, callId, streamSid, from, customerId, customerName, state, startedAt } = this;
    const engine = this.engine?.name ?? 'pipeline';
    const turns = [...this.liveTurns];
    return { callSid, callId, streamSid, from, customerId, customerName, state, engine, startedAt, turns };
  }

  /** Which voice-activity detector hears this call. */
  get vadKind(): string {
    return this.vad.kind;
  }

  /** A test call from the app, not a phone call. */
  get test(): boolean {
    return this.deps.test === true;
  }

  /** For tests and the monitor: frames sent so far. */
  get framesSent(): number {
    return this.player.framesSent;
  }
}
