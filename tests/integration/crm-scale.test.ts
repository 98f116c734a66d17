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

const ok = (method: string, input?: unknown) => t.ok(method, input);
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

interface BoardStage {
  stage: string;
  count: number;
  totalAgorot: number;
  deals: Array<{ id: number; title: string; amountAgorot: number; customerName: string; position: number }>;
  nextCursor: string | null;
}

describe('deals board: every column pages to its end; filters narrow the cards and the counts', () => {
  let cohen: number;
  let levi: number;
  const T0 = Date.UTC(2032, 0, 1);
  beforeAll(() => {
    const sqlite = t.core.db.$client;
    const cust = sqlite.prepare(
      `insert into customers (business_id, name, status, source, tags, notes, created_at, updated_at)
       values (1, ?, 'customer', 'manual', '[]', '', 0, 0) returning id`,
    );
    cohen = (cust.get('משפחת כהן') as { id: number }).id;
    levi = (cust.get('יוסי לוי') as { id: number }).id;
    const deal = sqlite.prepare(
      `insert into deals (business_id, customer_id, title, stage, amount_agorot, position, created_at, updated_at)
       values (1, ?, ?, ?, ?, ?, ?, ?)`,
    );
    sqlite.transaction(() => {
      // 450 new deals (past the old cap of 200 a column), some on equal positions (keyset by id).
      for (let i = 0; i < 450; i++) {
        const title = i % 3 === 0 ? `התקנת מזגן ${i}` : `תיקון ${i}`;
        deal.run(
          i % 2 ? cohen : levi,
          title,
          'new',
          (i + 1) * 100_00,
          Math.floor(i / 2) * 1024,
          T0 + i * 86_400_000,
          0,
        );
      }
      for (let i = 0; i < 40; i++) deal.run(levi, `הצעה ${i}`, 'proposal', 500_00, i, T0, 0);
    })();
  });

  const board = async (input: Record<string, unknown> = {}) =>
    (await ok('crm.deals.board', { limitPerStage: 30, ...input })).stages as BoardStage[];
  const col = (stages: BoardStage[], stage: string) => stages.find((s) => s.stage === stage)!;
  const allOf = async (stage: string, filters: Record<string, unknown> = {}) => {
    const first = col(await board(filters), stage);
    const deals = [...first.deals];
    let cursor = first.nextCursor;
    let pages = 1;
    while (cursor) {
      const page = await ok('crm.deals.stage', { ...filters, stage, cursor, limit: 30 });
      deals.push(...page.deals);
      cursor = page.nextCursor;
      pages++;
    }
    return { count: first.count, deals, pages };
  };

  it('"more" walks one column by cursor to its end, each deal once, in board order', async () => {
    const { count, deals, pages } = await allOf('new');
    expect(count).toBe(450);
    expect(deals).toHaveLength(450);
    expect(new Set(deals.map((d) => d.id)).size).toBe(450);
    expect(pages).toBe(15);
    const order = deals.map((d) => [d.position, d.id]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    const proposal = col(await board(), 'proposal');
    expect([proposal.deals.length, proposal.nextCursor !== null]).toEqual([30, true]);
    expect(col(await board(), 'won')).toMatchObject({ count: 0, deals: [], nextCursor: null });
  });

  it('filters by text (title or customer), amount, opening date and customer; counts follow', async () => {
    const byTitle = await allOf('new', { q: 'מזגן' });
    expect(byTitle.count).toBe(150);
    expect(byTitle.deals.every((d) => d.title.includes('מזגן'))).toBe(true);
    const byName = await allOf('new', { q: 'כהן' });
    expect(byName.count).toBe(225);
    expect(byName.deals.every((d) => d.customerName === 'משפחת כהן')).toBe(true);
    expect(col(await board({ q: 'כהן' }), 'proposal').count).toBe(0);
    // Shorter than the name index answers (2 letters): still found, on the name itself.
    expect(col(await board({ q: 'לו' }), 'new').count).toBe(225);
    expect(col(await board({ q: 'ן 1' }), 'new').count).toBeGreaterThan(0);
    // ₪1,000 – ₪2,000: deals 10..20 (amounts (i + 1) × ₪100).
    const amount = col(await board({ minAgorot: 1000_00, maxAgorot: 2000_00 }), 'new');
    expect([amount.count, amount.totalAgorot]).toEqual([11, 11 * 1500_00]);
    expect(amount.deals.every((d) => d.amountAgorot >= 1000_00 && d.amountAgorot <= 2000_00)).toBe(true);
    // Opened in the first ten days.
    const dated = col(await board({ createdFrom: T0, createdTo: T0 + 10 * 86_400_000 }), 'new');
    expect(dated.count).toBe(10);
    const mine = await board({ customerId: levi });
    expect([col(mine, 'new').count, col(mine, 'proposal').count]).toEqual([225, 40]);
    // Everything together, and a filter nothing matches.
    const all = await allOf('new', { q: 'מזגן', customerId: cohen, minAgorot: 10_000_00 });
    expect(all.deals.every((d) => d.title.includes('מזגן') && d.customerName === 'משפחת כהן')).toBe(true);
    expect(all.count).toBe(all.deals.length);
    expect((await board({ q: 'אין כזה' })).every((s) => s.count === 0 && s.nextCursor === null)).toBe(true);
  });

  it('refuses a bad cursor or filter with a clear error', async () => {
    for (const input of [
      { stage: 'new', cursor: 'x' },
      { stage: 'new', cursor: "1:1' or 1=1" },
      { stage: 'nope', cursor: '1:1' },
    ]) {
      expect((await t.api('crm.deals.stage', input)).status, JSON.stringify(input)).toBe(400);
    }
    expect((await t.api('crm.deals.board', { minAgorot: -5 })).status).toBe(400);
  });
});

describe('customer export: streamed a chunk at a time with progress events, cancellable', () => {
  const N = 12_000;
  beforeAll(() => {
    const sqlite = t.core.db.$client;
    const ins = sqlite.prepare(
      `insert into customers (business_id, name, phone, status, source, tags, notes, created_at, updated_at)
       values (1, ?, ?, 'lead', 'import', '[]', '', 0, 0)`,
    );
    sqlite.transaction(() => {
      for (let i = 0; i < N; i++) ins.run(`ייצוא ${i}`, `+97254${String(1_000_000 + i).padStart(7, '0')}`);
    })();
  });
  type Progress = { exportId: string; phase: string; rows: number; total: number; percent: number };
  const listen = (exportId: string) => {
    const heard: Progress[] = [];
    const off = t.core.bus.subscribe((m) => {
      if (m.name === 'crm.export.progress' && (m.payload as Progress).exportId === exportId)
        heard.push(m.payload as Progress);
    });
    return { heard, off };
  };

  it('reports progress as it goes and hands over the whole CSV; other requests are answered meanwhile', async () => {
    const { heard, off } = listen('export-all-1');
    let exportDone = 0;
    const exported = t.api('crm.customers.export', { q: 'ייצוא', exportId: 'export-all-1' }).then((r) => {
      exportDone = performance.now();
      return r;
    });
    // Asked once the export is under way: answered before the export ends.
    while (!heard.some((p) => p.rows > 0)) await new Promise((r) => setTimeout(r, 1));
    const list = await t.api('crm.customers.list', { limit: 5 });
    const listDone = performance.now();
    const r = await exported;
    off();
    expect([r.status, list.status]).toEqual([200, 200]);
    expect(exportDone).toBeGreaterThan(listDone);
    const { csv, rows } = r.body.data;
    expect(rows).toBe(N);
    const lines = csv.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(N + 1);
    expect(lines[0]).toBe('\uFEFFשם,טלפון,אימייל,סטטוס,מקור,תגיות,כתובת,הערות,נוצר');
    expect(new Set(lines.slice(1).map((l: string) => l.split(',')[0])).size).toBe(N);
    expect(csv).toContain('ייצוא 11999,054-101-1999');
    // Progress: from 0 up, never backwards, every event with the total, the last one "done" at 100%.
    expect(heard.length).toBeGreaterThanOrEqual(N / 2000);
    expect(heard[0]).toMatchObject({ phase: 'running', rows: 0, total: N, percent: 0 });
    expect(heard.at(-1)).toMatchObject({ phase: 'done', rows: N, total: N, percent: 100 });
    for (let i = 1; i < heard.length; i++) expect(heard[i]!.rows).toBeGreaterThanOrEqual(heard[i - 1]!.rows);
    expect(heard.every((p) => p.total === N)).toBe(true);
  });

  it('stops when cancelled: 409 export_cancelled, a last "cancelled" event, and the id is free again', async () => {
    const { heard, off } = listen('export-cancel-1');
    const cancelOnce = t.core.bus.subscribe((m) => {
      const p = m.payload as Progress;
      if (m.name === 'crm.export.progress' && p.exportId === 'export-cancel-1' && p.rows > 0) {
        cancelOnce();
        void t.core.dispatch(
          'crm.customers.exportCancel',
          { exportId: 'export-cancel-1' },
          { transport: 'internal', requestId: 'test' },
        );
      }
    });
    const r = await t.api('crm.customers.export', { exportId: 'export-cancel-1' });
    off();
    expect([r.status, r.body.error]).toEqual([409, 'export_cancelled']);
    expect(heard.at(-1)!.phase).toBe('cancelled');
    expect(heard.at(-1)!.rows).toBeLessThan(heard.at(-1)!.total);
    expect((await ok('crm.customers.exportCancel', { exportId: 'export-cancel-1' })).cancelled).toBe(false);
    expect((await t.api('crm.customers.export', { exportId: 'no' })).status).toBe(400);
  });
});
