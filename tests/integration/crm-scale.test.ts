/**
 * CRM at scale (issue 15, "Scale"): the calendar counts each day on the server and sends a few
 * items per day; the deals board pages every column and filters; the customer export streams
 * with progress and can be cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { israelDayStart } from '../../src-main/crm/sql';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(async () => {
  await t?.stop();
});

const ok = async (method: string, input?: unknown) => {
  const r = await t.api(method, input);
  if (r.status !== 200) throw new Error(`${method} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
};
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface CalDay {
  start: number;
  count: number;
  items: Array<{ id: number; title: string; startsAt: number | null; dueAt: number | null }>;
}

describe('calendar: counts per day from the server, a few items each, the rest by offset', () => {
  // A week in 2031 in Israel (summer time ends on Sunday 26/10/2031, a 25-hour day).
  const sunday = israelDayStart(Date.UTC(2031, 9, 26, 12));
  const day = (i: number) => israelDayStart(sunday + i * DAY + 12 * HOUR);

  beforeAll(() => {
    const sqlite = t.core.db.$client;
    const ins = sqlite.prepare(
      `insert into tasks (business_id, kind, title, description, due_at, starts_at, created_by, created_at, updated_at)
       values (1, ?, ?, '', ?, ?, 'owner', 0, 0)`,
    );
    sqlite.transaction(() => {
      // Tuesday: 2,500 appointments and 700 due tasks (more than the old cap of 2,000 a query).
      for (let i = 0; i < 2500; i++) ins.run('appointment', `פגישה ${i}`, null, day(2) + 8 * HOUR + i * 1000);
      for (let i = 0; i < 700; i++) ins.run('task', `משימה ${i}`, day(2) + 7 * HOUR + i * 1000, null);
      // Sunday, the 25-hour day: one at 00:30 and one at 23:30 Israel time, both on Sunday.
      ins.run('appointment', 'ראשון בבוקר', null, day(0) + 30 * 60_000);
      ins.run('appointment', 'ראשון בלילה', null, day(1) - 30 * 60_000);
      // Saturday: one due task; the Sunday after: outside the week.
      ins.run('callback', 'לחזור', day(6) + 10 * HOUR, null);
      ins.run('callback', 'בשבוע הבא', day(7) + 10 * HOUR, null);
    })();
  });

  it('counts every day of the week and sends the first items of each, by time', async () => {
    const cal = await ok('crm.calendar', { from: day(0), to: day(7), perDay: 4 });
    const days = cal.days as CalDay[];
    expect(days.map((d) => d.start)).toEqual([0, 1, 2, 3, 4, 5, 6].map(day));
    expect(day(1) - day(0)).toBe(25 * HOUR);
    expect(days.map((d) => d.count)).toEqual([2, 0, 3200, 0, 0, 0, 1]);
    expect(cal.total).toBe(3203);
    expect(days[0]!.items.map((x) => x.title)).toEqual(['ראשון בבוקר', 'ראשון בלילה']);
    // Tuesday: four items, the due tasks at 07:00 first.
    expect(days[2]!.items.map((x) => x.title)).toEqual(['משימה 0', 'משימה 1', 'משימה 2', 'משימה 3']);
    expect(days[6]!.items.map((x) => x.title)).toEqual(['לחזור']);
  });

  it('pages one day by offset until the end, each item once', async () => {
    const seen = new Set<number>();
    let offset = 0;
    for (;;) {
      const page = await ok('crm.calendar', { from: day(2), to: day(3), perDay: 200, offset });
      const d = (page.days as CalDay[])[0]!;
      expect(d.count).toBe(3200);
      if (d.items.length === 0) break;
      for (const x of d.items) seen.add(x.id);
      offset += d.items.length;
    }
    expect(seen.size).toBe(3200);
    expect(offset).toBe(3200);
  });

  it('counts only (perDay 0) and refuses a bad range', async () => {
    const cal = await ok('crm.calendar', { from: day(0), to: day(7), perDay: 0 });
    expect((cal.days as CalDay[]).every((d) => d.items.length === 0)).toBe(true);
    expect(cal.total).toBe(3203);
    expect((await t.api('crm.calendar', { from: day(0), to: day(0) + 70 * DAY })).status).toBe(400);
    expect((await t.api('crm.calendar', { from: day(0), to: day(7), perDay: 201 })).status).toBe(400);
  });
});
