/**
 * The outbox worker (SPEC §2): every outgoing message is a `queued` row first; this worker
 * sends them one at a time through the ACTIVE provider at a safe pace (a jittered gap of a few
 * seconds, per-minute and per-day caps), oldest first and in order within each chat, retries
 * with backoff and ends `failed` with the reason after the last try.
 *
 * Crash safety — the rule, honestly:
 * - A row is committed `sending` (attempts + 1, sending_at) BEFORE the provider call, and
 *   `sent` with the provider id right after it returns. So after a crash, `sending` rows are
 *   exactly those whose call may or may not have reached the provider; no other row can have.
 * - On start (and for a send whose outcome was unclear, e.g. a timeout) the provider is asked
 *   (`reconcile`) whether it has the message: Baileys sends with our `client_id` as the WhatsApp
 *   message id (a resend is the same message, so it may resend); Twilio has no idempotency key
 *   for Messages, so its provider searches the account's messages to that recipient since the
 *   attempt began for our body. `sent` → marked sent, never resent; `not_sent` → queued again;
 *   `unknown` → resent only if the provider's resend is idempotent, otherwise `failed`
 *   ('unknown_delivery') for the owner to check — we choose "never twice" over "always once".
 *   A reconcile that errors (network) is retried later; the chat waits behind it.
 * - Receipts and sent-marks only move forward (store.applyReceipt / markSent).
 * Net: exactly once whenever the provider can answer reconcile; at most once otherwise.
 */
import type { Logger } from '../platform/logger';
import type { Clock } from '../platform/clock';
import type { WaErrorCode } from './types';
import { ProviderError, type ProviderName, type SendResult, type WhatsAppProvider } from './provider';
import type { MessageRow, WaStore } from './store';

export interface OutboxPace {
  perMinute: number;
  perDay: number;
}

export interface OutboxOptions {
  store: WaStore;
  clock: Clock;
  log: Logger;
  /** The provider sends go through now (read at every send: a switch applies to what is queued). */
  activeProvider(): WhatsAppProvider;
  /** A provider by name (reconciling a row sent through the previous provider). */
  provider(name: ProviderName): WhatsAppProvider | undefined;
  pace(): OutboxPace;
  /** Absolute path of a stored media file. */
  mediaPath(rel: string): string;
  /** A row changed state (events, inbox). */
  onChange?(row: MessageRow): void;
  /** Refuse a row at send time (e.g. the 24-hour window closed meanwhile). */
  check?(row: MessageRow, provider: WhatsAppProvider): WaErrorCode | null;
  /** Jittered gap between two sends, ms (default 2–5 s). */
  gapMs?: [number, number];
  /** Wait before attempt n+1 (ms, jittered ±20%); its length is the number of retries. */
  backoffMs?: number[];
  /** A `sending` row older than this with the worker idle is reconciled (an unclear outcome). */
  reconcileAfterMs?: number;
  /** How the worker waits; tests make time fly. Resolves early on `wake()`. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  random?(): number;
}

const DEFAULT_BACKOFF = [10_000, 60_000, 5 * 60_000, 30 * 60_000];
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const realSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class OutboxWorker {
  private running = false;
  private stopped = false;
  private wakeCtl = new AbortController();
  private loop?: Promise<void>;
  /** Send start times within the last day (pace caps), oldest first. */
  private sent: number[] | null = null;
  private inFlight: number | null = null;
  private readonly gap: [number, number];
  private readonly backoff: number[];
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  /** Scheduling overhead (ms) per message: claim + bookkeeping, excluding the provider call. */
  readonly overheadMs: number[] = [];

  constructor(private readonly o: OutboxOptions) {
    this.gap = o.gapMs ?? [2000, 5000];
    this.backoff = o.backoffMs ?? DEFAULT_BACKOFF;
    this.sleep = o.sleep ?? realSleep;
    this.random = o.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loop = this.run().catch((err) => this.o.log.error({ err }, 'whatsapp outbox stopped on an error'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    this.running = false;
  }

  /** Sends started within the last 24 hours (the per-day cap's count). */
  sentInLastDay(): number {
    const since = this.o.clock.now() - DAY;
    return (this.sent ?? []).filter((t) => t >= since).length;
  }

  /** Something was queued or a provider connected: look again now. */
  wake(): void {
    this.wakeCtl.abort();
  }

  private async nap(ms: number): Promise<void> {
    if (this.stopped) return;
    if (this.wakeCtl.signal.aborted) this.wakeCtl = new AbortController();
    await this.sleep(ms, this.wakeCtl.signal);
    if (this.wakeCtl.signal.aborted) this.wakeCtl = new AbortController();
  }

  private async run(): Promise<void> {
    const { clock, store } = this.o;
    await this.reconcileSending(true);
    this.sent = store.sendTimesSince(clock.now() - DAY);
    while (!this.stopped) {
      const t0 = clock.monotonic();
      const now = clock.now();
      await this.reconcileSending(false);
      const paceWait = this.paceWait(now);
      if (paceWait > 0) {
        await this.nap(paceWait);
        continue;
      }
      const provider = this.o.activeProvider();
      const row = store.due(now)[0];
      if (!row) {
        const next = store.nextWakeAt();
        await this.nap(next == null ? MINUTE : Math.min(MINUTE, Math.max(50, next - now)));
        continue;
      }
      if (provider.status().state !== 'open') {
        // Not connected: nothing is claimed (no attempt used); a connection change wakes us.
        await this.nap(5000);
        continue;
      }
      const refusal = this.o.check?.(row, provider) ?? null;
      if (refusal) {
        const f = store.fail(row.id, refusal, null);
        if (f) this.o.onChange?.(f);
        continue;
      }
      const claimed = store.claim(row.id, provider.name, now);
      if (!claimed) continue;
      this.sent!.push(now);
      this.o.onChange?.(claimed);
      this.overheadMs.push(clock.monotonic() - t0);
      if (this.overheadMs.length > 10_000) this.overheadMs.splice(0, 5000);
      this.inFlight = claimed.id;
      await this.sendOne(claimed, provider);
      this.inFlight = null;
      const [lo, hi] = this.gap;
      await this.nap(lo + this.random() * (hi - lo));
    }
  }

  /** How long until the caps allow one more send (0 = now). */
  private paceWait(now: number): number {
    const sent = this.sent!;
    while (sent.length && sent[0]! < now - DAY) sent.shift();
    const { perMinute, perDay } = this.o.pace();
    if (sent.length >= perDay) return sent[sent.length - perDay]! + DAY - now;
    let inMinute = 0;
    for (let i = sent.length - 1; i >= 0 && sent[i]! > now - MINUTE; i--) inMinute++;
    if (inMinute >= perMinute) return sent[sent.length - perMinute]! + MINUTE - now + 1;
    return 0;
  }

  private async sendOne(row: MessageRow, provider: WhatsAppProvider): Promise<void> {
    const { store, clock, log } = this.o;
    let result: SendResult;
    try {
      result = await this.call(row, provider);
    } catch (err) {
      const pe =
        err instanceof ProviderError
          ? err
          : new ProviderError('network', err instanceof Error ? err.message : String(err), {
              retryable: true,
              maybeAccepted: true,
            });
      if (pe.opts.maybeAccepted) {
        // The provider may have it: leave it `sending`; reconcile decides (never a blind resend).
        log.warn({ id: row.id, code: pe.code }, 'whatsapp send outcome unclear; will reconcile');
        return;
      }
      const retries = this.backoff.length;
      if (pe.retryable && row.attempts <= retries) {
        const base = Math.max(
          pe.opts.retryAfterMs ?? 0,
          this.backoff[row.attempts - 1] ?? this.backoff.at(-1)!,
        );
        const next = clock.now() + Math.round(base * (0.8 + 0.4 * this.random()));
        const r = store.requeue(row.id, next, pe.code, pe.opts.providerCode ?? null);
        log.info(
          { id: row.id, attempt: row.attempts, code: pe.code, next },
          'whatsapp send failed; retry later',
        );
        if (r) this.o.onChange?.(r);
      } else {
        const f = store.fail(row.id, pe.code as WaErrorCode, pe.opts.providerCode ?? null);
        log.warn({ id: row.id, attempts: row.attempts, code: pe.code }, 'whatsapp send failed for good');
        if (f) this.o.onChange?.(f);
      }
      return;
    }
    const s = store.markSent(row.id, result.providerMessageId, result.at);
    if (s) this.o.onChange?.(s);
  }

  private call(row: MessageRow, provider: WhatsAppProvider): Promise<SendResult> {
    const to = { phone: row.peer, jid: row.chat_jid };
    const base = { clientMessageId: row.client_id!, to };
    if (row.template_sid)
      return provider.sendTemplate({
        ...base,
        contentSid: row.template_sid,
        variables: row.template_vars ? (JSON.parse(row.template_vars) as Record<string, string>) : {},
        text: row.body,
      });
    if (row.media_path && row.media_mime) {
      const kind =
        row.type === 'image' || row.type === 'audio' || row.type === 'video' ? row.type : 'document';
      return provider.sendMedia({
        ...base,
        kind,
        media: {
          path: row.media_path,
          mime: row.media_mime,
          size: row.media_size ?? 0,
          fileName: row.media_name,
        },
        caption: row.body || undefined,
      });
    }
    return provider.sendText({ ...base, text: row.body });
  }

  /**
   * `sending` rows: at start all of them (a crash left them); later only those older than
   * reconcileAfterMs that are not the one in flight (an unclear outcome).
   */
  private async reconcileSending(atStart: boolean): Promise<void> {
    const { store, clock, log } = this.o;
    const now = clock.now();
    const after = this.o.reconcileAfterMs ?? 30_000;
    for (const row of store.sendingRows()) {
      if (row.id === this.inFlight) continue;
      if (!atStart && (row.sending_at ?? 0) > now - after) continue;
      if (row.provider_message_id) {
        const s = store.markSent(row.id, row.provider_message_id, row.sending_at ?? now);
        if (s) this.o.onChange?.(s);
        continue;
      }
      const provider = this.o.provider(row.provider);
      if (!provider) continue;
      let outcome;
      try {
        outcome = await provider.reconcile({
          clientMessageId: row.client_id!,
          to: { phone: row.peer, jid: row.chat_jid },
          kind: row.type,
          text: row.body,
          since: row.sending_at ?? row.created_at,
        });
      } catch (err) {
        log.warn({ err, id: row.id }, 'whatsapp reconcile failed; will try again');
        continue;
      }
      let changed: MessageRow | undefined;
      if (outcome.outcome === 'sent') changed = store.markSent(row.id, outcome.providerMessageId, outcome.at);
      else if (outcome.outcome === 'not_sent' || provider.capabilities.idempotentResend)
        changed = store.requeue(row.id, now, null, null);
      else changed = store.fail(row.id, 'unknown_delivery', null);
      log.info(
        { id: row.id, outcome: outcome.outcome, status: changed?.status },
        'whatsapp message reconciled',
      );
      if (changed) this.o.onChange?.(changed);
    }
  }
}
