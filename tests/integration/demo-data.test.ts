import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../../src-main/db/client';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { toE164 } from '../../src-main/platform/phone';

const migrationsDir = path.resolve('src-main/db/migrations');
const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) closeDb(db);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function freshDb(): Db {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-demo-'));
  dirs.push(dir);
  const db = openDb({ file: path.join(dir, 'a.db'), migrationsDir });
  dbs.push(db);
  return db;
}
const NOW = Date.UTC(2026, 4, 10, 9, 0, 0);

describe('demo data', () => {
  it('builds a consistent Hebrew business, deterministic per seed', () => {
    const a = freshDb();
    const s = generateDemoData(a, { customers: 1500, seed: 7, now: NOW });
    expect(s).toMatchObject({
      customers: 1500,
      calls: 3000,
      messages: 15000,
      deals: 450,
      tasks: 750,
      documents: 450,
    });
    const q = <T>(db: Db, sql: string) => db.$client.prepare(sql).all() as T[];

    const phones = q<{ phone: string }>(a, 'select phone from customers where phone is not null').map(
      (r) => r.phone,
    );
    expect(new Set(phones).size).toBe(phones.length);
    for (const p of phones.slice(0, 300)) expect(toE164(p)).toBe(p);
    expect(
      q<{ name: string }>(a, 'select name from customers limit 5').every((r) =>
        /[\u0590-\u05FF]/.test(r.name),
      ),
    ).toBe(true);

    // Gapless numbers per type, and the sequence continues after the last one.
    for (const row of q<{ type: string; n: number; mx: number; next: number }>(
      a,
      `select d.type, count(*) n, max(number) mx, s.next_number next from documents d join document_sequences s on s.type = d.type group by d.type`,
    )) {
      expect(row.mx).toBe(row.n);
      expect(row.next).toBe(row.n + 1);
    }
    // Contracts are numbered as the app numbers them: AGR-<year>-NNNN, in the order they were made.
    const agr = q<{ number: string; created_at: number }>(
      a,
      'select number, created_at from contracts order by created_at, id',
    );
    expect(agr.length).toBeGreaterThan(0);
    const perYear = new Map<string, number>();
    for (const c of agr) {
      const year = String(new Date(c.created_at).getUTCFullYear());
      perYear.set(year, (perYear.get(year) ?? 0) + 1);
      expect(c.number).toBe(`AGR-${year}-${String(perYear.get(year)).padStart(4, '0')}`);
    }
    // Every message/call points at a customer whose phone is the peer.
    expect(
      q(
        a,
        `select 1 from wa_messages m join customers c on c.id = m.customer_id where m.peer <> c.phone limit 1`,
      ),
    ).toHaveLength(0);
    expect(
      q(
        a,
        `select 1 from calls k join customers c on c.id = k.customer_id
         where (case k.direction when 'in' then k.from_number else k.to_number end) <> c.phone limit 1`,
      ),
    ).toHaveLength(0);
    expect(q(a, 'pragma foreign_key_check')).toHaveLength(0);
    // The search index follows the customers table.
    expect(q<{ n: number }>(a, 'select count(*) n from customers_fts')[0]!.n).toBe(1500);
    const biz = q<{ name: string; knowledge: string }>(a, 'select name, knowledge from business')[0]!;
    expect(biz.name).toBe('אבי מיזוג אוויר');
    expect(JSON.parse(biz.knowledge).faq.length).toBeGreaterThan(0);

    const b = freshDb();
    generateDemoData(b, { customers: 1500, seed: 7, now: NOW });
    const digest = (db: Db) =>
      JSON.stringify(
        q(db, 'select id, name, phone, email, status, tags, created_at from customers order by id limit 50'),
      ) + JSON.stringify(q(db, 'select count(*), sum(total_agorot) from documents'));
    expect(digest(b)).toBe(digest(a));
  });

  it('honours explicit totals and refuses a non-empty database without --reset', () => {
    const db = freshDb();
    const s = generateDemoData(db, { customers: 200, messages: 777, calls: 123, now: NOW });
    expect(s.messages).toBe(777);
    expect(s.calls).toBe(123);
    expect(() => generateDemoData(db, { customers: 10, now: NOW })).toThrow(/--reset/);
    const again = generateDemoData(db, { customers: 10, now: NOW, reset: true });
    expect(again.customers).toBe(10);
    expect((db.$client.prepare('select count(*) n from customers').get() as { n: number }).n).toBe(10);
  });
});
