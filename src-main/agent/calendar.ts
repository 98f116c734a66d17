/**
 * Free appointment slots: working hours (parsed from the business's hours text when it states
 * them as HH:MM-HH:MM, else Sunday–Thursday 09:00–18:00, Friday 09:00–13:00) minus booked
 * appointments (tasks with kind='appointment').
 */
import type { AppointmentCalendar } from '../core/ports';
import { fromLocal, localParts } from './time';

export interface WorkingHours {
  /** Per weekday (0 = Sunday): [openMinute, closeMinute] or null when closed. */
  days: Array<[number, number] | null>;
}

export const DEFAULT_HOURS: WorkingHours = {
  days: [[540, 1080], [540, 1080], [540, 1080], [540, 1080], [540, 1080], [540, 780], null],
};

const toMin = (h: string, m: string) => Number(h) * 60 + Number(m);

/** Reads "א׳-ה׳ 9:00-18:00, ו׳ 9:00-13:00" style text; falls back to the defaults. */
export function parseWorkingHours(text: string): WorkingHours {
  const range = /(\d{1,2}):(\d{2})\s*[-–עד]+\s*(\d{1,2}):(\d{2})/g;
  const ranges = [...text.matchAll(range)].map(
    (m) => [toMin(m[1]!, m[2]!), toMin(m[3]!, m[4]!)] as [number, number],
  );
  if (ranges.length === 0) return DEFAULT_HOURS;
  const weekdays = ranges[0]!;
  const friday = /(ו['׳]|שישי)/.test(text) && ranges[1] ? ranges[1] : null;
  return { days: [weekdays, weekdays, weekdays, weekdays, weekdays, friday, null] };
}

export interface SlotQuery {
  /** Earliest acceptable start. */
  notBefore: number;
  durationMin: number;
  hours: WorkingHours;
  /** Search horizon in days. */
  days?: number;
}

/** The first free slot at or after notBefore, on a 30-minute grid; null if none in the horizon. */
export function findFreeSlot(
  calendar: Pick<AppointmentCalendar, 'booked'>,
  q: SlotQuery & { exceptCallId: number | null },
): { startsAt: number; endsAt: number } | null {
  const horizon = q.notBefore + (q.days ?? 21) * 86_400_000;
  const booked = calendar
    .booked(q.notBefore - 86_400_000, horizon, q.exceptCallId)
    .map((r) => ({ s: r.startsAt, e: r.endsAt }));
  const durMs = q.durationMin * 60_000;
  const start = localParts(q.notBefore);
  for (let d = 0; d < (q.days ?? 21); d++) {
    const dayStart = fromLocal(start.year, start.month, start.day + d, 12, 0);
    const p = localParts(dayStart);
    const hours = q.hours.days[p.weekday];
    if (!hours) continue;
    for (let m = hours[0]; m + q.durationMin <= hours[1]; m += 30) {
      const s = fromLocal(p.year, p.month, p.day, Math.floor(m / 60), m % 60);
      if (s < q.notBefore) continue;
      const e = s + durMs;
      if (!booked.some((b) => b.s < e && b.e > s)) return { startsAt: s, endsAt: e };
    }
  }
  return null;
}
