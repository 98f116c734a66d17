import { describe, expect, it } from 'vitest';
import {
  isIgnoredJid,
  jidUser,
  parseContent,
  phoneOfPnJid,
  receiptStatusOf,
  timestampMs,
  userReceiptStatus,
  waMessageId,
} from '../../src-main/whatsapp/baileys/normalize';

describe('Baileys shapes → normalized', () => {
  it('JIDs: device suffixes dropped, phones to E.164, broadcasts/channels ignored', () => {
    expect(jidUser('972501234567:12@s.whatsapp.net')).toBe('972501234567');
    expect(jidUser('123456789012345:3@lid')).toBe('123456789012345');
    expect(phoneOfPnJid('972501234567:12@s.whatsapp.net')).toBe('+972501234567');
    expect(phoneOfPnJid('447911123456@s.whatsapp.net')).toBe('+447911123456');
    expect(phoneOfPnJid('123456789012345@lid')).toBeNull();
    expect(phoneOfPnJid('12@s.whatsapp.net')).toBeNull();
    expect(isIgnoredJid('status@broadcast')).toBe(true);
    expect(isIgnoredJid('1203630@newsletter')).toBe(true);
    expect(isIgnoredJid('972501234567@s.whatsapp.net')).toBe(false);
  });

  it('message content kinds; non-content messages are null', () => {
    expect(parseContent({ conversation: 'hi' })).toEqual({ kind: 'text', text: 'hi', media: null });
    expect(parseContent({ extendedTextMessage: { text: 'link https://x' } })?.text).toBe('link https://x');
    expect(parseContent({ imageMessage: { caption: 'c' } })).toEqual({
      kind: 'image',
      text: 'c',
      media: { mime: 'image/jpeg', fileName: null },
    });
    expect(parseContent({ documentMessage: { mimetype: 'application/pdf', title: 'doc' } })?.media).toEqual({
      mime: 'application/pdf',
      fileName: 'doc',
    });
    expect(parseContent({ audioMessage: { ptt: true } })?.kind).toBe('audio');
    expect(parseContent({ videoMessage: {} })?.kind).toBe('video');
    expect(parseContent({ stickerMessage: {} })?.kind).toBe('sticker');
    expect(parseContent({ locationMessage: { name: 'המשרד', address: 'הרצל 1' } })).toMatchObject({
      kind: 'other',
      text: 'המשרד — הרצל 1',
    });
    expect(parseContent({ reactionMessage: { text: '👍' } })).toBeNull();
    expect(parseContent({ protocolMessage: { type: 0 } })).toBeNull();
    expect(parseContent({ senderKeyDistributionMessage: {} })).toBeNull();
    expect(parseContent({ messageContextInfo: {} })).toBeNull();
    expect(parseContent(null)).toBeNull();
  });

  it('timestamps (number or Long), receipt statuses', () => {
    expect(timestampMs(1_767_254_400, 5)).toBe(1_767_254_400_000);
    expect(timestampMs({ toNumber: () => 1_767_254_400 } as never, 5)).toBe(1_767_254_400_000);
    expect(timestampMs(undefined, 5)).toBe(5);
    expect([0, 1, 2, 3, 4, 5, 9].map(receiptStatusOf)).toEqual([
      'failed',
      null,
      'sent',
      'delivered',
      'read',
      'read',
      null,
    ]);
    expect(userReceiptStatus({ receiptTimestamp: 10 })).toEqual({ status: 'delivered', at: 10_000 });
    expect(userReceiptStatus({ receiptTimestamp: 10, readTimestamp: 20 })).toEqual({
      status: 'read',
      at: 20_000,
    });
    expect(userReceiptStatus({ playedTimestamp: 30 })).toEqual({ status: 'read', at: 30_000 });
    expect(userReceiptStatus({})).toBeNull();
  });

  it('outbound ids: deterministic per outbox client id, shaped like Baileys ids', () => {
    const a = waMessageId('AL0123456789ABCDEF01');
    expect(a).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(waMessageId('AL0123456789ABCDEF01')).toBe(a);
    expect(waMessageId('AL0123456789ABCDEF02')).not.toBe(a);
  });
});
