/**
 * The one live public address Twilio (and later WhatsApp and remote signers) reach the public
 * server at. Fed by the owner's own domain from Settings, the tunnel, or PUBLIC_HOST; read by
 * every consumer at the moment of use (TwiML `<Stream>` URLs, callbacks, signature checks), so
 * a change applies to the next request without a restart.
 */
import { z } from 'zod';
import type { Logger } from './logger';

/** Settings key of the owner's own public address (own domain or reverse proxy). */
export const PUBLIC_ADDRESS_SETTING = 'public_address';
export const publicAddressSetting = z.object({ host: z.string().max(300).optional() }).default({});

export type PublicUrlSource = 'settings' | 'tunnel' | 'env';

export interface PublicUrlState {
  /** Host name (and port, if any) without scheme or path, e.g. `shop.ngrok.app`. */
  host: string | null;
  source: PublicUrlSource | null;
  /** Epoch ms of the last change of `host`. */
  changedAt: number | null;
}

/** `https://shop.example.co.il/`, `shop.example.co.il` → `shop.example.co.il`; junk → undefined. */
export function normalizeHost(input: string | null | undefined): string | undefined {
  if (!input) return undefined;
  const raw = input.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return undefined;
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) return undefined;
  if (url.search || url.hash) return undefined;
  return url.host || undefined;
}

export class PublicUrlService {
  private tunnelHost: string | undefined;
  /** The owner's own address, read from Settings at start and on settingsChanged() only. */
  private fixed: string | undefined;
  private current: PublicUrlState = { host: null, source: null, changedAt: null };
  private readonly listeners = new Set<(s: PublicUrlState) => void>();

  constructor(
    private readonly opts: {
      /** PUBLIC_HOST from the environment (a server with its own domain). */
      envHost: string | undefined;
      /** The owner's own address from Settings, read at the moment of use. */
      fixedHost: () => string | undefined;
      now: () => number;
      log: Logger;
    },
  ) {
    this.fixed = normalizeHost(opts.fixedHost());
    this.refresh();
  }

  /** The host consumers must use now, or undefined when none is known. */
  host(): string | undefined {
    return this.current.host ?? undefined;
  }

  /** `https://<host>` or undefined. */
  url(): string | undefined {
    const h = this.host();
    return h ? `https://${h}` : undefined;
  }

  state(): PublicUrlState {
    return { ...this.current };
  }

  /** The tunnel learned (or lost) its address. */
  setTunnelHost(host: string | null | undefined): void {
    this.tunnelHost = normalizeHost(host ?? undefined);
    this.refresh();
  }

  /** After Settings changed the owner's own address (read on every request otherwise). */
  settingsChanged(): void {
    this.fixed = normalizeHost(this.opts.fixedHost());
    this.refresh();
  }

  /** Called on every change of the effective host; returns the unsubscribe function. */
  subscribe(fn: (s: PublicUrlState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Settings (the owner named an address on purpose) → tunnel (live) → environment. */
  private pick(): { host: string; source: PublicUrlSource } | undefined {
    if (this.fixed) return { host: this.fixed, source: 'settings' };
    if (this.tunnelHost) return { host: this.tunnelHost, source: 'tunnel' };
    const env = normalizeHost(this.opts.envHost);
    if (env) return { host: env, source: 'env' };
    return undefined;
  }

  private refresh(): void {
    const next = this.pick();
    const host = next?.host ?? null;
    const source = next?.source ?? null;
    if (host === this.current.host && source === this.current.source) return;
    const previous = this.current.host;
    this.current = { host, source, changedAt: host === previous ? this.current.changedAt : this.opts.now() };
    this.opts.log.info({ public_host: host, previous_host: previous, source }, 'public address changed');
    for (const fn of this.listeners) {
      try {
        fn({ ...this.current });
      } catch (err) {
        this.opts.log.warn({ err }, 'public address listener failed');
      }
    }
  }
}
