/**
 * The Baileys provider (WhatsApp Web, in-process): one `WhatsAppProvider` over one Baileys
 * socket at a time.
 *
 * - Auth state lives in SQLite (`auth-store.ts`); `creds.update` is saved at once.
 * - `connection.update`: `qr` → state `qr` with the QR string; `open` → `open`; `close` → the
 *   pure `decideReconnect` (reconnect-policy.ts) says what happens: 515 at once, 408/428/5xx
 *   backoff, 440 stop as `replaced`, 401/403 wipe auth and pair again (new QR).
 * - Before a new socket is made the old one is ended and its listeners removed; events from a
 *   socket that is no longer current are ignored (generation check).
 * - Inbound (`messages.upsert`, both `notify` and `append`) is normalized, media streamed to the
 *   core's `MediaSink`, and emitted in order, awaiting the core's listener (store before next).
 *   `live` is true only for `notify`; status broadcasts and channels are dropped.
 * - Receipts from `messages.update` (status codes) and `message-receipt.update` (timestamps)
 *   are emitted for our own messages; the core applies them monotonically.
 * - Every cache handed to Baileys and every in-process map here is bounded (LRU + TTL), so a
 *   socket that stays up for days keeps flat memory.
 */
import type { Db } from '../../db/client';
import type { Logger } from '../../platform/logger';
import { toE164 } from '../../platform/phone';
import {
  ProviderEmitter,
  ProviderError,
  toJid,
  type ConnectionState,
  type InboundMessage,
  type ProviderCapabilities,
  type ProviderContext,
  type ProviderEventName,
  type ProviderListener,
  type ReconcileRequest,
  type ReconcileResult,
  type Receipt,
  type SavedMedia,
  type SendMediaRequest,
  type SendResult,
  type SendTemplateRequest,
  type SendTextRequest,
  type WaPeer,
  type WhatsAppProvider,
} from '../provider';
import { createSqliteAuthState, type SqliteAuthState } from './auth-store';
import { BoundedCache } from './bounded-cache';
import {
  loadBaileysLib,
  type BaileysEventMap,
  type BaileysLib,
  type BaileysSocketLike,
  type SocketConfig,
  type WAMessage,
} from './lib';
import {
  isGroupJid,
  isIgnoredJid,
  isLidJid,
  isPnJid,
  jidUser,
  parseContent,
  phoneOfPnJid,
  receiptStatusOf,
  timestampMs,
  userReceiptStatus,
  waMessageId,
} from './normalize';
import {
  decideReconnect,
  DEFAULT_BACKOFF,
  disconnectCode,
  type BackoffOptions,
  type ReconnectDecision,
} from './reconnect-policy';

/** Upper bounds of every cache (entries). */
export const CACHE_LIMITS = {
  msgRetryCounter: 1_000,
  userDevices: 2_000,
  callOffer: 100,
  placeholderResend: 1_000,
  signalKeys: 5_000,
  seenMessages: 5_000,
  sentIds: 5_000,
  ownIds: 5_000,
  lidToPn: 5_000,
  onWhatsApp: 2_000,
} as const;

export interface BaileysProviderOptions {
  db: Db;
  /** The Baileys functions; default: the package, imported on first `start()`. */
  lib?: BaileysLib | (() => Promise<BaileysLib>);
  /** Jitter source (tests fix it). */
  random?: () => number;
  backoff?: BackoffOptions;
  /** Ask WhatsApp whether a number has an account before the first message to it (default on). */
  checkOnWhatsApp?: boolean;
  /** How long `requestPairingCode` waits for the socket to be ready for pairing. */
  pairingWaitMs?: number;
  /** Extra socket options (tests: `waWebSocketUrl` on 127.0.0.1). */
  socketConfig?: Partial<SocketConfig>;
}

export interface BaileysCacheStats {
  [name: string]: { size: number; max: number };
}

type Listener = { event: keyof BaileysEventMap; fn: (arg: never) => void };

const EVENTS_USED = [
  'connection.update',
  'creds.update',
  'messages.upsert',
  'messages.update',
  'message-receipt.update',
  'lid-mapping.update',
] as const satisfies readonly (keyof BaileysEventMap)[];

export class BaileysProvider implements WhatsAppProvider {
  readonly name = 'baileys' as const;
  readonly capabilities: ProviderCapabilities = {
    templates: false,
    window24h: false,
    idempotentResend: true,
    qrLogin: true,
  };

  private readonly emitter: ProviderEmitter;
  private readonly log: Logger;
  private lib: BaileysLib | null = null;
  private auth: SqliteAuthState | null = null;
  private sock: BaileysSocketLike | null = null;
  private listeners: Listener[] = [];
  private generation = 0;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Why the last pairing was lost (kept on the QR state that follows a logout). */
  private pairReason: string | null = null;
  private conn: ConnectionState;
  /** Inbound work in arrival order; `idle()` awaits it. */
  private chain: Promise<void> = Promise.resolve();
  private socketsMade = 0;

  // Bounded state of our own.
  private readonly seen: BoundedCache;
  private readonly sentIds: BoundedCache;
  /** Ids we are sending or sent (their `messages.upsert` echo is not an inbound message). */
  private readonly ownIds: BoundedCache;
  private readonly lidToPn: BoundedCache;
  private readonly onWa: BoundedCache;
  // Bounded caches handed to Baileys (its defaults have a TTL but no key limit).
  private readonly msgRetryCounterCache: BoundedCache;
  private readonly userDevicesCache: BoundedCache;
  private readonly callOfferCache: BoundedCache;
  private readonly placeholderResendCache: BoundedCache;
  private readonly signalKeyCache: BoundedCache;

  constructor(
    private readonly ctx: ProviderContext,
    private readonly opts: BaileysProviderOptions,
  ) {
    this.log = ctx.log.child({ provider: 'baileys' });
    this.emitter = new ProviderEmitter(this.log);
    const clock = ctx.clock;
    const cache = (max: number, ttlMs: number) => new BoundedCache({ max, ttlMs, clock });
    const HOUR = 3_600_000;
    this.seen = cache(CACHE_LIMITS.seenMessages, 24 * HOUR);
    this.sentIds = cache(CACHE_LIMITS.sentIds, 24 * HOUR);
    this.ownIds = cache(CACHE_LIMITS.ownIds, 24 * HOUR);
    this.lidToPn = cache(CACHE_LIMITS.lidToPn, 24 * HOUR);
    this.onWa = cache(CACHE_LIMITS.onWhatsApp, 24 * HOUR);
    this.msgRetryCounterCache = cache(CACHE_LIMITS.msgRetryCounter, HOUR);
    this.userDevicesCache = cache(CACHE_LIMITS.userDevices, 5 * 60_000);
    this.callOfferCache = cache(CACHE_LIMITS.callOffer, 5 * 60_000);
    this.placeholderResendCache = cache(CACHE_LIMITS.placeholderResend, HOUR);
    this.signalKeyCache = cache(CACHE_LIMITS.signalKeys, 5 * 60_000);
    this.conn = {
      provider: 'baileys',
      state: 'not_configured',
      qr: null,
      pairingCode: null,
      me: null,
      reason: null,
      nextRetryAt: null,
      since: clock.now(),
    };
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.running && this.sock && this.conn.state !== 'replaced') return;
    await this.ensureLoaded();
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    this.teardown();
    this.setState({ state: 'stopped', qr: null, pairingCode: null, nextRetryAt: null });
    await this.idle();
  }

  /** After the computer wakes from sleep: the old socket is likely dead; open a fresh one now. */
  resume(): void {
    if (!this.running || this.conn.state === 'replaced') return;
    this.log.info('system resumed: reconnecting');
    this.clearTimer();
    this.attempt = 0;
    this.connect();
  }

  status(): ConnectionState {
    return { ...this.conn, me: this.conn.me ? { ...this.conn.me } : null };
  }

  on<E extends ProviderEventName>(event: E, listener: ProviderListener<E>): () => void {
    return this.emitter.on(event, listener);
  }

  /** Resolves once every event received so far has been processed (tests, shutdown). */
  async idle(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.chain;
      await last;
    } while (last !== this.chain);
  }

  /** Sizes of every bounded cache (memory check). */
  cacheStats(): BaileysCacheStats {
    const s = (c: BoundedCache) => ({ size: c.size, max: c.max });
    return {
      seen: s(this.seen),
      sentIds: s(this.sentIds),
      ownIds: s(this.ownIds),
      lidToPn: s(this.lidToPn),
      onWhatsApp: s(this.onWa),
      msgRetryCounter: s(this.msgRetryCounterCache),
      userDevices: s(this.userDevicesCache),
      callOffer: s(this.callOfferCache),
      placeholderResend: s(this.placeholderResendCache),
      signalKeys: s(this.signalKeyCache),
    };
  }

  /** How many sockets were made, and whether one is current (tests: one socket at a time). */
  socketInfo(): { made: number; current: boolean; listeners: number } {
    return { made: this.socketsMade, current: this.sock !== null, listeners: this.listeners.length };
  }

  async logout(): Promise<void> {
    await this.ensureLoaded();
    const sock = this.sock;
    this.clearTimer();
    // Our listeners go first: the 401 close the logout causes is ours, not a disconnect to handle.
    this.detach();
    if (sock) {
      try {
        await withTimeout(sock.logout(), 10_000);
      } catch (err) {
        this.log.warn({ err: errSummary(err) }, 'baileys logout request failed; wiping auth anyway');
      }
    }
    this.teardown();
    this.loggedOut('owner_logout');
  }

  async requestPairingCode(phone: string): Promise<string> {
    const e164 = toE164(phone);
    if (!e164) throw new ProviderError('invalid_recipient', 'not a valid phone number', { retryable: false });
    await this.ensureLoaded();
    if (this.auth!.isPaired() && this.conn.state === 'open') {
      throw new ProviderError('provider', 'already paired', { retryable: false });
    }
    if (!this.running || !this.sock) await this.start();
    await this.waitForPairingReady();
    const sock = this.sock;
    if (!sock) throw new ProviderError('not_connected', 'no socket', { retryable: true });
    const code = await sock.requestPairingCode(e164.replace(/^\+/, ''));
    this.setState({ pairingCode: code });
    return code;
  }

  // ---------------------------------------------------------------- sending

  async sendText(req: SendTextRequest): Promise<SendResult> {
    if (!req.text.trim()) throw new ProviderError('provider', 'empty text', { retryable: false });
    return this.send(req.clientMessageId, req.to, { text: req.text });
  }

  async sendMedia(req: SendMediaRequest): Promise<SendResult> {
    return this.send(req.clientMessageId, req.to, this.mediaContent(req.media, req.kind, req.caption));
  }

  /** Baileys has no approved templates: the rendered text goes as a normal message. */
  async sendTemplate(req: SendTemplateRequest): Promise<SendResult> {
    if (!req.text.trim())
      throw new ProviderError('template_unavailable', 'template has no text', { retryable: false });
    return this.send(req.clientMessageId, req.to, { text: req.text });
  }

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    const id = waMessageId(req.clientMessageId);
    const at = this.sentIds.get<number>(id);
    if (at !== undefined) return { outcome: 'sent', providerMessageId: id, at };
    // The same id makes a resend the same WhatsApp message (capabilities.idempotentResend).
    return { outcome: 'unknown' };
  }

  private mediaContent(
    media: SavedMedia,
    kind: SendMediaRequest['kind'],
    caption?: string,
  ): Record<string, unknown> {
    const url = this.ctx.media.absolute(media.path);
    const cap = caption?.trim() ? { caption } : {};
    switch (kind) {
      case 'image':
        return { image: { url }, mimetype: media.mime, ...cap };
      case 'video':
        return { video: { url }, mimetype: media.mime, ...cap };
      case 'audio':
        return { audio: { url }, mimetype: media.mime, ptt: false };
      case 'document':
        return { document: { url }, mimetype: media.mime, fileName: media.fileName || 'file', ...cap };
      default:
        throw new ProviderError('media_unsupported', `unsupported media kind ${String(kind)}`, {
          retryable: false,
        });
    }
  }

  private async send(
    clientMessageId: string,
    to: { phone: string; jid?: string | null },
    content: Record<string, unknown>,
  ): Promise<SendResult> {
    const sock = this.sock;
    if (!sock || this.conn.state !== 'open') {
      throw new ProviderError('not_connected', `WhatsApp is ${this.conn.state}`, { retryable: true });
    }
    const jid = this.recipientJid(to);
    await this.assertOnWhatsApp(sock, jid);
    const messageId = waMessageId(clientMessageId);
    this.ownIds.set(messageId, 1);
    let sent: WAMessage | undefined;
    try {
      sent = await sock.sendMessage(jid, content as never, { messageId });
    } catch (err) {
      throw this.sendError(err);
    }
    const id = sent?.key?.id ?? messageId;
    const at = this.ctx.clock.now();
    this.sentIds.set(id, at);
    return { providerMessageId: id, status: 'sent', at };
  }

  private recipientJid(to: { phone: string; jid?: string | null }): string {
    if (to.jid && (isPnJid(to.jid) || isLidJid(to.jid))) return to.jid;
    const e164 = toE164(to.phone);
    if (!e164) throw new ProviderError('invalid_recipient', 'not a valid phone number', { retryable: false });
    return toJid('baileys', e164);
  }

  private async assertOnWhatsApp(sock: BaileysSocketLike, jid: string): Promise<void> {
    if (this.opts.checkOnWhatsApp === false || !sock.onWhatsApp || !isPnJid(jid)) return;
    const known = this.onWa.get<boolean>(jid);
    if (known === undefined) {
      let res: { exists: boolean }[] | undefined;
      try {
        res = await sock.onWhatsApp(jid);
      } catch (err) {
        throw this.sendError(err);
      }
      const exists = res ? res.some((r) => r.exists) : null;
      if (exists === null) return; // no answer: let the send itself decide
      this.onWa.set(jid, exists);
      if (!exists)
        throw new ProviderError('not_on_whatsapp', 'number has no WhatsApp account', { retryable: false });
    } else if (!known) {
      throw new ProviderError('not_on_whatsapp', 'number has no WhatsApp account', { retryable: false });
    }
  }

  private sendError(err: unknown): ProviderError {
    if (err instanceof ProviderError) return err;
    const code = disconnectCode(err);
    const message = errSummary(err);
    if (code === 401 || code === 403) {
      return new ProviderError('auth', message, { retryable: true, providerCode: String(code) });
    }
    if (code === 429)
      return new ProviderError('rate_limited', message, { retryable: true, providerCode: '429' });
    if (code !== undefined && code >= 400 && code < 500 && code !== 408 && code !== 428) {
      return new ProviderError('provider', message, { retryable: false, providerCode: String(code) });
    }
    // Connection closed / timed out mid-send: WhatsApp may have it. The same id makes a resend safe.
    return new ProviderError('network', message, {
      retryable: true,
      maybeAccepted: true,
      providerCode: code === undefined ? null : String(code),
    });
  }

  // ---------------------------------------------------------------- socket

  private async ensureLoaded(): Promise<void> {
    if (!this.lib) {
      const l = this.opts.lib;
      this.lib = l === undefined ? await loadBaileysLib() : typeof l === 'function' ? await l() : l;
    }
    this.auth ??= createSqliteAuthState(this.opts.db, this.lib, this.ctx.clock);
    if (this.conn.state === 'not_configured' && this.auth.isPaired()) {
      this.conn = { ...this.conn, me: meOf(this.auth.state.creds.me) };
    }
  }

  private connect(): void {
    const lib = this.lib!;
    const auth = this.auth!;
    this.clearTimer();
    this.teardown();
    const gen = ++this.generation;
    const baileysLog = this.baileysLogger();
    const config: SocketConfig = {
      auth: {
        creds: auth.state.creds,
        keys: lib.makeCacheableSignalKeyStore(auth.state.keys, baileysLog as never, this.signalKeyCache),
      },
      logger: baileysLog as never,
      browser: lib.Browsers.appropriate('Desktop'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      msgRetryCounterCache: this.msgRetryCounterCache,
      userDevicesCache: this.userDevicesCache,
      callOfferCache: this.callOfferCache,
      placeholderResendCache: this.placeholderResendCache,
      shouldIgnoreJid: (jid: string) => isIgnoredJid(jid),
      getMessage: async (key) => {
        if (!key.remoteJid || !key.id) return undefined;
        const found = await this.ctx.lookupMessage(key.remoteJid, key.id);
        return found ? { conversation: found.text } : undefined;
      },
      ...this.opts.socketConfig,
    };
    let sock: BaileysSocketLike;
    try {
      sock = lib.makeWASocket(config);
    } catch (err) {
      this.log.error({ err: errSummary(err) }, 'baileys socket could not be created');
      this.scheduleBackoff({ reason: 'socket_error', delayMs: this.nextBackoff() });
      return;
    }
    this.socketsMade += 1;
    this.sock = sock;
    const on = <T extends keyof BaileysEventMap>(event: T, fn: (arg: BaileysEventMap[T]) => void) => {
      const guarded = (arg: BaileysEventMap[T]) => {
        if (gen !== this.generation) return; // a socket that is no longer current
        fn(arg);
      };
      sock.ev.on(event, guarded);
      this.listeners.push({ event, fn: guarded as (arg: never) => void });
    };
    on('connection.update', (u) => this.onConnectionUpdate(u));
    on('creds.update', (u) => {
      Object.assign(auth.state.creds, u);
      try {
        auth.saveCreds();
      } catch (err) {
        this.log.error({ err: errSummary(err) }, 'baileys creds could not be saved');
      }
    });
    on('messages.upsert', (u) => this.enqueue(() => this.onUpsert(u)));
    on('messages.update', (u) => this.enqueue(() => this.onMessagesUpdate(u)));
    on('message-receipt.update', (u) => this.enqueue(() => this.onReceiptUpdate(u)));
    on('lid-mapping.update', (m) => this.rememberLid(m.lid, m.pn));
    const paired = auth.isPaired();
    this.setState({
      state: 'connecting',
      qr: null,
      pairingCode: null,
      nextRetryAt: null,
      reason: paired ? null : this.pairReason,
      me: paired ? meOf(auth.state.creds.me) : null,
    });
  }

  /** Removes our listeners from the current socket (it stays open). */
  private detach(): void {
    const sock = this.sock;
    if (!sock) return;
    for (const l of this.listeners) sock.ev.off(l.event, l.fn as never);
    this.listeners = [];
  }

  /** Ends the current socket: listeners off, `end()`, then every listener of the events we used. */
  private teardown(): void {
    const sock = this.sock;
    if (!sock) return;
    this.detach();
    this.sock = null;
    this.generation += 1;
    try {
      const r = sock.end(undefined);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => undefined);
    } catch {
      /* already closed */
    }
    for (const e of EVENTS_USED) {
      try {
        sock.ev.removeAllListeners(e);
      } catch {
        /* ignore */
      }
    }
  }

  private onConnectionUpdate(u: BaileysEventMap['connection.update']): void {
    if (u.qr) {
      this.setState({ state: 'qr', qr: u.qr, nextRetryAt: null });
    }
    if (u.connection === 'connecting' && this.conn.state !== 'qr') {
      this.setState({ state: 'connecting', nextRetryAt: null });
    }
    if (u.connection === 'open') {
      this.attempt = 0;
      this.pairReason = null;
      const me = meOf(this.sock?.user ?? this.auth?.state.creds.me);
      this.setState({ state: 'open', qr: null, pairingCode: null, reason: null, nextRetryAt: null, me });
    }
    if (u.connection === 'close') {
      const code = disconnectCode(u.lastDisconnect?.error);
      const decision = decideReconnect(
        code,
        this.attempt,
        this.random(),
        this.opts.backoff ?? DEFAULT_BACKOFF,
      );
      this.log.info(
        { code, decision: decision.action, reason: decision.reason },
        'baileys connection closed',
      );
      this.teardown();
      this.act(decision);
    }
  }

  private act(decision: ReconnectDecision): void {
    if (!this.running) return;
    switch (decision.action) {
      case 'reconnect_now':
        this.attempt = 0;
        this.connect();
        return;
      case 'backoff':
        this.scheduleBackoff(decision);
        return;
      case 'stop_replaced':
        this.setState({
          state: 'replaced',
          qr: null,
          pairingCode: null,
          reason: decision.reason,
          nextRetryAt: null,
        });
        return;
      case 'logged_out':
        this.loggedOut(decision.reason);
        return;
    }
  }

  /** Auth wiped; a fresh socket shows a new QR (the state keeps why pairing was lost). */
  private loggedOut(reason: string): void {
    try {
      this.auth!.wipe();
    } catch (err) {
      this.log.error({ err: errSummary(err) }, 'baileys auth could not be wiped');
    }
    this.pairReason = reason;
    this.setState({ state: 'logged_out', qr: null, pairingCode: null, me: null, reason, nextRetryAt: null });
    if (this.running) {
      this.attempt = 0;
      this.connect();
    }
  }

  private scheduleBackoff(decision: { reason: string; delayMs: number }): void {
    this.attempt += 1;
    const now = this.ctx.clock.now();
    this.setState(
      { state: 'reconnecting', qr: null, reason: decision.reason, nextRetryAt: now + decision.delayMs },
      now,
    );
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) this.connect();
    }, decision.delayMs);
    this.timer.unref?.();
  }

  private nextBackoff(): number {
    const d = decideReconnect(undefined, this.attempt, this.random(), this.opts.backoff ?? DEFAULT_BACKOFF);
    return d.action === 'backoff' ? d.delayMs : 1_000;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private random(): number {
    return (this.opts.random ?? Math.random)();
  }

  private setState(patch: Partial<ConnectionState>, now = this.ctx.clock.now()): void {
    this.conn = { ...this.conn, ...patch, since: now };
    const snapshot = this.status();
    void this.emitter.emit('connection', snapshot);
  }

  private async waitForPairingReady(): Promise<void> {
    const deadline = Date.now() + (this.opts.pairingWaitMs ?? 20_000);
    while (this.conn.state !== 'qr') {
      if (Date.now() > deadline || !this.running) {
        throw new ProviderError('not_connected', 'WhatsApp is not ready for pairing', { retryable: true });
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private baileysLogger(): Logger {
    // Baileys logs keys and stanzas at debug/trace: keep only warnings and errors.
    const level = this.log.isLevelEnabled('warn') ? 'warn' : this.log.level;
    return this.log.child({ module: 'baileys' }, { level });
  }

  // ---------------------------------------------------------------- inbound

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((err: unknown) => {
      this.log.error({ err: errSummary(err) }, 'baileys event handling failed');
    });
  }

  private rememberLid(lid: string | null | undefined, pn: string | null | undefined): void {
    if (!lid || !pn) return;
    const l = jidUser(lid);
    const p = jidUser(pn);
    if (l && p) this.lidToPn.set(l, p);
  }

  /** Phone JID + LID of a chat address, from the alt field, mapping events or Baileys' stored mapping. */
  private peerOf(jid: string, alt: string | null | undefined): WaPeer {
    const lib = this.lib!;
    const norm = lib.jidNormalizedUser(jid) || jid;
    const altNorm = alt ? lib.jidNormalizedUser(alt) || alt : null;
    let pn: string | null = null;
    let lid: string | null = null;
    if (isLidJid(norm)) {
      lid = norm;
      if (altNorm && isPnJid(altNorm)) pn = altNorm;
    } else if (isPnJid(norm)) {
      pn = norm;
      if (altNorm && isLidJid(altNorm)) lid = altNorm;
    } else {
      return { phone: null, jid: norm, lid: null };
    }
    if (pn && lid) {
      this.rememberLid(lid, pn);
    } else if (lid) {
      const lidU = jidUser(lid);
      const pnU = this.lidToPn.get<string>(lidU) ?? this.auth!.pnUserForLidUser(lidU);
      if (pnU) {
        pn = `${pnU}@s.whatsapp.net`;
        this.lidToPn.set(lidU, pnU);
      }
    } else if (pn) {
      const lidU = this.auth!.lidUserForPnUser(jidUser(pn));
      if (lidU) lid = `${lidU}@lid`;
    }
    return { phone: phoneOfPnJid(pn), jid: pn ?? norm, lid };
  }

  private async onUpsert(u: BaileysEventMap['messages.upsert']): Promise<void> {
    const live = u.type === 'notify';
    for (const m of u.messages) {
      const inbound = await this.normalizeInbound(m, live);
      if (inbound) await this.emitter.emit('message', inbound);
    }
  }

  private async normalizeInbound(m: WAMessage, live: boolean): Promise<InboundMessage | null> {
    const lib = this.lib!;
    const key = m.key;
    const remote = key?.remoteJid;
    if (!remote || !key.id || isIgnoredJid(remote)) return null;
    const fromMe = Boolean(key.fromMe);
    // Our own sends echo back (emitOwnEvents): the outbox row already has them.
    if (fromMe && this.ownIds.has(key.id)) return null;
    const dedupe = `${remote}|${key.id}`;
    if (this.seen.has(dedupe)) return null;
    const content = lib.normalizeMessageContent(m.message);
    const parsed = parseContent(content);
    if (!parsed) return null;
    this.seen.set(dedupe, 1);
    const isGroup = isGroupJid(remote);
    const peer = this.peerOf(remote, key.remoteJidAlt);
    const participant = isGroup && key.participant ? this.peerOf(key.participant, key.participantAlt) : null;
    const media: SavedMedia[] = [];
    if (parsed.media) {
      try {
        const stream = await lib.downloadMediaMessage(
          m,
          'stream',
          {},
          {
            logger: this.baileysLogger(),
            reuploadRequest: (msg) => this.reupload(msg),
          },
        );
        media.push(
          await this.ctx.media.save({
            data: stream,
            mime: parsed.media.mime,
            fileName: parsed.media.fileName,
          }),
        );
      } catch (err) {
        this.log.warn({ err: errSummary(err), kind: parsed.kind }, 'whatsapp media could not be downloaded');
      }
    }
    return {
      provider: 'baileys',
      providerMessageId: key.id,
      peer,
      participant,
      profileName: m.pushName ?? null,
      fromMe,
      live,
      isGroup,
      isStatusBroadcast: false,
      kind: parsed.kind,
      text: parsed.text,
      media,
      timestamp: timestampMs(m.messageTimestamp, this.ctx.clock.now()),
    };
  }

  private async reupload(msg: WAMessage): Promise<WAMessage> {
    const sock = this.sock;
    if (!sock?.updateMediaMessage) throw new Error('no socket to re-request media');
    return sock.updateMediaMessage(msg);
  }

  private async onMessagesUpdate(updates: BaileysEventMap['messages.update']): Promise<void> {
    for (const { key, update } of updates) {
      if (!key?.fromMe || !key.id) continue;
      const status = receiptStatusOf(update?.status as number | null | undefined);
      if (!status) continue;
      await this.emitReceipt({
        providerMessageId: key.id,
        peerJid: key.remoteJid ?? null,
        status,
        at: this.ctx.clock.now(),
      });
    }
  }

  private async onReceiptUpdate(updates: BaileysEventMap['message-receipt.update']): Promise<void> {
    for (const { key, receipt } of updates) {
      if (!key?.fromMe || !key.id) continue;
      const r = userReceiptStatus(receipt ?? {});
      if (!r) continue;
      await this.emitReceipt({
        providerMessageId: key.id,
        peerJid: key.remoteJid ?? null,
        status: r.status,
        at: r.at,
      });
    }
  }

  private async emitReceipt(r: Omit<Receipt, 'provider'>): Promise<void> {
    if (r.status !== 'failed') this.sentIds.set(r.providerMessageId, r.at);
    await this.emitter.emit('receipt', { provider: 'baileys', ...r });
  }
}

function meOf(me: { id?: string; name?: string } | null | undefined): ConnectionState['me'] {
  if (!me?.id) return null;
  const user = jidUser(me.id);
  return { phone: /^\d{6,15}$/.test(user) ? toE164(`+${user}`) : null, name: me.name ?? null };
}

function errSummary(err: unknown): string {
  if (err instanceof Error) return err.message.slice(0, 300);
  return String(err).slice(0, 300);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function createBaileysProvider(ctx: ProviderContext, opts: BaileysProviderOptions): BaileysProvider {
  return new BaileysProvider(ctx, opts);
}
