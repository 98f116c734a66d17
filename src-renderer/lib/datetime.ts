/**
 * Dates and times as an Israeli owner types and reads them: DD/MM/YYYY and 24-hour HH:mm, on the
 * clock of Asia/Jerusalem whatever the computer's locale or time zone. The one date-time picker
 * (components/DateTimeField.tsx) and billing's date fields parse and show through these.
 */
import { TZDate } from '@date-fns/tz';

export const ISRAEL_TZ = 'Asia/Jerusalem';

/** A calendar date and a wall-clock time in Israel. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ISRAEL_TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** The Israeli wall-clock time of an instant. */
export function israelWallTime(ms: number): WallTime {
  const p = Object.fromEntries(parts.formatToParts(ms).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** 'DD/MM/YYYY' of an instant, in Israel. */
export const showDate = (ms: number): string => {
  const w = israelWallTime(ms);
  return `${two(w.day)}/${two(w.month)}/${w.year}`;
};

/** 'HH:mm' (24-hour) of an instant, in Israel. */
export const showTime = (ms: number): string => {
  const w = israelWallTime(ms);
  return `${two(w.hour)}:${two(w.minute)}`;
};

/** 'DD/MM/YYYY HH:mm' of an instant, in Israel. */
export const showDateTime = (ms: number): string => `${showDate(ms)} ${showTime(ms)}`;

/** 'D/M/YYYY' (also with '.' or '-', one or two digits) → the calendar date, or null if it is no date. */
export function parseDate(text: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text.trim());
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || d.getUTCDate() !== day || d.getUTCMonth() + 1 !== month) return null;
  return { year, month, day };
}

/** 'H:mm', 'HH:mm' or 'HHmm' (24-hour; '.' also separates) → hours and minutes, or null. */
export function parseTime(text: string): { hour: number; minute: number } | null {
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [hour, minute] = [Number(m[1]), Number(m[2])];
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}

/**
 * The instant of an Israeli wall-clock time. When the clocks go back (the last Sunday of October)
 * the hour 01:00–01:59 happens twice: the first, summer-time one is meant. When they go forward
 * (the Friday before the last Sunday of March) 02:00–02:59 does not exist: null.
 */
export function fromWallTime(w: WallTime): number | null {
  const guess = new TZDate(w.year, w.month - 1, w.day, w.hour, w.minute, ISRAEL_TZ).getTime();
  // Of the (at most two) instants that show this wall time, the earlier.
  for (const ms of [guess - 3_600_000, guess]) {
    const back = israelWallTime(ms);
    if (
      back.year === w.year &&
      back.month === w.month &&
      back.day === w.day &&
      back.hour === w.hour &&
      back.minute === w.minute
    )
      return ms;
  }
  return null;
}

export type DateTimeProblem = 'date' | 'time' | 'no_such_time';

/** What a date-time field holds: an instant, nothing, or what is typed is not a time (and why). */
export type DateTimeValue = number | null | { problem: DateTimeProblem };

/**
 * A date typed together with its time in the date field ('03/12/2026 14:30', as pasted or typed in
 * one go) → the two parts; null when the text is not a date followed by a time.
 */
export function splitDateTime(text: string): { date: string; time: string } | null {
  const m = /^(\S+)\s+(\d{1,2}[:.]\d{2}|\d{3,4})$/.exec(text.trim());
  return m && parseDate(m[1]!) && parseTime(m[2]!) ? { date: m[1]!, time: m[2]! } : null;
}

/**
 * What the owner typed in a date and a time field → the instant, or why not. An empty date is
 * `null` (no date); a date without a time is that day at `defaultTime`; a date field holding both
 * ('03/12/2026 14:30') wins over the time field.
 */
export function parseDateTime(
  typedDate: string,
  typedTime: string,
  defaultTime = '09:00',
): { ms: number | null } | { problem: DateTimeProblem } {
  const both = splitDateTime(typedDate);
  const dateText = both ? both.date : typedDate;
  const timeText = both ? both.time : typedTime;
  if (!dateText.trim()) return timeText.trim() ? { problem: 'date' } : { ms: null };
  const d = parseDate(dateText);
  if (!d) return { problem: 'date' };
  const t = parseTime(timeText.trim() || defaultTime);
  if (!t) return { problem: 'time' };
  const ms = fromWallTime({ ...d, ...t });
  return ms === null ? { problem: 'no_such_time' } : { ms };
}

/** The time `minutes` later (or earlier), wrapping round midnight: ArrowUp / ArrowDown in a time field. */
export function stepTime(text: string, minutes: number): string {
  const t = parseTime(text) ?? { hour: 9, minute: 0 };
  const total = (((t.hour * 60 + t.minute + minutes) % 1440) + 1440) % 1440;
  const snapped = Math.round(total / Math.abs(minutes)) * Math.abs(minutes);
  const v = snapped % 1440;
  return `${two(Math.floor(v / 60))}:${two(v % 60)}`;
}

/** 'YYYY-MM-DD' → 'DD/MM/YYYY' (empty stays empty). */
export const showIsoDate = (iso: string | null | undefined): string =>
  iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '';

/** 'D/M/YYYY' → 'YYYY-MM-DD' when it is a real calendar date, else null. */
export function parseIsraeliDate(text: string): string | null {
  const d = parseDate(text);
  return d ? `${d.year}-${two(d.month)}-${two(d.day)}` : null;
}

/** Today's calendar date in Israel, 'YYYY-MM-DD'. */
export const israelToday = (now = Date.now()): string => {
  const w = israelWallTime(now);
  return `${w.year}-${two(w.month)}-${two(w.day)}`;
};
