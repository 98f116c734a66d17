/**
 * MediaStreamSession: one phone call on /ws/twilio-media.
 *
 *   connecting ─start→ greeting ─heard→ listening ─end of turn→ thinking ─first audio→ speaking
 *        ↑                                  └──────── barge-in / answer heard ←────────┘
 *   ending (goodbye / transfer / unavailable) → ended (stop, close, idle timeout)
 *
 * Audio in: μ-law frames → VAD (with a speculative transcript during pauses, which also sets the
 * adaptive end-of-turn window). With `asrMode: 'streaming'` the caller's speech also goes live
 * to a transcription session opened when the call starts, committed at the pause instead of
 * uploaded; a session that fails or drops leaves the call on the speculative upload. A turn: transcript → streamed answer cut into clauses → TTS per
 * piece (in parallel, played in order) → paced outbound frames with marks. Caller speech that is
 * confirmed while the agent talks clears Twilio's buffer and cancels the answer.
 */
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Business } from '../../api/contract/business';
import { Conversation } from '../../agent/conversation';
import { isGoodbye } from '../../agent/goodbye';
import type { ChatModel, StreamingTranscriber, StreamingTranscription, Transcriber } from '../../agent/ports';
import { isAbort, ProviderError } from '../../agent/ports';
import {
  buildSystemPrompt,
  FILLER_TEXT,
  goodbyeText,
  greetingText,
  SORRY_TEXT,
  TRANSFER_TEXT,
  transcriptionPrompt,
  UNAVAILABLE_TEXT,
} from '../../agent/prompt';
import { SentenceCutter, speakable } from '../../agent/sentence-cutter';
import type { PhraseId, SpeechService } from '../../agent/speech';
import type { AgentToolbox, ToolContext, ToolEffect } from '../../agent/tools';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { toE164 } from '../../platform/phone';
import { classifyUtteranceEnd, endWindowFor } from '../audio/end-of-turn';
import { EnergyVad, DEFAULT_VAD, type Vad, type VadConfig, type VadEvent } from '../audio/vad';
import type { CallRepository } from '../call-repository';
import { OutboundPlayer } from './player';
import type { EngineFactory, EngineHost, VoiceEngine } from './engine';
import { STREAM_TOKEN_PARAM } from '../twiml';
import { outClear, outMark, outMedia, parseInbound, type StartMessage } from './protocol';
import { recordTurn, stageOffsets, type TurnStageMarks } from './turn-record';
import type { AudioTap, CallControl, LiveTurn, MediaTransport, SessionState } from './types';
import type { VoiceSettings } from './voice-settings';

export type { AudioTap, CallControl, LiveTurn, MediaTransport, SessionState } from './types';

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

export interface SessionHooks {
  /** A session is on the line for this CallSid now (a newcomer never replaces it). */
  isLive?(callSid: string): boolean;
  onStart(s: MediaStreamSession): void;
  onState(s: MediaStreamSession): void;
  onTurn(s: MediaStreamSession, turn: LiveTurn): void;
  onEnd(s: MediaStreamSession, work: Promise<void>): void;
  /** Milliseconds this session spent handling one inbound media frame (benchmarks, health). */
  onInboundFrame?(ms: number): void;
}

export interface SessionDeps {
  log: Logger;
  clock: Clock;
  calls: CallRepository;
  business: () => Business;
  settings: () => VoiceSettings;
  speech: SpeechService;
  /** null when there is no OpenAI key: the unavailable line, then the recording fallback. */
  brain: () => AgentBrain | null;
  toolbox: AgentToolbox;
  control: () => CallControl | null;
  hooks: SessionHooks;
  afterCall: (s: MediaStreamSession) => Promise<void>;
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

export interface SessionTiming {
  leadMs: number;
  markEveryMs: number;
  /** Silence into a pause when the speculative transcript is requested. */
  speculativeAtMs: number;
  /** Waiting for the last mark of a goodbye at most this much more than its length. */
  markGraceMs: number;
  /** A caller utterance right after the agent was interrupted may resume it within this. */
  resumeWithinMs: number;
  /** Unrecoverable turn errors in a row before handing over to the recording fallback. */
  maxTurnErrors: number;
  /** Opening the live transcription session at most this long (else: speculative upload). */
  asrConnectTimeoutMs: number;
  /** A committed utterance's transcript at most this long after the commit (else: upload). */
  asrCommitTimeoutMs: number;
  /** A phone stream with no accepted `start` this long after the socket opened is closed. */
  startTimeoutMs: number;
}

const TIMING: SessionTiming = {
  leadMs: 160,
  markEveryMs: 200,
  speculativeAtMs: 240,
  markGraceMs: 3000,
  resumeWithinMs: 8000,
  maxTurnErrors: 2,
  asrConnectTimeoutMs: 3000,
  asrCommitTimeoutMs: 4000,
  startTimeoutMs: 15_000,
};

const MAX_BAD_FRAMES_LOGGED = 20;
/** WebSocket close code for a refused `start` (1008: policy violation). */
export const STREAM_REFUSED_CODE = 1008;
/** Backchannels while the agent talks: not an interruption ("כן", "אהה", "אוקיי" …). */
const BACKCHANNEL = /^(כן|אה+|אהה+|מ+|ממ+|אוקיי?|או?קיי|נכון|בסדר|יופי|טוב|הממ+|uh-?huh|ok(ay)?)[.!,…]*$/i;

interface Turn {
  index: number;
  abort: AbortController;
  speechEndAt: number;
  endAt: number;
  vadMs: number;
  audio: Buffer;
  callerText: string;
  agentText: string;
  heardText: string[];
  pieces: Array<{ id: string; text: string }>;
  state: 'thinking' | 'speaking' | 'done';
  t: { asr?: number; nlp?: number; tts?: number; firstAudio?: number; total?: number };
  /** Monotonic time each critical-path stage was reached (turn_metrics `stages_ms`). */
  at: TurnStageMarks;
  llmStartAt?: number;
  interrupted: boolean;
  errorCode?: string;
  effect?: ToolEffect;
  toolsRan: boolean;
  answerDone: boolean;
  deadline?: NodeJS.Timeout;
  fillerPlayed: boolean;
  lastFrameAt?: number;
}

interface Speculation {
  voicedMs: number;
  abort: AbortController;
  promise: Promise<string>;
  text?: string;
  /** Committed on the live transcription session (not an upload). */
  streamed?: boolean;
}

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
  private player: OutboundPlayer;
  private conversation: Conversation | undefined;
  private turn: Turn | undefined;
  private turnSeq = 0;
  private speculation: Speculation | undefined;
  private speechEndAt = 0;
  private carryAudio: Buffer | undefined;
  private resumable: { audio: Buffer; text: string; turnIndex: number | null; at: number } | undefined;
  private turnErrors = 0;
  private badFrames = 0;
  private idleWaiters: Array<() => void> = [];
  private finalized = false;
  /** The `start` was refused: the socket is closing and every later frame is ignored. */
  private refused = false;
  private startTimer: NodeJS.Timeout | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private toolCtx: ToolContext | undefined;
  private mediaFrames = 0;
  /** Set while another engine (OpenAI Realtime) drives this call instead of the pipeline. */
  private engine: VoiceEngine | undefined;
  private engineName = 'pipeline';
  /** The live transcription session (asrMode 'streaming'), once open. */
  private asrStream: StreamingTranscription | undefined;
  private asrStreamState: 'off' | 'connecting' | 'ready' | 'failed' = 'off';
  /** The current utterance goes to asrStream as it is heard. */
  private streamingUtterance = false;
  /** Committed at the pause: nothing more is sent unless the caller resumes. */
  private streamParked = false;
  /** This frame was already sent (the utterance so far was replayed). */
  private streamReplayed = false;

  constructor(
    private readonly transport: MediaTransport,
    private readonly deps: SessionDeps,
  ) {
    this.log = deps.log;
    this.timing = { ...TIMING, ...deps.timing };
    this.startedAt = deps.clock.now();
    this.lastMediaAt = deps.clock.monotonic();
    this.player = new OutboundPlayer(
      {
        media: (p) => {
          this.transport.send(outMedia(this.streamSid, p));
          this.tap?.outbound(p);
        },
        mark: (n) => this.transport.send(outMark(this.streamSid, n)),
        clear: () => {
          this.transport.send(outClear(this.streamSid));
          this.tap?.clear();
        },
      },
      () => this.deps.clock.monotonic(),
      {
        onItemStart: (id, at) => this.onItemStart(id, at),
        onItemHeard: (id) => this.onItemHeard(id),
        onIdle: () => this.onPlayerIdle(),
        onFrame: (at) => {
          if (this.turn) this.turn.lastFrameAt = at;
          this.engine?.onFrame(at);
        },
      },
      { leadMs: this.timing.leadMs, markEveryMs: this.timing.markEveryMs },
    );
    // A phone socket that never sends an acceptable `start` does not stay open (the app's test
    // call starts when its audio runs, on the local side).
    if (!deps.test) {
      this.startTimer = setTimeout(() => {
        if (this.state === 'connecting' && !this.refused) this.refuse('no_start', '');
      }, this.timing.startTimeoutMs);
      this.startTimer.unref?.();
    }
  }

  // ───────────────────────────── inbound ─────────────────────────────

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
          this.onMedia(Buffer.from(msg.media.payload, 'base64'));
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
    this.log = this.deps.log.child({ call_sid: this.callSid, business_id: this.deps.business().id });
    const biz = this.deps.business();
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
    const vadCfg: VadConfig = {
      ...DEFAULT_VAD,
      silenceMs: settings.silenceMs,
      minSpeechMs: settings.minSpeechMs,
      confirmMs: settings.bargeInMs,
    };
    this.vad = this.deps.vad?.(vadCfg) ?? new EnergyVad(vadCfg);
    this.vad.onLateEvents = (events) => this.onLateVadEvents(events);
    this.toolCtx = {
      channel: 'phone',
      businessId: biz.id,
      callId: this.callId,
      phone: toE164(this.from),
      customerId: this.customerId,
      onCustomer: (id) => {
        this.customerId = id;
        this.deps.calls.update(this.callSid, { customerId: id });
      },
    };
    this.log.info(
      { stream_sid: this.streamSid, engine: settings.engine, vad: this.vad.kind },
      'media stream started',
    );
    this.deps.hooks.onStart(this);

    const brain = this.deps.brain();
    if (!brain) {
      this.log.warn('no OpenAI key: unavailable line, then the recording fallback');
      void this.unavailable();
      return;
    }
    if (settings.engine === 'realtime' && this.deps.realtime) {
      this.engine = this.deps.realtime(this.engineHost());
      this.engineName = this.engine.name;
      this.setState('greeting');
      this.engine.start();
      return;
    }
    this.startPipeline(brain);
    this.setState('greeting');
    void this.greet(biz);
  }

  private startPipeline(brain: AgentBrain): void {
    this.openAsrStream();
    this.conversation = new Conversation({
      model: brain.model,
      toolbox: this.deps.toolbox,
      systemPrompt: () =>
        buildSystemPrompt(this.deps.business(), {
          channel: 'phone',
          now: this.deps.clock.now(),
          callerKnownName: this.customerName,
        }),
      ctx: this.toolCtx!,
      log: this.log,
    });
  }

  /** What an engine may use of this session (transport, player and state stay here). */
  private engineHost(): EngineHost {
    return {
      callSid: this.callSid,
      callId: this.callId,
      log: this.log,
      toolCtx: this.toolCtx!,
      fields: this.fields,
      state: () => this.state,
      setState: (s) => this.setState(s),
      play: (item) => this.player.enqueue(item),
      clearPlayback: () => this.player.clear(),
      playerBusy: () => this.player.busy,
      addTranscript: (who, text) => this.transcript.push({ who, text, at: this.deps.clock.now() }),
      publishTurn: (t) => this.publishTurn(t),
      endCall: (reason, line) => this.endCall(reason, line),
      transfer: (reason) => this.transferToOwner(reason),
      usePipeline: (reason, greeting) => {
        this.engine = undefined;
        this.engineName = 'pipeline';
        const brain = this.deps.brain();
        this.log.warn({ reason }, 'engine fallback: pipeline');
        if (!brain) return void this.handOver(reason);
        this.startPipeline(brain);
        this.deps.hooks.onState(this);
        if (greeting) this.conversation?.noteAgentLine(greeting);
        else if (this.state === 'greeting') void this.greet(this.deps.business());
        else if (this.state !== 'ending' && this.state !== 'ended' && !this.player.busy)
          this.setState('listening');
      },
    };
  }

  private async greet(biz: Business): Promise<void> {
    const text = greetingText(biz);
    try {
      const r = await this.deps.speech.line(text, 'greeting');
      if (this.state !== 'greeting') return;
      this.conversation?.noteAgentLine(text);
      this.transcript.push({ who: 'agent', text, at: this.deps.clock.now() });
      if (r.audio.length === 0) return this.setState('listening');
      this.player.enqueue({ id: 'greeting', audio: r.audio, text });
      this.log.info({ provider: r.provider, cached: r.cached, ms: r.ms }, 'greeting playing');
    } catch (err) {
      this.log.error({ err }, 'greeting failed');
      this.setState('listening');
    }
  }

  private async unavailable(): Promise<void> {
    this.setState('ending');
    const r = await this.deps.speech.line(UNAVAILABLE_TEXT, 'unavailable').catch(() => undefined);
    this.transcript.push({ who: 'agent', text: UNAVAILABLE_TEXT, at: this.deps.clock.now() });
    if (r && r.audio.length) {
      this.player.enqueue({ id: 'unavailable', audio: r.audio, text: UNAVAILABLE_TEXT });
      await this.waitIdle(r.audio.length / 8 + this.timing.markGraceMs);
    }
    // Closing the stream makes Twilio request <Connect action>: the recording fallback.
    this.closeTransport(1000, 'unavailable');
  }

  private onMedia(frame: Buffer): void {
    this.lastMediaAt = this.deps.clock.monotonic();
    this.mediaFrames++;
    if (this.engine) return this.engine.onMedia(frame);
    if (this.state === 'ending') return;
    this.streamReplayed = false;
    this.onVadEvents(this.vad.push(frame));
    if (this.streamingUtterance && !this.streamParked && !this.streamReplayed) {
      if (this.asrStream?.alive) this.asrStream.append(frame);
      else this.streamingUtterance = false;
    }
    this.maybeSpeculate();
  }

  /** Decisions a model VAD made after the frame that completed them (between frames). */
  private onLateVadEvents(events: VadEvent[]): void {
    if (this.engine || this.finalized || this.state === 'ending') return;
    this.onVadEvents(events);
    this.maybeSpeculate();
  }

  private onVadEvents(events: VadEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'onset':
          this.beginStreamedUtterance();
          break;
        case 'confirmed':
          this.onSpeechConfirmed();
          break;
        case 'pause':
          this.speechEndAt = this.deps.clock.monotonic() - (ev.lagMs ?? 0);
          break;
        case 'resume':
          this.dropSpeculation();
          if (this.streamingUtterance && this.streamParked) {
            // The commit at the pause was not the end: the next one covers the whole utterance.
            this.streamParked = false;
            this.replayUtterance(false);
          }
          break;
        case 'noise':
          this.dropSpeculation();
          if (this.streamingUtterance && !this.streamParked) this.asrStream?.clear();
          this.streamingUtterance = false;
          this.streamParked = false;
          break;
        case 'end':
          this.onUtterance(ev.audio, ev.speechMs, ev.silenceMs);
          break;
      }
    }
  }

  // ───────────────────────────── live transcription ─────────────────────────────

  /** asrMode 'streaming': one transcription session per call, opened now so no turn waits for it. */
  private openAsrStream(): void {
    const s = this.deps.settings();
    if (s.asrMode !== 'streaming' || s.pipelineMode === 'sequential' || this.asrStreamState !== 'off') return;
    const transcriber = this.deps.streamingAsr?.();
    if (!transcriber) {
      this.asrStreamState = 'failed';
      this.log.warn('streaming transcription unavailable: speculative upload for this call');
      return;
    }
    this.asrStreamState = 'connecting';
    const t0 = this.deps.clock.monotonic();
    transcriber
      .open(
        { model: s.asrModel, language: 'he', prompt: transcriptionPrompt(this.deps.business()) },
        { onClosed: (reason) => this.asrStreamLost(reason) },
        { timeoutMs: this.timing.asrConnectTimeoutMs },
      )
      .then(
        (stream) => {
          if (this.finalized || this.asrStreamState !== 'connecting') return stream.close();
          this.asrStream = stream;
          this.asrStreamState = 'ready';
          this.log.info(
            { connect_ms: Math.round(this.deps.clock.monotonic() - t0) },
            'streaming transcription ready',
          );
        },
        (err: unknown) => {
          this.asrStreamState = 'failed';
          this.log.warn(
            { err: (err as Error).message },
            'streaming transcription unavailable: speculative upload for this call',
          );
        },
      );
  }

  private asrStreamLost(reason: string): void {
    this.asrStream = undefined;
    this.asrStreamState = 'failed';
    this.streamingUtterance = false;
    this.streamParked = false;
    if (!this.finalized)
      this.log.warn(
        { reason },
        'streaming transcription dropped: speculative upload for the rest of the call',
      );
  }

  /** Speech onset: the utterance so far (with the VAD's pre-roll) goes to the live session. */
  private beginStreamedUtterance(): void {
    this.streamingUtterance = false;
    this.streamParked = false;
    if (!this.asrStream?.alive) return;
    this.streamingUtterance = true;
    this.replayUtterance(false);
  }

  /** Sends the whole utterance so far (after a commit, or with a carried utterance in front). */
  private replayUtterance(clearFirst: boolean): void {
    if (!this.asrStream?.alive) {
      this.streamingUtterance = false;
      return;
    }
    if (clearFirst) this.asrStream.clear();
    this.asrStream.append(this.withCarry(this.vad.utteranceAudio()));
    this.streamReplayed = true;
  }

  // ───────────────────────────── turn taking ─────────────────────────────

  private agentHasFloor(): boolean {
    return this.player.busy || (this.turn != null && this.turn.state === 'speaking');
  }

  private onSpeechConfirmed(): void {
    if (this.state === 'ending' || this.state === 'ended') return;
    const turn = this.turn;
    if (turn && turn.state === 'thinking' && !this.player.busy && !turn.toolsRan) {
      // The caller went on talking before we answered: drop this answer and hear it all.
      this.log.info({ turn: turn.index }, 'caller continued; answer cancelled, utterances merged');
      turn.abort.abort();
      this.clearDeadline(turn);
      this.carryAudio = turn.audio;
      // The live session hears both utterances as one.
      if (this.streamingUtterance && !this.streamParked) this.replayUtterance(true);
      this.conversation?.rollbackLastUser(turn.callerText);
      this.turn = undefined;
      this.turnSeq--;
      this.setState('listening');
      return;
    }
    if (this.agentHasFloor()) this.bargeIn();
  }

  /** Caller speech confirmed while the agent talks: clear, cancel, record what was heard. */
  private bargeIn(): void {
    const t0 = this.deps.clock.monotonic();
    const cleared = this.player.clear();
    const turn = this.turn;
    const restAudio = Buffer.concat(cleared.map((c) => c.rest));
    const restText = cleared.map((c) => c.text).join(' ');
    if (turn) {
      const partial = cleared.find((c) => c.heardMs > 0 && c.heardMs < c.totalMs);
      if (partial) turn.heardText.push(headWords(partial.text, partial.heardMs / partial.totalMs));
      turn.interrupted = true;
      turn.abort.abort();
      this.finishTurn(turn);
    }
    this.resumable = restAudio.length
      ? { audio: restAudio, text: restText, turnIndex: turn?.index ?? null, at: t0 }
      : undefined;
    this.log.info(
      { turn: turn?.index ?? null, clear_ms: Math.round(this.deps.clock.monotonic() - t0) },
      'barge-in: cleared',
    );
    this.setState('listening');
  }

  private maybeSpeculate(): void {
    const s = this.deps.settings();
    if (s.pipelineMode === 'sequential' || this.speculation || !this.vad.confirmed) return;
    if (this.vad.currentSilenceMs < this.timing.speculativeAtMs) return;
    const abort = new AbortController();
    let spec: Speculation;
    if (this.streamingUtterance && !this.streamParked && this.asrStream?.alive) {
      // Live session: commit at the pause; the transcript comes without an upload.
      spec = {
        voicedMs: this.vad.currentVoicedMs,
        abort,
        promise: this.asrStream.commit({ timeoutMs: this.timing.asrCommitTimeoutMs }),
        streamed: true,
      };
      this.streamParked = true;
    } else {
      if (s.asrMode === 'batch') return;
      const brain = this.deps.brain();
      if (!brain) return;
      const audio = this.withCarry(this.vad.utteranceAudio());
      spec = {
        voicedMs: this.vad.currentVoicedMs,
        abort,
        promise: brain.transcriber.transcribe(audio, {
          prompt: transcriptionPrompt(this.deps.business()),
          signal: abort.signal,
        }),
      };
    }
    spec.promise.catch(() => undefined);
    this.speculation = spec;
    void spec.promise.then(
      (text) => {
        if (this.speculation !== spec) return;
        spec.text = text;
        if (s.adaptiveEndOfTurn && this.vad.confirmed) {
          const kind = classifyUtteranceEnd(text);
          const win = endWindowFor(kind, { baseMs: s.silenceMs });
          this.vad.setEndWindow(win);
          this.log.debug({ kind, window_ms: win }, 'adaptive end of turn');
        }
      },
      () => undefined,
    );
  }

  private dropSpeculation(): void {
    if (!this.speculation) return;
    this.speculation.abort.abort();
    this.speculation = undefined;
  }

  private withCarry(audio: Buffer): Buffer {
    return this.carryAudio ? Buffer.concat([this.carryAudio, audio]) : audio;
  }

  private onUtterance(audio: Buffer, speechMs: number, silenceMs: number): void {
    const streamed = this.streamingUtterance && !this.streamParked && this.asrStream?.alive;
    this.streamingUtterance = false;
    this.streamParked = false;
    if (this.state === 'ending' || this.state === 'ended' || !this.conversation) return;
    let spec = this.speculation && this.speculation.voicedMs === speechMs ? this.speculation : undefined;
    if (!spec) this.dropSpeculation();
    this.speculation = undefined;
    if (!spec && streamed && this.asrStream) {
      // No commit at a pause (e.g. a maximum-length utterance): commit now.
      spec = {
        voicedMs: speechMs,
        abort: new AbortController(),
        promise: this.asrStream.commit({ timeoutMs: this.timing.asrCommitTimeoutMs }),
        streamed: true,
      };
      spec.promise.catch(() => undefined);
    }
    const full = this.withCarry(audio);
    this.carryAudio = undefined;
    const now = this.deps.clock.monotonic();
    const turn: Turn = {
      index: this.turnSeq++,
      abort: new AbortController(),
      speechEndAt: this.speechEndAt || now - silenceMs,
      endAt: now,
      vadMs: silenceMs,
      audio: full,
      callerText: '',
      agentText: '',
      heardText: [],
      pieces: [],
      state: 'thinking',
      t: {},
      at: { endOfTurn: now },
      interrupted: false,
      toolsRan: false,
      answerDone: false,
      fillerPlayed: false,
    };
    // A new utterance supersedes an answer still being prepared.
    if (this.turn && this.turn.state !== 'done') {
      this.turn.interrupted = true;
      this.turn.abort.abort();
      this.finishTurn(this.turn);
    }
    this.turn = turn;
    this.setState('thinking');
    this.armDeadline(turn);
    void this.runTurn(turn, spec).catch((err: unknown) => this.turnFailed(turn, err));
  }

  private async runTurn(turn: Turn, spec: Speculation | undefined): Promise<void> {
    const brain = this.deps.brain();
    if (!brain || !this.conversation)
      throw new ProviderError('no_openai_key', 'OpenAI key removed during the call');
    const biz = this.deps.business();
    // 1. transcript (often ready already: taken during the pause)
    let text: string;
    const upload = () =>
      brain.transcriber.transcribe(turn.audio, {
        prompt: transcriptionPrompt(biz),
        signal: turn.abort.signal,
      });
    try {
      if (spec?.streamed) {
        text = await spec.promise.catch((err: unknown) => {
          if (turn.abort.signal.aborted) throw err;
          // The live session failed this utterance: the turn is not lost, it is uploaded.
          this.log.warn(
            { turn: turn.index, err: (err as Error).message },
            'streaming transcript failed: uploading the utterance',
          );
          spec = undefined;
          return upload();
        });
      } else text = spec ? await spec.promise : await upload();
    } catch (err) {
      if (isAbort(err) && turn.abort.signal.aborted) return;
      throw new ProviderError('asr_failed', (err as Error).message, err);
    }
    turn.at.transcript = this.deps.clock.monotonic();
    turn.t.asr = Math.round(turn.at.transcript - turn.endAt);
    if (turn.abort.signal.aborted) return;
    turn.callerText = text.trim();
    this.log.info(
      {
        turn: turn.index,
        asr_ms: turn.t.asr,
        asr: spec?.streamed ? 'streaming' : spec ? 'speculative' : 'upload',
        chars: turn.callerText.length,
      },
      'caller said',
    );

    const resumable = this.resumable;
    this.resumable = undefined;
    const fresh = resumable && this.deps.clock.monotonic() - resumable.at < this.timing.resumeWithinMs;
    if (!turn.callerText || (fresh && BACKCHANNEL.test(turn.callerText))) {
      // No words (or only "כן"/"אהה"): not a real turn. A false interruption resumes the agent.
      this.clearDeadline(turn);
      this.turn = undefined;
      this.turnSeq--;
      if (fresh && resumable) {
        this.log.info({ turn: resumable.turnIndex }, 'false interruption: resuming');
        if (resumable.turnIndex != null) this.conversation.commitSpoken(resumable.text, false);
        this.player.enqueue({
          id: `resume${resumable.turnIndex ?? 'g'}`,
          audio: resumable.audio,
          text: resumable.text,
        });
        this.setState('speaking');
      } else {
        this.setState(this.player.busy ? 'speaking' : 'listening');
      }
      return;
    }
    this.transcript.push({ who: 'caller', text: turn.callerText, at: this.deps.clock.now() });
    this.emitTurn(turn);

    // 2. goodbye said by the caller
    if (isGoodbye(turn.callerText)) {
      turn.answerDone = true;
      this.clearDeadline(turn);
      const bye = goodbyeText(biz);
      turn.agentText = bye;
      this.conversation.noteUser(turn.callerText);
      void this.endCall('goodbye', bye, turn);
      return;
    }

    // 3. streamed answer → pieces → TTS in parallel → played in order
    const cutter = new SentenceCutter();
    let chain: Promise<void> = Promise.resolve();
    let pieceNo = 0;
    const speakPiece = (raw: string) => {
      const say = speakable(raw);
      if (!say) return;
      const id = `t${turn.index}p${pieceNo++}`;
      const first = pieceNo === 1;
      if (first) turn.at.firstClause = this.deps.clock.monotonic();
      if (first && turn.llmStartAt != null) turn.t.nlp = Math.round(turn.at.firstClause! - turn.llmStartAt);
      const tts = this.deps.speech.say(say, turn.abort.signal);
      tts.catch(() => undefined);
      chain = chain.then(async () => {
        const r = await tts.catch((err: unknown) => {
          if (isAbort(err)) return undefined;
          throw err;
        });
        if (!r || turn.abort.signal.aborted) return;
        if (first) turn.t.tts = r.ms;
        if (first) turn.at.ttsFirstAudio = this.deps.clock.monotonic();
        if (r.error && !turn.errorCode) turn.errorCode = r.error;
        turn.pieces.push({ id, text: say });
        this.player.enqueue({ id, audio: r.audio, text: say });
      });
    };

    const sequential = this.deps.settings().pipelineMode === 'sequential';
    turn.llmStartAt = this.deps.clock.monotonic();
    turn.at.llmStart = turn.llmStartAt;
    try {
      for await (const ev of this.conversation.answer(turn.callerText, turn.abort.signal)) {
        if (turn.abort.signal.aborted) return;
        if (ev.type === 'text') {
          turn.at.llmFirstToken ??= this.deps.clock.monotonic();
          turn.agentText += ev.text;
          if (!sequential) for (const p of cutter.push(ev.text)) speakPiece(p);
        } else if (ev.type === 'tool') {
          turn.toolsRan = true;
          Object.assign(this.fields, ev.fields ?? {});
        } else {
          turn.effect = ev.effect;
        }
      }
    } catch (err) {
      if (turn.abort.signal.aborted) return;
      throw new ProviderError('llm_failed', (err as Error).message, err);
    }
    if (sequential) speakPiece(turn.agentText);
    else for (const p of cutter.flush()) speakPiece(p);
    await chain;
    if (turn.abort.signal.aborted) return;
    turn.answerDone = true;
    this.turnErrors = 0;
    if (turn.effect?.kind === 'end_call') {
      this.clearDeadline(turn);
      // ended_by is a fixed code the UI can label; the model's own words go to the log.
      this.log.info({ model_reason: turn.effect.reason }, 'the model ended the call');
      void this.endCall('agent_end_call', turn.agentText.trim() ? null : goodbyeText(biz), turn);
      return;
    }
    if (turn.effect?.kind === 'transfer') {
      this.clearDeadline(turn);
      void this.transferToOwner(turn.effect.reason, turn);
      return;
    }
    if (turn.pieces.length === 0) {
      // The model said nothing speakable (e.g. only a tool call without a follow-up).
      this.clearDeadline(turn);
      this.finishTurn(turn);
      this.setState('listening');
      return;
    }
    if (!this.player.busy) this.completeTurn(turn);
  }

  private turnFailed(turn: Turn, err: unknown): void {
    if (this.finalized) return;
    const code = err instanceof ProviderError ? err.code : 'turn_failed';
    this.log.error({ err, turn: turn.index, error_code: code }, 'turn failed');
    turn.errorCode = code;
    this.turnErrors++;
    this.clearDeadline(turn);
    turn.answerDone = true;
    if (this.turnErrors >= this.timing.maxTurnErrors) {
      this.finishTurn(turn);
      this.log.warn(
        { errors: this.turnErrors },
        'repeated turn failures: handing over to the recording fallback',
      );
      void this.handOver('turn_failures');
      return;
    }
    // Say sorry and keep listening.
    void this.playLine(SORRY_TEXT, 'sorry', `sorry${turn.index}`).then(() => {
      if (this.turn === turn) {
        turn.agentText = turn.agentText || SORRY_TEXT;
        turn.pieces.push({ id: `sorry${turn.index}`, text: SORRY_TEXT });
        if (!this.player.busy) this.completeTurn(turn);
      }
    });
  }

  private async handOver(reason: string): Promise<void> {
    this.setState('ending');
    await this.playLine(UNAVAILABLE_TEXT, 'unavailable', 'handover');
    await this.waitIdle(10_000);
    this.log.info({ reason }, 'closing the stream for the recording fallback');
    this.closeTransport(1000, reason);
  }

  private armDeadline(turn: Turn): void {
    const ms = this.deps.settings().turnDeadlineMs;
    turn.deadline = setTimeout(
      () => {
        turn.deadline = undefined;
        if (this.turn !== turn || turn.state !== 'thinking' || turn.fillerPlayed || this.player.busy) return;
        turn.fillerPlayed = true;
        this.log.info({ turn: turn.index, deadline_ms: ms }, 'turn deadline: filler');
        // Only if the answer has not started meanwhile (rendering the line may take a while).
        void this.playLine(
          FILLER_TEXT,
          'filler',
          `filler${turn.index}`,
          () => this.turn === turn && turn.state === 'thinking' && !this.player.busy,
        );
      },
      Math.max(0, ms - (this.deps.clock.monotonic() - turn.speechEndAt)),
    );
    turn.deadline.unref?.();
  }

  private clearDeadline(turn: Turn): void {
    if (turn.deadline) clearTimeout(turn.deadline);
    turn.deadline = undefined;
  }

  private async playLine(
    text: string,
    phrase: PhraseId,
    id: string,
    stillWanted?: () => boolean,
  ): Promise<void> {
    try {
      const r = await this.deps.speech.line(text, phrase);
      if (this.state === 'ended' || (stillWanted && !stillWanted())) return;
      this.player.enqueue({ id, audio: r.audio, text });
    } catch (err) {
      this.log.warn({ err, phrase }, 'line failed');
    }
  }

  // ───────────────────────────── playback callbacks ─────────────────────────────

  private onItemStart(id: string, at: number): void {
    if (this.engine) return this.engine.onItemStart(id, at);
    const turn = this.turn;
    if (turn && turn.state === 'thinking' && (id.startsWith(`t${turn.index}p`) || id.startsWith('filler'))) {
      if (turn.t.firstAudio == null) turn.t.firstAudio = Math.round(at - turn.speechEndAt);
      turn.at.firstFrame ??= at;
      if (id.startsWith(`t${turn.index}p`)) {
        turn.state = 'speaking';
        this.clearDeadline(turn);
        this.setState('speaking');
        this.emitTurn(turn);
      }
    }
  }

  private onItemHeard(id: string): void {
    if (this.engine) return this.engine.onItemHeard(id);
    const turn = this.turn;
    if (!turn) return;
    const piece = turn.pieces.find((p) => p.id === id);
    if (piece) turn.heardText.push(piece.text);
  }

  private onPlayerIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
    if (this.state === 'greeting') return this.setState('listening');
    if (this.engine) return this.engine.onIdle();
    const turn = this.turn;
    if (turn && turn.answerDone && turn.state !== 'done' && this.state !== 'ending') this.completeTurn(turn);
    else if (this.state === 'speaking' && !turn) this.setState('listening');
  }

  private completeTurn(turn: Turn): void {
    this.conversation?.commitSpoken(turn.heardText.join(' ') || turn.agentText, false);
    this.finishTurn(turn);
    if (this.state !== 'ending' && this.state !== 'ended') this.setState('listening');
  }

  /** Writes the turn's row and metrics line once. */
  private finishTurn(turn: Turn): void {
    if (turn.state === 'done') return;
    this.clearDeadline(turn);
    const wasSpeaking = turn.state === 'speaking';
    turn.state = 'done';
    if (this.turn === turn) this.turn = undefined;
    const end = turn.lastFrameAt ?? this.deps.clock.monotonic();
    turn.t.total = Math.round(end - turn.speechEndAt);
    const agentText = turn.interrupted ? turn.heardText.join(' ') : turn.agentText.trim();
    if (turn.interrupted) this.conversation?.commitSpoken(agentText, true);
    if (agentText)
      this.transcript.push({
        who: 'agent',
        text: agentText + (turn.interrupted ? ' …' : ''),
        at: this.deps.clock.now(),
      });
    if (!turn.callerText && !agentText && !turn.errorCode && !wasSpeaking) return;
    recordTurn(
      {
        log: this.log,
        calls: this.deps.calls,
        callSid: this.callSid,
        callId: this.callId,
        businessId: this.deps.business().id,
        publishTurn: (t) => this.publishTurn(t),
      },
      {
        index: turn.index,
        engine: 'pipeline',
        callerText: turn.callerText,
        agentText,
        interrupted: turn.interrupted,
        errorCode: turn.errorCode ?? null,
        ms: {
          vad: turn.vadMs,
          asr: turn.t.asr ?? null,
          nlp: turn.t.nlp ?? null,
          tts: turn.t.tts ?? null,
          firstAudio: turn.t.firstAudio ?? null,
          total: turn.t.total ?? null,
        },
        stages: stageOffsets(turn.speechEndAt, turn.at),
      },
    );
  }

  private emitTurn(turn: Turn): void {
    this.publishTurn({
      id: turn.index + 1, // provisional (positive) until the row is saved
      callSid: this.callSid,
      state: turn.state,
      turnIndex: turn.index,
      mode: 'stream',
      callerText: turn.callerText,
      agentText: turn.agentText,
      tVadMs: turn.vadMs,
      tAsrMs: turn.t.asr ?? null,
      tNlpMs: turn.t.nlp ?? null,
      tTtsMs: turn.t.tts ?? null,
      tFirstAudioMs: turn.t.firstAudio ?? null,
      tTotalMs: null,
      interrupted: turn.interrupted,
      errorCode: turn.errorCode ?? null,
      createdAt: this.deps.clock.now(),
    });
  }

  private publishTurn(t: LiveTurn): void {
    const i = this.liveTurns.findIndex((x) => x.turnIndex === t.turnIndex);
    if (i >= 0) this.liveTurns[i] = t;
    else this.liveTurns.push(t);
    if (this.liveTurns.length > 50) this.liveTurns.shift();
    this.deps.hooks.onTurn(this, t);
  }

  // ───────────────────────────── ending ─────────────────────────────

  private waitIdle(timeoutMs: number): Promise<void> {
    if (!this.player.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      timer.unref?.();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  /**
   * Goodbye: marks the call as ended on purpose FIRST (so stream_ended answers <Hangup/>),
   * says the goodbye line (unless the answer already said it), waits for its mark, hangs up.
   */
  async endCall(reason: string, line: string | null, turn?: Turn): Promise<void> {
    if (this.state === 'ending' || this.state === 'ended') return;
    this.setState('ending');
    this.endedBy = reason;
    this.deps.calls.setEndedBy(this.callSid, reason);
    this.log.info({ reason }, 'ending the call');
    if (line) {
      const r = await this.deps.speech.line(line, 'goodbye').catch(() => undefined);
      if (r?.audio.length && !this.finalized) {
        const id = turn ? `t${turn.index}p_bye` : 'bye';
        turn?.pieces.push({ id, text: line });
        this.player.enqueue({ id, audio: r.audio, text: line });
      }
    }
    await this.waitIdle(this.pendingAudioMs() + this.timing.markGraceMs);
    if (turn) {
      this.conversation?.commitSpoken(turn.agentText || line || '', false);
      this.finishTurn(turn);
    }
    await this.hangupNow(reason);
  }

  /** The owner pressed "hang up" in the monitor: no goodbye, straight away. */
  async hangupFromMonitor(): Promise<void> {
    if (this.state === 'ended') return;
    this.endedBy = 'owner_hangup';
    this.deps.calls.setEndedBy(this.callSid, 'owner_hangup');
    this.setState('ending');
    this.player.clear();
    this.engine?.stop();
    if (this.turn) {
      this.turn.interrupted = true;
      this.turn.abort.abort();
      this.finishTurn(this.turn);
    }
    await this.hangupNow('owner_hangup');
  }

  private async hangupNow(reason: string): Promise<void> {
    const control = this.deps.control();
    if (!control) {
      this.log.warn({ reason }, 'no Twilio credentials: closing the stream instead of a REST hang-up');
      this.closeTransport(1000, reason);
      return;
    }
    try {
      const r = await control.hangup(this.callSid);
      this.log.info({ reason, result: r }, 'call hung up');
    } catch (err) {
      this.log.error({ err }, 'REST hang-up failed; closing the stream');
      this.closeTransport(1000, reason);
    }
    // Twilio sends `stop` when the call ends; do not wait forever for it.
    this.endTimer = setTimeout(() => this.closeTransport(1000, 'ended'), 5000);
    this.endTimer.unref?.();
  }

  /** Says the transfer line, then re-points the call at <Dial> to the owner's phone. */
  async transferToOwner(reason: string, turn?: Turn): Promise<{ ok: boolean; error?: string }> {
    if (this.state === 'ending' || this.state === 'ended') return { ok: false, error: 'ending' };
    const biz = this.deps.business();
    const owner = toE164(biz.ownerPhone);
    const control = this.deps.control();
    if (!owner || !control) {
      this.log.warn({ owner: !!owner, control: !!control }, 'transfer unavailable');
      if (turn) this.completeTurn(turn);
      return { ok: false, error: owner ? 'no_twilio' : 'no_owner_phone' };
    }
    this.setState('ending');
    this.endedBy = 'transfer';
    this.deps.calls.setEndedBy(this.callSid, 'transfer');
    if (this.turn && this.turn !== turn) {
      this.player.clear();
      this.turn.interrupted = true;
      this.turn.abort.abort();
      this.finishTurn(this.turn);
    }
    const r = await this.deps.speech.line(TRANSFER_TEXT, 'transfer').catch(() => undefined);
    if (r?.audio.length && !this.finalized)
      this.player.enqueue({ id: 'transfer', audio: r.audio, text: TRANSFER_TEXT });
    await this.waitIdle(this.pendingAudioMs() + this.timing.markGraceMs);
    if (turn) {
      this.conversation?.commitSpoken(turn.agentText, false);
      this.finishTurn(turn);
    }
    const vr = new VoiceResponse();
    const dial = vr.dial({ answerOnBridge: true, timeout: 25 });
    dial.number(owner);
    try {
      const res = await control.redirect(this.callSid, vr.toString());
      this.log.info({ reason, result: res }, 'call transferred to the owner');
      return { ok: true };
    } catch (err) {
      this.log.error({ err }, 'transfer failed');
      return { ok: false, error: 'rest_failed' };
    }
  }

  private pendingAudioMs(): number {
    return this.player.busy ? 30_000 : 0;
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
    if (this.endTimer) clearTimeout(this.endTimer);
    if (this.startTimer) clearTimeout(this.startTimer);
    this.dropSpeculation();
    this.vad.close();
    this.asrStreamState = 'failed';
    this.asrStream?.close();
    this.asrStream = undefined;
    this.engine?.stop();
    const turn = this.turn;
    if (turn && turn.state !== 'done') {
      turn.abort.abort();
      if (!turn.answerDone || this.player.busy) {
        turn.interrupted = true;
        turn.errorCode ??= 'caller_hangup';
      }
      this.finishTurn(turn);
    }
    this.player.close();
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
    this.setState('ended');
    this.log.info(
      { why, turns: this.turnSeq, frames: this.mediaFrames, bad_frames: this.badFrames },
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
    this.log.debug(
      {
        state: this.state,
        frames: this.mediaFrames,
        idle_ms: Math.round(idle),
        noise_floor_db: this.vad.noiseFloorDb == null ? null : Math.round(this.vad.noiseFloorDb),
      },
      'media heartbeat',
    );
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

  /** Which voice-activity detector hears this call. */
  get vadKind(): string {
    return this.vad.kind;
  }

  snapshot(): SessionSnapshot {
    return {
      callSid: this.callSid,
      callId: this.callId,
      streamSid: this.streamSid,
      from: this.from,
      customerId: this.customerId,
      customerName: this.customerName,
      state: this.state,
      engine: this.engineName,
      startedAt: this.startedAt,
      turns: [...this.liveTurns],
    };
  }

  /** A test call from the app, not a phone call. */
  get test(): boolean {
    return this.deps.test === true;
  }

  get history() {
    return this.conversation?.history ?? [];
  }

  /** For tests and the monitor: frames sent so far. */
  get framesSent(): number {
    return this.player.framesSent;
  }
}

/** The first part of a piece, by the share of its audio the caller heard. */
function headWords(text: string, fraction: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const n = Math.max(0, Math.min(words.length, Math.round(words.length * fraction)));
  return words.slice(0, n).join(' ');
}
