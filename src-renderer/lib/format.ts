/**
 * Israeli formats: the one place the renderer builds Intl formatters (he-IL, always in
 * Asia/Jerusalem). Pages never call toLocaleString themselves.
 *
 * Money has one rule: amounts in lists, cards and reports drop ".00" when whole ("1,250 ₪",
 * "99.90 ₪"); tax documents (invoice, receipt, their editor) always show the agorot
 * (`formatMoneyExact`, "1,250.00 ₪"). The ₪ sign always follows the number.
 */
const LOCALE = 'he-IL';
const TZ = 'Asia/Jerusalem';

const money = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: 'ILS',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
  trailingZeroDisplay: 'stripIfInteger',
});
const moneyExact = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: 'ILS',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const upToOneDecimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 });
const date = new Intl.DateTimeFormat(LOCALE, {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});
const time = new Intl.DateTimeFormat(LOCALE, {
  timeZone: TZ,
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** ₪ from integer agorot, without ".00" when whole (lists, cards, reports). */
export const formatMoney = (agorot: number): string => money.format(agorot / 100);
/** ₪ from integer agorot, always with agorot (tax documents). */
export const formatMoneyExact = (agorot: number): string => moneyExact.format(agorot / 100);
/** A count with thousands separators ("200,000"); at most `decimals` (0 or 1) fraction digits. */
export const formatNumber = (n: number, decimals: 0 | 1 = 0): string =>
  (decimals ? upToOneDecimal : integer).format(n);
/** A share 0..1 as a whole percent ("87%"). */
export const formatPercent = (share: number): string => percent.format(share);
/** Milliseconds as seconds with one decimal ("1.2"), for response times an owner reads. */
export const formatSeconds = (ms: number): string => oneDecimal.format(ms / 1000);
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
