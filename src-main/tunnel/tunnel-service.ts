/**
 * Keeps one tunnel open from the internet to the public server while the owner wants it and
 * has given the ngrok key: learns its URL (fed to the one public address), reconnects with
 * capped exponential backoff when it drops, and stops retrying when only the owner can fix it
 * (a refused key, a domain that is not theirs) until the settings change.
 */
import type { TunnelState } from '../api/contract/tunnel';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { PublicUrlService } from '../platform/public-url';
import { TunnelError, type TunnelConnector, type TunnelHandle } from './port';

export interface TunnelBackoff {
  initialMs: number;
  maxMs: number;
  /** 0..1; the delay is scaled by 0.75 + 0.5 × jitter() so many installs don't retry in step. */
  jitter: () => number;
}

export interface TunnelServiceDeps {
  connector: TunnelConnector;
  authtoken: () => string | undefined;
  config: () => { enabled: boolean; domain?: string };
  /** The public server's local address; undefined until it listens. */
  forwardTo: () => string | undefined;
  publicUrl: PublicUrlService;
  clock: Clock;
  log: Logger;
  onState: (s: TunnelState) => void;
  backoff?: Partial<TunnelBackoff>;
}

const DEFAULT_BACKOFF: TunnelBackoff = { initialMs: 1000, maxMs: 60_000, jitter: Math.random };

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, b: TunnelBackoff): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + 0.5 * Math.min(1, Math.max(0, b.jitter()))));
}

export class TunnelService {
  private readonly backoff: TunnelBackoff;
  private current: { key: string; handle: TunnelHandle } | undefined;
  /** Bumped on every (re)configuration: late answers of an older attempt are dropped. */
  private generation = 0;
  /** The settings an attempt in flight was started with (a second sync() doesn't restart it). */
  private connectingKey: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private s: TunnelState;

  constructor(private readonly deps: TunnelServiceDeps) {
    this.backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
    this.s = this.blank('off');
  }

  state(): TunnelState {
    return { ...this.s };
  }

  /** Opens, reopens or closes the tunnel to match the settings now. Never throws. */
  async sync(): Promise<void> {
    if (this.stopped) return;
    const want = this.wanted();
    if (want && this.current?.key === want.key && this.s.state === 'online') return;
    if (want && this.s.state === 'connecting' && this.connectingKey === want.key) return;
    this.generation++;
    this.clearRetry();
    await this.closeCurrent();
    if (!want) {
      this.deps.publicUrl.setTunnelHost(null);
      this.set(this.blank('off'));
      return;
    }
    this.s = { ...this.s, attempt: 0 };
    void this.connect(want, this.generation);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    this.clearRetry();
    await this.closeCurrent();
  }

  private wanted(): { key: string; authtoken: string; domain?: string; forwardTo: string } | undefined {
    const cfg = this.deps.config();
    const authtoken = this.deps.authtoken();
    const forwardTo = this.deps.forwardTo();
    if (!cfg.enabled || !authtoken || !forwardTo) return undefined;
    const domain = cfg.domain?.trim() || undefined;
    return { key: `${authtoken}|${domain ?? ''}|${forwardTo}`, authtoken, domain, forwardTo };
  }

  private async connect(want: NonNullable<ReturnType<TunnelService['wanted']>>, gen: number): Promise<void> {
    const attempt = this.s.attempt + 1;
    this.connectingKey = want.key;
    this.set({ ...this.s, state: 'connecting', domain: want.domain ?? null, attempt, nextRetryAt: null });
    try {
      const handle = await this.deps.connector.open({
        authtoken: want.authtoken,
        forwardTo: want.forwardTo,
        domain: want.domain,
        onDrop: (reason) => this.dropped(gen, reason),
      });
      if (gen !== this.generation || this.stopped) {
        await handle.close().catch(() => undefined);
        return;
      }
      this.current = { key: want.key, handle };
      this.deps.log.info({ url: handle.url, attempt }, 'tunnel online');
      this.deps.publicUrl.setTunnelHost(handle.url);
      this.set({
        ...this.blank('online'),
        url: handle.url,
        domain: want.domain ?? null,
      });
    } catch (err) {
      if (gen !== this.generation || this.stopped) return;
      const kind = err instanceof TunnelError ? err.kind : 'other';
      const detail = ((err as Error).message ?? String(err)).slice(0, 300);
      if (kind === 'auth' || kind === 'domain') {
        this.deps.log.error({ kind, detail }, 'tunnel refused; waiting for the owner to fix the settings');
        this.deps.publicUrl.setTunnelHost(null);
        this.set({ ...this.s, state: 'failed', error: kind, detail, nextRetryAt: null, url: null });
        return;
      }
      this.scheduleRetry(gen, attempt, kind, detail);
    } finally {
      if (this.connectingKey === want.key) this.connectingKey = undefined;
    }
  }

  private dropped(gen: number, reason: string): void {
    if (gen !== this.generation || this.stopped) return;
    this.deps.log.warn({ reason: reason.slice(0, 300) }, 'tunnel dropped; reconnecting');
    const old = this.current;
    this.current = undefined;
    void old?.handle.close().catch(() => undefined);
    // The last URL stays the public address meanwhile: a reserved domain comes back the same,
    // and re-pointing the phone number at nothing would only add a second outage.
    this.scheduleRetry(gen, 1, 'network', reason.slice(0, 300));
  }

  private scheduleRetry(gen: number, attempt: number, kind: TunnelError['kind'], detail: string): void {
    const delay = backoffDelay(attempt, this.backoff);
    const nextRetryAt = this.deps.clock.now() + delay;
    this.deps.log.warn({ kind, detail, attempt, retry_in_ms: delay }, 'tunnel not connected; retrying');
    this.set({ ...this.s, state: 'retrying', error: kind, detail, attempt, nextRetryAt });
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (gen !== this.generation || this.stopped) return;
      const want = this.wanted();
      if (!want) return void this.sync();
      void this.connect(want, gen);
    }, delay);
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private async closeCurrent(): Promise<void> {
    const old = this.current;
    this.current = undefined;
    if (old) await old.handle.close().catch(() => undefined);
  }

  private blank(state: TunnelState['state']): TunnelState {
    return {
      state,
      url: null,
      domain: null,
      attempt: 0,
      nextRetryAt: null,
      error: null,
      detail: null,
      since: this.deps.clock.now(),
    };
  }

  private set(next: TunnelState): void {
    const changed = next.state !== this.s.state;
    this.s = { ...next, since: changed ? this.deps.clock.now() : this.s.since };
    try {
      this.deps.onState(this.state());
    } catch (err) {
      this.deps.log.warn({ err }, 'tunnel state listener failed');
    }
  }
}
