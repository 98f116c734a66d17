import { describe, expect, it } from 'vitest';
import {
  fromWallTime,
  israelToday,
  parseDate,
  parseDateTime,
  parseTime,
  showDate,
  showDateTime,
  showTime,
  splitDateTime,
  stepTime,
} from '../../src-renderer/lib/datetime';

// The machine's clock is New York's: nothing may lean on it (Node reads TZ when it changes).
process.env.TZ = 'America/New_York';

// Israel: UTC+2 in winter, UTC+3 in summer. 2026: summer time from Fri 27/03 02:00 to Sun 25/10 02:00.
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('DD/MM/YYYY HH:mm in Asia/Jerusalem, whatever the machine', () => {
  it('runs in a time zone that is not Israel (so nothing below leans on the machine)', () => {
    expect(new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset()).toBe(300);
  });

  it('shows an instant as the Israeli day and 24-hour time', () => {
    expect(showDateTime(utc('2026-12-01T18:06:00'))).toBe('01/12/2026 20:06');
    expect(showDate(utc('2026-12-31T22:30:00'))).toBe('01/01/2027'); // already next year in Israel
    expect(showTime(utc('2026-07-15T21:00:00'))).toBe('00:00'); // summer: +3
    expect(showTime(utc('2026-01-15T06:05:00'))).toBe('08:05');
  });

  it('parses typed dates the Israeli way (day first) and refuses non-dates', () => {
    expect(parseDate('1/12/2026')).toEqual({ year: 2026, month: 12, day: 1 });
    expect(parseDate('01.12.2026')).toEqual({ year: 2026, month: 12, day: 1 });
    expect(parseDate(' 31-01-2027 ')).toEqual({ year: 2027, month: 1, day: 31 });
    for (const bad of ['12/31/2026', '31/04/2026', '29/02/2027', '2026-12-01', '1/12/26', '', 'מחר'])
      expect(parseDate(bad), bad).toBeNull();
    expect(parseDate('29/02/2028')).toEqual({ year: 2028, month: 2, day: 29 });
  });

  it('parses 24-hour times and refuses 12-hour ones', () => {
    expect(parseTime('9:30')).toEqual({ hour: 9, minute: 30 });
    expect(parseTime('0930')).toEqual({ hour: 9, minute: 30 });
    expect(parseTime('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['24:00', '12:60', '8:06 PM', '9', '']) expect(parseTime(bad), bad).toBeNull();
  });

  it('turns a typed date and time into the instant, winter and summer', () => {
    expect(parseDateTime('01/12/2026', '20:06')).toEqual({ ms: utc('2026-12-01T18:06:00') });
    expect(parseDateTime('15/07/2026', '10:00')).toEqual({ ms: utc('2026-07-15T07:00:00') });
    expect(parseDateTime('15/07/2026', '')).toEqual({ ms: utc('2026-07-15T06:00:00') }); // default 09:00
    expect(parseDateTime('', '')).toEqual({ ms: null });
    expect(parseDateTime('', '10:00')).toEqual({ problem: 'date' });
    expect(parseDateTime('31/02/2026', '10:00')).toEqual({ problem: 'date' });
    expect(parseDateTime('01/12/2026', '8:06 PM')).toEqual({ problem: 'time' });
  });

  it('takes a date and time typed together in the date field (03/12/2026 14:30)', () => {
    expect(splitDateTime('03/12/2026 14:30')).toEqual({ date: '03/12/2026', time: '14:30' });
    expect(splitDateTime(' 3.12.2026  930 ')).toEqual({ date: '3.12.2026', time: '930' });
    expect(splitDateTime('03/12/2026')).toBeNull();
    expect(splitDateTime('03/12/2026 2:30 PM')).toBeNull();
    expect(splitDateTime('31/02/2026 14:30')).toBeNull();
    expect(parseDateTime('03/12/2026 14:30', '')).toEqual({ ms: utc('2026-12-03T12:30:00') });
    expect(parseDateTime('03/12/2026 14:30', '09:00')).toEqual({ ms: utc('2026-12-03T12:30:00') });
    expect(parseDateTime('03/12/2026 25:30', '')).toEqual({ problem: 'date' });
  });

  it('around the clock changes: the skipped hour does not exist, the repeated hour is the first one', () => {
    // Spring forward: Fri 27/03/2026 02:00 → 03:00.
    expect(parseDateTime('27/03/2026', '01:59')).toEqual({ ms: utc('2026-03-26T23:59:00') });
    expect(parseDateTime('27/03/2026', '02:30')).toEqual({ problem: 'no_such_time' });
    expect(parseDateTime('27/03/2026', '03:00')).toEqual({ ms: utc('2026-03-27T00:00:00') });
    // Fall back: Sun 25/10/2026 02:00 → 01:00; 01:30 happens at 22:30Z and again at 23:30Z.
    expect(fromWallTime({ year: 2026, month: 10, day: 25, hour: 1, minute: 30 })).toBe(
      utc('2026-10-24T22:30:00'),
    );
    expect(showTime(utc('2026-10-24T23:30:00'))).toBe('01:30');
    expect(parseDateTime('25/10/2026', '03:00')).toEqual({ ms: utc('2026-10-25T01:00:00') });
    // Round trip for every quarter hour of both change days.
    for (const day of ['2026-03-26T20:00:00', '2026-10-24T20:00:00']) {
      for (let ms = utc(day); ms < utc(day) + 86_400_000; ms += 15 * 60_000) {
        const back = parseDateTime(showDate(ms), showTime(ms));
        expect('ms' in back && showDateTime(back.ms!)).toBe(showDateTime(ms));
      }
    }
  });

  it('steps a time by a quarter hour with the arrow keys, round midnight', () => {
    expect(stepTime('09:00', 15)).toBe('09:15');
    expect(stepTime('23:50', 15)).toBe('00:00');
    expect(stepTime('00:00', -15)).toBe('23:45');
    expect(stepTime('', 15)).toBe('09:15');
  });

  it("today is Israel's date", () => {
    expect(israelToday(utc('2026-12-31T22:30:00'))).toBe('2027-01-01');
  });
});
