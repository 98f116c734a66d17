/**
 * One agent utterance as a stream: the answer's pieces go in as the cutter makes them, phone audio
 * (8 kHz μ-law) comes out in order as it is synthesized. Where the first provider can stream the
 * configured voice (Google Chirp 3 HD: StreamingSynthesize), every piece goes into one streaming
 * session and its chunks are forwarded as they arrive; otherwise — or when that session fails
 * before any audio — each piece is synthesized on its own through SpeechService.say (the whole
 * fallback chain), all pieces requested at once and their audio given in order. A session with
 * no audio `firstAudioTimeoutMs` after the first piece counts as failed before any audio.
 */
import { Readable } from 'node:stream';
import type { Logger } from '../platform/logger';
import { isAbort, type SynthesisStream } from './ports';
import type { SpeechResult } from './speech';
import { toSpoken } from './spoken/speakable';

export interface SpeechStream {
  /** The next piece of the answer, in written form (made speakable here). */
  push(written: string): void;
  /** No more pieces. */
  end(): void;
  /** Phone audio in order as it arrives; ends after end() once all is said; AbortError on abort. */
  readonly audio: AsyncIterable<Buffer>;
  /** True while one streaming session says the utterance (false: piece by piece). */
  readonly streamed: boolean;
  /** The provider that made the audio so far, and the first fallback error code, if any. */
  readonly provider: string | undefined;
  readonly error: string | undefined;
}

export interface UtteranceDeps {
  /** The provider's streaming session, when it has one for the voice. */
  live: SynthesisStream | undefined;
  liveProvider: string | undefined;
  say: (written: string, signal?: AbortSignal) => Promise<SpeechResult>;
  signal: AbortSignal | undefined;
  log: Logger;
  /** No audio this long after the first piece: the streaming session is given up (piece by piece). */
  firstAudioTimeoutMs: number;
}

const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

export class UtteranceSpeech implements SpeechStream {
  private readonly out = new Readable({ objectMode: true, read() {} });
  private readonly written: string[] = [];
  private live: SynthesisStream | undefined;
  private ended = false;
  /** Piece-by-piece mode: the audio of each piece, played in order. */
  private chain: Promise<void> = Promise.resolve();
  private gotAudio = false;
  private firstAudioTimer: NodeJS.Timeout | undefined;
  provider: string | undefined;
  error: string | undefined;

  constructor(private readonly deps: UtteranceDeps) {
    this.out.on('error', () => undefined); // a reader gets it from the iterator; no reader is no crash
    this.live = deps.live;
    if (this.live) {
      this.provider = deps.liveProvider;
      void this.pumpLive(this.live);
    }
    const signal = deps.signal;
    if (signal?.aborted) this.out.destroy(abortError());
    else signal?.addEventListener('abort', () => this.out.destroy(abortError()), { once: true });
  }

  get audio(): AsyncIterable<Buffer> {
    return this.out;
  }

  get streamed(): boolean {
    return this.live !== undefined;
  }

  push(written: string): void {
    if (this.ended || !written.trim()) return;
    this.written.push(written);
    if (this.live) {
      if (this.written.length === 1) this.armFirstAudio(this.live);
      this.live.push(toSpoken(written));
    } else this.sayPiece(written);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.live) this.live.end();
    else this.finishPieces();
  }

  private armFirstAudio(live: SynthesisStream): void {
    this.firstAudioTimer = setTimeout(() => {
      if (!this.gotAudio && this.live === live) live.cancel();
    }, this.deps.firstAudioTimeoutMs);
    this.firstAudioTimer.unref?.();
  }

  private async pumpLive(live: SynthesisStream): Promise<void> {
    try {
      for await (const chunk of live.audio) {
        if (this.out.destroyed) return;
        clearTimeout(this.firstAudioTimer);
        this.gotAudio = true;
        this.out.push(chunk);
      }
      if (!this.out.destroyed) this.out.push(null);
    } catch (err) {
      clearTimeout(this.firstAudioTimer);
      if (this.out.destroyed) return;
      if (isAbort(err) || this.deps.signal?.aborted) return void this.out.destroy(abortError());
      if (this.gotAudio) return void this.out.destroy(err as Error);
      // Nothing was heard yet: say every piece on its own instead (the REST fallback chain).
      this.deps.log.warn(
        { err: (err as Error).message, provider: this.provider },
        'streaming synthesis failed before any audio: piece by piece',
      );
      this.error = `tts_${this.provider ?? 'stream'}_failed`;
      this.live = undefined;
      this.provider = undefined;
      for (const w of this.written) this.sayPiece(w);
      if (this.ended) this.finishPieces();
    }
  }

  private sayPiece(written: string): void {
    const tts = this.deps.say(written, this.deps.signal);
    tts.catch(() => undefined);
    this.chain = this.chain.then(async () => {
      const r = await tts;
      if (this.out.destroyed) return;
      this.provider ??= r.provider;
      this.error ??= r.error;
      if (r.audio.length) this.out.push(r.audio);
    });
  }

  private finishPieces(): void {
    this.chain.then(
      () => {
        if (!this.out.destroyed) this.out.push(null);
      },
      (err: unknown) => {
        if (!this.out.destroyed) this.out.destroy(isAbort(err) ? abortError() : (err as Error));
      },
    );
  }
}
