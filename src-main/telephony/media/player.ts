/**
 * Outbound audio to the caller, paced by a monotonic clock: frames leave a small lead
 * (~160 ms) ahead of playout, from short timers — never a busy loop or a 20 ms sleep per frame.
 * A `mark` follows every ~200 ms of audio and each item's end, so the session knows exactly
 * what the caller has heard. After a `clear`, echoed marks mean "not played" and are ignored.
 * While the caller may be talking over the agent the lead is kept short (`lean`), so a `pause`
 * (a barge-in not yet decided) silences the line within ~one lean lead, and `resume` goes on
 * from the next unsent frame: nothing is lost or repeated, no `clear` is sent.
 */
import { FRAME_BYTES, FRAME_MS } from '../../audio/convert';
import { MULAW_SILENCE } from '../../audio/mulaw';

export interface MediaSink {
  media(payloadB64: string): void;
  mark(name: string): void;
  clear(): void;
}

export interface PlayItem {
  id: string;
  audio: Buffer;
  /** What this audio says (for the heard-part of an interrupted answer). */
  text: string;
}

export interface PlayerOptions {
  leadMs: number;
  /** The lead while the caller may be talking over the agent (`lean(true)`). */
  leanLeadMs: number;
  markEveryMs: number;
  tickMs: number;
}

interface Queued extends PlayItem {
  sentBytes: number;
  heardMs: number;
  totalMs: number;
}

interface PendingMark {
  item: Queued;
  /** Item audio played once this mark comes back. */
  atMs: number;
  last: boolean;
}

export interface PlayerEvents {
  /** The first frame of an item left. */
  onItemStart?(id: string, at: number): void;
  /** The caller heard the whole item (its last mark came back). */
  onItemHeard?(id: string): void;
  /** Everything sent has been heard and nothing is queued. */
  onIdle?(): void;
  /** Every frame, for metrics (last frame time). */
  onFrame?(at: number): void;
}

const DEFAULTS: PlayerOptions = { leadMs: 160, leanLeadMs: 60, markEveryMs: 200, tickMs: 40 };

export class OutboundPlayer {
  private queue: Queued[] = [];
  private marks = new Map<string, PendingMark>();
  private markSeq = 0;
  private playhead = 0;
  private timer: NodeJS.Timeout | undefined;
  private sinceMarkMs = 0;
  private closed = false;
  private paused = false;
  private leaning = false;
  readonly opts: PlayerOptions;
  framesSent = 0;

  constructor(
    private readonly sink: MediaSink,
    private readonly now: () => number,
    private readonly events: PlayerEvents = {},
    opts: Partial<PlayerOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** Audio queued or sent but not yet confirmed as heard. */
  get busy(): boolean {
    return this.queue.length > 0 || this.marks.size > 0;
  }

  /** Audio still waiting to be sent. */
  get sending(): boolean {
    return this.queue.some((q) => q.sentBytes < q.audio.length);
  }

  enqueue(item: PlayItem): void {
    if (this.closed) return;
    const q: Queued = {
      ...item,
      sentBytes: 0,
      heardMs: 0,
      totalMs: Math.ceil(item.audio.length / FRAME_BYTES) * FRAME_MS,
    };
    this.queue.push(q);
    if (item.audio.length === 0) {
      this.finishEmpty(q);
      return;
    }
    this.pump();
  }

  /** Nothing more is sent until resume(); what was sent plays out (at most one lead). */
  pause(): void {
    this.paused = true;
    this.stopTimer();
  }

  /** Sending goes on from the next unsent frame (playout restarts now if it ran dry). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pump();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** A short lead while the caller may be talking over the agent, the normal one otherwise. */
  lean(on: boolean): void {
    this.leaning = on;
  }

  /** How much of an item the caller has heard, in ms and as a fraction. */
  heard(id: string): { ms: number; fraction: number } | undefined {
    const q = this.queue.find((x) => x.id === id);
    if (!q) return undefined;
    return { ms: q.heardMs, fraction: q.totalMs ? Math.min(1, q.heardMs / q.totalMs) : 1 };
  }

  /**
   * Barge-in: sends `clear`, forgets pending marks and queued audio. Returns each item's heard
   * part and the unheard audio (for resuming after a false interruption).
   */
  clear(): Array<{ id: string; text: string; heardMs: number; totalMs: number; rest: Buffer }> {
    const out = this.queue.map((q) => {
      const heardBytes = Math.min(q.audio.length, q.heardMs * 8);
      return {
        id: q.id,
        text: q.text,
        heardMs: q.heardMs,
        totalMs: q.totalMs,
        rest: q.audio.subarray(heardBytes),
      };
    });
    if (this.marks.size > 0 || this.queue.some((q) => q.sentBytes > 0)) this.sink.clear();
    this.queue = [];
    this.marks.clear();
    this.sinceMarkMs = 0;
    this.paused = false;
    // Twilio's buffer is empty now: the next audio leaves at once, a full lead ahead again.
    this.playhead = 0;
    this.stopTimer();
    return out;
  }

  /** A mark came back from Twilio. Unknown (cleared) marks are ignored. */
  handleMark(name: string): void {
    const m = this.marks.get(name);
    if (!m) return;
    // Marks come back in order; earlier ones are implied.
    for (const [k, v] of this.marks) {
      this.marks.delete(k);
      v.item.heardMs = Math.max(v.item.heardMs, v.atMs);
      if (v.last) {
        v.item.heardMs = v.item.totalMs;
        this.queue = this.queue.filter((q) => q !== v.item);
        this.events.onItemHeard?.(v.item.id);
      }
      if (k === name) break;
    }
    if (!this.busy) this.events.onIdle?.();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.marks.clear();
    this.stopTimer();
  }

  private finishEmpty(q: Queued): void {
    // Nothing to play (silence fallback): a mark still orders it behind earlier audio.
    const name = `m${++this.markSeq}`;
    this.marks.set(name, { item: q, atMs: 0, last: true });
    this.sink.mark(name);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump = (): void => {
    this.timer = undefined;
    if (this.closed || this.paused) return;
    const now = this.now();
    if (this.playhead < now) this.playhead = now; // idle or an underrun: playout restarts now
    const lead = this.leaning ? this.opts.leanLeadMs : this.opts.leadMs;
    let item = this.queue.find((q) => q.sentBytes < q.audio.length);
    while (item && this.playhead - now < lead) {
      if (item.sentBytes === 0) this.events.onItemStart?.(item.id, now);
      const end = Math.min(item.sentBytes + FRAME_BYTES, item.audio.length);
      let chunk = item.audio.subarray(item.sentBytes, end);
      if (chunk.length < FRAME_BYTES) {
        const padded = Buffer.alloc(FRAME_BYTES, MULAW_SILENCE);
        chunk.copy(padded);
        chunk = padded;
      }
      item.sentBytes = end;
      this.sink.media(chunk.toString('base64'));
      this.framesSent++;
      this.events.onFrame?.(now);
      this.playhead += FRAME_MS;
      this.sinceMarkMs += FRAME_MS;
      const done = item.sentBytes >= item.audio.length;
      if (done || this.sinceMarkMs >= this.opts.markEveryMs) {
        const name = `m${++this.markSeq}`;
        this.marks.set(name, { item, atMs: Math.ceil(item.sentBytes / FRAME_BYTES) * FRAME_MS, last: done });
        this.sink.mark(name);
        this.sinceMarkMs = 0;
      }
      if (done) item = this.queue.find((q) => q.sentBytes < q.audio.length);
    }
    if (item) this.timer = setTimeout(this.pump, this.opts.tickMs);
  };
}
