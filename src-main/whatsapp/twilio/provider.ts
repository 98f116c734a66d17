/**
 * Twilio WhatsApp provider: sends through the twilio SDK's Messages API (`from: whatsapp:+…`,
 * body, mediaUrl, approved templates with contentSid + contentVariables, statusCallback to our
 * public URL carrying our client id), lists Content templates, and turns the signed webhooks
 * (`twilio/webhooks.ts`) into the normalized inbound messages and receipts of provider.ts.
 *
 * Media to Twilio: Twilio fetches `mediaUrl` itself, so a file is offered at a short-lived
 * signed URL of our public server (`/media/whatsapp/<token>`, HMAC, 2 hours) — see media-url.ts.
 */
import type { Twilio } from 'twilio';
import type { TwilioCredentials } from '../../platform/twilio-rest';
import { createTwilioClient } from '../../platform/twilio-rest';
import { toE164 } from '../../platform/phone';
import type { Logger } from '../../platform/logger';
import type { Clock } from '../../platform/clock';
import {
  ProviderEmitter,
  ProviderError,
  type ConnectionState,
  type InboundMessage,
  type MediaSink,
  type MessageKind,
  type ProviderEventName,
  type ProviderListener,
  type Receipt,
  type ReconcileRequest,
  type ReconcileResult,
  type SavedMedia,
  type SendMediaRequest,
  type SendResult,
  type SendTemplateRequest,
  type SendTextRequest,
  type TemplateInfo,
  type WhatsAppProvider,
} from '../provider';

export interface TwilioWhatsAppDeps {
  credentials(): TwilioCredentials;
  /** Our WhatsApp sender, E.164 (Settings over TWILIO_WHATSAPP_FROM). */
  from(): string | null;
  /** The public base URL Twilio reaches us at (`https://host`), or undefined. */
  publicBase(): string | undefined;
  /** A public, signed, short-lived URL of an outbound message's media file (Twilio fetches it). */
  mediaUrl(clientMessageId: string): string | null;
  /** Where inbound media may be fetched from with the account's credentials. */
  isAllowedMediaUrl(url: string): boolean;
  media: MediaSink;
  clock: Clock;
  log: Logger;
  timeoutMs?: number;
}

/** Twilio's message statuses → our receipt (null = not a receipt worth applying). */
const STATUS_MAP: Record<string, Receipt['status'] | null> = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: null,
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
  receiving: null,
  received: null,
  canceled: 'failed',
};

export interface TwilioInboundParams {
  MessageSid: string;
  From: string;
  To: string;
  Body?: string;
  NumMedia?: string;
  ProfileName?: string;
  WaId?: string;
  media: Array<{ url: string; contentType: string }>;
}

export interface TwilioStatusParams {
  MessageSid: string;
  MessageStatus: string;
  To?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
  cid?: string | null;
}

const kindOfMime = (mime: string): MessageKind => {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'document';
};

export class TwilioWhatsAppProvider implements WhatsAppProvider {
  readonly name = 'twilio' as const;
  readonly capabilities = { templates: true, window24h: true, idempotentResend: false, qrLogin: false };
  private readonly emitter: ProviderEmitter;
  private client: { key: string; client: Twilio } | null = null;
  private last: ConnectionState;

  constructor(private readonly d: TwilioWhatsAppDeps) {
    this.emitter = new ProviderEmitter(d.log);
    this.last = this.compute();
  }

  on<E extends ProviderEventName>(event: E, listener: ProviderListener<E>): () => void {
    return this.emitter.on(event, listener);
  }

  async start(): Promise<void> {
    this.refresh();
  }
  async stop(): Promise<void> {
    this.client = null;
  }

  private compute(): ConnectionState {
    const c = this.d.credentials();
    const from = this.d.from();
    const ok = !!c.accountSid && !!c.authToken && !!from;
    return {
      provider: 'twilio',
      state: ok ? 'open' : 'not_configured',
      qr: null,
      pairingCode: null,
      me: from ? { phone: from, name: null } : null,
      reason: ok ? null : !c.accountSid || !c.authToken ? 'no_twilio_keys' : 'no_whatsapp_sender',
      nextRetryAt: null,
      since: this.last?.since ?? this.d.clock.now(),
    };
  }

  /** Keys or the sender changed: recompute and tell listeners if the state moved. */
  refresh(): void {
    const next = this.compute();
    if (
      next.state !== this.last.state ||
      next.reason !== this.last.reason ||
      next.me?.phone !== this.last.me?.phone
    ) {
      this.last = { ...next, since: this.d.clock.now() };
      void this.emitter.emit('connection', this.last);
    }
  }

  status(): ConnectionState {
    const next = this.compute();
    if (next.state !== this.last.state || next.reason !== this.last.reason) this.refresh();
    return this.last;
  }

  private async sdk(): Promise<Twilio> {
    const creds = this.d.credentials();
    const key = `${creds.accountSid}:${creds.authToken}:${creds.apiBaseUrl}`;
    if (this.client?.key === key) return this.client.client;
    const client = await createTwilioClient(creds, { timeoutMs: this.d.timeoutMs ?? 15_000 });
    if (!client) throw new ProviderError('not_configured', 'Twilio keys missing', { retryable: true });
    this.client = { key, client };
    return client;
  }

  private fromAddress(): string {
    const from = this.d.from();
    if (!from) throw new ProviderError('not_configured', 'no WhatsApp sender number', { retryable: true });
    return `whatsapp:${from}`;
  }

  private statusCallback(clientMessageId: string): string | undefined {
    const base = this.d.publicBase();
    return base ? `${base}/webhook/whatsapp/status?cid=${encodeURIComponent(clientMessageId)}` : undefined;
  }

  private async create(
    req: { clientMessageId: string; to: { phone: string } },
    fields: { body?: string; mediaUrl?: string[]; contentSid?: string; contentVariables?: string },
  ): Promise<SendResult> {
    const client = await this.sdk();
    const statusCallback = this.statusCallback(req.clientMessageId);
    try {
      const m = await client.messages.create({
        from: this.fromAddress(),
        to: `whatsapp:${req.to.phone}`,
        ...fields,
        ...(statusCallback ? { statusCallback } : {}),
      });
      return { providerMessageId: m.sid, status: 'sent', at: this.d.clock.now() };
    } catch (err) {
      throw mapTwilioError(err);
    }
  }

  sendText(req: SendTextRequest): Promise<SendResult> {
    return this.create(req, { body: req.text });
  }

  sendMedia(req: SendMediaRequest): Promise<SendResult> {
    const url = this.d.mediaUrl(req.clientMessageId);
    if (!url) throw new ProviderError('not_configured', 'no public address for media', { retryable: true });
    return this.create(req, { mediaUrl: [url], ...(req.caption ? { body: req.caption } : {}) });
  }

  sendTemplate(req: SendTemplateRequest): Promise<SendResult> {
    return this.create(req, { contentSid: req.contentSid, contentVariables: JSON.stringify(req.variables) });
  }

  /**
   * Twilio's Messages API has no idempotency key: look for a message from our sender to this
   * recipient created since the attempt began with our body (templates: any such message).
   */
  async reconcile(req: ReconcileRequest): Promise<ReconcileResult> {
    const client = await this.sdk();
    let list;
    try {
      list = await client.messages.list({
        to: `whatsapp:${req.to.phone}`,
        from: this.fromAddress(),
        limit: 50,
      });
    } catch (err) {
      throw mapTwilioError(err);
    }
    const since = req.since - 5000;
    const match = list.find(
      (m) =>
        (m.dateCreated ? m.dateCreated.getTime() >= since : true) &&
        (req.kind === 'template' || (m.body ?? '') === req.text),
    );
    return match
      ? {
          outcome: 'sent',
          providerMessageId: match.sid,
          at: match.dateCreated?.getTime() ?? this.d.clock.now(),
        }
      : { outcome: 'not_sent' };
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    const client = await this.sdk();
    let items;
    try {
      items = await client.content.v1.contentAndApprovals.list({ limit: 200 });
    } catch (err) {
      throw mapTwilioError(err);
    }
    return items.map((c) => {
      const types = (c.types ?? {}) as Record<string, { body?: string } | undefined>;
      const body = types['twilio/text']?.body ?? Object.values(types).find((t) => t?.body)?.body ?? '';
      const approval = (c.approvalRequests as { status?: string } | undefined)?.status ?? 'unknown';
      return {
        contentSid: c.sid,
        name: c.friendlyName ?? c.sid,
        language: c.language ?? '',
        body,
        variables: Object.keys((c.variables ?? {}) as Record<string, unknown>),
        approval: (['approved', 'pending', 'rejected', 'unsubmitted'].includes(approval)
          ? approval
          : 'unknown') as TemplateInfo['approval'],
      };
    });
  }

  // Webhooks → normalized events ---------------------------------------------------------------

  /** A signed inbound webhook: downloads media with the account's credentials, then emits. */
  async handleInbound(p: TwilioInboundParams): Promise<void> {
    const phone = toE164(p.From);
    const saved: SavedMedia[] = [];
    for (const m of p.media) {
      const s = await this.download(m.url, m.contentType);
      if (s) saved.push(s);
    }
    const first = p.media[0];
    const msg: InboundMessage = {
      provider: 'twilio',
      providerMessageId: p.MessageSid,
      peer: { phone, jid: p.From },
      profileName: p.ProfileName?.trim() || null,
      fromMe: false,
      live: true,
      isGroup: false,
      isStatusBroadcast: false,
      kind: first ? kindOfMime(first.contentType) : 'text',
      text: p.Body ?? '',
      media: saved,
      timestamp: this.d.clock.now(),
    };
    await this.emitter.emit('message', msg);
  }

  async handleStatus(p: TwilioStatusParams): Promise<void> {
    const status = STATUS_MAP[p.MessageStatus];
    if (!status) return;
    await this.emitter.emit('receipt', {
      provider: 'twilio',
      providerMessageId: p.MessageSid,
      peerJid: p.To ?? null,
      status,
      at: this.d.clock.now(),
      errorCode: p.ErrorCode || null,
      errorMessage: p.ErrorMessage || null,
      clientMessageId: p.cid ?? null,
    });
  }

  private async download(url: string, contentType: string): Promise<SavedMedia | null> {
    if (!this.d.isAllowedMediaUrl(url)) {
      this.d.log.warn('whatsapp inbound media from a host that is not Twilio: not fetched');
      return null;
    }
    const c = this.d.credentials();
    if (!c.accountSid || !c.authToken) return null;
    const auth = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;
    try {
      // Twilio answers with a redirect to its media store: follow it, but send the credentials
      // only to the Twilio URL itself (fetch drops Authorization on a cross-origin redirect).
      const res = await fetch(url, {
        headers: { authorization: auth },
        redirect: 'follow',
        signal: AbortSignal.timeout(this.d.timeoutMs ?? 15_000),
      });
      if (!res.ok || !res.body) {
        this.d.log.warn({ status: res.status }, 'whatsapp inbound media download failed');
        return null;
      }
      const mime = res.headers.get('content-type') || contentType;
      return await this.d.media.save({ data: res.body as unknown as AsyncIterable<Uint8Array>, mime });
    } catch (err) {
      this.d.log.warn({ err }, 'whatsapp inbound media download failed');
      return null;
    }
  }
}

/** Twilio's REST errors → provider errors (retryable or not, could it have been accepted). */
export function mapTwilioError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { status?: number; code?: number | string; message?: string };
  const code = e.code != null ? String(e.code) : null;
  const msg = e.message ?? 'twilio error';
  if (typeof e.status === 'number') {
    const providerCode = code ?? String(e.status);
    if (code === '63016') return new ProviderError('outside_window', msg, { retryable: false, providerCode });
    if (['21211', '21614', '63003', '21610'].includes(code ?? ''))
      return new ProviderError('invalid_recipient', msg, { retryable: false, providerCode });
    if (['63007', '21606', '21659'].includes(code ?? ''))
      return new ProviderError('not_configured', msg, { retryable: false, providerCode });
    if (['63018', '63017'].includes(code ?? '') || e.status === 429 || code === '20429')
      return new ProviderError('rate_limited', msg, { retryable: true, providerCode, retryAfterMs: 60_000 });
    if (e.status === 401 || e.status === 403)
      return new ProviderError('auth', msg, { retryable: false, providerCode });
    if (e.status >= 500) return new ProviderError('provider', msg, { retryable: true, providerCode });
    return new ProviderError('provider', msg, { retryable: false, providerCode });
  }
  // No HTTP answer. Refused/unreachable before sending: not accepted. Timed out/reset after
  // sending: Twilio may have it — the outbox reconciles before any resend.
  const sysCode = code ?? (err as { cause?: { code?: string } }).cause?.code ?? '';
  const before = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(sysCode);
  return new ProviderError('network', msg, {
    retryable: true,
    maybeAccepted: !before,
    providerCode: sysCode || null,
  });
}
