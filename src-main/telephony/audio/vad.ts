/**
 * The VAD port (`Vad`) and its energy implementation for 20 ms μ-law frames: a noise floor that
 * follows the line's background level, hysteresis (a higher level to start speech than to keep
 * it), a confirmation length so coughs and clicks never count as speech, and an end-of-utterance
 * silence window the caller may change while the caller pauses (adaptive end of turn). The Silero
 * model (silero-vad.ts) implements the same port; the energy VAD is its fallback.
 */
import { FRAME_MS } from '../../audio/convert';
import { mulawLevelDb } from '../../audio/mulaw';

export interface VadConfig {
  /** Silence that ends an utterance (the `silence_ms` setting, 400–1200). */
  silenceMs: number;
  /** Voiced audio an utterance needs to count as a turn. */
  minSpeechMs: number;
  /** Voiced audio that confirms speech (barge-in), ~200–300 ms. */
  confirmMs: number;
  /** A candidate onset with this much silence before confirmation was noise. */
  onsetGapMs: number;
  /** dB above the noise floor to start speech, and to keep it (hysteresis). */
  startMarginDb: number;
  keepMarginDb: number;
  /** Speech is never below this absolute level (dBFS), whatever the floor. */
  minLevelDb: number;
  /** Audio kept from before the onset so the first syllable reaches the transcriber. */
  preRollMs: number;
  /** An utterance this long ends even without a pause. */
  maxUtteranceMs: number;
  /** The line's first audio only calibrates the noise floor (no onsets). */
  calibrationMs: number;
  /** The noise floor follows the quietest frame of this window (minimum statistics). */
  floorWindowMs: number;
}

export const DEFAULT_VAD: VadConfig = {
  silenceMs: 700,
  minSpeechMs: 200,
  confirmMs: 240,
  onsetGapMs: 160,
  startMarginDb: 12,
  keepMarginDb: 6,
  minLevelDb: -50,
  preRollMs: 200,
  maxUtteranceMs: 30_000,
  calibrationMs: 200,
  floorWindowMs: 2000,
};

export type VadEvent =
  | { type: 'onset' }
  | { type: 'confirmed' }
  /**
   * Voice stopped. Emitted once per pause, when the pause starts counting; `lagMs`: how much audio
   * had already arrived after the point where the pause was decided (a model that answers later).
   */
  | { type: 'pause'; lagMs?: number }
  | { type: 'resume' }
  | { type: 'end'; audio: Buffer; speechMs: number; silenceMs: number }
  | { type: 'noise'; voicedMs: number };

export type VadKind = 'energy' | 'silero-8k' | 'silero-16k';

/**
 * What the call session needs of a voice-activity detector. `push` never waits: a detector whose
 * decisions come later (a model run off the frame path) returns what it has decided so far and
 * hands later decisions, in order, to `onLateEvents`.
 */
export interface Vad {
  readonly kind: VadKind;
  readonly speaking: boolean;
  readonly confirmed: boolean;
  /** Silence since the last voiced audio of the current utterance. */
  readonly currentSilenceMs: number;
  readonly currentVoicedMs: number;
  readonly endWindowMs: number;
  /** The line's background level in dBFS; null for a detector that does not measure one. */
  readonly noiseFloorDb: number | null;
  /** The audio of the utterance so far (for a speculative transcription during a pause). */
  utteranceAudio(): Buffer;
  /** Changes the end-of-utterance window of the current pause (adaptive end of turn). */
  setEndWindow(ms: number): void;
  /** Feeds one frame (normally 160 bytes = 20 ms); returns what changed, if anything. */
  push(frame: Buffer): VadEvent[];
  /** Receives events decided after `push` returned (never called from inside `push`). */
  onLateEvents?: (events: VadEvent[]) => void;
  /** The call is over: pending work is dropped and no event follows. */
  close(): void;
}

type State = 'silence' | 'candidate' | 'speech';

const SILENT_DB = -90;

export class EnergyVad implements Vad {
  readonly kind = 'energy';
  private state: State = 'silence';
  private floorDb = -60;
  private voicedMs = 0;
  private silenceRunMs = 0;
  private frames: Buffer[] = [];
  private preRoll: Buffer[] = [];
  private windowMs: number;
  private levelDb = SILENT_DB;
  private readonly levels: Float32Array;
  private framesSeen = 0;

  constructor(private readonly cfg: VadConfig = DEFAULT_VAD) {
    this.windowMs = cfg.silenceMs;
    this.levels = new Float32Array(Math.max(1, Math.round(cfg.floorWindowMs / FRAME_MS)));
  }

  get speaking(): boolean {
    return this.state !== 'silence';
  }
  get confirmed(): boolean {
    return this.state === 'speech';
  }
  get noiseFloorDb(): number {
    return this.floorDb;
  }
  get lastLevelDb(): number {
    return this.levelDb;
  }
  /** Silence since the last voiced frame of the current utterance. */
  get currentSilenceMs(): number {
    return this.state === 'silence' ? 0 : this.silenceRunMs;
  }
  get currentVoicedMs(): number {
    return this.voicedMs;
  }
  /** The audio of the utterance so far (for a speculative transcription during a pause). */
  utteranceAudio(): Buffer {
    return Buffer.concat(this.frames);
  }

  /** Changes the end-of-utterance window of the current pause (adaptive end of turn). */
  setEndWindow(ms: number): void {
    this.windowMs = ms;
  }
  get endWindowMs(): number {
    return this.windowMs;
  }

  close(): void {
    this.toSilence();
  }

  /** Feeds one frame (normally 160 bytes = 20 ms); returns what changed, if anything. */
  push(frame: Buffer): VadEvent[] {
    const ms = Math.max(1, Math.round(frame.length / 8)) || FRAME_MS;
    const raw = mulawLevelDb(frame);
    const level = Number.isFinite(raw) ? raw : SILENT_DB;
    this.levelDb = level;
    const events: VadEvent[] = [];
    this.trackFloor(level);
    if (this.framesSeen * FRAME_MS <= this.cfg.calibrationMs) {
      this.preRoll.push(frame);
      while (this.preRoll.length * FRAME_MS > this.cfg.preRollMs) this.preRoll.shift();
      return events;
    }
    const startThr = Math.max(this.floorDb + this.cfg.startMarginDb, this.cfg.minLevelDb);
    const keepThr = Math.max(this.floorDb + this.cfg.keepMarginDb, this.cfg.minLevelDb - 4);

    if (this.state === 'silence') {
      if (level >= startThr) {
        this.state = 'candidate';
        this.voicedMs = ms;
        this.silenceRunMs = 0;
        this.windowMs = this.cfg.silenceMs;
        this.frames = [...this.preRoll, frame];
        this.preRoll = [];
        events.push({ type: 'onset' });
      } else {
        this.preRoll.push(frame);
        while (this.preRoll.length * FRAME_MS > this.cfg.preRollMs) this.preRoll.shift();
      }
      return events;
    }

    this.frames.push(frame);
    const voiced = level >= keepThr;
    if (voiced) {
      if (this.silenceRunMs > 0 && this.state === 'speech') events.push({ type: 'resume' });
      this.voicedMs += ms;
      this.silenceRunMs = 0;
      this.windowMs = this.cfg.silenceMs;
    } else {
      if (this.silenceRunMs === 0 && this.state === 'speech') events.push({ type: 'pause' });
      this.silenceRunMs += ms;
    }

    if (this.state === 'candidate') {
      if (this.voicedMs >= this.cfg.confirmMs) {
        this.state = 'speech';
        events.push({ type: 'confirmed' });
      } else if (this.silenceRunMs >= this.cfg.onsetGapMs) {
        events.push({ type: 'noise', voicedMs: this.voicedMs });
        this.toSilence();
      }
      return events;
    }

    const utteranceMs = this.frames.length * FRAME_MS;
    if (this.silenceRunMs >= this.windowMs || utteranceMs >= this.cfg.maxUtteranceMs) {
      if (this.voicedMs >= this.cfg.minSpeechMs) {
        events.push({
          type: 'end',
          audio: Buffer.concat(this.frames),
          speechMs: this.voicedMs,
          silenceMs: this.silenceRunMs,
        });
      } else {
        events.push({ type: 'noise', voicedMs: this.voicedMs });
      }
      this.toSilence();
    }
    return events;
  }

  private toSilence(): void {
    this.state = 'silence';
    this.voicedMs = 0;
    this.silenceRunMs = 0;
    this.frames = [];
    this.windowMs = this.cfg.silenceMs;
  }

  /**
   * Minimum statistics: the quietest frame of the last ~2 s is the line's noise (speech always
   * has gaps between words), so the floor follows a noisy line even while someone talks. The
   * floor falls fast and rises slowly; calibration frames set it directly.
   */
  private trackFloor(level: number): void {
    this.levels[this.framesSeen % this.levels.length] = level;
    this.framesSeen++;
    const filled = Math.min(this.framesSeen, this.levels.length);
    let min = Infinity;
    for (let i = 0; i < filled; i++) if (this.levels[i]! < min) min = this.levels[i]!;
    if (this.framesSeen * FRAME_MS <= this.cfg.calibrationMs) this.floorDb = min;
    else if (min < this.floorDb) this.floorDb += (min - this.floorDb) * 0.3;
    else this.floorDb += Math.min(1, (min - this.floorDb) * 0.05);
    if (this.floorDb < -75) this.floorDb = -75;
  }
}
