/**
 * The inbox's Israeli times and one-line previews (src-renderer/components/whatsapp/format.ts):
 * today HH:mm, "אתמול", the weekday within a week, else dd/MM/yyyy — all by the calendar day in
 * Asia/Jerusalem, whatever the machine's zone.
 */
import { describe, expect, it } from 'vitest';
import {
  dayKey,
  dayLabel,
  formatBytes,
  listTime,
  previewText,
} from '../../src-renderer/components/whatsapp/format';

/** Epoch ms of a wall-clock time in Israel in winter (UTC+2). */
const il = (iso: string) => Date.parse(`${iso}+02:00`);
const now = il('2026-12-02T10:00:00'); // a Wednesday

describe('inbox times', () => {
  it('uses the Israeli calendar day, not UTC', () => {
    // 00:30 in Israel is still the previous day in UTC.
    expect(dayKey(il('2026-12-02T00:30:00'))).toBe('2026-12-02');
    expect(listTime(il('2026-12-02T00:30:00'), now)).toBe('00:30');
    expect(listTime(il('2026-12-01T23:59:00'), now)).toBe('אתמול');
  });
  it('today → 24-hour time, yesterday, weekday within a week, else dd/MM/yyyy', () => {
    expect(listTime(il('2026-12-02T09:05:00'), now)).toBe('09:05');
    expect(listTime(il('2026-12-02T21:40:00'), il('2026-12-02T22:00:00'))).toBe('21:40');
    expect(listTime(il('2026-12-01T08:00:00'), now)).toBe('אתמול');
    expect(listTime(il('2026-11-29T08:00:00'), now)).toBe('יום ראשון');
    expect(listTime(il('2026-11-28T08:00:00'), now)).toBe('שבת');
    expect(listTime(il('2026-11-25T08:00:00'), now)).toBe('25/11/2026');
    expect(dayLabel(il('2026-12-02T08:00:00'), now)).toBe('היום');
    expect(dayLabel(il('2026-11-01T08:00:00'), now)).toBe('01/11/2026');
  });
});

describe('previews', () => {
  it('says what kind of media a message is, with its caption', () => {
    expect(previewText({ kind: 'text', text: 'שלום' })).toBe('שלום');
    expect(previewText({ kind: 'image', text: '' })).toBe('תמונה');
    expect(previewText({ kind: 'document', text: 'הצעת מחיר' })).toBe('מסמך: הצעת מחיר');
    expect(previewText({ kind: 'audio', text: '' })).toBe('הודעה קולית');
  });
  it('sizes in Hebrew units', () => {
    expect(formatBytes(300)).toBe('1 ק״ב');
    expect(formatBytes(340 * 1024)).toBe('340 ק״ב');
    expect(formatBytes(2.4 * 1024 * 1024)).toBe('2.4 מ״ב');
  });
});
