/**
 * The one database schema (SPEC §3). Times are epoch milliseconds (UTC) unless the column
 * says `_date` (a calendar date 'YYYY-MM-DD' in Israel). Money is integer agorot.
 * Change it additively and run `npm run db:generate` to add a migration.
 */
import { sql } from 'drizzle-orm';
import {
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at')
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const updatedAt = () =>
  integer('updated_at')
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const business = sqliteTable('business', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().default(''),
  legalName: text('legal_name').notNull().default(''),
  /** עוסק מורשה / ח.פ number. */
  vatId: text('vat_id').notNull().default(''),
  businessType: text('business_type', { enum: ['osek_murshe', 'osek_patur', 'company'] })
    .notNull()
    .default('osek_murshe'),
  phone: text('phone').notNull().default(''),
  ownerPhone: text('owner_phone').notNull().default(''),
  email: text('email').notNull().default(''),
  address: text('address').notNull().default(''),
  city: text('city').notNull().default(''),
  website: text('website').notNull().default(''),
  logoPath: text('logo_path'),
  /** JSON: the agent's knowledge (hours, services, prices, FAQ, free text, greeting). */
  knowledge: text('knowledge').notNull().default('{}'),
  /** JSON: feature flags (see api/contract/business.ts for names and defaults). */
  features: text('features').notNull().default('{}'),
  vatRateBp: integer('vat_rate_bp').notNull().default(1800),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const customers = sqliteTable(
  'customers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    name: text('name').notNull().default(''),
    /** E.164, e.g. +972501234567; null when only an email is known. */
    phone: text('phone'),
    email: text('email'),
    status: text('status', { enum: ['lead', 'customer', 'inactive'] })
      .notNull()
      .default('lead'),
    source: text('source', { enum: ['phone', 'whatsapp', 'manual', 'import', 'web'] })
      .notNull()
      .default('manual'),
    /** JSON array of strings. */
    tags: text('tags').notNull().default('[]'),
    notes: text('notes').notNull().default(''),
    vatId: text('vat_id'),
    address: text('address'),
    lastContactAt: integer('last_contact_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('customers_business_phone_uq').on(t.businessId, t.phone),
    index('customers_business_name_idx').on(t.businessId, t.name),
    index('customers_business_email_idx').on(t.businessId, t.email),
    index('customers_business_created_idx').on(t.businessId, t.createdAt),
    index('customers_business_status_idx').on(t.businessId, t.status),
    // CRM list: every sort (name / created / last contact) stays an index walk, with or without a status filter.
    index('customers_business_contact_idx').on(t.businessId, t.lastContactAt),
    index('customers_business_status_name_idx').on(t.businessId, t.status, t.name),
    index('customers_business_status_created_idx').on(t.businessId, t.status, t.createdAt),
    index('customers_business_status_contact_idx').on(t.businessId, t.status, t.lastContactAt),
    index('customers_business_source_created_idx').on(t.businessId, t.source, t.createdAt),
  ],
);

export const deals = sqliteTable(
  'deals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    title: text('title').notNull(),
    stage: text('stage', { enum: ['new', 'qualified', 'proposal', 'won', 'lost'] })
      .notNull()
      .default('new'),
    amountAgorot: integer('amount_agorot').notNull().default(0),
    position: integer('position').notNull().default(0),
    expectedCloseDate: text('expected_close_date'),
    wonAt: integer('won_at'),
    lostAt: integer('lost_at'),
    lostReason: text('lost_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('deals_customer_idx').on(t.customerId, t.createdAt),
    index('deals_business_stage_idx').on(t.businessId, t.stage, t.position),
  ],
);

export const calls = sqliteTable(
  'calls',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    callSid: text('call_sid').notNull(),
    direction: text('direction', { enum: ['in', 'out'] })
      .notNull()
      .default('in'),
    fromNumber: text('from_number').notNull().default(''),
    toNumber: text('to_number').notNull().default(''),
    customerId: integer('customer_id').references(() => customers.id),
    status: text('status', {
      enum: ['ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled', 'queued'],
    })
      .notNull()
      .default('ringing'),
    mode: text('mode', { enum: ['stream', 'record'] })
      .notNull()
      .default('stream'),
    engine: text('engine').notNull().default('pipeline'),
    /** Why the live stream ended on purpose (goodbye, transfer, hangup); null = not on purpose. */
    endedBy: text('ended_by'),
    /**
     * SHA-256 (hex) of the single-use media-stream token incoming_call put in the TwiML (or the
     * app's test call minted); the token itself is never stored. Cleared when a stream claims it.
     */
    streamTokenHash: text('stream_token_hash'),
    /** When a media stream's `start` was accepted for this call (its token used); null = none yet. */
    streamStartedAt: integer('stream_started_at'),
    startedAt: integer('started_at').notNull(),
    answeredAt: integer('answered_at'),
    endedAt: integer('ended_at'),
    durationSec: integer('duration_sec'),
    recordingUrl: text('recording_url'),
    recordingSid: text('recording_sid'),
    recordingPath: text('recording_path'),
    recordingStatus: text('recording_status', {
      enum: ['pending', 'downloaded', 'transcribed', 'no_speech', 'failed'],
    }),
    transcript: text('transcript'),
    summary: text('summary'),
    /** JSON: lead fields the agent extracted (name, reason, …). */
    leadFields: text('lead_fields'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('calls_call_sid_uq').on(t.callSid),
    index('calls_customer_idx').on(t.customerId, t.startedAt),
    index('calls_business_started_idx').on(t.businessId, t.startedAt),
  ],
);

export const callTurns = sqliteTable(
  'call_turns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: integer('call_id')
      .notNull()
      .references(() => calls.id, { onDelete: 'cascade' }),
    callSid: text('call_sid').notNull(),
    businessId: integer('business_id').notNull(),
    turnIndex: integer('turn_index').notNull(),
    mode: text('mode', { enum: ['stream', 'record'] })
      .notNull()
      .default('stream'),
    callerText: text('caller_text').notNull().default(''),
    agentText: text('agent_text').notNull().default(''),
    tVadMs: integer('t_vad_ms'),
    tAsrMs: integer('t_asr_ms'),
    tNlpMs: integer('t_nlp_ms'),
    tTtsMs: integer('t_tts_ms'),
    tFirstAudioMs: integer('t_first_audio_ms'),
    tTotalMs: integer('t_total_ms'),
    interrupted: integer('interrupted', { mode: 'boolean' }).notNull().default(false),
    errorCode: text('error_code'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('call_turns_call_turn_uq').on(t.callId, t.turnIndex),
    index('call_turns_business_created_idx').on(t.businessId, t.createdAt),
  ],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id').references(() => customers.id),
    callId: integer('call_id').references(() => calls.id),
    kind: text('kind', { enum: ['task', 'callback', 'appointment'] })
      .notNull()
      .default('task'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    dueAt: integer('due_at'),
    /** Appointments: the booked slot. */
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    reminderAt: integer('reminder_at'),
    remindedAt: integer('reminded_at'),
    doneAt: integer('done_at'),
    createdBy: text('created_by', { enum: ['owner', 'agent', 'system'] })
      .notNull()
      .default('owner'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('tasks_customer_idx').on(t.customerId, t.createdAt),
    index('tasks_business_due_idx').on(t.businessId, t.doneAt, t.dueAt),
    index('tasks_business_starts_idx').on(t.businessId, t.startsAt),
    index('tasks_reminder_idx').on(t.reminderAt, t.remindedAt),
    index('tasks_business_due_at_idx').on(t.businessId, t.dueAt),
    /** The calendar's per-day counts of undated-slot tasks: covering (no row lookups). */
    index('tasks_business_due_starts_idx').on(t.businessId, t.dueAt, t.startsAt),
  ],
);

export const waMessages = sqliteTable(
  'wa_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id').references(() => customers.id),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    provider: text('provider', { enum: ['baileys', 'twilio'] }).notNull(),
    providerMessageId: text('provider_message_id'),
    /** The customer's number in E.164. */
    peer: text('peer').notNull(),
    type: text('type', {
      enum: ['text', 'image', 'document', 'audio', 'video', 'sticker', 'template', 'other'],
    })
      .notNull()
      .default('text'),
    body: text('body').notNull().default(''),
    mediaPath: text('media_path'),
    mediaMime: text('media_mime'),
    mediaName: text('media_name'),
    templateSid: text('template_sid'),
    templateVars: text('template_vars'),
    status: text('status', {
      enum: ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'received'],
    }).notNull(),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    sentAt: integer('sent_at'),
    deliveredAt: integer('delivered_at'),
    readAt: integer('read_at'),
    /** Inbound messages the owner has not opened yet. */
    unread: integer('unread', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    // Outbox and contacts (issue 11) ---------------------------------------------------------
    /** The conversation: a WhatsApp contact (phone JID + LID). */
    contactId: integer('contact_id').references((): AnySQLiteColumn => waContacts.id),
    /** The provider's chat address the message came on (Baileys remote JID, Twilio `whatsapp:+…`). */
    chatJid: text('chat_jid'),
    /** Our idempotency key for an outbound message (Baileys message id; Twilio status-callback `cid`). */
    clientId: text('client_id'),
    mediaSize: integer('media_size'),
    /** The provider's error code on failed/undelivered (Twilio ErrorCode such as 63016). */
    providerErrorCode: text('provider_error_code'),
    /** When the current send attempt started (outbox crash recovery reads it). */
    sendingAt: integer('sending_at'),
    /** Written by the AI auto-reply. */
    byAi: integer('by_ai', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('wa_messages_customer_idx').on(t.customerId, t.createdAt),
    uniqueIndex('wa_messages_client_id_uq').on(t.clientId),
    // Outbox per-chat order: the oldest unfinished outbound message of a contact.
    index('wa_messages_contact_idx').on(t.contactId, t.id),
    uniqueIndex('wa_messages_provider_msg_uq').on(t.provider, t.providerMessageId),
    index('wa_messages_outbox_idx').on(t.status, t.nextAttemptAt),
    index('wa_messages_peer_idx').on(t.peer, t.createdAt),
    // Dashboard "unread WhatsApp": only the unread rows are indexed.
    index('wa_messages_unread_idx')
      .on(t.businessId, t.customerId)
      .where(sql`unread = 1`),
  ],
);

/**
 * A WhatsApp contact: one stable id for the phone JID and (Baileys v7) the LID, the customer it
 * belongs to, the 24-hour window and the conversation summary the inbox lists.
 */
export const waContacts = sqliteTable(
  'wa_contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id').references(() => customers.id),
    /** E.164; null while only a LID is known. */
    phone: text('phone'),
    /** Baileys v7 LID (`123…@lid`), when known. */
    lid: text('lid'),
    profileName: text('profile_name'),
    /** The customer's last message: free text is allowed for 24 h after it (Twilio / Cloud API). */
    lastInboundAt: integer('last_inbound_at'),
    /** The owner's last own message (AI hand-over). */
    lastOwnerAt: integer('last_owner_at'),
    /** The AI's last reply (per-chat rate limit). */
    lastAiAt: integer('last_ai_at'),
    lastMessageId: integer('last_message_id'),
    lastMessageAt: integer('last_message_at'),
    unreadCount: integer('unread_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('wa_contacts_business_phone_uq').on(t.businessId, t.phone),
    uniqueIndex('wa_contacts_lid_uq').on(t.lid),
    index('wa_contacts_customer_idx').on(t.customerId),
    index('wa_contacts_last_message_idx').on(t.businessId, t.lastMessageAt),
    index('wa_contacts_unread_idx')
      .on(t.businessId, t.lastMessageAt)
      .where(sql`unread_count > 0`),
  ],
);

/** Baileys auth state, one row per key (creds, pre-keys, sessions …). */
export const waAuth = sqliteTable('wa_auth', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: updatedAt(),
});

export const documentTypes = [
  'tax_invoice',
  'receipt',
  'tax_invoice_receipt',
  'credit_note',
  'proposal',
] as const;

export const documents = sqliteTable(
  'documents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id').references(() => customers.id),
    type: text('type', { enum: documentTypes }).notNull(),
    /**
     * Gapless per (business, type), taken from document_sequences in the issuing transaction.
     * A draft has no number: it holds the placeholder -id (the column predates drafts and is
     * NOT NULL); the API shows null. Reports read status 'issued'/'cancelled' only.
     */
    number: integer('number').notNull(),
    status: text('status', { enum: ['draft', 'issued', 'cancelled'] })
      .notNull()
      .default('issued'),
    /** The document's date in Israel; a draft holds its creation date until issued. */
    issueDate: text('issue_date').notNull(),
    dueDate: text('due_date'),
    /**
     * JSON snapshot of the customer as it was when issued (billing CustomerSnapshot). A draft:
     * the details to print instead of the CRM customer's, or '{}'.
     */
    customerSnapshot: text('customer_snapshot').notNull().default('{}'),
    /** JSON snapshot of the business profile as it was when issued ('{}' for a draft). */
    businessSnapshot: text('business_snapshot').notNull().default('{}'),
    dealId: integer('deal_id').references(() => deals.id),
    /** A discount on the whole document before VAT (subtotal_agorot is after it: the VAT base). */
    discountAgorot: integer('discount_agorot').notNull().default(0),
    /** JSON: the payments a receipt / invoice-receipt prints (method, amount, date, details). */
    paymentEntries: text('payment_entries').notNull().default('[]'),
    cancelReason: text('cancel_reason'),
    issuedAt: integer('issued_at'),
    updatedAt: integer('updated_at'),
    subtotalAgorot: integer('subtotal_agorot').notNull(),
    vatAgorot: integer('vat_agorot').notNull(),
    totalAgorot: integer('total_agorot').notNull(),
    vatRateBp: integer('vat_rate_bp').notNull(),
    allocationNumber: text('allocation_number'),
    relatedDocumentId: integer('related_document_id').references((): AnySQLiteColumn => documents.id),
    notes: text('notes').notNull().default(''),
    pdfPath: text('pdf_path'),
    pdfSha256: text('pdf_sha256'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('documents_business_type_number_uq').on(t.businessId, t.type, t.number),
    index('documents_customer_idx').on(t.customerId, t.createdAt),
    index('documents_business_issue_idx').on(t.businessId, t.issueDate),
    index('documents_business_created_idx').on(t.businessId, t.createdAt),
    index('documents_related_idx').on(t.relatedDocumentId),
  ],
);

export const documentLines = sqliteTable(
  'document_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    documentId: integer('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    /** Quantity in thousandths (1.5 units = 1500). */
    quantityMilli: integer('quantity_milli').notNull(),
    unitPriceAgorot: integer('unit_price_agorot').notNull(),
    /** After the line's discount, before VAT. */
    totalAgorot: integer('total_agorot').notNull(),
    /** JSON line discount as entered: {kind:'agorot',agorot} | {kind:'percent',percent}; null: none. */
    discount: text('discount'),
  },
  (t) => [index('document_lines_document_idx').on(t.documentId, t.position)],
);

export const documentSequences = sqliteTable(
  'document_sequences',
  {
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    type: text('type', { enum: documentTypes }).notNull(),
    nextNumber: integer('next_number').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.type] })],
);

export const payments = sqliteTable(
  'payments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id').references(() => customers.id),
    documentId: integer('document_id').references(() => documents.id),
    provider: text('provider', { enum: ['manual', 'paypal', 'tranzila'] }).notNull(),
    /** `credit_card` is the demo data's older name for `card` (a card at a terminal). */
    method: text('method', {
      enum: ['cash', 'cheque', 'bank_transfer', 'card', 'credit_card', 'bit', 'paypal', 'tranzila'],
    }).notNull(),
    amountAgorot: integer('amount_agorot').notNull(),
    currency: text('currency').notNull().default('ILS'),
    status: text('status', { enum: ['pending', 'succeeded', 'failed', 'refunded', 'cancelled'] })
      .notNull()
      .default('pending'),
    providerRef: text('provider_ref'),
    linkUrl: text('link_url'),
    reference: text('reference'),
    /** The receipt (or invoice-receipt) issued for this payment; document_id is the invoice it pays. */
    receiptDocumentId: integer('receipt_document_id').references(() => documents.id),
    /** JSON: cheque number, bank/branch/account, card last 4 digits, installments, reference. */
    details: text('details').notNull().default('{}'),
    notes: text('notes').notNull().default(''),
    /** Why a payment failed or was refunded, as the provider said it. */
    statusReason: text('status_reason'),
    /** JSON: the provider's own data (order / capture / notify fields); never card numbers. */
    rawProviderData: text('raw_provider_data'),
    paidAt: integer('paid_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('payments_customer_idx').on(t.customerId, t.createdAt),
    index('payments_provider_ref_idx').on(t.provider, t.providerRef),
    index('payments_business_paid_idx').on(t.businessId, t.paidAt),
    index('payments_document_idx').on(t.documentId, t.status),
    index('payments_receipt_idx').on(t.receiptDocumentId),
  ],
);

export const contractTemplates = sqliteTable(
  'contract_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    name: text('name').notNull(),
    version: integer('version').notNull().default(1),
    body: text('body').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Which default template (resources/contracts/<key>.md) this was seeded from, if any. */
    templateKey: text('template_key'),
    /** The signer must give an ID number (ת.ז.) to sign. */
    requiresIdNumber: integer('requires_id_number', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('contract_templates_name_version_uq').on(t.businessId, t.name, t.version)],
);

export const contracts = sqliteTable(
  'contracts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id),
    dealId: integer('deal_id').references(() => deals.id),
    templateId: integer('template_id').references(() => contractTemplates.id),
    templateVersion: integer('template_version'),
    title: text('title').notNull(),
    bodyRendered: text('body_rendered').notNull(),
    status: text('status', { enum: ['draft', 'sent', 'opened', 'signed', 'cancelled', 'expired'] })
      .notNull()
      .default('draft'),
    unsignedPdfPath: text('unsigned_pdf_path'),
    unsignedSha256: text('unsigned_sha256'),
    signedPdfPath: text('signed_pdf_path'),
    signedSha256: text('signed_sha256'),
    signerName: text('signer_name'),
    signerIdNumber: text('signer_id_number'),
    signerIp: text('signer_ip'),
    signerUserAgent: text('signer_user_agent'),
    signedAt: integer('signed_at'),
    /** SHA-256 of the remote-signing token; the token itself is never stored. */
    signTokenHash: text('sign_token_hash'),
    tokenExpiresAt: integer('token_expires_at'),
    tokenUsedAt: integer('token_used_at'),
    /** Failed or refused submissions on the current link (rate-limited). */
    tokenAttempts: integer('token_attempts').notNull().default(0),
    /** AGR-<year>-<4 digits>, gapless per business, given at creation. */
    number: text('number'),
    /** The placeholder values the body was rendered from (JSON), kept as evidence. */
    fieldValues: text('field_values').notNull().default('{}'),
    requiresIdNumber: integer('requires_id_number', { mode: 'boolean' }).notNull().default(false),
    /** signature_pad `toData()` (JSON): the strokes, kept next to the PNG placed in the PDF. */
    signatureStrokes: text('signature_strokes'),
    signaturePngPath: text('signature_png_path'),
    /** in_office | remote */
    signedVia: text('signed_via'),
    sentAt: integer('sent_at'),
    viewedAt: integer('viewed_at'),
    voidedAt: integer('voided_at'),
    voidReason: text('void_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('contracts_customer_idx').on(t.customerId, t.createdAt),
    uniqueIndex('contracts_token_hash_uq').on(t.signTokenHash),
    uniqueIndex('contracts_number_uq').on(t.businessId, t.number),
    index('contracts_status_idx').on(t.businessId, t.status, t.createdAt),
  ],
);

/** Hash-chained: hash = sha256(prev_hash + canonical row), so a later edit is detectable. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id').notNull(),
    event: text('event').notNull(),
    data: text('data').notNull().default('{}'),
    actor: text('actor').notNull().default('owner'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('audit_events_entity_idx').on(t.entityType, t.entityId, t.id)],
);

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  /** JSON value. */
  value: text('value').notNull(),
  updatedAt: updatedAt(),
});

/** Encrypted secrets (safeStorage under Electron, AES-256-GCM with a 0600 key file headless). */
export const secrets = sqliteTable('secrets', {
  name: text('name').primaryKey(),
  ciphertext: blob('ciphertext', { mode: 'buffer' }).notNull(),
  updatedAt: updatedAt(),
});

/** Durable background work (recording downloads, …): survives a restart and is resumed. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    payload: text('payload').notNull().default('{}'),
    status: text('status', { enum: ['pending', 'running', 'done', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    runAt: integer('run_at').notNull(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('jobs_status_run_idx').on(t.status, t.runAt)],
);

/**
 * Online checkouts (billing/providers): one PayPal order or Tranzila hosted-page link each. The
 * succeeded one points at the `payments` row it recorded (once: `payment_id` is set in the same
 * transaction that claims the checkout) and at the receipt issued for it.
 */
export const paymentCheckouts = sqliteTable(
  'payment_checkouts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    businessId: integer('business_id')
      .notNull()
      .references(() => business.id),
    provider: text('provider', { enum: ['paypal', 'tranzila'] }).notNull(),
    /** PayPal's order id; for Tranzila our own random token, sent with the link and echoed back. */
    providerOrderId: text('provider_order_id').notNull(),
    customerId: integer('customer_id').references(() => customers.id),
    documentId: integer('document_id').references(() => documents.id),
    amountAgorot: integer('amount_agorot').notNull(),
    currency: text('currency').notNull().default('ILS'),
    description: text('description').notNull().default(''),
    status: text('status', { enum: ['created', 'approved', 'succeeded', 'failed', 'cancelled'] })
      .notNull()
      .default('created'),
    /** Where the customer pays: PayPal's approval link or the Tranzila hosted page. */
    approvalUrl: text('approval_url').notNull(),
    sandbox: integer('sandbox', { mode: 'boolean' }).notNull(),
    /** PayPal's capture id / Tranzila's transaction index, once it succeeded. */
    providerRef: text('provider_ref'),
    paymentId: integer('payment_id').references(() => payments.id),
    receiptDocumentId: integer('receipt_document_id').references(() => documents.id),
    failureReason: text('failure_reason'),
    /** The provider's last answer, trimmed to the fields we use (never card data). */
    rawJson: text('raw_json').notNull().default('{}'),
    completedAt: integer('completed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('payment_checkouts_provider_order_uq').on(t.provider, t.providerOrderId),
    uniqueIndex('payment_checkouts_provider_ref_uq').on(t.provider, t.providerRef),
    index('payment_checkouts_document_idx').on(t.documentId, t.status),
    index('payment_checkouts_customer_idx').on(t.customerId, t.createdAt),
  ],
);

/** Webhook / notify deliveries already handled, by the provider's event id: a repeat changes nothing. */
export const paymentProviderEvents = sqliteTable(
  'payment_provider_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider', { enum: ['paypal', 'tranzila'] }).notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull().default(''),
    checkoutId: integer('checkout_id').references(() => paymentCheckouts.id),
    outcome: text('outcome').notNull().default(''),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [uniqueIndex('payment_provider_events_uq').on(t.provider, t.eventId)],
);
