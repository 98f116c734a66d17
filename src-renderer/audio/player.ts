/**
 * Plays 8 kHz μ-law frames as they arrive, with a small jitter buffer: the first frame after
 * silence is scheduled `prebufferMs` ahead, the rest back to back (an underrun restarts the
 * buffer). `mark` resolves when the audio before it has played; `clear` drops everything queued
 * at once and releases pending marks (as Twilio does).
 */
import { mulawDecode, rmsDb, SAMPLE_RATE } from './g711';

interface Scheduled {
  source: AudioBufferSourceNode;
  start: number;
  end: number;
  levelDb: number;
}

export class FramePlayer {
  private next = 0;
  private scheduled: Scheduled[] = [];
  private marks: Array<{ at: number; done: () => void }> = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  framesPlayed = 0;

  constructor(
    private readonly context: AudioContext,
    private readonly output: AudioNode,
    private readonly prebufferMs = 80,
  ) {}

  push(bytes: Uint8Array): void {
    const samples = mulawDecode(bytes);
    const buffer = this.context.createBuffer(1, samples.length, SAMPLE_RATE);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.output);
    const now = this.context.currentTime;
    if (this.next < now + 0.005) this.next = now + this.prebufferMs / 1000;
    source.start(this.next);
    const item = { source, start: this.next, end: this.next + buffer.duration, levelDb: rmsDb(samples) };
    this.next = item.end;
    this.scheduled.push(item);
    source.onended = () => {
      this.framesPlayed++;
      const i = this.scheduled.indexOf(item);
      if (i >= 0) this.scheduled.splice(i, 1);
    };
  }

  /** Resolves `done` once everything pushed before it has played. */
  mark(done: () => void): void {
    const now = this.context.currentTime;
    if (this.next <= now) return done();
    this.marks.push({ at: this.next, done });
    this.ensureTimer();
  }

  /** Drops queued audio now; pending marks are released at once. */
  clear(): void {
    for (const s of this.scheduled) {
      s.source.onended = null;
      try {
        s.source.stop();
      } catch {
        /* not started */
      }
      s.source.disconnect();
    }
    this.scheduled = [];
    this.next = 0;
    const marks = this.marks;
    this.marks = [];
    for (const m of marks) m.done();
  }

  /** Level of the frame playing now (dBFS), for meters. */
  get levelDb(): number {
    const now = this.context.currentTime;
    return this.scheduled.find((s) => s.start <= now && now < s.end)?.levelDb ?? -Infinity;
  }

  /** Seconds of audio queued ahead of playout. */
  get bufferedSeconds(): number {
    return Math.max(0, this.next - this.context.currentTime);
  }

  close(): void {
    this.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = this.context.currentTime;
      while (this.marks.length && this.marks[0]!.at <= now) this.marks.shift()!.done();
      if (!this.marks.length && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }, 20);
  }
}
