/**
 * Baileys shapes → the provider interface's normalized shapes (pure functions, no socket).
 * JIDs: `972501234567@s.whatsapp.net` (phone, "PN"), `123456789@lid` (v7 LID), `…@g.us` groups,
 * `status@broadcast`, `…@newsletter`. A device suffix (`972…:12@s.whatsapp.net`) is dropped.
 */
import { createHash } from 'node:crypto';
import { toE164 } from '../../platform/phone';
import type { MessageKind, Receipt } from '../provider';
import type { BaileysLib, WAMessage } from './lib';

export const STATUS_BROADCAST = 'status@broadcast';

export const isGroupJid = (jid: string): boolean => jid.endsWith('@g.us');
export const isLidJid = (jid: string): boolean => jid.endsWith('@lid');
export const isPnJid = (jid: string): boolean => jid.endsWith('@s.whatsapp.net') || jid.endsWith('@c.us');
/** Never stored or answered: status updates, broadcast lists, channels. */
export const isIgnoredJid = (jid: string): boolean =>
  jid === STATUS_BROADCAST || jid.endsWith('@broadcast') || jid.endsWith('@newsletter');

/** The user part of a JID without device or agent: `972501234567:3@s.whatsapp.net` → `972501234567`. */
export function jidUser(jid: string): string {
  const at = jid.indexOf('@');
  const user = at >= 0 ? jid.slice(0, at) : jid;
  return user.split(':')[0]!.split('_')[0]!;
}

/** `972501234567@s.whatsapp.net` → `+972501234567` (E.164), null if it is not a valid number. */
export function phoneOfPnJid(jid: string | null | undefined): string | null {
  if (!jid || !isPnJid(jid)) return null;
  const user = jidUser(jid);
  return /^\d{6,15}$/.test(user) ? toE164(`+${user}`) : null;
}

/**
 * The WhatsApp message id for an outbox row: deterministic (a resend after a crash is the same
 * WhatsApp message, which the recipient's devices de-duplicate) and shaped like Baileys' own
 * ids (`3EB0` + 18 upper-case hex).
 */
export function waMessageId(clientMessageId: string): string {
  return '3EB0' + createHash('sha256').update(clientMessageId).digest('hex').toUpperCase().slice(0, 18);
}

export interface ParsedContent {
  kind: MessageKind;
  text: string;
  /** The media part to download (image/document/audio/video/sticker). */
  media: { mime: string; fileName: string | null } | null;
}

type Content = NonNullable<ReturnType<BaileysLib['normalizeMessageContent']>>;

/**
 * What a message carries, after Baileys' `normalizeMessageContent` unwrapped ephemeral,
 * view-once, edited and document-with-caption wrappers. Null for messages that are not
 * conversation content (protocol messages, reactions, key distribution, poll votes, stubs).
 */
export function parseContent(content: Content | null | undefined): ParsedContent | null {
  if (!content) return null;
  if (content.conversation) return { kind: 'text', text: content.conversation, media: null };
  if (content.extendedTextMessage)
    return { kind: 'text', text: content.extendedTextMessage.text ?? '', media: null };
  if (content.imageMessage) {
    const m = content.imageMessage;
    return {
      kind: 'image',
      text: m.caption ?? '',
      media: { mime: m.mimetype || 'image/jpeg', fileName: null },
    };
  }
  if (content.documentMessage) {
    const m = content.documentMessage;
    return {
      kind: 'document',
      text: m.caption ?? '',
      media: { mime: m.mimetype || 'application/octet-stream', fileName: m.fileName || m.title || null },
    };
  }
  if (content.audioMessage) {
    const m = content.audioMessage;
    return { kind: 'audio', text: '', media: { mime: m.mimetype || 'audio/ogg', fileName: null } };
  }
  if (content.videoMessage) {
    const m = content.videoMessage;
    return {
      kind: 'video',
      text: m.caption ?? '',
      media: { mime: m.mimetype || 'video/mp4', fileName: null },
    };
  }
  if (content.stickerMessage) {
    return {
      kind: 'sticker',
      text: '',
      media: { mime: content.stickerMessage.mimetype || 'image/webp', fileName: null },
    };
  }
  if (
    content.protocolMessage ||
    content.reactionMessage ||
    content.senderKeyDistributionMessage ||
    content.pollUpdateMessage ||
    content.keepInChatMessage ||
    content.pinInChatMessage
  ) {
    return null;
  }
  if (content.locationMessage) {
    const l = content.locationMessage;
    return { kind: 'other', text: [l.name, l.address].filter(Boolean).join(' — '), media: null };
  }
  if (content.contactMessage)
    return { kind: 'other', text: content.contactMessage.displayName ?? '', media: null };
  const keys = Object.keys(content).filter((k) => k !== 'messageContextInfo');
  return keys.length ? { kind: 'other', text: '', media: null } : null;
}

/** `messageTimestamp` (seconds, number or protobuf Long) → epoch ms. */
export function timestampMs(ts: WAMessage['messageTimestamp'], fallback: number): number {
  if (ts === null || ts === undefined) return fallback;
  const n = typeof ts === 'number' ? ts : Number((ts as { toNumber?: () => number }).toNumber?.() ?? ts);
  return Number.isFinite(n) && n > 0 ? n * 1000 : fallback;
}

/** proto.WebMessageInfo.Status → our receipt status (ERROR 0, PENDING 1, SERVER_ACK 2, DELIVERY_ACK 3, READ 4, PLAYED 5). */
export function receiptStatusOf(status: number | null | undefined): Receipt['status'] | null {
  switch (status) {
    case 0:
      return 'failed';
    case 2:
      return 'sent';
    case 3:
      return 'delivered';
    case 4:
    case 5:
      return 'read';
    default:
      return null;
  }
}

/** A `message-receipt.update` receipt (groups, multi-device) → status and time. */
export function userReceiptStatus(receipt: {
  receiptTimestamp?: unknown;
  readTimestamp?: unknown;
  playedTimestamp?: unknown;
}): { status: 'delivered' | 'read'; at: number } | null {
  const secs = (v: unknown): number | null => {
    if (v === null || v === undefined) return null;
    const n = typeof v === 'number' ? v : Number((v as { toNumber?: () => number }).toNumber?.() ?? v);
    return Number.isFinite(n) && n > 0 ? n * 1000 : null;
  };
  const read = secs(receipt.readTimestamp) ?? secs(receipt.playedTimestamp);
  if (read !== null) return { status: 'read', at: read };
  const delivered = secs(receipt.receiptTimestamp);
  if (delivered !== null) return { status: 'delivered', at: delivered };
  return null;
}
