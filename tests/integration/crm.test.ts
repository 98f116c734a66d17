import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBuilt } from '../../src-main/api/contract/business';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { taskTimelineSource, timeline } from '../../src-main/crm/timeline';
import { sqlTimelineSource } from '../../src-main/platform/timeline';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(async () => {
  await t?.stop();
});

const ok = (method: string, input?: unknown) => t.ok(method, input);
const count = (table: string) =>
  (t.core.db.$client.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
const snapshot = () => ['customers', 'deals', 'tasks'].map(count).join(',');

describe('customers', () => {
  it('creates with a normalized phone, finds it in any phone format, by name and email, and refuses duplicates', async () => {
    const c = await ok('crm.customers.create', {
      name: 'דנה לוי',
      phone: '050-1234567',
      email: 'dana@example.co.il',
      tags: ['VIP', 'VIP', 'חוזר'],
    });
    expect(c).toMatchObject({
      phone: '+972501234567',
      phoneDisplay: '050-123-4567',
      status: 'lead',
      source: 'manual',
      tags: ['VIP', 'חוזר'],
    });
    for (const q of [
      '050-1234567',
      '+972501234567',
      '0501234567',
      '972 50 123 4567',
      '1234567',
      'דנה',
      'דנה לוי',
      'לוי',
      'dana@example',
      'DANA',
    ]) {
      const list = await ok('crm.customers.list', { q });
      expect(
        list.items.map((x: { id: number }) => x.id),
        q,
      ).toContain(c.id);
    }
    const dup = await t.api('crm.customers.create', { name: 'אחרת', phone: '+972 50-123-4567' });
    expect(dup.status).toBe(409);
    expect(dup.body.details.existingId).toBe(c.id);
    const got = await ok('crm.customers.get', { id: c.id });
    expect(got.stats).toEqual({
      calls: 0,
      messages: 0,
      unreadMessages: 0,
      openTasks: 0,
      openDeals: 0,
      unpaidAgorot: 0,
    });
  });

  it('updates, filters by status/source/tag, sorts and pages with a total', async () => {
    const a = await ok('crm.customers.create', { name: 'אבי כהן', phone: '052-7654321', source: 'whatsapp' });
    const b = await ok('crm.customers.create', {
      name: 'בני כהן',
      phone: '053-1112233',
      status: 'customer',
      tags: ['עסקי'],
    });
    const u = await ok('crm.customers.update', {
      id: a.id,
      status: 'customer',
      notes: 'מעדיף וואטסאפ',
      phone: '0527654322',
    });
    expect(u).toMatchObject({ status: 'customer', notes: 'מעדיף וואטסאפ', phone: '+972527654322' });
    expect((await ok('crm.customers.list', { q: '0527654321' })).total).toBe(0);
    expect((await ok('crm.customers.list', { q: '0527654322' })).items[0].id).toBe(a.id);

    const byStatus = await ok('crm.customers.list', { status: 'customer', sort: 'name', dir: 'asc' });
    expect(byStatus.items.map((x: { name: string }) => x.name)).toEqual(['אבי כהן', 'בני כהן']);
    expect(
      (await ok('crm.customers.list', { source: 'whatsapp' })).items.map((x: { id: number }) => x.id),
    ).toEqual([a.id]);
    expect((await ok('crm.customers.list', { tag: 'עסקי' })).items.map((x: { id: number }) => x.id)).toEqual([
      b.id,
    ]);
    expect((await ok('crm.customers.list', { q: 'כהן', status: 'customer' })).total).toBe(2);
    const page = await ok('crm.customers.list', { page: 2, limit: 1, sort: 'created', dir: 'asc' });
    expect(page).toMatchObject({ total: 3, page: 2, limit: 1 });
    expect((await ok('crm.customers.list', { page: 99 })).items).toEqual([]);
  });

  it('answers bad input with clear errors and writes nothing', async () => {
    const before = snapshot();
    const cases: Array<[string, unknown, number, string?]> = [
      ['crm.customers.create', { name: 'x', phone: '12' }, 400],
      ['crm.customers.create', { name: 'x', phone: 'not a phone' }, 400],
      ['crm.customers.create', { name: '' }, 400],
      ['crm.customers.create', { name: 'x', email: 'nope' }, 400],
      ['crm.customers.create', { name: 'x', status: 'vip' }, 400],
      ['crm.customers.create', { name: 'x', hacker: 1 }, 400],
      // 10 MB of text: over the 10,000-character field limit → 400; 10M Hebrew letters (20 MB of UTF-8) → 413 at the transport.
      ['crm.customers.create', { name: 'x', notes: 'n'.repeat(10 * 1024 * 1024) }, 400],
      ['crm.customers.create', { name: 'x', notes: 'א'.repeat(10 * 1024 * 1024) }, 413],
      ['crm.customers.update', { id: 1, notes: 'n'.repeat(10 * 1024 * 1024) }, 400],
      ['crm.customers.update', { id: 999999, name: 'x' }, 404],
      ['crm.customers.update', { id: -1, name: 'x' }, 400],
      ['crm.customers.get', { id: 999999 }, 404],
      ['crm.customers.get', { id: 'abc' }, 400],
      ['crm.customers.list', { limit: 1000 }, 400],
      ['crm.customers.list', { page: -1 }, 400],
      ['crm.customers.list', { page: 0 }, 400],
      ['crm.customers.list', { sort: 'phone; drop table customers' }, 400],
      ['crm.customers.merge', { targetId: 1, sourceId: 1 }, 400],
      ['crm.customers.merge', { targetId: 1, sourceId: 999999 }, 404],
      ['crm.timeline', { customerId: 999999 }, 404],
      ['crm.timeline', { customerId: 1, cursor: "1' or 1=1" }, 400],
      ['crm.deals.create', { customerId: 999999, title: 'x' }, 404],
      ['crm.deals.create', { customerId: 1, title: 'x', amountAgorot: -5 }, 400],
      ['crm.deals.move', { id: 999999, stage: 'won' }, 404],
      ['crm.deals.move', { id: 1, stage: 'maybe' }, 400],
      ['crm.tasks.create', { title: 'x', customerId: 999999 }, 404],
      ['crm.tasks.create', { title: 'x', kind: 'appointment' }, 400],
      ['crm.tasks.create', { title: 'x', startsAt: 2000, endsAt: 1000 }, 400],
      ['crm.tasks.setDone', { id: 999999, done: true }, 404],
      ['crm.tasks.delete', { id: 999999 }, 404],
      ['crm.calendar', { from: 0, to: 100 * 86_400_000 }, 400],
      ['crm.reports', { from: 10, to: 5 }, 400],
      ['crm.search', { q: '' }, 400],
      ['crm.customers.importCommit', { csv: '' }, 400],
    ];
    for (const [m, input, status] of cases) {
      const r = await t.api(m, input);
      expect(r.status, `${m} ${JSON.stringify(input).slice(0, 80)}`).toBe(status);
      expect(typeof r.body.error).toBe('string');
      expect(typeof r.body.message).toBe('string');
    }
    expect(snapshot()).toBe(before);
  });

  it('treats SQL-looking and FTS-syntax text as plain text', async () => {
    const evil = `Robert'); DROP TABLE customers;-- "OR" NEAR(a b) * ^x`;
    const c = await ok('crm.customers.create', { name: evil, notes: `'; delete from customers; --` });
    for (const q of [
      evil,
      `'; drop table customers; --`,
      '" OR 1=1 --',
      'NEAR(',
      '*',
      'a"b',
      'tags : VIP',
      '%',
      '_',
    ]) {
      const r = await t.api('crm.customers.list', { q });
      expect(r.status, q).toBe(200);
      const s = await t.api('crm.search', { q });
      expect(s.status, q).toBe(200);
    }
    expect(
      (await ok('crm.customers.list', { q: 'DROP TABLE' })).items.map((x: { id: number }) => x.id),
    ).toContain(c.id);
    expect(count('customers')).toBeGreaterThan(0);
  });

  it('merges two customers: history moves, the second is removed', async () => {
    const a = await ok('crm.customers.create', { name: 'מירב גולן', phone: '054-5550001', tags: ['א'] });
    const b = await ok('crm.customers.create', {
      name: 'מירב ג.',
      email: 'merav@example.com',
      tags: ['ב'],
      notes: 'כפול',
    });
    await ok('crm.tasks.create', { customerId: b.id, title: 'לחזור' });
    await ok('crm.deals.create', { customerId: b.id, title: 'עסקה', amountAgorot: 100_00 });
    // Rows of other modules (found from the schema's foreign keys, not named by the CRM) move too.
    const db = t.core.db.$client;
    db.prepare(
      `insert into calls (business_id, call_sid, from_number, customer_id, status, started_at) values (1, 'CAmerge1', '+972500000000', ?, 'completed', 1)`,
    ).run(b.id);
    db.prepare(
      `insert into payments (business_id, customer_id, provider, method, amount_agorot, status, created_at) values (1, ?, 'manual', 'bit', 5000, 'succeeded', 1)`,
    ).run(b.id);
    const m = await ok('crm.customers.merge', { targetId: a.id, sourceId: b.id });
    for (const table of ['calls', 'payments', 'tasks', 'deals']) {
      const n = (id: number) =>
        (db.prepare(`select count(*) n from ${table} where customer_id = ?`).get(id) as { n: number }).n;
      expect([table, n(a.id), n(b.id)]).toEqual([table, 1, 0]);
    }
    expect(m).toMatchObject({
      id: a.id,
      email: 'merav@example.com',
      tags: ['א', 'ב'],
      notes: 'כפול',
      phone: '+972545550001',
    });
    expect((await t.api('crm.customers.get', { id: b.id })).status).toBe(404);
    const got = await ok('crm.customers.get', { id: a.id });
    expect(got.stats).toMatchObject({ openTasks: 1, openDeals: 1 });
    expect(
      (await ok('crm.customers.list', { q: 'merav@example' })).items.map((x: { id: number }) => x.id),
    ).toEqual([a.id]);
  });
});

describe('CSV import and export', () => {
  const csv =
    '\uFEFFשם,טלפון,דוא"ל,סטטוס,תגיות,הערות\r\n' +
    'רחל אהרון,052-3334444,rachel@example.com,לקוח,"VIP, חוזר","אמרה ""תודה"" בטלפון"\r\n' +
    'שמעון פרץ,+972 54 222 3333,,ליד,,\r\n' +
    'טלפון שגוי,123,,,,\r\n' +
    'כפולה,0523334444,,,,\r\n' +
    'יעל ברק,050-9998877,yael@example.com,,,"שורה\nשנייה"\r\n';

  it('previews with per-row issues, imports good rows in one go, then reports them as existing', async () => {
    const before = count('customers');
    const p = await ok('crm.customers.importPreview', { csv });
    expect(p).toMatchObject({ totalRows: 5, validRows: 3, invalidRows: 2 });
    expect(p.columns.map((c: { field: string | null }) => c.field)).toEqual([
      'name',
      'phone',
      'email',
      'status',
      'tags',
      'notes',
    ]);
    expect(p.issues).toEqual([
      expect.objectContaining({ line: 4, field: 'phone', code: 'bad_phone' }),
      expect.objectContaining({ line: 5, field: 'phone', code: 'duplicate_in_file' }),
    ]);
    expect(count('customers')).toBe(before);

    const r = await ok('crm.customers.importCommit', { csv });
    expect(r).toMatchObject({ imported: 3, skipped: 2 });
    expect(count('customers')).toBe(before + 3);
    const rachel = (await ok('crm.customers.list', { q: '0523334444' })).items[0];
    expect(rachel).toMatchObject({
      name: 'רחל אהרון',
      status: 'customer',
      source: 'import',
      tags: ['VIP', 'חוזר'],
    });
    expect((await ok('crm.customers.get', { id: rachel.id })).notes).toBe('אמרה "תודה" בטלפון');

    const again = await ok('crm.customers.importPreview', { csv });
    // The three imported rows, and the in-file duplicate of one of them.
    expect(again.issues.filter((i: { code: string }) => i.code === 'exists')).toHaveLength(4);
  });

  it('reads English headers, semicolons and no BOM; a file without a name or phone column is shown to map, not imported', async () => {
    const p = await ok('crm.customers.importPreview', {
      csv: 'First Name;Last Name;Mobile;Status\nJohn;Smith;+1 212 555 0100;inactive\n',
    });
    expect(p.sample[0]).toMatchObject({
      name: 'John Smith',
      phone: '+12125550100',
      status: 'inactive',
      ok: true,
    });
    // Nothing recognized: the preview shows the columns to map; importing is refused.
    const unknown = await ok('crm.customers.importPreview', { csv: 'a,b\n1,2\n' });
    expect(unknown).toMatchObject({
      needsMapping: true,
      totalRows: 1,
      counts: { create: 0, update: 0, skip: 0 },
    });
    expect(unknown.columns.map((c: { header: string }) => c.header)).toEqual(['a', 'b']);
    const bad = await t.api('crm.customers.importCommit', { csv: 'a,b\n1,2\n' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.code).toBe('no_columns');
  });

  it('exports a BOM-prefixed CSV with Hebrew headers and no formula injection', async () => {
    await ok('crm.customers.create', { name: '=HYPERLINK("x")', phone: '050-7770000' });
    const e = await ok('crm.customers.export', { q: '0507770000' });
    expect(e.rows).toBe(1);
    expect(e.csv.startsWith('\uFEFFשם,טלפון,אימייל')).toBe(true);
    expect(e.csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(e.csv).toContain('050-777-0000');
    expect(e.filename).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/);
  });
});

describe('deals, tasks, calendar, timeline, reminders', () => {
  it('moves deals across stages with won/lost dates and ordering', async () => {
    const c = await ok('crm.customers.create', { name: 'עסקאות בע"מ', phone: '03-5556677' });
    const d1 = await ok('crm.deals.create', {
      customerId: c.id,
      title: 'מיני מרכזי',
      amountAgorot: 12_000_00,
    });
    const d2 = await ok('crm.deals.create', { customerId: c.id, title: 'ניקוי', amountAgorot: 250_00 });
    let board = await ok('crm.deals.board', { customerId: c.id });
    expect(board.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'new',
      'qualified',
      'proposal',
      'won',
      'lost',
    ]);
    expect(board.stages[0]).toMatchObject({ count: 2, totalAgorot: 12_250_00 });
    // New deals go on top of their column.
    expect(board.stages[0].deals.map((d: { id: number }) => d.id)).toEqual([d2.id, d1.id]);
    await ok('crm.deals.move', { id: d1.id, stage: 'new', beforeId: d2.id });
    board = await ok('crm.deals.board', { customerId: c.id });
    expect(board.stages[0].deals.map((d: { id: number }) => d.id)).toEqual([d1.id, d2.id]);
    await ok('crm.deals.move', { id: d1.id, stage: 'new', beforeId: null });
    board = await ok('crm.deals.board', { customerId: c.id });
    expect(board.stages[0].deals.map((d: { id: number }) => d.id)).toEqual([d2.id, d1.id]);
    const won = await ok('crm.deals.move', { id: d1.id, stage: 'won' });
    expect(won.wonAt).toEqual(expect.any(Number));
    const lost = await ok('crm.deals.move', { id: d1.id, stage: 'lost' });
    expect(lost).toMatchObject({ wonAt: null, lostAt: expect.any(Number) });
    const upd = await ok('crm.deals.update', { id: d1.id, amountAgorot: 5_00, lostReason: 'מחיר' });
    expect(upd).toMatchObject({ amountAgorot: 5_00, lostReason: 'מחיר' });
    expect((await ok('crm.customers.get', { id: c.id })).stats.openDeals).toBe(1);
  });

  it('keeps tasks and appointments in the list, calendar and timeline; setDone and delete', async () => {
    const c = await ok('crm.customers.create', { name: 'יומן', phone: '050-4443322' });
    const start = Date.UTC(2030, 0, 7, 8, 0);
    const appt = await ok('crm.tasks.create', {
      customerId: c.id,
      kind: 'appointment',
      title: 'ביקור טכנאי',
      startsAt: start,
    });
    expect(appt).toMatchObject({ endsAt: start + 3_600_000, dueAt: start, customerName: 'יומן' });
    const task = await ok('crm.tasks.create', {
      customerId: c.id,
      title: 'לשלוח הצעה',
      dueAt: start + 86_400_000,
    });
    const undated = await ok('crm.tasks.create', { title: 'לסדר את המחסן' });
    const cal = await ok('crm.calendar', { from: start - 86_400_000, to: start + 7 * 86_400_000 });
    expect(cal.days.flatMap((d: { items: Array<{ id: number }> }) => d.items.map((x) => x.id))).toEqual([
      appt.id,
      task.id,
    ]);
    const open = await ok('crm.tasks.list', { status: 'open', limit: 100 });
    const ids = open.items.map((x: { id: number }) => x.id);
    expect(ids.indexOf(appt.id)).toBeLessThan(ids.indexOf(task.id));
    expect(ids.at(-1)).toBe(undated.id);
    expect((await ok('crm.tasks.list', { customerId: c.id })).total).toBe(2);
    const done = await ok('crm.tasks.setDone', { id: task.id, done: true });
    expect(done.doneAt).toEqual(expect.any(Number));
    expect((await ok('crm.tasks.list', { status: 'done' })).items.map((x: { id: number }) => x.id)).toContain(
      task.id,
    );
    const moved = await ok('crm.tasks.update', {
      id: appt.id,
      startsAt: start + 7200_000,
      endsAt: start + 10_800_000,
      title: 'התקנה',
    });
    expect(moved).toMatchObject({ title: 'התקנה', startsAt: start + 7200_000 });
    const tl = await ok('crm.timeline', { customerId: c.id });
    expect(
      tl.items
        .filter((i: { kind: string }) => i.kind === 'task')
        .map((i: { text: string }) => i.text)
        .sort(),
    ).toEqual(['התקנה', 'לשלוח הצעה']);
    await ok('crm.tasks.delete', { id: undated.id });
    expect((await t.api('crm.tasks.setDone', { id: undated.id, done: true })).status).toBe(404);
  });

  it('raises a desktop notification and a live event when a reminder is due', async () => {
    const c = await ok('crm.customers.create', { name: 'תזכורת', phone: '050-1110000' });
    const seen: Array<{ name: string; payload: unknown }> = [];
    const off = t.core.bus.subscribe((m) => {
      if (m.name === 'system.notification' || m.name === 'crm.reminder') seen.push(m);
    });
    try {
      const task = await ok('crm.tasks.create', {
        customerId: c.id,
        title: 'להתקשר לתזכורת',
        dueAt: Date.now() + 3_600_000,
        reminderAt: Date.now() + 150,
      });
      for (let i = 0; i < 60 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen.find((m) => m.name === 'crm.reminder')?.payload).toMatchObject({
        taskId: task.id,
        customerId: c.id,
        customerName: 'תזכורת',
      });
      expect(seen.find((m) => m.name === 'system.notification')?.payload).toMatchObject({
        title: expect.stringContaining('להתקשר לתזכורת'),
        route: `/customers/${c.id}`,
      });
      expect((await ok('crm.tasks.list', { customerId: c.id })).items[0].remindedAt).toEqual(
        expect.any(Number),
      );
    } finally {
      off();
    }
  });

  it('pages a merged timeline newest first with a cursor and no duplicates', async () => {
    const c = await ok('crm.customers.create', { name: 'ציר זמן', phone: '050-2220000' });
    const db = t.core.db.$client;
    const base = Date.UTC(2025, 5, 1);
    const insCall = db.prepare(
      `insert into calls (business_id, call_sid, from_number, customer_id, status, started_at) values (1, ?, '+972502220000', ?, 'completed', ?)`,
    );
    const insMsg = db.prepare(
      `insert into wa_messages (business_id, customer_id, direction, provider, peer, body, status, created_at) values (1, ?, 'in', 'baileys', '+972502220000', ?, 'received', ?)`,
    );
    const insPay = db.prepare(
      `insert into payments (business_id, customer_id, provider, method, amount_agorot, status, created_at) values (1, ?, 'manual', 'bit', 5000, 'succeeded', ?)`,
    );
    for (let i = 0; i < 25; i++) {
      insCall.run(`CAtimeline${i}`, c.id, base + i * 60_000);
      insMsg.run(c.id, `הודעה ${i}`, base + i * 60_000); // same instant as the call: ties are ordered, not lost
      insPay.run(c.id, base + i * 60_000 + 1);
    }
    // Every source, as it will be once WhatsApp and payments are built: ties ordered, nothing lost.
    const columns = 'null as number, null as duration, null as due';
    const sources = [
      taskTimelineSource(db),
      sqlTimelineSource(db, {
        ...{ kind: 'call', rank: 6, capability: 'calls', table: 'calls', time: 'started_at' },
        select: `id, started_at as at, direction, status, '' as text, mode as subtype, null as amount, ${columns}`,
      }),
      sqlTimelineSource(db, {
        ...{ kind: 'whatsapp', rank: 5, capability: 'whatsapp', table: 'wa_messages', time: 'created_at' },
        select: `id, created_at as at, direction, status, body as text, type as subtype, null as amount, ${columns}`,
      }),
      sqlTimelineSource(db, {
        ...{ kind: 'payment', rank: 1, capability: 'payments', table: 'payments', time: 'created_at' },
        select: `id, created_at as at, null as direction, status, '' as text, method as subtype, amount_agorot as amount, ${columns}`,
      }),
    ];
    const all: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = timeline(sources, c.id, 7, cursor);
      all.push(...page.items.map((i) => `${i.kind}:${i.id}:${i.at}`));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    expect(all).toHaveLength(75);
    expect(new Set(all).size).toBe(75);
    const times = all.map((s) => Number(s.split(':')[2]));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all[0]).toMatch(/^payment:/);

    // Through the API: only built capabilities' rows are shown (a source of one not built is left out).
    const shown: string[] = [];
    cursor = undefined;
    pages = 0;
    do {
      const page: { items: Array<{ kind: string; id: number; at: number }>; nextCursor: string | null } =
        await ok('crm.timeline', { customerId: c.id, limit: 7, ...(cursor ? { cursor } : {}) });
      shown.push(...page.items.map((i) => `${i.kind}:${i.id}:${i.at}`));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    const built = new Set([
      'call',
      ...(isBuilt('whatsapp') ? ['whatsapp'] : []),
      ...(isBuilt('payments') ? ['payment'] : []),
    ]);
    expect(shown).toHaveLength(25 * built.size);
    expect(new Set(shown.map((s) => s.split(':')[0]))).toEqual(built);
  });
});

describe('dashboard, reports, search, feature flag and query plans (demo data)', () => {
  let demo: TestCore;
  const now = Date.now();
  beforeAll(async () => {
    demo = await startTestCore();
    generateDemoData(demo.core.db, { customers: 3000, now, seed: 3 });
  });
  afterAll(async () => {
    await demo?.stop();
  });
  const dok = async (method: string, input?: unknown) => {
    const r = await demo.api(method, input);
    if (r.status !== 200) throw new Error(`${method} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data;
  };

  it('fills the dashboard and the reports from real rows', async () => {
    const d = await dok('crm.dashboard');
    expect(d.newLeads.count).toBeGreaterThan(0);
    expect(d.openTasks.count).toBeGreaterThan(0);
    expect(d.unreadWhatsapp.count).toBeGreaterThan(0);
    expect(d.unpaidInvoices.count).toBeGreaterThan(0);
    expect(d.unpaidInvoices.totalAgorot).toBeGreaterThan(0);
    const r = await dok('crm.reports', { from: now - 90 * 86_400_000, to: now });
    expect(r.callsPerDay.length).toBeGreaterThan(30);
    expect(r.callsPerDay[0].date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.answer.total).toBe(r.callsPerDay.reduce((a: number, x: { total: number }) => a + x.total, 0));
    expect(r.answer.liveRate).toBeGreaterThan(0.5);
    expect(r.avgTurnLatencyMs).toBeGreaterThan(500);
    expect(r.revenueByMonth.length).toBeGreaterThanOrEqual(3);
    expect(r.openInvoices.aging).toHaveLength(4);
    expect(r.openInvoices.count).toBe(d.unpaidInvoices.count);
  });

  it("leaves the owner's own test calls out of the dashboard and the reports", async () => {
    const before = await dok('crm.dashboard');
    const range = { from: now - 90 * 86_400_000, to: now + 86_400_000 };
    const reportBefore = await dok('crm.reports', range);
    demo.core.db.$client
      .prepare(
        `insert into calls (business_id, call_sid, from_number, status, mode, engine, started_at) values (1, 'TESTabc', 'test', 'completed', 'stream', 'test', ?)`,
      )
      .run(Date.now());
    const after = await dok('crm.dashboard');
    expect(after.todayCalls.count).toBe(before.todayCalls.count);
    expect((await dok('crm.reports', range)).answer.total).toBe(reportBefore.answer.total);
  });

  it('global search finds customers, their deals and documents, document numbers and messages', async () => {
    const withDeal = demo.core.db.$client
      .prepare(
        `select c.name, c.phone from customers c where exists (select 1 from deals d where d.customer_id = c.id) and exists (select 1 from documents x where x.customer_id = c.id) and c.phone is not null limit 1`,
      )
      .get() as { name: string; phone: string };
    const s = await dok('crm.search', { q: withDeal.phone });
    expect(s.customers[0].phone).toBe(withDeal.phone);
    expect(s.deals.length).toBeGreaterThan(0);
    expect(s.documents.length).toBeGreaterThan(0);
    expect(
      (await dok('crm.search', { q: '7' })).documents.some((x: { number: number }) => x.number === 7),
    ).toBe(true);
    expect((await dok('crm.search', { q: 'מזגן' })).messages.length).toBeGreaterThan(0);
  });

  it('uses indexes on the hot queries (no full table scans)', async () => {
    const sqlite = demo.core.db.$client;
    const recorded = new Map<string, unknown[]>();
    const realPrepare = sqlite.prepare.bind(sqlite);
    // Record every statement (and its parameters) the CRM prepares from here on.
    const spy = ((source: string) => {
      const st = realPrepare(source);
      return new Proxy(st, {
        get(target, prop) {
          const v = Reflect.get(target, prop, target) as unknown;
          if (typeof v === 'function' && ['all', 'get', 'iterate'].includes(String(prop))) {
            return (...args: unknown[]) => {
              recorded.set(source, args);
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    }) as typeof sqlite.prepare;
    const someone = sqlite
      .prepare('select id, phone from customers where phone is not null order by id desc limit 1')
      .get() as { id: number; phone: string };
    sqlite.prepare = spy;
    try {
      for (const [m, input] of [
        ['crm.customers.list', { page: 3, sort: 'lastContact', status: 'lead' }],
        ['crm.customers.list', { sort: 'name', source: 'web' }],
        ['crm.customers.list', { q: someone.phone.slice(-7) }],
        ['crm.customers.list', { q: 'כהן', sort: 'name' }],
        ['crm.customers.list', { q: 'י' }],
        ['crm.customers.list', { tag: 'VIP' }],
        ['crm.customers.get', { id: someone.id }],
        ['crm.timeline', { customerId: someone.id }],
        ['crm.dashboard', undefined],
        ['crm.calendar', { from: now - 3 * 86_400_000, to: now + 4 * 86_400_000 }],
        ['crm.deals.board', { limitPerStage: 30 }],
        ['crm.deals.board', { q: 'מזגן', minAgorot: 100_00, createdFrom: now - 90 * 86_400_000 }],
        ['crm.deals.stage', { stage: 'won', cursor: '0:1', q: 'כהן', maxAgorot: 9_000_00 }],
      ] as const) {
        const r = await demo.api(m, input);
        expect(r.status, m).toBe(200);
      }
      const page = await dok('crm.timeline', { customerId: someone.id, limit: 2 });
      if (page.nextCursor)
        await dok('crm.timeline', { customerId: someone.id, limit: 2, cursor: page.nextCursor });
    } finally {
      sqlite.prepare = realPrepare as typeof sqlite.prepare;
    }
    expect(recorded.size).toBeGreaterThan(20);
    const scans: string[] = [];
    for (const [source, args] of recorded) {
      if (!/^\s*select/i.test(source)) continue;
      const plan = realPrepare(`explain query plan ${source}`).all(...(args as unknown[])) as Array<{
        detail: string;
      }>;
      for (const p of plan) {
        // A full scan of a real table; the FTS virtual table ("SCAN f VIRTUAL TABLE INDEX …:M…") is an index lookup.
        // json_each walks one row's tag array.
        if (
          /^SCAN /.test(p.detail) &&
          !/VIRTUAL TABLE INDEX \d+:M/.test(p.detail) &&
          !/^SCAN json_each/.test(p.detail)
        )
          scans.push(`${p.detail}  ←  ${source.replace(/\s+/g, ' ').slice(0, 160)}`);
        // A board column reads its page in position order from the index, never sorting the column.
        if (/order by d\.position/.test(source) && /TEMP B-TREE FOR ORDER BY/.test(p.detail))
          scans.push(`${p.detail}  ←  ${source.replace(/\s+/g, ' ').slice(0, 160)}`);
      }
    }
    expect(scans).toEqual([]);
  });

  it('answers 403 crm_disabled when the CRM is switched off, and works again when on', async () => {
    await dok('business.setFeatures', { crm_enabled: false });
    const r = await demo.api('crm.customers.list', {});
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('crm_disabled');
    for (const m of [
      'crm.dashboard',
      'crm.search',
      'crm.timeline',
      'crm.deals.board',
      'crm.customers.create',
    ]) {
      const off = await demo.api(m, {});
      expect([off.status, off.body.error], m).toEqual([403, 'crm_disabled']);
    }
    expect((await demo.api('crm.dashboard')).body.error).toBe('crm_disabled');
    await dok('business.setFeatures', { crm_enabled: true });
    expect((await demo.api('crm.customers.list', {})).status).toBe(200);
  });
});
