/**
 * The calls on the line now: one MediaStreamSession each. Feeds the live monitor (events),
 * runs one shared heartbeat timer (DEBUG line + idle timeout per session) and keeps inbound
 * frame-handling timings for health and benchmarks.
 */
import type { EventBus } from '../../api/events';
import type { LiveCall } from '../../api/contract/monitor';
import type { Logger } from '../../platform/logger';
import type { LiveTurn, MediaStreamSession } from './session';

/** A fixed ring of the last inbound frame-handling times (ms). */
export class TimingRing {
  private readonly buf: Float64Array;
  private n = 0;
  constructor(size = 200_000) {
    this.buf = new Float64Array(size);
  }
  add(ms: number): void {
    this.buf[this.n % this.buf.length] = ms;
    this.n++;
  }
  reset(): void {
    this.n = 0;
  }
  get count(): number {
    return this.n;
  }
  percentile(p: number): number {
    const len = Math.min(this.n, this.buf.length);
    if (!len) return 0;
    const sorted = Float64Array.from(this.buf.subarray(0, len)).sort();
    return sorted[Math.min(len - 1, Math.floor((p / 100) * len))]!;
  }
}

export class LiveCallRegistry {
  readonly sessions = new Map<string, MediaStreamSession>();
  readonly inbound = new TimingRing();
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly opts: { heartbeatMs: number; idleTimeoutMs: number; now: () => number },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = this.opts.now();
      for (const s of this.sessions.values()) s.heartbeat(now, this.opts.idleTimeoutMs);
    }, this.opts.heartbeatMs);
    this.timer.unref();
  }

  /** Shutdown: every live call hears `line` and is hung up (at most `timeoutMs`). */
  async drain(line: string, timeoutMs: number): Promise<void> {
    const ending = [...this.sessions.values()].map((s) => s.endCall('shutdown', line));
    if (!ending.length) return;
    this.log.info({ calls: ending.length }, 'shutting down: saying goodbye to live calls');
    await Promise.race([Promise.allSettled(ending), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.sessions.values()) s.finalize('shutdown');
    await this.settled();
  }

  /** Resolves when every ended call's after-call work (summary, notification) is done. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  list(): LiveCall[] {
    return [...this.sessions.values()].map((s) => this.view(s));
  }

  get(callSid: string): MediaStreamSession | undefined {
    return this.sessions.get(callSid);
  }

  private view(s: MediaStreamSession): LiveCall {
    const snap = s.snapshot();
    return {
      callSid: snap.callSid,
      callId: snap.callId,
      from: snap.from,
      customerId: snap.customerId,
      customerName: snap.customerName,
      state: snap.state,
      engine: snap.engine,
      test: s.test,
      startedAt: snap.startedAt,
      turns: snap.turns,
    };
  }

  readonly hooks = {
    isLive: (callSid: string) => {
      const s = this.sessions.get(callSid);
      return !!s && s.state !== 'ended';
    },
    onStart: (s: MediaStreamSession) => {
      // A session on the line is never replaced by a newcomer (the session refuses a `start` for
      // a live call before it gets here; this only keeps the map honest).
      const old = this.sessions.get(s.callSid);
      if (old && old !== s && old.state !== 'ended') {
        this.log.error({ call_sid: s.callSid }, 'a second session for a live call; keeping the first');
        return;
      }
      this.sessions.set(s.callSid, s);
      this.emitCall(s);
    },
    onState: (s: MediaStreamSession) => {
      if (s.callSid) this.emitCall(s);
    },
    onTurn: (_s: MediaStreamSession, t: LiveTurn) => {
      this.bus.emit('monitor.turn', t);
    },
    onEnd: (s: MediaStreamSession, work: Promise<void>) => {
      if (this.sessions.get(s.callSid) === s) this.sessions.delete(s.callSid);
      if (s.callSid)
        this.bus.emit('monitor.ended', { callSid: s.callSid, callId: s.callId, endedBy: s.endedBy });
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    },
    onInboundFrame: (ms: number) => this.inbound.add(ms),
  };

  private emitCall(s: MediaStreamSession): void {
    try {
      this.bus.emit('monitor.call', { ...this.view(s), turns: [] });
    } catch (err) {
      this.log.warn({ err }, 'monitor event failed');
    }
  }
}
