/**
 * Text → phone audio with the fallback chain of SPEC §1: Google TTS → OpenAI TTS →
 * pre-rendered phrases → silence (with a WARN). Fixed lines (greeting, goodbye, fillers) are
 * cached on disk as 8 kHz μ-law keyed by text+voice, so the next call plays them at once.
 * Every text is made speakable first (times, prices, numbers in the right gender, phone numbers
 * as digit groups: spoken/speakable.ts), and for a provider and voice that take SSML what that
 * leaves (international phone numbers, year-first dates, times with seconds, letter-digit codes)
 * is marked with say-as (spoken/ssml.ts); callers pass and keep the written form.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../platform/logger';
import { isAbort, type Synthesizer } from './ports';
import { UtteranceSpeech, type SpeechStream } from './speech-stream';
import { toSpoken } from './spoken/speakable';
import { toSsml } from './spoken/ssml';

export type { SpeechStream } from './speech-stream';

export type PhraseId = 'unavailable' | 'filler' | 'sorry' | 'goodbye' | 'greeting' | 'transfer';

export interface SpeechResult {
  audio: Buffer;
  provider: string;
  cached: boolean;
  ms: number;
  error?: string;
}

export interface SpeechServiceDeps {
  /** The synthesizers in order of preference, resolved per call (keys may change at runtime). */
  providers: () => Synthesizer[];
  voice: () => string;
  cacheDir: string;
  /** Folder with `<phrase>.ulaw` files rendered at build time. */
  phrasesDir: string;
  log: Logger;
  monotonic: () => number;
  /** stream(): a streaming session with no audio this long after its first piece is given up (default 4 s). */
  streamFirstAudioMs?: number;
}

const MEMORY_ENTRIES = 64;

export class SpeechService {
  private readonly memory = new Map<string, Buffer>();
  /** Fixed lines being rendered now: concurrent calls asking for the same line share one request. */
  private readonly rendering = new Map<string, Promise<SpeechResult>>();
  private tmpSeq = 0;

  constructor(private readonly deps: SpeechServiceDeps) {
    mkdirSync(deps.cacheDir, { recursive: true, mode: 0o700 });
  }

  hasProvider(): boolean {
    return this.deps.providers().length > 0;
  }

  /** One sentence of an answer: no disk cache (answers rarely repeat). */
  async say(text: string, signal?: AbortSignal, phrase?: PhraseId): Promise<SpeechResult> {
    return this.synthesize(text, { signal, phrase, cache: false });
  }

  /** Whether stream() says an utterance in one streaming session (the first provider streams this voice). */
  streams(): boolean {
    const p = this.deps.providers()[0];
    return !!p?.streamsVoice?.(this.deps.voice());
  }

  /**
   * One agent utterance: push the answer's pieces as they are cut, play `audio` as it comes. One
   * streaming synthesis session where the voice supports it, else piece by piece (as say()).
   */
  stream(signal?: AbortSignal): SpeechStream {
    const p = this.deps.providers()[0];
    const live = p?.stream?.({ voice: this.deps.voice(), signal });
    return new UtteranceSpeech({
      live,
      liveProvider: live ? p!.name : undefined,
      say: (text, s) => this.say(text, s),
      signal,
      log: this.deps.log,
      firstAudioTimeoutMs: this.deps.streamFirstAudioMs ?? 4000,
    });
  }

  /** A fixed line: from the cache when this text+voice was rendered before. */
  async line(text: string, phrase: PhraseId, signal?: AbortSignal): Promise<SpeechResult> {
    if (signal) return this.synthesize(text, { signal, phrase, cache: true });
    const k = `${phrase}\n${this.deps.voice()}\n${text}`;
    const pending = this.rendering.get(k);
    if (pending) return pending;
    const p = this.synthesize(text, { phrase, cache: true }).finally(() => this.rendering.delete(k));
    this.rendering.set(k, p);
    return p;
  }

  /** Renders and caches a fixed line ahead of time; errors only logged. */
  async warm(text: string, phrase: PhraseId): Promise<void> {
    try {
      await this.line(text, phrase);
    } catch (err) {
      this.deps.log.warn({ err, phrase }, 'tts warm-up failed');
    }
  }

  cachedLine(text: string): Buffer | undefined {
    const providers = this.deps.providers();
    const spoken = toSpoken(text);
    for (const p of providers) {
      const hit = this.readCache(this.key(p.name, this.ssmlFor(p, text) ?? spoken));
      if (hit) return hit;
    }
    return undefined;
  }

  /** SSML (say-as for what the normalizer leaves) for a provider and voice that take it. */
  private ssmlFor(p: Synthesizer, written: string): string | undefined {
    return p.acceptsSsml?.(this.deps.voice()) ? toSsml(written) : undefined;
  }

  private key(provider: string, text: string): string {
    return createHash('sha256')
      .update(`${provider}\n${this.deps.voice()}\n${text}`)
      .digest('hex')
      .slice(0, 32);
  }

  private readCache(key: string): Buffer | undefined {
    const mem = this.memory.get(key);
    if (mem) return mem;
    const file = path.join(this.deps.cacheDir, `${key}.ulaw`);
    if (!existsSync(file)) return undefined;
    try {
      const buf = readFileSync(file);
      this.remember(key, buf);
      return buf;
    } catch {
      return undefined;
    }
  }

  private remember(key: string, buf: Buffer): void {
    this.memory.set(key, buf);
    while (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
  }

  /** Memory at once; the disk copy is written in the background (no sync fs on the call path). */
  private writeCache(key: string, buf: Buffer): void {
    this.remember(key, buf);
    const file = path.join(this.deps.cacheDir, `${key}.ulaw`);
    const tmp = `${file}.${process.pid}.${++this.tmpSeq}.tmp`;
    writeFile(tmp, buf, { mode: 0o600 })
      .then(() => rename(tmp, file))
      .catch((err: unknown) => this.deps.log.warn({ err }, 'tts cache write failed'));
  }

  private async synthesize(
    written: string,
    o: { signal?: AbortSignal; phrase?: PhraseId; cache: boolean },
  ): Promise<SpeechResult> {
    const t0 = this.deps.monotonic();
    const text = toSpoken(written);
    const providers = this.deps.providers();
    let lastError: string | undefined;
    for (const p of providers) {
      const ssml = this.ssmlFor(p, written);
      const key = this.key(p.name, ssml ?? text);
      if (o.cache) {
        const hit = this.readCache(key);
        if (hit) return { audio: hit, provider: p.name, cached: true, ms: 0 };
      }
      try {
        const audio = await p.synthesize(text, {
          voice: this.deps.voice(),
          signal: o.signal,
          ...(ssml ? { ssml } : {}),
        });
        if (audio.length === 0) throw new Error('empty audio');
        if (o.cache) this.writeCache(key, audio);
        return {
          audio,
          provider: p.name,
          cached: false,
          ms: Math.round(this.deps.monotonic() - t0),
          ...(lastError ? { error: lastError } : {}),
        };
      } catch (err) {
        if (isAbort(err) || o.signal?.aborted) throw err;
        lastError = `tts_${p.name}_failed`;
        this.deps.log.warn(
          { err: (err as Error).message, provider: p.name },
          'tts provider failed, trying the next',
        );
      }
    }
    if (o.phrase) {
      const file = path.join(this.deps.phrasesDir, `${o.phrase}.ulaw`);
      if (existsSync(file)) {
        return {
          audio: readFileSync(file),
          provider: 'prerendered',
          cached: true,
          ms: 0,
          error: lastError ?? 'tts_unavailable',
        };
      }
    }
    this.deps.log.warn(
      { phrase: o.phrase ?? null, providers: providers.map((p) => p.name) },
      'no TTS available: silence',
    );
    return {
      audio: Buffer.alloc(0),
      provider: 'silence',
      cached: false,
      ms: 0,
      error: lastError ?? 'tts_unavailable',
    };
  }
}
