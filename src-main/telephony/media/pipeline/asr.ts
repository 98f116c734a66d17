/**
 * The pipeline's ears: the caller's transcript per utterance. A speculative transcript is taken
 * during each pause (an upload of the utterance so far), and with `asrMode: 'streaming'` the
 * caller's speech goes live to one transcription session per call instead, committed at the
 * pause; a session that fails or drops leaves the call on the speculative upload.
 */
import type { Business } from '../../../api/contract/business';
import type { StreamingTranscriber, StreamingTranscription, Transcriber } from '../../../agent/ports';
import { isAbort, ProviderError } from '../../../agent/ports';
import { transcriptionPrompt } from '../../../agent/prompt';
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import type { Vad } from '../../audio/vad';
import type { UtteranceEnd } from '../../audio/end-of-turn';
import type { SessionTiming } from '../session-config';
import type { VoiceSettings } from '../voice-settings';

export interface Speculation {
  voicedMs: number;
  abort: AbortController;
  promise: Promise<string>;
  text?: string;
  /** Committed on the live transcription session (not an upload). */
  streamed?: boolean;
  /** A speculation during a pause: when it was requested and its transcript arrived (monotonic ms). */
  requestedAt?: number;
  arrivedAt?: number;
}

export interface AsrDeps {
  log: () => Logger;
  clock: Clock;
  business: () => Business;
  settings: () => VoiceSettings;
  transcriber: () => Transcriber | null;
  streamingAsr?: () => StreamingTranscriber | null;
  timing: Pick<
    SessionTiming,
    'speculativeAtMs' | 'preemptMinSilenceMs' | 'asrConnectTimeoutMs' | 'asrCommitTimeoutMs'
  >;
  /** A speculative transcript arrived during the pause (adaptive end of turn, preemption). */
  onSpeculative(spec: Speculation, text: string): void;
  /** A preemptive answer on `text` is due now (preemptAt). */
  onPreempt(text: string): void;
}

export class CallAsr {
  private stream: StreamingTranscription | undefined;
  private streamState: 'off' | 'connecting' | 'ready' | 'failed' = 'off';
  /** The current utterance goes to the stream as it is heard. */
  private streaming = false;
  /** Committed at the pause: nothing more is sent unless the caller resumes. */
  private parked = false;
  /** This frame was already sent (the utterance so far was replayed). */
  private replayed = false;
  private speculation: Speculation | undefined;
  /** Audio that had already arrived when the VAD decided the current pause began (a later model). */
  private pauseLagMs = 0;
  /** A preemptive answer held back until this much silence of the current pause. */
  private deferred: { text: string; atMs: number } | undefined;
  /** The audio of an utterance the caller went on from, in front of the next one. */
  carry: Buffer | undefined;
  private closed = false;

  constructor(
    private readonly vad: Vad,
    private readonly deps: AsrDeps,
  ) {}

  /** asrMode 'streaming': one transcription session per call, opened now so no turn waits for it. */
  open(): void {
    const s = this.deps.settings();
    if (s.asrMode !== 'streaming' || s.pipelineMode === 'sequential' || this.streamState !== 'off') return;
    const transcriber = this.deps.streamingAsr?.();
    if (!transcriber) {
      this.streamState = 'failed';
      this.deps.log().warn('streaming transcription unavailable: speculative upload for this call');
      return;
    }
    this.streamState = 'connecting';
    const t0 = this.deps.clock.monotonic();
    transcriber
      .open(
        { model: s.asrModel, language: 'he', prompt: transcriptionPrompt(this.deps.business()) },
        { onClosed: (reason) => this.lost(reason) },
        { timeoutMs: this.deps.timing.asrConnectTimeoutMs },
      )
      .then(
        (stream) => {
          if (this.closed || this.streamState !== 'connecting') return stream.close();
          this.stream = stream;
          this.streamState = 'ready';
          this.deps
            .log()
            .info(
              { connect_ms: Math.round(this.deps.clock.monotonic() - t0) },
              'streaming transcription ready',
            );
        },
        (err: unknown) => {
          this.streamState = 'failed';
          this.deps
            .log()
            .warn(
              { err: (err as Error).message },
              'streaming transcription unavailable: speculative upload for this call',
            );
        },
      );
  }

  private lost(reason: string): void {
    this.stream = undefined;
    this.streamState = 'failed';
    this.streaming = false;
    this.parked = false;
    if (!this.closed)
      this.deps
        .log()
        .warn({ reason }, 'streaming transcription dropped: speculative upload for the rest of the call');
  }

  /** Before the VAD sees a frame. */
  beforeFrame(): void {
    this.replayed = false;
  }

  /** After the VAD saw the frame: it goes live if the utterance is streamed. */
  afterFrame(frame: Buffer): void {
    if (this.streaming && !this.parked && !this.replayed) {
      if (this.stream?.alive) this.stream.append(frame);
      else this.streaming = false;
    }
  }

  /** Speech onset: the utterance so far (with the VAD's pre-roll) goes to the live session. */
  onset(): void {
    this.pauseLagMs = 0;
    this.streaming = false;
    this.parked = false;
    if (!this.stream?.alive) return;
    this.streaming = true;
    this.replay(false);
  }

  /** The VAD decided a pause began `lagMs` of audio ago (0 for the energy VAD). */
  paused(lagMs: number): void {
    this.pauseLagMs = Math.max(0, lagMs);
  }

  /** The caller resumed after a pause: the speculation is void, the next commit covers it all. */
  resumed(): void {
    this.pauseLagMs = 0;
    this.dropSpeculation();
    if (this.streaming && this.parked) {
      this.parked = false;
      this.replay(false);
    }
  }

  noise(): void {
    this.dropSpeculation();
    if (this.streaming && !this.parked) this.stream?.clear();
    this.streaming = false;
    this.parked = false;
  }

  /** The caller went on from utterance audio `audio`: it goes in front of the next. */
  merge(audio: Buffer): void {
    this.carry = audio;
    // The live session hears both utterances as one.
    if (this.streaming && !this.parked) this.replay(true);
  }

  /** Sends the whole utterance so far (after a commit, or with a carried utterance in front). */
  private replay(clearFirst: boolean): void {
    if (!this.stream?.alive) {
      this.streaming = false;
      return;
    }
    if (clearFirst) this.stream.clear();
    this.stream.append(this.withCarry(this.vad.utteranceAudio()));
    this.replayed = true;
  }

  withCarry(audio: Buffer): Buffer {
    return this.carry ? Buffer.concat([this.carry, audio]) : audio;
  }

  /**
   * During a pause: the speculative transcript (commit on the live session, or an upload), once
   * `speculativeAtMs` of silence has passed — counted in audio from where the VAD put the pause's
   * start (a model that decides later has already heard `lagMs` of it). With preemptive generation
   * the answer starts on this transcript, so this point is on the first audio's critical path.
   */
  maybeSpeculate(): void {
    const s = this.deps.settings();
    if (this.deferred && this.pausedFor(this.deferred.atMs)) {
      const { text } = this.deferred;
      this.deferred = undefined;
      this.deps.onPreempt(text);
    }
    if (s.pipelineMode === 'sequential' || this.speculation || !this.vad.confirmed) return;
    if (!this.pausedFor(this.deps.timing.speculativeAtMs)) return;
    const abort = new AbortController();
    const requestedAt = this.deps.clock.monotonic();
    let spec: Speculation;
    if (this.streaming && !this.parked && this.stream?.alive) {
      spec = {
        voicedMs: this.vad.currentVoicedMs,
        abort,
        promise: this.stream.commit({ timeoutMs: this.deps.timing.asrCommitTimeoutMs }),
        streamed: true,
        requestedAt,
      };
      this.parked = true;
    } else {
      if (s.asrMode === 'batch') return;
      const transcriber = this.deps.transcriber();
      if (!transcriber) return;
      spec = {
        voicedMs: this.vad.currentVoicedMs,
        abort,
        promise: transcriber.transcribe(this.withCarry(this.vad.utteranceAudio()), {
          prompt: transcriptionPrompt(this.deps.business()),
          signal: abort.signal,
        }),
        requestedAt,
      };
    }
    spec.promise.catch(() => undefined);
    this.speculation = spec;
    void spec.promise.then(
      (text) => {
        spec.arrivedAt ??= this.deps.clock.monotonic();
        if (this.speculation !== spec) return;
        spec.text = text;
        this.deps.onSpeculative(spec, text);
      },
      () => undefined,
    );
  }

  /** The current pause has lasted `ms` (in audio, from where the VAD put its start). */
  private pausedFor(ms: number): boolean {
    const silence = this.vad.currentSilenceMs;
    return this.vad.confirmed && silence > 0 && silence + this.pauseLagMs >= ms;
  }

  /**
   * The preemptive answer on the speculative transcript `text` (of class `kind`) starts once the
   * pause has lasted preemptMinSilenceMs (a gap between words seldom deserves an LLM request):
   * now if it has; voided with the speculation (the caller went on, the turn ended). A pause that
   * sounds unfinished (trailing ו/ש/אבל…, digits) gets none: if its long window closes, the
   * answer's LLM and TTS time is the margin in which a caller who goes on just after it cancels
   * the answer before a word of it is heard (with the audio ready at the decision, they were cut in on).
   */
  preemptFor(text: string, kind: UtteranceEnd): void {
    if (kind === 'incomplete' || kind === 'dictating') return;
    const atMs = this.deps.timing.preemptMinSilenceMs;
    if (this.pausedFor(atMs)) return this.deps.onPreempt(text);
    this.deferred = { text, atMs };
  }

  dropSpeculation(): void {
    this.deferred = undefined;
    if (!this.speculation) return;
    this.speculation.abort.abort();
    this.speculation = undefined;
  }

  /**
   * The utterance ended: the speculation that heard all of it (or a commit now on the live
   * session), and the utterance's whole audio with any carried one in front.
   */
  takeUtterance(audio: Buffer, speechMs: number): { spec: Speculation | undefined; audio: Buffer } {
    const streamed = this.streaming && !this.parked && this.stream?.alive;
    this.streaming = false;
    this.parked = false;
    this.pauseLagMs = 0;
    let spec = this.speculation && this.speculation.voicedMs === speechMs ? this.speculation : undefined;
    if (!spec) this.dropSpeculation();
    this.speculation = undefined;
    // The turn's own transcript is answered now (adopting a preemptive answer if one started).
    this.deferred = undefined;
    if (!spec && streamed && this.stream) {
      // No commit at a pause (e.g. a maximum-length utterance): commit now.
      spec = {
        voicedMs: speechMs,
        abort: new AbortController(),
        promise: this.stream.commit({ timeoutMs: this.deps.timing.asrCommitTimeoutMs }),
        streamed: true,
      };
      spec.promise.catch(() => undefined);
    }
    const full = this.withCarry(audio);
    this.carry = undefined;
    return { spec, audio: full };
  }

  /**
   * The utterance's transcript: the speculation's (or the live session's commit), else an upload;
   * a live session that fails this utterance falls back to the upload (the turn is not lost).
   */
  async transcribe(
    audio: Buffer,
    spec: Speculation | undefined,
    signal: AbortSignal,
  ): Promise<{ text: string; via: 'streaming' | 'speculative' | 'upload' }> {
    const upload = async () => {
      const transcriber = this.deps.transcriber();
      if (!transcriber) throw new ProviderError('no_openai_key', 'OpenAI key removed during the call');
      const text = await transcriber.transcribe(audio, {
        prompt: transcriptionPrompt(this.deps.business()),
        signal,
      });
      return { text, via: 'upload' as const };
    };
    try {
      if (!spec) return await upload();
      if (!spec.streamed) return { text: await spec.promise, via: 'speculative' };
      return await spec.promise.then(
        (text) => ({ text, via: 'streaming' as const }),
        (err: unknown) => {
          if (signal.aborted) throw err;
          this.deps
            .log()
            .warn({ err: (err as Error).message }, 'streaming transcript failed: uploading the utterance');
          return upload();
        },
      );
    } catch (err) {
      if (err instanceof ProviderError || (isAbort(err) && signal.aborted)) throw err;
      throw new ProviderError('asr_failed', (err as Error).message, err);
    }
  }

  close(): void {
    this.closed = true;
    this.dropSpeculation();
    this.streamState = 'failed';
    this.stream?.close();
    this.stream = undefined;
  }
}
