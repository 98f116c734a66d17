/**
 * The one WhatsApp provider interface (SPEC §2). Two providers implement it — Baileys
 * (`whatsapp/baileys/`) and Twilio (`whatsapp/twilio/`) — and the core (outbox, inbound path,
 * API) talks only to this file's types. Both providers emit the same normalized inbound
 * messages, receipts and connection states; nothing outside a provider sees SDK shapes.
 *
 * Stability: other modules build against this file. Add fields/methods; never rename.
 */
import type { Logger } from '../platform/logger';
import type { Clock } from '../platform/clock';

export const PROVIDER_NAMES = ['baileys', 'twilio'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Outbound lifecycle. Only moves forward: queued → sending → sent → delivered → read; or failed. */
export const OUTBOUND_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];
/** Stored status values: outbound ones plus `received` for inbound rows. */
export type MessageStatus = OutboundStatus | 'received';

export const MESSAGE_KINDS = [
  'text',
  'image',
  'document',
  'audio',
  'video',
  'sticker',
  'template',
  'other',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Rank of a status for monotonic updates (a lower rank never replaces a higher one). */
export const STATUS_RANK: Record<MessageStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  received: 0,
};

/**
 * A remote party. `phone` is E.164 (`+972501234567`) when known; `jid` is the provider's
 * chat address (Baileys `972501234567@s.whatsapp.net`, Twilio `whatsapp:+972501234567`);
 * `lid` is Baileys v7's LID (`123456789@lid`) when known.
 */
export interface WaPeer {
  phone: string | null;
  jid: string;
  lid?: string | null;
}

/** A file already saved under the data folder (`wa-media/…`). */
export interface SavedMedia {
  /** Path relative to the data folder, e.g. `wa-media/2026-01/ab12….jpg`. */
  path: string;
  mime: string;
  size: number;
  /** Original file name (documents), if the sender gave one. */
  fileName?: string | null;
}

/** Where providers put inbound media: streamed to disk, size-capped, private file mode. */
export interface MediaSink {
  save(input: {
    data: Buffer | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
    mime: string;
    fileName?: string | null;
  }): Promise<SavedMedia>;
  /** Absolute path of a stored relative media path (for sending). */
  absolute(relPath: string): string;
}

/** One message that arrived (or, with `fromMe`, that the owner sent from the phone). */
export interface InboundMessage {
  provider: ProviderName;
  /** The provider's id of the message (Baileys key.id, Twilio MessageSid). */
  providerMessageId: string;
  /** The remote party (for groups: the group; then `participant` is the sender). */
  peer: WaPeer;
  participant?: WaPeer | null;
  /** WhatsApp profile name (Baileys pushName, Twilio ProfileName). */
  profileName: string | null;
  /** Sent by this account (from another device of the owner). */
  fromMe: boolean;
  /** A live message (Baileys `notify`); false for history/`append` syncs. Only live ones notify/auto-reply. */
  live: boolean;
  isGroup: boolean;
  /** Status broadcast (`status@broadcast`): stored never, replied never. */
  isStatusBroadcast: boolean;
  kind: MessageKind;
  /** Text body or media caption ('' if none). */
  text: string;
  /** Saved media (Twilio may carry several; Baileys one). */
  media: SavedMedia[];
  /** When the provider says it was sent (epoch ms). */
  timestamp: number;
}

/** Delivery receipts from the provider. Receivers apply them monotonically. */
export interface Receipt {
  provider: ProviderName;
  providerMessageId: string;
  /** The chat, when the provider reports it (Baileys does; Twilio gives `To`). */
  peerJid?: string | null;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  at: number;
  /** Provider error code on failed/undelivered (Twilio ErrorCode, e.g. '63016'). */
  errorCode?: string | null;
  errorMessage?: string | null;
  /** Our client message id when the provider echoes it (Twilio status callback `cid`). */
  clientMessageId?: string | null;
}

export const CONNECTION_STATES = [
  /** Provider lacks its keys/number (Twilio) or was never paired (Baileys, before QR). */
  'not_configured',
  'connecting',
  /** Baileys waits for the QR to be scanned (`qr` set) or a pairing code entered. */
  'qr',
  'open',
  /** Dropped; a reconnect is scheduled at `nextRetryAt`. */
  'reconnecting',
  /** Session opened elsewhere (440): stopped until the owner acts. */
  'replaced',
  /** Logged out (401/403): auth wiped, a new QR follows on connect. */
  'logged_out',
  'stopped',
  'error',
] as const;
export type ConnectionStateName = (typeof CONNECTION_STATES)[number];

export interface ConnectionState {
  provider: ProviderName;
  state: ConnectionStateName;
  /** Current QR string (render as an image) while `state === 'qr'`. */
  qr: string | null;
  /** Pairing code after `requestPairingCode`, while pairing. */
  pairingCode: string | null;
  /** Our own account, once known. */
  me: { phone: string | null; name: string | null } | null;
  /** Machine reason (disconnect code name, missing key …), never shown raw. */
  reason: string | null;
  nextRetryAt: number | null;
  since: number;
}

/** The recipient of an outbound message. */
export interface Recipient {
  /** E.164. */
  phone: string;
  /** Provider chat address if known (Baileys may have a LID chat). */
  jid?: string | null;
}

interface SendBase {
  /**
   * Our idempotency key (the outbox row's `client_id`, 16+ url-safe chars). Baileys uses it as
   * the WhatsApp message id (so a resend is the same message); Twilio echoes it in the status
   * callback URL and `reconcile` searches for it.
   */
  clientMessageId: string;
  to: Recipient;
}
export interface SendTextRequest extends SendBase {
  text: string;
}
export interface SendMediaRequest extends SendBase {
  media: SavedMedia;
  kind: 'image' | 'document' | 'audio' | 'video';
  caption?: string;
}
export interface SendTemplateRequest extends SendBase {
  /** Twilio Content SID (`HX…`). */
  contentSid: string;
  /** Content variables, keys '1', '2' … */
  variables: Record<string, string>;
  /** The rendered text, for providers without templates and for the thread. */
  text: string;
}
export interface SendResult {
  providerMessageId: string;
  /** What the provider confirmed synchronously ('sent' = accepted by the server). */
  status: 'sent';
  at: number;
}

/** What the outbox tells `reconcile` about a message that was `sending` when the process died. */
export interface ReconcileRequest {
  clientMessageId: string;
  to: Recipient;
  kind: MessageKind;
  text: string;
  /** When the send attempt started (the row's `sending_at`). */
  since: number;
}
/**
 * `sent`: the provider has it (do not resend). `not_sent`: it certainly does not (safe to
 * resend). `unknown`: cannot tell — the outbox resends only if the provider's ids make a
 * resend idempotent (`capabilities.idempotentResend`), else marks it failed 'unknown_delivery'.
 */
export type ReconcileResult =
  | { outcome: 'sent'; providerMessageId: string; at: number }
  | { outcome: 'not_sent' }
  | { outcome: 'unknown' };

/** Stable error codes a provider throws (as `ProviderError`). */
export const PROVIDER_ERROR_CODES = [
  'not_connected',
  'not_configured',
  /** Outside the 24-hour window: only a template may be sent (Twilio 63016). */
  'outside_window',
  'invalid_recipient',
  'not_on_whatsapp',
  'media_unsupported',
  'media_too_large',
  'template_unavailable',
  'rate_limited',
  'auth',
  'network',
  'provider',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly opts: {
      /** Worth trying again later (network, rate limit, not connected). */
      retryable: boolean;
      /** The request may have reached the provider (timeout after sending): reconcile before resending. */
      maybeAccepted?: boolean;
      /** The provider's own code (Twilio '63016', HTTP status …). */
      providerCode?: string | null;
      /** Ask the outbox to wait at least this long before the next try. */
      retryAfterMs?: number | null;
    } = { retryable: false },
  ) {
    super(message);
    this.name = 'ProviderError';
  }
  get retryable(): boolean {
    return this.opts.retryable;
  }
}

export interface ProviderCapabilities {
  /** Approved templates (Twilio Content API). */
  templates: boolean;
  /** Free text only within 24 h of the contact's last inbound (Twilio / Cloud API). */
  window24h: boolean;
  /** Resending with the same `clientMessageId` cannot make a second visible message. */
  idempotentResend: boolean;
  /** QR / pairing code login (Baileys). */
  qrLogin: boolean;
}

export interface TemplateInfo {
  contentSid: string;
  name: string;
  language: string;
  /** Body with {{1}} placeholders. */
  body: string;
  variables: string[];
  /** WhatsApp approval: only approved templates can be sent outside the window. */
  approval: 'approved' | 'pending' | 'rejected' | 'unsubmitted' | 'unknown';
}

export interface ProviderEventMap {
  message: InboundMessage;
  receipt: Receipt;
  connection: ConnectionState;
}
export type ProviderEventName = keyof ProviderEventMap;
export type ProviderListener<E extends ProviderEventName> = (
  payload: ProviderEventMap[E],
) => void | Promise<void>;

export interface WhatsAppProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  /** Connect (Baileys socket) / check configuration (Twilio). Never throws for a recoverable state. */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ConnectionState;
  sendText(req: SendTextRequest): Promise<SendResult>;
  sendMedia(req: SendMediaRequest): Promise<SendResult>;
  sendTemplate(req: SendTemplateRequest): Promise<SendResult>;
  /** After a crash in `sending`: does the provider already have this message? */
  reconcile(req: ReconcileRequest): Promise<ReconcileResult>;
  /** Subscribe; returns the unsubscribe. Listeners may be async: the provider awaits them (store before ack). */
  on<E extends ProviderEventName>(event: E, listener: ProviderListener<E>): () => void;
  /** Templates the account can send (Twilio); [] where none. */
  listTemplates?(): Promise<TemplateInfo[]>;
  /** Baileys: ask for a pairing code for this E.164 number instead of a QR. */
  requestPairingCode?(phone: string): Promise<string>;
  /** Baileys: log out and wipe the auth state. */
  logout?(): Promise<void>;
}

/** What the core gives a provider factory. */
export interface ProviderContext {
  clock: Clock;
  log: Logger;
  media: MediaSink;
  /** Baileys `getMessage`: the stored text of one of our messages, by chat and id. */
  lookupMessage(peerJid: string, providerMessageId: string): Promise<{ text: string } | null>;
}

/** Small typed emitter both providers may use for `on`. Awaits async listeners; one failing listener is logged, not thrown. */
export class ProviderEmitter {
  private readonly listeners: { [E in ProviderEventName]: Set<ProviderListener<E>> } = {
    message: new Set(),
    receipt: new Set(),
    connection: new Set(),
  };

  constructor(private readonly log?: Logger) {}

  on<E extends ProviderEventName>(event: E, listener: ProviderListener<E>): () => void {
    const set = this.listeners[event] as Set<ProviderListener<E>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  async emit<E extends ProviderEventName>(event: E, payload: ProviderEventMap[E]): Promise<void> {
    const set = this.listeners[event] as Set<ProviderListener<E>>;
    for (const l of [...set]) {
      try {
        await l(payload);
      } catch (err) {
        this.log?.error({ err, event }, 'whatsapp provider listener failed');
      }
    }
  }

  clear(): void {
    for (const s of Object.values(this.listeners)) s.clear();
  }
}

/** Phone (E.164) → chat address for a provider. */
export const toJid = (provider: ProviderName, phone: string): string =>
  provider === 'twilio' ? `whatsapp:${phone}` : `${phone.replace(/^\+/, '')}@s.whatsapp.net`;
