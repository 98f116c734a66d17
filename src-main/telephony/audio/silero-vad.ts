/**
 * Silero VAD behind the VAD port. Twilio's 20 ms μ-law frames are decoded into 32 ms windows
 * (256 samples at 8 kHz, or upsampled to 512 at 16 kHz) with the previous window's tail as
 * context; each window goes to the shared model (silero-model.ts) and its speech probability
 * drives the same state machine as the energy VAD: onset at ≥ 0.5, voiced while ≥ 0.35
 * (hysteresis), confirmation after `confirmMs` of voiced audio, noise after an `onsetGapMs` gap,
 * pause/resume, end after the end-of-utterance window of silence. Times count audio, not wall
 * clock: a window is 32 ms whenever its answer arrives.
 *
 * `push` never waits for the model. One window per call is in flight (the next one needs its
 * recurrent state); the ones behind it wait in a bounded queue, and past that bound a window is
 * not run: an energy VAD that hears every frame decides it (speech or not), so a short reply is
 * not lost to silence when the machine falls behind. Answers are applied in order; what they
 * decide reaches `onLateEvents`. If the model fails, the call continues on an energy VAD.
 */
import { mulawDecode } from '../../audio/mulaw';
import { SILERO_STATE_SIZE, SILERO_WINDOW, type SileroModel, type SileroRate } from './silero-model';
import { EnergyVad, type Vad, type VadConfig, type VadEvent, type VadKind } from './vad';

export interface SileroVadOptions {
  rate: SileroRate;
  /** Probability that starts speech, and the one that keeps it (hysteresis). */
  startThreshold?: number;
  endThreshold?: number;
  /** Windows waiting behind the one in flight before windows are skipped (~0.5 s). */
  maxQueue?: number;
  /** The model failed: this call goes on with an energy VAD (logged once by the caller). */
  onFailure?(err: Error): void;
}

/** 8 kHz samples per window, whatever the model's rate: 32 ms. */
const WINDOW_8K = 256;
const WINDOW_MS = 32;
const BYTES_PER_MS = 8;

type State = 'silence' | 'candidate' | 'speech';

interface Pending {
  /** Context + window at the model's rate; null when the queue was full (not run). */
  input: Float32Array | null;
  /** Sample index (8 kHz) just past this window (the first one, for skipped windows). */
  end: number;
  /** Skipped windows this entry stands for: each one's probability by the energy VAD (0 or 1). */
  skipped: number[];
}

export class SileroVad implements Vad {
  readonly kind: VadKind;
  onLateEvents?: (events: VadEvent[]) => void;
  /** Windows answered by the model, and windows skipped because the queue was full. */
  windowsRun = 0;
  windowsSkipped = 0;

  private state: State = 'silence';
  private voicedMs = 0;
  private silenceRunMs = 0;
  private windowMs: number;
  private readonly start: number;
  private readonly keep: number;
  private readonly maxQueue: number;
  private readonly win: { samples: number; context: number };

  // Audio timeline (8 kHz samples): every byte received is kept from `keptFrom` on.
  private received = 0;
  private chunks: Buffer[] = [];
  private keptFrom = 0;
  private uttStart = 0;

  // Window assembly.
  private readonly pcm = new Float32Array(WINDOW_8K);
  private fill = 0;
  private prevSample = 0;
  private context: Float32Array;
  private readonly modelState = new Float32Array(SILERO_STATE_SIZE);
  private queue: Pending[] = [];
  private inFlight = false;
  private inPush = false;
  private events: VadEvent[] = [];
  private closed = false;
  private fallback: EnergyVad | undefined;
  /** Hears every frame (a few µs each): it decides the windows the model had no time for. */
  private readonly energy: EnergyVad;

  constructor(
    private readonly model: SileroModel,
    private readonly cfg: VadConfig,
    private readonly opts: SileroVadOptions,
  ) {
    this.kind = opts.rate === 8000 ? 'silero-8k' : 'silero-16k';
    this.start = opts.startThreshold ?? 0.5;
    this.keep = opts.endThreshold ?? 0.35;
    this.maxQueue = opts.maxQueue ?? 16;
    this.win = SILERO_WINDOW[opts.rate];
    this.context = new Float32Array(this.win.context);
    this.windowMs = cfg.silenceMs;
    this.energy = new EnergyVad(cfg);
  }

  get speaking(): boolean {
    return this.fallback ? this.fallback.speaking : this.state !== 'silence';
  }
  get confirmed(): boolean {
    return this.fallback ? this.fallback.confirmed : this.state === 'speech';
  }
  get currentSilenceMs(): number {
    if (this.fallback) return this.fallback.currentSilenceMs;
    return this.state === 'silence' ? 0 : this.silenceRunMs;
  }
  get currentVoicedMs(): number {
    return this.fallback ? this.fallback.currentVoicedMs : this.voicedMs;
  }
  get endWindowMs(): number {
    return this.fallback ? this.fallback.endWindowMs : this.windowMs;
  }
  get noiseFloorDb(): number | null {
    return this.fallback ? this.fallback.noiseFloorDb : null;
  }
  /** Entries waiting for the model (a run of skipped windows is one entry): bounded. */
  get pendingWindows(): number {
    return this.queue.length;
  }

  utteranceAudio(): Buffer {
    if (this.fallback) return this.fallback.utteranceAudio();
    return this.slice(this.uttStart, this.received);
  }

  setEndWindow(ms: number): void {
    if (this.fallback) return this.fallback.setEndWindow(ms);
    this.windowMs = ms;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.chunks = [];
    this.onLateEvents = undefined;
  }

  push(frame: Buffer): VadEvent[] {
    if (this.closed) return [];
    if (this.fallback) return this.fallback.push(frame);
    this.chunks.push(frame);
    this.received += frame.length;
    this.energy.push(frame);
    const samples = mulawDecode(frame);
    for (let i = 0; i < samples.length; i++) {
      this.pcm[this.fill++] = samples[i]! / 32768;
      if (this.fill === WINDOW_8K) {
        this.enqueue(this.received - samples.length + i + 1);
        this.fill = 0;
      }
    }
    this.inPush = true;
    this.pump();
    this.inPush = false;
    const out = this.events;
    this.events = [];
    return out;
  }

  /** The window just filled: context + samples at the model's rate, queued for the model. */
  private enqueue(end: number): void {
    if (this.queue.length > this.maxQueue) {
      this.windowsSkipped++;
      this.advanceContext(this.modelRateWindow());
      const prob = this.energy.speaking ? 1 : 0;
      const tail = this.queue[this.queue.length - 1]!;
      if (!tail.input) tail.skipped.push(prob);
      else this.queue.push({ input: null, end, skipped: [prob] });
      return;
    }
    const window = this.modelRateWindow();
    const input = new Float32Array(this.win.context + this.win.samples);
    input.set(this.context, 0);
    input.set(window, this.win.context);
    this.advanceContext(window);
    this.queue.push({ input, end, skipped: [] });
  }

  private modelRateWindow(): Float32Array {
    if (this.opts.rate === 8000) return this.pcm;
    // 8 → 16 kHz, linear: every input sample, and the midpoint before it (half a sample late).
    const out = new Float32Array(WINDOW_8K * 2);
    let prev = this.prevSample;
    for (let i = 0; i < WINDOW_8K; i++) {
      const x = this.pcm[i]!;
      out[2 * i] = (prev + x) / 2;
      out[2 * i + 1] = x;
      prev = x;
    }
    this.prevSample = prev;
    return out;
  }

  private advanceContext(window: Float32Array): void {
    this.context = window.slice(window.length - this.win.context);
  }

  /** Runs the head of the queue (one window per call at a time: it needs the previous state). */
  private pump(): void {
    while (!this.inFlight && this.queue.length && !this.closed && !this.fallback) {
      const head = this.queue[0]!;
      if (!head.input) {
        this.queue.shift();
        head.skipped.forEach((prob, k) => this.decide(prob, head.end + k * WINDOW_8K));
        continue;
      }
      this.inFlight = true;
      this.model.submit({
        rate: this.opts.rate,
        input: head.input,
        state: this.modelState,
        done: (prob) => this.answered(head, prob),
      });
    }
  }

  private answered(head: Pending, prob: number | Error): void {
    this.inFlight = false;
    if (this.closed) return;
    if (prob instanceof Error) return this.fail(prob);
    this.queue.shift();
    this.windowsRun++;
    this.decide(prob, head.end);
    this.pump();
    this.deliver();
  }

  private deliver(): void {
    if (this.inPush || !this.events.length) return;
    const out = this.events;
    this.events = [];
    this.onLateEvents?.(out);
  }

  /** The model is gone: the utterance in progress is dropped, the call goes on with energy. */
  private fail(err: Error): void {
    if (this.state !== 'silence') this.events.push({ type: 'noise', voicedMs: this.voicedMs });
    this.state = 'silence';
    this.queue = [];
    this.chunks = [];
    this.fallback = new EnergyVad(this.cfg);
    this.opts.onFailure?.(err);
    this.deliver();
  }

  /** The energy VAD's state machine, one 32 ms window at a time. */
  private decide(prob: number, end: number): void {
    const ms = WINDOW_MS;
    const preRoll = this.cfg.preRollMs * BYTES_PER_MS;
    if (this.state === 'silence') {
      if (prob >= this.start) {
        this.state = 'candidate';
        this.voicedMs = ms;
        this.silenceRunMs = 0;
        this.windowMs = this.cfg.silenceMs;
        this.uttStart = Math.max(this.keptFrom, end - WINDOW_8K - preRoll);
        this.events.push({ type: 'onset' });
      } else {
        this.trim(end - preRoll);
      }
      return;
    }

    if (prob >= this.keep) {
      if (this.silenceRunMs > 0 && this.state === 'speech') this.events.push({ type: 'resume' });
      this.voicedMs += ms;
      this.silenceRunMs = 0;
      this.windowMs = this.cfg.silenceMs;
    } else {
      if (this.silenceRunMs === 0 && this.state === 'speech')
        this.events.push({ type: 'pause', lagMs: Math.round((this.received - end) / BYTES_PER_MS) });
      this.silenceRunMs += ms;
    }

    if (this.state === 'candidate') {
      if (this.voicedMs >= this.cfg.confirmMs) {
        this.state = 'speech';
        this.events.push({ type: 'confirmed' });
      } else if (this.silenceRunMs >= this.cfg.onsetGapMs) {
        this.events.push({ type: 'noise', voicedMs: this.voicedMs });
        this.toSilence(end);
      }
      return;
    }

    const utteranceMs = (end - this.uttStart) / BYTES_PER_MS;
    if (this.silenceRunMs >= this.windowMs || utteranceMs >= this.cfg.maxUtteranceMs) {
      if (this.voicedMs >= this.cfg.minSpeechMs) {
        this.events.push({
          type: 'end',
          audio: this.slice(this.uttStart, end),
          speechMs: this.voicedMs,
          silenceMs: this.silenceRunMs,
        });
      } else {
        this.events.push({ type: 'noise', voicedMs: this.voicedMs });
      }
      this.toSilence(end);
    }
  }

  private toSilence(end: number): void {
    this.state = 'silence';
    this.voicedMs = 0;
    this.silenceRunMs = 0;
    this.windowMs = this.cfg.silenceMs;
    this.trim(end - this.cfg.preRollMs * BYTES_PER_MS);
  }

  /** Forgets audio before `from` (sample index); whole frames only. */
  private trim(from: number): void {
    while (this.chunks.length && this.keptFrom + this.chunks[0]!.length <= from) {
      this.keptFrom += this.chunks.shift()!.length;
    }
  }

  /** Bytes [from, to) of the kept audio. */
  private slice(from: number, to: number): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, from - this.keptFrom), Math.max(0, to - this.keptFrom));
  }
}
