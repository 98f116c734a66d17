/**
 * The WhatsApp service: the active provider (Settings over WHATSAPP_PROVIDER), the inbound
 * path (contact → customer/lead through the port → stored once → event + owner notification),
 * receipts (monotonic), sending (validated, written `queued`, handed to the outbox worker) and
 * the inbox reads. Providers are reached only through provider.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { WA_MEDIA_LIMITS, waMediaKindOf, type WaMediaKind } from '../api/contract/whatsapp';
import { ApiError, badInput, notFound } from '../api/errors';
import type { EventBus } from '../api/events';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import { formatPhone } from '../platform/phone';
import type { SettingsStore } from '../platform/settings';
import type { WaConnection, WaConversation, WaErrorCode, WaMessage, WaSettings } from './types';
import { OutboxWorker, type OutboxOptions } from './outbox';
import {
  PROVIDER_NAMES,
  type InboundMessage,
  type ProviderName,
  type Receipt,
  type TemplateInfo,
  type WhatsAppProvider,
} from './provider';
import { toMessage, type ContactRow, type MessageRow, type WaStore } from './store';
import type { FileMediaSink } from './media';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const WA_SETTINGS_KEY = 'whatsapp';

const settingsSchema = z
  .object({
    provider: z.enum(PROVIDER_NAMES).optional(),
    perMinute: z.number().int().min(1).max(60).default(20),
    perDay: z.number().int().min(1).max(10_000).default(1000),
    twilioFrom: z.string().nullable().default(null),
    handoverMinutes: z.number().int().min(1).default(60),
  })
  .default({ perMinute: 20, perDay: 1000, twilioFrom: null, handoverMinutes: 60 });
type StoredSettings = z.output<typeof settingsSchema>;

/** The CRM as WhatsApp sees it: small ports the core hands in (no CRM internals). */
export interface WaCustomers {
  /** The customer with this E.164 phone, or a new lead with source 'whatsapp'. */
  findOrCreateByPhone(e164: string): { id: number; name: string; created: boolean };
  nameOf(customerId: number): string | null;
  /** Names of several customers at once (the inbox page); missing ids are left out. */
  namesOf?(customerIds: number[]): Map<number, string>;
  /** A customer's phone (E.164), null when none; undefined when no such customer. */
  phoneOf(customerId: number): Promise<string | null | undefined>;
  /** Customer ids matching a search (name, phone, email, tag). */
  search(q: string): Promise<number[]>;
}

export interface WhatsAppServiceDeps {
  store: WaStore;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  notifier: Notifier;
  settings: SettingsStore;
  customers: WaCustomers;
  providers: Partial<Record<ProviderName, WhatsAppProvider>>;
  defaultProvider: ProviderName;
  envTwilioFrom?: string;
  media: FileMediaSink;
  /** Twilio has its keys (for provider.get `configured`). */
  twilioConfigured(): boolean;
  /** Only a provider that was linked before (or the owner asks) is started (Baileys). */
  shouldAutostart(name: ProviderName): boolean;
  outbox?: Partial<Pick<OutboxOptions, 'gapMs' | 'backoffMs' | 'sleep' | 'random' | 'reconcileAfterMs'>>;
  /** A live inbound message inside the window (AI auto-reply hook). */
  onLiveInbound?(m: { contact: ContactRow; message: MessageRow }): void;
}

type Content =
  | { kind: 'text'; text: string }
  | { kind: 'media'; mediaKind: WaMediaKind; name: string; mime: string; bytes: Buffer; caption: string }
  | { kind: 'template'; contentSid: string; variables: Record<string, string> };

export class WhatsAppService {
  readonly outbox: OutboxWorker;
  private readonly unsub: Array<() => void> = [];
  private templates = new Map<string, TemplateInfo>();
  private started = new Set<ProviderName>();

  constructor(private readonly d: WhatsAppServiceDeps) {
    this.outbox = new OutboxWorker({
      store: d.store,
      clock: d.clock,
      log: d.log,
      activeProvider: () => this.active(),
      provider: (n) => d.providers[n],
      pace: () => {
        const s = this.stored();
        return { perMinute: s.perMinute, perDay: s.perDay };
      },
      mediaPath: (rel) => d.media.absolute(rel),
      onChange: (row) => this.emitStatus(row),
      check: (row, provider) => {
        if (!provider.capabilities.window24h || row.template_sid) return null;
        const c = row.contact_id ? d.store.contact(row.contact_id) : undefined;
        return this.windowOpen(c) ? null : 'outside_window';
      },
      ...d.outbox,
    });
    for (const p of Object.values(d.providers)) {
      this.unsub.push(
        p.on('message', (m) => this.inbound(m)),
        p.on('receipt', (r) => this.receipt(r)),
        p.on('connection', (c) => {
          if (p.name !== this.activeName()) return;
          this.d.bus.emit('whatsapp.connection', c);
          if (c.state === 'open') this.outbox.wake();
        }),
      );
    }
  }

  // Lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    const name = this.activeName();
    if (this.d.shouldAutostart(name)) await this.startProvider(name);
    this.outbox.start();
  }

  async stop(): Promise<void> {
    await this.outbox.stop();
    for (const u of this.unsub.splice(0)) u();
    for (const n of this.started) await this.d.providers[n]?.stop().catch(() => undefined);
    this.started.clear();
  }

  private async startProvider(name: ProviderName): Promise<void> {
    const p = this.d.providers[name];
    if (!p || this.started.has(name)) return;
    this.started.add(name);
    try {
      await p.start();
    } catch (err) {
      this.d.log.error({ err, provider: name }, 'whatsapp provider did not start');
    }
  }

  // Settings and provider ------------------------------------------------------------------

  private stored(): StoredSettings {
    return this.d.settings.get(WA_SETTINGS_KEY, settingsSchema);
  }

  activeName(): ProviderName {
    const chosen = this.stored().provider ?? this.d.defaultProvider;
    return this.d.providers[chosen] ? chosen : (Object.keys(this.d.providers)[0] as ProviderName);
  }

  active(): WhatsAppProvider {
    return this.d.providers[this.activeName()]!;
  }

  twilioFrom(): string | null {
    return this.stored().twilioFrom ?? this.d.envTwilioFrom ?? null;
  }

  providerInfo() {
    return {
      active: this.activeName(),
      default: this.d.defaultProvider,
      available: PROVIDER_NAMES.filter((n) => this.d.providers[n]).map((n) => {
        const p = this.d.providers[n]!;
        return {
          name: n,
          configured: n === 'twilio' ? this.d.twilioConfigured() && !!this.twilioFrom() : true,
          templates: p.capabilities.templates,
          window24h: p.capabilities.window24h,
          qrLogin: p.capabilities.qrLogin,
        };
      }),
    };
  }

  async setProvider(name: ProviderName) {
    if (!this.d.providers[name]) throw badInput(`provider ${name} is not available`);
    const prev = this.activeName();
    this.d.settings.set(WA_SETTINGS_KEY, { ...this.stored(), provider: name });
    if (prev !== name) {
      await this.startProvider(name);
      this.d.bus.emit('whatsapp.connection', this.active().status());
      this.d.log.info({ from: prev, to: name }, 'whatsapp provider switched');
    }
    this.outbox.wake();
    return this.providerInfo();
  }

  settingsView(autoReply: boolean): WaSettings {
    const s = this.stored();
    return {
      perMinute: s.perMinute,
      perDay: s.perDay,
      twilioFrom: this.twilioFrom(),
      autoReply,
      handoverMinutes: s.handoverMinutes,
    };
  }

  updateSettings(patch: Partial<Omit<WaSettings, 'autoReply'>>): void {
    const s = this.stored();
    this.d.settings.set(WA_SETTINGS_KEY, {
      ...s,
      ...(patch.perMinute !== undefined ? { perMinute: patch.perMinute } : {}),
      ...(patch.perDay !== undefined ? { perDay: patch.perDay } : {}),
      ...(patch.twilioFrom !== undefined ? { twilioFrom: patch.twilioFrom } : {}),
      ...(patch.handoverMinutes !== undefined ? { handoverMinutes: patch.handoverMinutes } : {}),
    });
    this.outbox.wake();
  }

  handoverMs(): number {
    return this.stored().handoverMinutes * 60_000;
  }

  // Connection -----------------------------------------------------------------------------

  connection(): WaConnection {
    return this.active().status();
  }

  outboxCounts() {
    const s = this.d.store;
    return {
      queued: s.count('queued'),
      sending: s.count('sending'),
      failed: s.count('failed'),
      sentToday: this.outbox.sentInLastDay(),
    };
  }

  async qr(pairingPhone?: string) {
    const name = this.activeName();
    const p = this.active();
    if (!p.capabilities.qrLogin)
      throw new ApiError('conflict', 'the active provider has no QR login', undefined, 'no_qr_login');
    await this.startProvider(name);
    let pairingCode: string | null = null;
    if (pairingPhone) {
      if (!p.requestPairingCode) throw new ApiError('conflict', 'pairing codes are not supported');
      pairingCode = await p.requestPairingCode(pairingPhone);
    }
    const s = p.status();
    return { state: s.state, qr: s.qr, pairingCode: pairingCode ?? s.pairingCode };
  }

  async logout(): Promise<WaConnection> {
    const p = this.active();
    if (p.logout) await p.logout();
    return p.status();
  }

  // Inbound --------------------------------------------------------------------------------

  private windowOpen(c: ContactRow | undefined): boolean {
    return !!c?.last_inbound_at && c.last_inbound_at > this.d.clock.now() - DAY_MS;
  }

  async inbound(m: InboundMessage): Promise<void> {
    const { store, clock, log } = this.d;
    if (m.isStatusBroadcast || m.isGroup) return;
    const phone = m.peer.phone;
    if (!phone && !m.peer.lid) {
      log.warn({ provider: m.provider }, 'whatsapp message without phone or LID: not stored');
      return;
    }
    const now = clock.now();
    let contact = store.upsertContact({
      phone,
      lid: m.peer.lid ?? null,
      profileName: m.fromMe ? null : m.profileName,
      now,
    });
    let createdLead = false;
    if (contact.customer_id == null && (phone ?? contact.phone)) {
      const c = this.d.customers.findOrCreateByPhone((phone ?? contact.phone)!);
      createdLead = c.created;
      contact = store.upsertContact({
        phone: phone ?? contact.phone,
        lid: m.peer.lid ?? null,
        customerId: c.id,
        now,
      });
    }
    const first = m.media[0];
    const row = store.insertInbound(
      {
        contactId: contact.id,
        customerId: contact.customer_id,
        provider: m.provider,
        providerMessageId: m.providerMessageId,
        peer: phone ?? contact.phone ?? m.peer.jid,
        chatJid: m.peer.jid,
        fromMe: m.fromMe,
        kind: m.kind,
        body: m.text,
        media: first
          ? { path: first.path, mime: first.mime, size: first.size, fileName: first.fileName ?? null }
          : null,
        unread: m.live,
        at: m.timestamp || now,
      },
      now,
    );
    if (!row) return; // already stored (a repeated webhook or upsert)
    for (let i = 1; i < m.media.length; i++) {
      const extra = m.media[i]!;
      store.insertInbound(
        {
          contactId: contact.id,
          customerId: contact.customer_id,
          provider: m.provider,
          providerMessageId: `${m.providerMessageId}/${i}`,
          peer: row.peer,
          chatJid: m.peer.jid,
          fromMe: m.fromMe,
          kind: kindOfMime(extra.mime),
          body: '',
          media: { path: extra.path, mime: extra.mime, size: extra.size, fileName: extra.fileName ?? null },
          unread: m.live,
          at: m.timestamp || now,
        },
        now,
      );
    }
    const unread = contact.customer_id != null ? store.unreadOf(contact.customer_id) : 0;
    this.d.bus.emit('whatsapp.message', { message: toMessage(row), unread });
    if (m.live && !m.fromMe) {
      const name = contact.customer_id ? this.d.customers.nameOf(contact.customer_id) : null;
      const who = name || m.profileName || formatPhone(phone);
      this.d.notifier.notify({
        title: createdLead ? `ליד חדש בוואטסאפ: ${who}` : `הודעת וואטסאפ מ${who}`,
        body: m.text ? m.text.slice(0, 120) : mediaLabel(m.kind),
        route: contact.customer_id ? `/whatsapp/${contact.customer_id}` : '/whatsapp',
      });
      const fresh = store.contact(contact.id);
      if (fresh) this.d.onLiveInbound?.({ contact: fresh, message: row });
    }
  }

  async receipt(r: Receipt): Promise<void> {
    const { store, log } = this.d;
    const row =
      store.messageByProviderId(r.provider, r.providerMessageId) ??
      (r.clientMessageId ? store.messageByClientId(r.clientMessageId) : undefined);
    if (!row || row.direction !== 'out') {
      log.debug({ provider: r.provider }, 'whatsapp receipt for an unknown message');
      return;
    }
    const error: WaErrorCode | null =
      r.status === 'failed' ? (r.errorCode === '63016' ? 'outside_window' : 'undelivered') : null;
    const changed = store.applyReceipt(row, {
      status: r.status,
      at: r.at,
      error,
      code: r.errorCode ?? null,
      pmid: r.providerMessageId,
    });
    if (changed) this.emitStatus(changed);
  }

  private emitStatus(row: MessageRow): void {
    this.d.bus.emit('whatsapp.status', {
      messageId: row.id,
      customerId: row.customer_id,
      status: row.status,
      error: (row.error as WaErrorCode | null) ?? null,
      providerErrorCode: row.provider_error_code,
      sentAt: row.sent_at,
      deliveredAt: row.delivered_at,
      readAt: row.read_at,
    });
  }

  // Sending --------------------------------------------------------------------------------

  private async recipient(input: { customerId?: number; phone?: string }): Promise<ContactRow> {
    const { store, clock } = this.d;
    const now = clock.now();
    if (input.customerId !== undefined) {
      const existing = store.contactByCustomer(input.customerId);
      if (existing?.phone) return existing;
      const phone = await this.d.customers.phoneOf(input.customerId);
      if (phone === undefined) throw notFound('customer');
      if (!phone || !phone.startsWith('+'))
        throw new ApiError(
          'bad_input',
          'the customer has no phone number for WhatsApp',
          { reason: 'no_phone' },
          'no_phone',
        );
      return store.upsertContact({ phone, customerId: input.customerId, now });
    }
    const phone = input.phone!;
    const existing = store.contactByPhone(phone);
    if (existing?.customer_id) return existing;
    const c = this.d.customers.findOrCreateByPhone(phone);
    return store.upsertContact({ phone, customerId: c.id, now });
  }

  /** Validates, writes the message `queued` and wakes the outbox. Nothing is queued on a refusal. */
  async send(
    input: { customerId?: number; phone?: string },
    content: Content,
    opts: { byAi?: boolean } = {},
  ): Promise<WaMessage> {
    const { store, clock } = this.d;
    const provider = this.active();
    if (content.kind === 'template' && !provider.capabilities.templates)
      throw new ApiError(
        'conflict',
        'the active provider cannot send templates',
        { reason: 'template_unavailable' },
        'template_unavailable',
      );
    if (content.kind === 'media') {
      const kind = waMediaKindOf(content.mime);
      if (!kind)
        throw new ApiError(
          'bad_input',
          'unsupported file type',
          { reason: 'media_unsupported' },
          'media_unsupported',
        );
      if (content.bytes.length === 0 || content.bytes.length > WA_MEDIA_LIMITS[kind].maxBytes)
        throw new ApiError('too_large', 'file too large', { reason: 'media_too_large' }, 'media_too_large');
    }
    const contact = await this.recipient(input);
    if (provider.capabilities.window24h && content.kind !== 'template' && !this.windowOpen(contact))
      throw new ApiError(
        'conflict',
        'more than 24 hours since the customer last wrote: only an approved template can be sent',
        { reason: 'outside_window' },
        'outside_window',
      );
    const now = clock.now();
    let row: MessageRow;
    if (content.kind === 'text') {
      row = store.enqueue({
        contactId: contact.id,
        customerId: contact.customer_id,
        provider: provider.name,
        peer: contact.phone!,
        kind: 'text',
        body: content.text,
        byAi: opts.byAi,
        now,
      });
    } else if (content.kind === 'media') {
      const saved = await this.d.media.save({
        data: content.bytes,
        mime: content.mime,
        fileName: content.name,
      });
      row = store.enqueue({
        contactId: contact.id,
        customerId: contact.customer_id,
        provider: provider.name,
        peer: contact.phone!,
        kind: content.mediaKind,
        body: content.caption,
        media: { path: saved.path, mime: saved.mime, size: saved.size, fileName: content.name },
        now,
      });
    } else {
      const t = this.templates.get(content.contentSid);
      const body = t
        ? renderTemplate(t.body, content.variables)
        : Object.values(content.variables).join(' · ');
      row = store.enqueue({
        contactId: contact.id,
        customerId: contact.customer_id,
        provider: provider.name,
        peer: contact.phone!,
        kind: 'template',
        body,
        templateSid: content.contentSid,
        templateVars: content.variables,
        now,
      });
    }
    const message = toMessage(row);
    this.d.bus.emit('whatsapp.message', {
      message,
      unread: contact.customer_id ? store.unreadOf(contact.customer_id) : 0,
    });
    this.outbox.wake();
    return message;
  }

  retry(messageId: number): WaMessage {
    const row = this.d.store.retry(messageId, this.d.clock.now());
    if (!row) {
      if (!this.d.store.message(messageId)) throw notFound('message');
      throw new ApiError('conflict', 'only a failed outgoing message can be sent again');
    }
    this.emitStatus(row);
    this.outbox.wake();
    return toMessage(row);
  }

  async listTemplates(): Promise<TemplateInfo[]> {
    const p = this.d.providers.twilio;
    if (!p?.listTemplates || !this.d.twilioConfigured()) return [];
    const items = await p.listTemplates().catch((err: unknown) => {
      this.d.log.warn({ err }, 'whatsapp templates could not be listed');
      throw new ApiError('unavailable', 'templates could not be fetched from Twilio');
    });
    this.templates = new Map(items.map((t) => [t.contentSid, t]));
    return items;
  }

  // Inbox ----------------------------------------------------------------------------------

  async conversations(input: { q?: string; unreadOnly?: boolean; page: number; limit: number }) {
    const { store } = this.d;
    const offset = (input.page - 1) * input.limit;
    let rows: ContactRow[];
    let total: number;
    const totals = store.conversationTotals(!!input.unreadOnly);
    if (input.q) {
      const ids = await this.d.customers.search(input.q);
      const r = store.searchConversations(ids, input.limit, offset);
      rows = r.rows;
      total = r.total;
    } else {
      rows = store.conversations({ unreadOnly: !!input.unreadOnly, limit: input.limit, offset });
      total = totals.total;
    }
    const ids = rows.flatMap((c) => (c.customer_id != null ? [c.customer_id] : []));
    const names = this.d.customers.namesOf?.(ids);
    const last = store.messagesById(
      rows.flatMap((c) => (c.last_message_id != null ? [c.last_message_id] : [])),
    );
    const items = rows
      .map((c) => this.conversationOf(c, names, last))
      .filter((c): c is WaConversation => c !== null);
    return { items, total, page: input.page, limit: input.limit, unreadTotal: totals.unreadTotal };
  }

  private conversationOf(
    c: ContactRow,
    names?: Map<number, string>,
    last?: Map<number, MessageRow>,
  ): WaConversation | null {
    const name =
      c.customer_id == null
        ? null
        : names
          ? (names.get(c.customer_id) ?? null)
          : this.d.customers.nameOf(c.customer_id);
    return this.d.store.toConversation(c, name, (p) => (p ? formatPhone(p) : ''), DAY_MS, last);
  }

  messages(input: { customerId: number; beforeId?: number; limit: number }) {
    const { store } = this.d;
    const before = input.beforeId ? store.message(input.beforeId) : undefined;
    if (input.beforeId && (!before || before.customer_id !== input.customerId)) throw notFound('message');
    const rows = store.thread(input.customerId, input.limit + 1, before);
    const hasMore = rows.length > input.limit;
    const items = rows.slice(0, input.limit).reverse().map(toMessage);
    const contact = store.contactByCustomer(input.customerId);
    const provider = this.active();
    return {
      items,
      hasMore,
      conversation: contact ? this.conversationOf(contact) : null,
      canSendText: !provider.capabilities.window24h || this.windowOpen(contact),
    };
  }

  markRead(customerId: number, upToId?: number) {
    const marked = this.d.store.markRead(customerId, upToId ?? Number.MAX_SAFE_INTEGER);
    return { ok: true as const, marked };
  }

  media(messageId: number) {
    const row = this.d.store.message(messageId);
    if (!row?.media_mime) throw notFound('media');
    if (!row.media_path)
      throw new ApiError('not_found', 'the file was not downloaded', undefined, 'media_missing');
    const abs = this.d.media.absolute(row.media_path);
    let size: number;
    try {
      size = statSync(abs).size;
    } catch {
      throw new ApiError('not_found', 'the file is gone from the data folder', undefined, 'media_missing');
    }
    if (size > 16 * 1024 * 1024) throw new ApiError('too_large', 'file too large to preview');
    const bytes = readFileSync(abs);
    return {
      mime: row.media_mime,
      bytes: size,
      fileName: row.media_name,
      dataUrl: `data:${row.media_mime};base64,${bytes.toString('base64')}`,
    };
  }
}

const kindOfMime = (mime: string) =>
  mime.startsWith('image/')
    ? 'image'
    : mime.startsWith('audio/')
      ? 'audio'
      : mime.startsWith('video/')
        ? 'video'
        : 'document';

const mediaLabel = (kind: string): string =>
  ({ image: '📷 תמונה', audio: '🎤 הודעה קולית', video: '🎬 סרטון', document: '📄 מסמך', sticker: 'מדבקה' })[
    kind
  ] ?? 'הודעה';

export const renderTemplate = (body: string, vars: Record<string, string>): string =>
  body.replace(/\{\{\s*(\d{1,2})\s*\}\}/g, (_, k: string) => vars[k] ?? '');
