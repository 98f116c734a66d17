/**
 * Listen-in: a live call's audio fanned out to the owner's app. The session hands every inbound
 * (caller) and outbound (agent) μ-law frame to its tap; each listener gets a bounded queue that
 * is flushed outside the session's frame handling. A listener that falls behind (its socket's
 * buffer is full, or its queue is) loses frames — the call itself is never slowed down.
 * Payloads are forwarded as they are (base64) and never logged.
 */
import type { AudioLink } from './audio-link';
import type { AudioTap } from './session';

export interface ListenOptions {
  /** Frames waiting for the next flush, per listener (≈ 1 s of both tracks at 100). */
  maxQueued: number;
  /** A socket with more than this many bytes not yet sent drops frames instead. */
  maxBufferedBytes: number;
}

const DEFAULTS: ListenOptions = { maxQueued: 100, maxBufferedBytes: 64 * 1024 };

export class Listener {
  private queue: string[] = [];
  private scheduled = false;
  dropped = 0;
  sent = 0;
  closed = false;

  constructor(
    readonly link: AudioLink,
    private readonly opts: ListenOptions,
  ) {}

  /** Called on the session's frame path: O(1), never sends. */
  offer(text: string): void {
    if (this.closed) return;
    if (this.queue.length >= this.opts.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private flush = (): void => {
    this.scheduled = false;
    if (this.closed) {
      this.queue = [];
      return;
    }
    const batch = this.queue;
    this.queue = [];
    for (const text of batch) {
      if (this.link.bufferedAmount > this.opts.maxBufferedBytes) {
        this.dropped++;
        continue;
      }
      try {
        this.link.send(text);
        this.sent++;
      } catch {
        this.dropped++;
      }
    }
  };

  /** Control messages (start, stop) go straight out. */
  sendNow(text: string): void {
    if (this.closed) return;
    try {
      this.link.send(text);
    } catch {
      /* closed */
    }
  }
}

/** One call's listeners; installed as the session's tap while at least one is connected. */
export class ListenHub implements AudioTap {
  readonly listeners = new Set<Listener>();
  private readonly opts: ListenOptions;

  constructor(opts: Partial<ListenOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  add(link: AudioLink): Listener {
    const l = new Listener(link, this.opts);
    this.listeners.add(l);
    return l;
  }

  remove(l: Listener): void {
    l.closed = true;
    this.listeners.delete(l);
  }

  get size(): number {
    return this.listeners.size;
  }

  inbound(payloadB64: string): void {
    this.offer(`{"event":"media","track":"inbound","payload":"${payloadB64}"}`);
  }

  outbound(payloadB64: string): void {
    this.offer(`{"event":"media","track":"outbound","payload":"${payloadB64}"}`);
  }

  clear(): void {
    this.offer('{"event":"clear","track":"outbound"}');
  }

  private offer(text: string): void {
    for (const l of this.listeners) l.offer(text);
  }
}
