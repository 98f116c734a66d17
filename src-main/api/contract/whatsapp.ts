/**
 * WhatsApp (SPEC §2): provider choice and connection, the inbox (conversations by customer,
 * threads, unread), sending through the durable outbox, templates, settings.
 *
 * Stability: the inbox and settings screens build on this file. Add, never rename.
 *
 * Sending a file: the renderer sends the bytes the owner picked (base64 in the body, ≤ 10 MB
 * decoded, type allow-listed), never a path — a path would let the renderer make the app send
 * any file on the disk. The core writes the bytes under the data folder (`wa-media/`) first.
 */
import { z } from 'zod';
import { toE164 } from '../../platform/phone';
import { method } from '../define';
import { empty, epochMs, id } from './common';

export const WA_PROVIDERS = ['baileys', 'twilio'] as const;
export const waProviderSchema = z.enum(WA_PROVIDERS);

export const WA_CONNECTION_STATES = [
  'not_configured',
  'connecting',
  'qr',
  'open',
  'reconnecting',
  'replaced',
  'logged_out',
  'stopped',
  'error',
] as const;

export const WA_MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'received',
] as const;
export const WA_MESSAGE_KINDS = [
  'text',
  'image',
  'document',
  'audio',
  'video',
  'sticker',
  'template',
  'other',
] as const;

/**
 * Why a send failed or was refused; each has a Hebrew text in he.whatsapp.errors.
 * `outside_window`: more than 24 h since the customer last wrote — only an approved template
 * (Twilio error 63016). `unknown_delivery`: the app stopped mid-send and the provider cannot
 * say whether it went out; not resent, to never send twice.
 */
export const WA_ERROR_CODES = [
  'outside_window',
  'not_connected',
  'not_configured',
  'invalid_recipient',
  'not_on_whatsapp',
  'media_unsupported',
  'media_too_large',
  'template_unavailable',
  'rate_limited',
  'auth',
  'network',
  'provider',
  'unknown_delivery',
  'undelivered',
  'no_phone',
] as const;
export const waErrorCodeSchema = z.enum(WA_ERROR_CODES);

/** Files the owner can send, with WhatsApp's limits (bytes, decoded). */
export const WA_MEDIA_LIMITS = {
  image: { mimes: ['image/jpeg', 'image/png', 'image/webp'], maxBytes: 5 * 1024 * 1024 },
  document: {
    mimes: [
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'text/plain',
      'text/csv',
    ],
    maxBytes: 10 * 1024 * 1024,
  },
  audio: {
    mimes: ['audio/ogg', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/amr'],
    maxBytes: 10 * 1024 * 1024,
  },
  video: { mimes: ['video/mp4', 'video/3gpp'], maxBytes: 10 * 1024 * 1024 },
} as const;
export type WaMediaKind = keyof typeof WA_MEDIA_LIMITS;
export const WA_MEDIA_MAX_BYTES = 10 * 1024 * 1024;
export const waMediaKindOf = (mime: string): WaMediaKind | null => {
  for (const [kind, l] of Object.entries(WA_MEDIA_LIMITS))
    if ((l.mimes as readonly string[]).includes(mime)) return kind as WaMediaKind;
  return null;
};
/** WhatsApp's text limit. */
export const WA_TEXT_MAX = 4096;

const phoneE164 = z
  .string()
  .trim()
  .max(40)
  .refine((v) => toE164(v) !== null, 'invalid phone number')
  .transform((v) => toE164(v)!);

/** Who to send to: a customer (their phone) or a phone number (found or created as a lead). */
const recipient = {
  customerId: id.optional(),
  phone: phoneE164.optional(),
};
const hasRecipient = (v: { customerId?: number; phone?: string }) => v.customerId !== undefined || !!v.phone;
const recipientMessage = { message: 'customerId or phone is required', path: ['customerId'] };

export const waConnectionSchema = z.object({
  provider: waProviderSchema,
  state: z.enum(WA_CONNECTION_STATES),
  qr: z.string().nullable(),
  pairingCode: z.string().nullable(),
  me: z.object({ phone: z.string().nullable(), name: z.string().nullable() }).nullable(),
  reason: z.string().nullable(),
  nextRetryAt: epochMs.nullable(),
  since: epochMs,
});
export type WaConnection = z.infer<typeof waConnectionSchema>;

export const waMediaInfoSchema = z.object({
  mime: z.string(),
  size: z.number().int().nonnegative(),
  fileName: z.string().nullable(),
});

export const waMessageSchema = z.object({
  id,
  customerId: id.nullable(),
  direction: z.enum(['in', 'out']),
  provider: waProviderSchema,
  kind: z.enum(WA_MESSAGE_KINDS),
  text: z.string(),
  status: z.enum(WA_MESSAGE_STATUSES),
  /** Failure reason code (he.whatsapp.errors) and the provider's own code (e.g. '63016'). */
  error: waErrorCodeSchema.nullable(),
  providerErrorCode: z.string().nullable(),
  /** Fetch the bytes with whatsapp.media. */
  media: waMediaInfoSchema.nullable(),
  templateSid: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: epochMs.nullable(),
  /** Written by the AI auto-reply (not the owner). */
  byAi: z.boolean(),
  createdAt: epochMs,
  sentAt: epochMs.nullable(),
  deliveredAt: epochMs.nullable(),
  readAt: epochMs.nullable(),
});
export type WaMessage = z.infer<typeof waMessageSchema>;

export const waConversationSchema = z.object({
  customerId: id,
  customerName: z.string(),
  phone: z.string().nullable(),
  phoneDisplay: z.string(),
  /** WhatsApp profile name the customer set, if known. */
  profileName: z.string().nullable(),
  lastMessage: z.object({
    id,
    direction: z.enum(['in', 'out']),
    kind: z.enum(WA_MESSAGE_KINDS),
    text: z.string(),
    status: z.enum(WA_MESSAGE_STATUSES),
    at: epochMs,
  }),
  unread: z.number().int().nonnegative(),
  /** Free text may be sent until then (24 h after the customer's last message); null = closed/unknown. */
  windowOpenUntil: epochMs.nullable(),
});
export type WaConversation = z.infer<typeof waConversationSchema>;

export const waTemplateSchema = z.object({
  contentSid: z.string(),
  name: z.string(),
  language: z.string(),
  body: z.string(),
  variables: z.array(z.string()),
  approval: z.enum(['approved', 'pending', 'rejected', 'unsubmitted', 'unknown']),
});

export const waProviderInfoSchema = z.object({
  active: waProviderSchema,
  /** From WHATSAPP_PROVIDER (used until the owner picks). */
  default: waProviderSchema,
  available: z.array(
    z.object({
      name: waProviderSchema,
      /** Has what it needs to try (Twilio: account keys and a WhatsApp sender number). */
      configured: z.boolean(),
      templates: z.boolean(),
      window24h: z.boolean(),
      qrLogin: z.boolean(),
    }),
  ),
});

export const waSettingsSchema = z.object({
  /** Outbox pace: at most this many sends per minute (default 20) and per day. */
  perMinute: z.number().int().min(1).max(60),
  perDay: z.number().int().min(1).max(10_000),
  /** Twilio WhatsApp sender, E.164 (the "from: whatsapp:+…"). */
  twilioFrom: z.string().nullable(),
  /** Mirror of the business flag ai_whatsapp_autoreply. */
  autoReply: z.boolean(),
  /** After the owner answers in a thread, the AI stays quiet there this long. */
  handoverMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});
export type WaSettings = z.infer<typeof waSettingsSchema>;

const sendOutput = z.object({ message: waMessageSchema });

export const whatsappMethods = {
  'whatsapp.provider.get': method({
    summary: 'The active WhatsApp provider and what each can do',
    feature: 'whatsapp_enabled',
    input: empty,
    output: waProviderInfoSchema,
  }),
  'whatsapp.provider.set': method({
    summary: 'Switch the WhatsApp provider at runtime (queued messages go through the new one)',
    feature: 'whatsapp_enabled',
    input: z.object({ provider: waProviderSchema }).strict(),
    output: waProviderInfoSchema,
  }),
  'whatsapp.status': method({
    summary: 'Connection state of the active provider and the outbox counts',
    feature: 'whatsapp_enabled',
    input: empty,
    output: z.object({
      connection: waConnectionSchema,
      outbox: z.object({
        queued: z.number().int().nonnegative(),
        sending: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
        sentToday: z.number().int().nonnegative(),
      }),
    }),
  }),
  'whatsapp.qr': method({
    summary: 'The current QR to scan, or (with pairingPhone) a pairing code for that number',
    feature: 'whatsapp_enabled',
    input: z.object({ pairingPhone: phoneE164.optional() }).strict().optional(),
    output: z.object({
      state: z.enum(WA_CONNECTION_STATES),
      qr: z.string().nullable(),
      pairingCode: z.string().nullable(),
    }),
  }),
  'whatsapp.logout': method({
    summary: 'Log out of WhatsApp (Baileys: unlink the device and wipe the session)',
    feature: 'whatsapp_enabled',
    input: empty,
    output: waConnectionSchema,
  }),
  'whatsapp.send': method({
    summary: 'Queue a text message (the outbox sends it at a safe pace)',
    feature: 'whatsapp_enabled',
    input: z
      .object({ ...recipient, text: z.string().trim().min(1).max(WA_TEXT_MAX) })
      .strict()
      .refine(hasRecipient, recipientMessage),
    output: sendOutput,
  }),
  'whatsapp.sendMedia': method({
    summary: 'Queue an image/document/audio/video the owner picked (bytes, ≤ 10 MB)',
    feature: 'whatsapp_enabled',
    input: z
      .object({
        ...recipient,
        file: z
          .object({
            name: z
              .string()
              .trim()
              .min(1)
              .max(200)
              .refine((n) => !/[/\\\0]/.test(n), 'a file name, not a path'),
            mime: z.string().trim().toLowerCase().max(120),
            /** The file's bytes, base64 (standard alphabet). */
            base64: z
              .string()
              .min(4)
              .max(Math.ceil(WA_MEDIA_MAX_BYTES / 3) * 4 + 4)
              .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
          })
          .strict()
          .superRefine((f, ctx) => {
            const kind = waMediaKindOf(f.mime);
            if (!kind) {
              ctx.addIssue({ code: 'custom', message: 'media_unsupported', path: ['mime'] });
              return;
            }
            const bytes = Math.floor((f.base64.length * 3) / 4) - (f.base64.match(/=+$/)?.[0].length ?? 0);
            if (bytes > WA_MEDIA_LIMITS[kind].maxBytes)
              ctx.addIssue({ code: 'custom', message: 'media_too_large', path: ['base64'] });
          }),
        caption: z.string().trim().max(1024).optional(),
      })
      .strict()
      .refine(hasRecipient, recipientMessage),
    output: sendOutput,
  }),
  'whatsapp.sendTemplate': method({
    summary: 'Queue an approved template (the only thing Twilio sends outside the 24-hour window)',
    feature: 'whatsapp_enabled',
    input: z
      .object({
        ...recipient,
        contentSid: z.string().regex(/^HX[0-9a-f]{32}$/, 'a Twilio Content SID (HX…)'),
        variables: z
          .record(z.string().regex(/^\d{1,2}$/), z.string().trim().min(1).max(1024))
          .refine((r) => Object.keys(r).length <= 20, 'at most 20 variables')
          .default({}),
      })
      .strict()
      .refine(hasRecipient, recipientMessage),
    output: sendOutput,
  }),
  'whatsapp.templates': method({
    summary: 'Approved and pending templates of the Twilio account',
    feature: 'whatsapp_enabled',
    input: empty,
    output: z.object({ items: z.array(waTemplateSchema) }),
  }),
  'whatsapp.conversations': method({
    summary: 'Conversations by customer, newest first, with unread counts; search by name/phone/text',
    feature: 'whatsapp_enabled',
    input: z
      .object({
        q: z.string().trim().max(100).optional(),
        unreadOnly: z.boolean().optional(),
        page: z.number().int().min(1).max(100_000).default(1),
        limit: z.number().int().min(1).max(100).default(30),
      })
      .strict()
      .optional(),
    output: z.object({
      items: z.array(waConversationSchema),
      total: z.number().int().nonnegative(),
      page: z.number().int(),
      limit: z.number().int(),
      /** Unread inbound messages over all conversations. */
      unreadTotal: z.number().int().nonnegative(),
    }),
  }),
  'whatsapp.messages': method({
    summary: "A customer's thread, oldest → newest; page back with beforeId",
    feature: 'whatsapp_enabled',
    input: z
      .object({
        customerId: id,
        beforeId: id.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.object({
      items: z.array(waMessageSchema),
      hasMore: z.boolean(),
      conversation: waConversationSchema.nullable(),
      /** False outside the 24-hour window on a provider that has one: the UI offers templates only. */
      canSendText: z.boolean(),
    }),
  }),
  'whatsapp.markRead': method({
    summary: "Mark a customer's inbound messages read (all, or up to a message id)",
    feature: 'whatsapp_enabled',
    input: z.object({ customerId: id, upToId: id.optional() }).strict(),
    output: z.object({ ok: z.literal(true), marked: z.number().int().nonnegative() }),
  }),
  'whatsapp.media': method({
    summary: "A message's media as a data: URL (bounded size) for previews and download",
    feature: 'whatsapp_enabled',
    input: z.object({ messageId: id }).strict(),
    output: z.object({
      mime: z.string(),
      bytes: z.number().int().nonnegative(),
      fileName: z.string().nullable(),
      dataUrl: z.string(),
    }),
  }),
  'whatsapp.retry': method({
    summary: 'Queue a failed message again',
    feature: 'whatsapp_enabled',
    input: z.object({ messageId: id }).strict(),
    output: sendOutput,
  }),
  'whatsapp.settings.get': method({
    summary: 'WhatsApp settings: pace caps, Twilio sender, auto-reply and hand-over',
    feature: 'whatsapp_enabled',
    input: empty,
    output: waSettingsSchema,
  }),
  'whatsapp.settings.set': method({
    summary: 'Save WhatsApp settings',
    feature: 'whatsapp_enabled',
    input: waSettingsSchema
      .omit({ twilioFrom: true })
      .extend({ twilioFrom: phoneE164.nullable() })
      .partial()
      .strict(),
    output: waSettingsSchema,
  }),
};

export const whatsappEvents = {
  /** A message was added to a thread (inbound, or an outbound one queued). */
  'whatsapp.message': z.object({ message: waMessageSchema, unread: z.number().int().nonnegative() }),
  /** An outbound message moved on (sending/sent/delivered/read/failed). */
  'whatsapp.status': z.object({
    messageId: id,
    customerId: id.nullable(),
    status: z.enum(WA_MESSAGE_STATUSES),
    error: waErrorCodeSchema.nullable(),
    providerErrorCode: z.string().nullable(),
    sentAt: epochMs.nullable(),
    deliveredAt: epochMs.nullable(),
    readAt: epochMs.nullable(),
  }),
  /** The active provider's connection changed (QR, open, reconnecting …). */
  'whatsapp.connection': waConnectionSchema,
};
