/**
 * WhatsApp's tables (wa_contacts, wa_messages): contacts with their phone/LID, the conversation
 * summary the inbox lists (last message, unread count — kept on the contact so the list is one
 * indexed read at any size), inbound de-duplication, the outbox states and monotonic receipts.
 * Plain prepared statements: this is the hot path of the inbox and the outbox.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { WaConversation, WaErrorCode, WaMessage } from './types';
import { STATUS_RANK, type MessageKind, type MessageStatus, type ProviderName } from './provider';

export const BUSINESS_ID = 1;

export interface ContactRow {
  id: number;
  customer_id: number | null;
  phone: string | null;
  lid: string | null;
  profile_name: string | null;
  last_inbound_at: number | null;
  last_owner_at: number | null;
  last_ai_at: number | null;
  last_message_id: number | null;
  last_message_at: number | null;
  unread_count: number;
}

export interface MessageRow {
  id: number;
  customer_id: number | null;
  contact_id: number | null;
  direction: 'in' | 'out';
  provider: ProviderName;
  provider_message_id: string | null;
  peer: string;
  chat_jid: string | null;
  client_id: string | null;
  type: MessageKind;
  body: string;
  media_path: string | null;
  media_mime: string | null;
  media_name: string | null;
  media_size: number | null;
  template_sid: string | null;
  template_vars: string | null;
  status: MessageStatus;
  error: string | null;
  provider_error_code: string | null;
  attempts: number;
  next_attempt_at: number | null;
  sending_at: number | null;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  unread: number;
  by_ai: number;
  created_at: number;
}

export interface NewOutbound {
  contactId: number;
  customerId: number | null;
  provider: ProviderName;
  peer: string;
  kind: MessageKind;
  body: string;
  media?: { path: string; mime: string; size: number; fileName: string | null } | null;
  templateSid?: string | null;
  templateVars?: Record<string, string> | null;
  byAi?: boolean;
  now: number;
}

export interface NewInbound {
  contactId: number;
  customerId: number | null;
  provider: ProviderName;
  providerMessageId: string;
  peer: string;
  chatJid: string;
  fromMe: boolean;
  kind: MessageKind;
  body: string;
  media?: { path: string; mime: string; size: number; fileName: string | null } | null;
  /** Counts as unread (a live message from the customer). */
  unread: boolean;
  at: number;
}

export const newClientId = (): string => `AL${randomBytes(9).toString('hex').toUpperCase()}`;

export const toMessage = (r: MessageRow): WaMessage => ({
  id: r.id,
  customerId: r.customer_id,
  direction: r.direction,
  provider: r.provider,
  kind: r.type,
  text: r.body,
  status: r.status,
  error: (r.error as WaErrorCode | null) ?? null,
  providerErrorCode: r.provider_error_code,
  media: r.media_mime ? { mime: r.media_mime, size: r.media_size ?? 0, fileName: r.media_name } : null,
  templateSid: r.template_sid,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'queued' ? r.next_attempt_at : null,
  byAi: !!r.by_ai,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
  readAt: r.read_at,
});

export class WaStore {
  private readonly st: Record<string, Statement>;

  constructor(readonly sqlite: Database) {
    const p = (sql: string) => sqlite.prepare(sql);
    this.st = {
      contactById: p('select * from wa_contacts where id = ?'),
      contactByPhone: p('select * from wa_contacts where business_id = ? and phone = ?'),
      contactByLid: p('select * from wa_contacts where lid = ?'),
      contactByCustomer: p(
        'select * from wa_contacts where customer_id = ? order by last_message_at desc limit 1',
      ),
      insertContact: p(
        `insert into wa_contacts (business_id, customer_id, phone, lid, profile_name, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?) returning *`,
      ),
      messageById: p('select * from wa_messages where id = ?'),
      messageByProviderId: p('select * from wa_messages where provider = ? and provider_message_id = ?'),
      messageByClientId: p('select * from wa_messages where client_id = ?'),
      insertInbound: p(
        `insert into wa_messages (business_id, customer_id, contact_id, direction, provider, provider_message_id, peer,
           chat_jid, type, body, media_path, media_mime, media_name, media_size, status, unread, sent_at, created_at)
         values (1, @customerId, @contactId, @direction, @provider, @providerMessageId, @peer, @chatJid, @kind, @body,
           @mediaPath, @mediaMime, @mediaName, @mediaSize, @status, @unread, @at, @at)
         on conflict do nothing returning *`,
      ),
      insertOutbound: p(
        `insert into wa_messages (business_id, customer_id, contact_id, direction, provider, peer, client_id, type, body,
           media_path, media_mime, media_name, media_size, template_sid, template_vars, status, next_attempt_at, by_ai, created_at)
         values (1, @customerId, @contactId, 'out', @provider, @peer, @clientId, @kind, @body, @mediaPath, @mediaMime,
           @mediaName, @mediaSize, @templateSid, @templateVars, 'queued', @now, @byAi, @now) returning *`,
      ),
      touchContact: p(
        `update wa_contacts set
           last_message_id = case when coalesce(last_message_at, 0) <= @at then @id else last_message_id end,
           last_message_at = max(coalesce(last_message_at, 0), @at),
           unread_count = unread_count + @unread,
           last_inbound_at = case when @inbound = 1 then max(coalesce(last_inbound_at, 0), @at) else last_inbound_at end,
           last_owner_at = case when @owner = 1 then max(coalesce(last_owner_at, 0), @at) else last_owner_at end,
           last_ai_at = case when @ai = 1 then max(coalesce(last_ai_at, 0), @at) else last_ai_at end,
           updated_at = @now
         where id = @contactId`,
      ),
      // Outbox -------------------------------------------------------------------------------
      nextDue: p(
        `select * from wa_messages m
         where m.status = 'queued' and m.direction = 'out' and coalesce(m.next_attempt_at, 0) <= ?
           and not exists (select 1 from wa_messages e where e.contact_id = m.contact_id and e.id < m.id
                           and e.direction = 'out' and e.status in ('queued', 'sending'))
         order by m.id limit 20`,
      ),
      nextWake: p(
        `select min(coalesce(next_attempt_at, 0)) as at from wa_messages where status = 'queued' and direction = 'out'`,
      ),
      claim: p(
        `update wa_messages set status = 'sending', provider = ?, sending_at = ?, attempts = attempts + 1, error = null
         where id = ? and status = 'queued' returning *`,
      ),
      sending: p(`select * from wa_messages where status = 'sending' and direction = 'out' order by id`),
      markSent: p(
        `update wa_messages set status = case when status in ('sending', 'queued') then 'sent' else status end,
           provider_message_id = coalesce(provider_message_id, ?), sent_at = coalesce(sent_at, ?), next_attempt_at = null,
           error = null
         where id = ? and status in ('sending', 'queued', 'sent', 'delivered', 'read') returning *`,
      ),
      requeue: p(
        `update wa_messages set status = 'queued', next_attempt_at = ?, error = ?, provider_error_code = ?
         where id = ? and status = 'sending' returning *`,
      ),
      fail: p(
        `update wa_messages set status = 'failed', error = ?, provider_error_code = ?, next_attempt_at = null
         where id = ? and status in ('queued', 'sending') returning *`,
      ),
      retry: p(
        `update wa_messages set status = 'queued', next_attempt_at = ?, attempts = 0, error = null, provider_error_code = null
         where id = ? and status = 'failed' and direction = 'out' returning *`,
      ),
      countStatus: p(`select count(*) as n from wa_messages where status = ? and direction = 'out'`),
      sentSince: p(
        `select sending_at as at from wa_messages where direction = 'out' and sending_at >= ? order by sending_at`,
      ),
      // Receipts ---------------------------------------------------------------------------
      receipt: p(
        `update wa_messages set
           status = @status,
           sent_at = coalesce(sent_at, @at),
           delivered_at = case when @rank >= 3 then coalesce(delivered_at, @at) else delivered_at end,
           read_at = case when @rank = 4 then coalesce(read_at, @at) else read_at end,
           error = case when @status = 'failed' then @error else error end,
           provider_error_code = case when @status = 'failed' then @code else provider_error_code end,
           provider_message_id = coalesce(provider_message_id, @pmid)
         where id = @id returning *`,
      ),
      // Inbox ------------------------------------------------------------------------------
      conversations: p(
        `select * from wa_contacts where business_id = 1 and last_message_at is not null
         order by last_message_at desc, id desc limit ? offset ?`,
      ),
      conversationsUnread: p(
        `select * from wa_contacts where business_id = 1 and last_message_at is not null and unread_count > 0
         order by last_message_at desc, id desc limit ? offset ?`,
      ),
      conversationsTotal: p(
        `select count(*) as n from wa_contacts where business_id = 1 and last_message_at is not null`,
      ),
      conversationsUnreadTotal: p(
        `select count(*) as n, coalesce(sum(unread_count), 0) as u from wa_contacts
         where business_id = 1 and last_message_at is not null and unread_count > 0`,
      ),
      thread: p(`select * from wa_messages where customer_id = ? order by created_at desc, id desc limit ?`),
      threadBefore: p(
        `select * from wa_messages where customer_id = @c and (created_at < @at or (created_at = @at and id < @id))
         order by created_at desc, id desc limit @limit`,
      ),
      markRead: p(`update wa_messages set unread = 0 where customer_id = ? and unread = 1 and id <= ?`),
      unreadOfCustomer: p(`select count(*) as n from wa_messages where customer_id = ? and unread = 1`),
      setContactUnread: p(`update wa_contacts set unread_count = ? where customer_id = ?`),
    };
  }

  tx<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }

  contact(id: number): ContactRow | undefined {
    return this.st.contactById!.get(id) as ContactRow | undefined;
  }
  contactByCustomer(customerId: number): ContactRow | undefined {
    return this.st.contactByCustomer!.get(customerId) as ContactRow | undefined;
  }
  contactByPhone(phone: string): ContactRow | undefined {
    return this.st.contactByPhone!.get(BUSINESS_ID, phone) as ContactRow | undefined;
  }

  /**
   * The one contact for a phone and/or LID: found by LID, then by phone (a LID learned later is
   * attached to the phone's contact), else created. Profile name and customer are filled in.
   */
  upsertContact(input: {
    phone: string | null;
    lid?: string | null;
    profileName?: string | null;
    customerId?: number | null;
    now: number;
  }): ContactRow {
    return this.tx(() => {
      const byLid = input.lid ? (this.st.contactByLid!.get(input.lid) as ContactRow | undefined) : undefined;
      const byPhone = input.phone ? this.contactByPhone(input.phone) : undefined;
      let c = byLid ?? byPhone;
      if (!c) {
        return this.st.insertContact!.get(
          BUSINESS_ID,
          input.customerId ?? null,
          input.phone,
          input.lid ?? null,
          input.profileName ?? null,
          input.now,
          input.now,
        ) as ContactRow;
      }
      const sets: string[] = [];
      const vals: unknown[] = [];
      const set = (col: string, v: unknown) => {
        sets.push(`${col} = ?`);
        vals.push(v);
      };
      if (input.lid && !c.lid) set('lid', input.lid);
      if (input.phone && !c.phone && !byPhone) set('phone', input.phone);
      if (input.profileName && input.profileName !== c.profile_name) set('profile_name', input.profileName);
      if (input.customerId && c.customer_id !== input.customerId) set('customer_id', input.customerId);
      if (sets.length) {
        c = this.sqlite
          .prepare(`update wa_contacts set ${sets.join(', ')}, updated_at = ? where id = ? returning *`)
          .get(...vals, input.now, c.id) as ContactRow;
      }
      return c;
    });
  }

  /** Stores an inbound (or owner-from-phone) message once: a repeat of (provider, id) returns null. */
  insertInbound(m: NewInbound, now: number): MessageRow | null {
    return this.tx(() => {
      const row = this.st.insertInbound!.get({
        customerId: m.customerId,
        contactId: m.contactId,
        direction: m.fromMe ? 'out' : 'in',
        provider: m.provider,
        providerMessageId: m.providerMessageId,
        peer: m.peer,
        chatJid: m.chatJid,
        kind: m.kind,
        body: m.body,
        mediaPath: m.media?.path ?? null,
        mediaMime: m.media?.mime ?? null,
        mediaName: m.media?.fileName ?? null,
        mediaSize: m.media?.size ?? null,
        status: m.fromMe ? 'sent' : 'received',
        unread: m.unread && !m.fromMe ? 1 : 0,
        at: m.at,
      }) as MessageRow | undefined;
      if (!row) return null;
      this.changed();
      this.st.touchContact!.run({
        contactId: m.contactId,
        id: row.id,
        at: m.at,
        unread: row.unread,
        inbound: m.fromMe ? 0 : 1,
        owner: m.fromMe ? 1 : 0,
        ai: 0,
        now,
      });
      return row;
    });
  }

  enqueue(m: NewOutbound): MessageRow {
    return this.tx(() => {
      const row = this.st.insertOutbound!.get({
        customerId: m.customerId,
        contactId: m.contactId,
        provider: m.provider,
        peer: m.peer,
        clientId: newClientId(),
        kind: m.kind,
        body: m.body,
        mediaPath: m.media?.path ?? null,
        mediaMime: m.media?.mime ?? null,
        mediaName: m.media?.fileName ?? null,
        mediaSize: m.media?.size ?? null,
        templateSid: m.templateSid ?? null,
        templateVars: m.templateVars ? JSON.stringify(m.templateVars) : null,
        byAi: m.byAi ? 1 : 0,
        now: m.now,
      }) as MessageRow;
      this.changed();
      this.st.touchContact!.run({
        contactId: m.contactId,
        id: row.id,
        at: m.now,
        unread: 0,
        inbound: 0,
        owner: m.byAi ? 0 : 1,
        ai: m.byAi ? 1 : 0,
        now: m.now,
      });
      return row;
    });
  }

  /** Several messages by id in one read (the inbox page's last messages). */
  messagesById(ids: number[]): Map<number, MessageRow> {
    const out = new Map<number, MessageRow>();
    if (!ids.length) return out;
    const list = ids.map((n) => Number(n)).join(',');
    for (const r of this.sqlite
      .prepare(`select * from wa_messages where id in (${list})`)
      .all() as MessageRow[])
      out.set(r.id, r);
    return out;
  }

  message(id: number): MessageRow | undefined {
    return this.st.messageById!.get(id) as MessageRow | undefined;
  }
  messageByProviderId(provider: ProviderName, pmid: string): MessageRow | undefined {
    return this.st.messageByProviderId!.get(provider, pmid) as MessageRow | undefined;
  }
  messageByClientId(clientId: string): MessageRow | undefined {
    return this.st.messageByClientId!.get(clientId) as MessageRow | undefined;
  }

  // Outbox ---------------------------------------------------------------------------------

  /** Queued messages due now whose chat has no earlier unfinished message (per-chat order). */
  due(now: number): MessageRow[] {
    return this.st.nextDue!.all(now) as MessageRow[];
  }
  nextWakeAt(): number | null {
    return (this.st.nextWake!.get() as { at: number | null }).at;
  }
  claim(id: number, provider: ProviderName, now: number): MessageRow | undefined {
    return this.st.claim!.get(provider, now, id) as MessageRow | undefined;
  }
  sendingRows(): MessageRow[] {
    return this.st.sending!.all() as MessageRow[];
  }
  markSent(id: number, providerMessageId: string, at: number): MessageRow | undefined {
    return this.st.markSent!.get(providerMessageId, at, id) as MessageRow | undefined;
  }
  requeue(
    id: number,
    nextAt: number,
    error: string | null,
    providerCode: string | null,
  ): MessageRow | undefined {
    return this.st.requeue!.get(nextAt, error, providerCode, id) as MessageRow | undefined;
  }
  fail(id: number, error: WaErrorCode, providerCode: string | null): MessageRow | undefined {
    return this.st.fail!.get(error, providerCode, id) as MessageRow | undefined;
  }
  retry(id: number, now: number): MessageRow | undefined {
    return this.st.retry!.get(now, id) as MessageRow | undefined;
  }
  count(status: MessageStatus): number {
    return (this.st.countStatus!.get(status) as { n: number }).n;
  }
  sendTimesSince(since: number): number[] {
    return (this.st.sentSince!.all(since) as Array<{ at: number }>).map((r) => r.at);
  }

  /**
   * A receipt moves a message forward only: sent → delivered → read; failed only before
   * delivered. Returns the row when something changed.
   */
  applyReceipt(
    row: MessageRow,
    r: {
      status: 'sent' | 'delivered' | 'read' | 'failed';
      at: number;
      error?: WaErrorCode | null;
      code?: string | null;
      pmid?: string | null;
    },
  ): MessageRow | null {
    const cur = STATUS_RANK[row.status];
    let next: MessageStatus = row.status;
    if (r.status === 'failed') {
      if (row.status === 'delivered' || row.status === 'read' || row.status === 'failed') return null;
      next = 'failed';
    } else if (row.status === 'failed') {
      // A late delivered/read after a failure report means it did arrive.
      if (r.status === 'sent') return null;
      next = r.status;
    } else if (STATUS_RANK[r.status] > cur) next = r.status;
    const rank = STATUS_RANK[next] >= 3 && next !== 'failed' ? STATUS_RANK[next] : 0;
    const changedTimes =
      (rank >= 3 && row.delivered_at == null) || (rank === 4 && row.read_at == null) || row.sent_at == null;
    if (next === row.status && !changedTimes) return null;
    return this.st.receipt!.get({
      id: row.id,
      status: next,
      at: r.at,
      rank,
      error: r.error ?? null,
      code: r.code ?? null,
      pmid: r.pmid ?? null,
    }) as MessageRow;
  }

  // Inbox ----------------------------------------------------------------------------------

  conversations(opts: { unreadOnly: boolean; limit: number; offset: number }): ContactRow[] {
    const st = opts.unreadOnly ? this.st.conversationsUnread! : this.st.conversations!;
    return st.all(opts.limit, opts.offset) as ContactRow[];
  }
  /**
   * Inbox totals. Counting ~100k contacts costs ~20 ms, so the figures are kept in memory and
   * dropped whenever this store changes a contact's summary (and after 30 s, for writes from
   * elsewhere such as the demo generator).
   */
  conversationTotals(unreadOnly: boolean): { total: number; unreadTotal: number } {
    const now = Date.now();
    if (!this.totals || now - this.totals.at > 30_000) {
      const u = this.st.conversationsUnreadTotal!.get() as { n: number; u: number };
      const total = (this.st.conversationsTotal!.get() as { n: number }).n;
      this.totals = { at: now, total, unreadConversations: u.n, unreadTotal: u.u };
    }
    const t = this.totals;
    return { total: unreadOnly ? t.unreadConversations : t.total, unreadTotal: t.unreadTotal };
  }
  private totals: { at: number; total: number; unreadConversations: number; unreadTotal: number } | null =
    null;
  private changed(): void {
    this.totals = null;
  }
  /**
   * Conversations of the given customers (the CRM's own search: name, phone in any form, email,
   * tag — indexed), newest first. No LIKE scan over the contacts.
   */
  searchConversations(
    customerIds: number[],
    limit: number,
    offset: number,
  ): { rows: ContactRow[]; total: number } {
    const ids = customerIds
      .slice(0, 500)
      .map((n) => Number(n))
      .filter(Number.isInteger);
    if (!ids.length) return { rows: [], total: 0 };
    const base = `from wa_contacts where customer_id in (${ids.join(',')}) and business_id = 1 and last_message_at is not null`;
    const rows = this.sqlite
      .prepare(`select * ${base} order by last_message_at desc, id desc limit ? offset ?`)
      .all(limit, offset) as ContactRow[];
    const total = (this.sqlite.prepare(`select count(*) as n ${base}`).get() as { n: number }).n;
    return { rows, total };
  }
  thread(customerId: number, limit: number, before?: MessageRow): MessageRow[] {
    if (!before) return this.st.thread!.all(customerId, limit) as MessageRow[];
    return this.st.threadBefore!.all({
      c: customerId,
      at: before.created_at,
      id: before.id,
      limit,
    }) as MessageRow[];
  }
  markRead(customerId: number, upToId: number): number {
    return this.tx(() => {
      const n = this.st.markRead!.run(customerId, upToId).changes;
      const left = (this.st.unreadOfCustomer!.get(customerId) as { n: number }).n;
      this.st.setContactUnread!.run(left, customerId);
      this.changed();
      return n;
    });
  }
  unreadOf(customerId: number): number {
    return (this.st.unreadOfCustomer!.get(customerId) as { n: number }).n;
  }

  toConversation(
    c: ContactRow,
    name: string | null,
    display: (p: string | null) => string,
    windowMs: number,
    preloaded?: Map<number, MessageRow>,
  ): WaConversation | null {
    if (c.customer_id == null || c.last_message_id == null) return null;
    const last = preloaded?.get(c.last_message_id) ?? this.message(c.last_message_id);
    if (!last) return null;
    return {
      customerId: c.customer_id,
      customerName: name ?? '',
      phone: c.phone,
      phoneDisplay: display(c.phone),
      profileName: c.profile_name,
      lastMessage: {
        id: last.id,
        direction: last.direction,
        kind: last.type,
        text: last.body,
        status: last.status,
        at: last.created_at,
      },
      unread: c.unread_count,
      windowOpenUntil: c.last_inbound_at != null ? c.last_inbound_at + windowMs : null,
    };
  }
}
