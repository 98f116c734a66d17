/**
 * One agent utterance on the line (an answer, the greeting, a filler …) as a handle, after
 * LiveKit Agents' SpeechHandle: its audio pieces go to the paced player under ids only the
 * Speaker knows, and the handle answers what the caller heard of it, waits for its playout, can
 * be held (a pending barge-in: its cleared and later pieces wait) and released, or interrupted.
 */
import { FRAME_BYTES, FRAME_MS } from '../../audio/convert';
import type { OutboundPlayer } from './player';

interface Piece {
  text: string;
  audio: Buffer;
}

export class SpeechHandle {
  /** Pieces the caller heard whole, then the heard head of one that was cut. */
  private readonly heard: string[] = [];
  private readonly waiting: Piece[] = [];
  private playing = 0;
  private held = false;
  private closed = false;
  private playout: Array<() => void> = [];
  started = false;
  interrupted = false;
  /** Audio said (ms, as the player counts it) and how much of it the caller heard. */
  audioMs = 0;
  heardMs = 0;

  constructor(
    private readonly speaker: Speaker,
    readonly kind: string,
    /** The first frame of this utterance left for the caller. */
    public onStart?: (at: number) => void,
  ) {}

  /** Queues a piece (held pieces wait for release). */
  say(audio: Buffer, text: string): void {
    if (this.closed) return;
    this.audioMs += msOf(audio);
    if (this.held) this.waiting.push({ audio, text });
    else this.send({ audio, text });
  }

  /** Nothing more plays until release() (a pending barge-in, a preemptive answer). */
  hold(): void {
    this.held = true;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Plays what was held, in order. */
  release(): void {
    this.held = false;
    for (const p of this.waiting.splice(0)) this.send(p);
    this.settle();
  }

  /** The utterance stops for good: nothing more of it plays. */
  interrupt(): void {
    this.interrupted = true;
    this.closed = true;
    this.waiting.length = 0;
    this.speaker.forget(this);
    this.settle(true);
  }

  /** Resolves when everything said so far was heard (or the utterance was interrupted). */
  waitForPlayout(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.playout.push(resolve));
  }

  /** What the caller heard of this utterance. */
  heardText(): string {
    return this.heard.filter(Boolean).join(' ');
  }

  /** The text of pieces cleared or held and not yet heard. */
  pendingText(): string {
    return this.waiting.map((p) => p.text).join(' ');
  }

  /** Pieces queued on the line and not heard yet, plus the held ones. */
  get piecesLeft(): number {
    return this.playing + this.waiting.length;
  }

  get idle(): boolean {
    return this.closed || (this.playing === 0 && (this.held || this.waiting.length === 0));
  }

  private send(p: Piece): void {
    this.playing++;
    this.speaker.enqueue(this, p.audio, p.text);
  }

  /** @internal Speaker callbacks. */
  _started(at: number): void {
    if (this.started) return;
    this.started = true;
    this.onStart?.(at);
  }
  _heard(text: string, ms = 0): void {
    this.playing = Math.max(0, this.playing - 1);
    this.heardMs += ms;
    if (text) this.heard.push(text);
    this.settle();
  }
  /** Cleared from the player: the heard head is kept, the rest waits (held) in front. */
  _cleared(pieces: Array<{ text: string; rest: Buffer; heardFraction: number; heardMs?: number }>): void {
    this.playing = 0;
    this.held = true;
    const rest: Piece[] = [];
    for (const c of pieces) {
      this.heardMs += c.heardMs ?? 0;
      let text = c.text;
      if (c.heardFraction > 0 && c.heardFraction < 1) {
        const head = headWords(c.text, c.heardFraction);
        this.heard.push(head);
        text = c.text.split(/\s+/).filter(Boolean).slice(head.split(' ').filter(Boolean).length).join(' ');
      }
      if (c.rest.length) rest.push({ audio: c.rest, text });
    }
    this.waiting.unshift(...rest);
  }

  private settle(force = false): void {
    if (!force && !this.idle) return;
    for (const w of this.playout.splice(0)) w();
  }
}

/** Routes the player's per-item callbacks to the handle each item belongs to. */
export class Speaker {
  private seq = 0;
  private readonly items = new Map<string, { handle: SpeechHandle; text: string; ms: number }>();
  private lastCleared: SpeechHandle[] = [];

  constructor(private readonly player: OutboundPlayer) {}

  handle(kind: string, onStart?: (at: number) => void): SpeechHandle {
    return new SpeechHandle(this, kind, onStart);
  }

  /** @internal */
  enqueue(handle: SpeechHandle, audio: Buffer, text: string): void {
    const id = `s${++this.seq}`;
    this.items.set(id, { handle, text, ms: msOf(audio) });
    this.player.enqueue({ id, audio, text });
  }

  /** @internal The handle was interrupted: its queued items are dropped with the next clear. */
  forget(handle: SpeechHandle): void {
    for (const [id, it] of this.items) if (it.handle === handle) this.items.delete(id);
  }

  itemStarted(id: string, at: number): void {
    this.items.get(id)?.handle._started(at);
  }

  itemHeard(id: string): void {
    const it = this.items.get(id);
    if (!it) return;
    this.items.delete(id);
    it.handle._heard(it.text, it.ms);
  }

  /** A barge-in not yet decided: the line goes quiet (what was sent plays out), nothing is lost. */
  pause(): void {
    this.player.pause();
  }

  /** The barge-in was not one: the agent goes on from where the line went quiet. */
  resume(): void {
    this.player.resume();
  }

  /** The caller may be talking over the agent: keep the line's lead short (see OutboundPlayer). */
  lean(on: boolean): void {
    this.player.lean(on);
  }

  /** Twilio `clear`: every handle keeps its heard part and holds the rest. */
  clear(): ReturnType<OutboundPlayer['clear']> {
    const cleared = this.player.clear();
    type Cut = { text: string; rest: Buffer; heardFraction: number; heardMs: number };
    const byHandle = new Map<SpeechHandle, Cut[]>();
    for (const c of cleared) {
      const it = this.items.get(c.id);
      if (!it) continue;
      this.items.delete(c.id);
      const list = byHandle.get(it.handle) ?? [];
      const heardFraction = c.totalMs ? c.heardMs / c.totalMs : 1;
      list.push({ text: c.text, rest: c.rest, heardFraction, heardMs: c.heardMs });
      byHandle.set(it.handle, list);
    }
    for (const [h, list] of byHandle) h._cleared(list);
    this.lastCleared = [...byHandle.keys()];
    return cleared;
  }

  /** The handles the last clear() cut (each now holds its unheard rest). */
  heldHandles(): SpeechHandle[] {
    return this.lastCleared;
  }
}

/** The first part of a piece, by the share of its audio the caller heard. */
export function headWords(text: string, fraction: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const n = Math.max(0, Math.min(words.length, Math.round(words.length * fraction)));
  return words.slice(0, n).join(' ');
}

/** A piece's length as the player counts it (whole frames). */
const msOf = (audio: Buffer): number => Math.ceil(audio.length / FRAME_BYTES) * FRAME_MS;
