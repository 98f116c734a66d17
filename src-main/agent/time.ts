/** Asia/Jerusalem wall time ⇄ epoch ms without a date library (Intl knows the DST rules). */
export const TZ = 'Asia/Jerusalem';

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
}

const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  weekday: 'short',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function localParts(epochMs: number): LocalParts {
  const p = Object.fromEntries(fmt.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    weekday: WEEKDAYS.indexOf(p.weekday ?? 'Sun'),
  };
}

/** Epoch ms of a Jerusalem wall-clock time. */
export function fromLocal(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the guess, then corrected once more around DST switches.
  let ts = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(ts);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    ts += guess - asUtc;
  }
  return ts;
}

const HE_DAYS = ['ראשון', 'שני', 'שלישי', 'רביעי', 'חמישי', 'שישי', 'שבת'];

/** "יום שלישי 14/1 בשעה 10:30" — how the agent says a slot. */
export function sayLocal(epochMs: number): string {
  const p = localParts(epochMs);
  return `יום ${HE_DAYS[p.weekday]} ${p.day}/${p.month} בשעה ${p.hour}:${String(p.minute).padStart(2, '0')}`;
}

/** "2026-01-14" in Jerusalem. */
export function localDate(epochMs: number): string {
  const p = localParts(epochMs);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

export function hebrewWeekday(epochMs: number): string {
  return HE_DAYS[localParts(epochMs).weekday]!;
}
