/** Israeli formats, always in Asia/Jerusalem. */
const TZ = 'Asia/Jerusalem';

const money = new Intl.NumberFormat('he-IL', {
  style: 'currency',
  currency: 'ILS',
  maximumFractionDigits: 2,
});
const date = new Intl.DateTimeFormat('he-IL', {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});
const time = new Intl.DateTimeFormat('he-IL', {
  timeZone: TZ,
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** ₪ from integer agorot. */
export const formatMoney = (agorot: number): string => money.format(agorot / 100);
/** dd/MM/yyyy */
export const formatDate = (ms: number): string => date.format(ms).replace(/\./g, '/');
export const formatTime = (ms: number): string => time.format(ms);
export const formatDateTime = (ms: number): string => `${formatDate(ms)} ${formatTime(ms)}`;

export function formatDuration(sec: number | null | undefined): string {
  if (sec == null) return '—';
  const m = Math.floor(sec / 60);
  const s = Math.round(sec % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** 05X-XXXXXXX for Israeli numbers (shared with the main process). */
export { formatPhone } from '../../src-main/platform/phone';
