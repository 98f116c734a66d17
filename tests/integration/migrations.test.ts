import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../../src-main/db/client';
import { findAppRoot } from '../../src-main/platform/paths';

const migrationsDir = path.join(findAppRoot(), 'src-main', 'db', 'migrations');
let tmp: string;
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const tables = (db: ReturnType<typeof openDb>) =>
  (
    db.$client
      .prepare("select name from sqlite_master where type in ('table','index') order by name")
      .all() as Array<{ name: string }>
  ).map((r) => r.name);

describe('migrations', () => {
  it('apply at start-up, and starting twice changes nothing', () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'al-mig-'));
    const file = path.join(tmp, 'a.db');
    const db = openDb({ file, migrationsDir });
    const first = tables(db);
    expect(first).toEqual(
      expect.arrayContaining([
        'business',
        'customers',
        'calls',
        'call_turns',
        'wa_messages',
        'documents',
        'jobs',
        'secrets',
      ]),
    );
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    const applied = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as {
      n: number;
    };
    closeDb(db);

    const again = openDb({ file, migrationsDir });
    expect(tables(again)).toEqual(first);
    expect(
      (again.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n,
    ).toBe(applied.n);
    closeDb(again);
  });

  it('a second migration applies on top of the first and keeps the data', () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'al-mig-'));
    const dir = path.join(tmp, 'migrations');
    cpSync(migrationsDir, dir, { recursive: true });
    const file = path.join(tmp, 'b.db');
    const db = openDb({ file, migrationsDir: dir });
    db.$client.prepare("insert into business (id, name) values (1, 'מספרה')").run();
    db.$client
      .prepare("insert into customers (business_id, name, phone) values (1, 'דנה כהן', '+972501234567')")
      .run();
    closeDb(db);

    const journalFile = path.join(dir, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
      entries: Array<Record<string, unknown>>;
    };
    const tag = '9999_test_birthday';
    journal.entries.push({
      idx: journal.entries.length,
      version: '6',
      when: Date.now() + 1000,
      tag,
      breakpoints: true,
    });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(path.join(dir, `${tag}.sql`), 'ALTER TABLE `customers` ADD `birthday` text;');

    const upgraded = openDb({ file, migrationsDir: dir });
    const row = upgraded.$client.prepare('select name, phone, birthday from customers').get();
    expect(row).toEqual({ name: 'דנה כהן', phone: '+972501234567', birthday: null });
    closeDb(upgraded);
  });
});
