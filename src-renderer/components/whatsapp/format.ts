/** Israeli times for the inbox: today HH:mm, "אתמול", the weekday within a week, else dd/MM/yyyy. */
import type { WaConversation, WaMessage } from '../../../src-main/api/contract/whatsapp';
import { he } from '../../i18n/he';
import { formatDate, formatNumber, formatTime } from '../../lib/format';

/** `{name}` placeholders in a Hebrew string. */
export const fill = (template: string, vars: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

const t = he.whatsapp;
const dayKeyFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Jerusalem',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const weekdayFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Jerusalem', weekday: 'short' });
const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** 'YYYY-MM-DD' of the day in Israel. */
export const dayKey = (ms: number): string => dayKeyFmt.format(ms);

/** Whole Israeli calendar days between two instants (0 = same day). */
function daysBetween(a: number, b: number): number {
  const toUtcDay = (ms: number) => Date.parse(`${dayKey(ms)}T00:00:00Z`) / 86_400_000;
  return Math.round(toUtcDay(b) - toUtcDay(a));
}

const weekday = (ms: number) => t.weekdays[WEEKDAY_INDEX[weekdayFmt.format(ms)] ?? 0]!;

/** The conversation list's time column. */
export function listTime(ms: number, now = Date.now()): string {
  const d = daysBetween(ms, now);
  if (d <= 0) return formatTime(ms);
  if (d === 1) return t.yesterday;
  if (d < 7) return weekday(ms);
  return formatDate(ms);
}

/** A day separator in the thread. */
export function dayLabel(ms: number, now = Date.now()): string {
  const d = daysBetween(ms, now);
  if (d <= 0) return t.today;
  if (d === 1) return t.yesterday;
  if (d < 7) return weekday(ms);
  return formatDate(ms);
}

/** One line for a message: its text, or the kind of media ("תמונה") with its caption. */
export function previewText(m: Pick<WaMessage, 'kind' | 'text'>): string {
  const kind = m.kind === 'text' ? '' : t.kinds[m.kind];
  if (kind && m.text) return `${kind}: ${m.text}`;
  return m.text || kind;
}

/** The name to show: the customer's, else the WhatsApp profile name, else the number. */
export const conversationName = (c: Pick<WaConversation, 'customerName' | 'profileName' | 'phoneDisplay'>) =>
  c.customerName || c.profileName || c.phoneDisplay || t.unnamed;

/** Bytes as the owner reads them: 340 ק״ב, 2.4 מ״ב. */
export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return fill(t.units.kb, { n: formatNumber(Math.max(1, Math.round(n / 1024))) });
  return fill(t.units.mb, { n: formatNumber(n / 1024 / 1024, 1) });
}
