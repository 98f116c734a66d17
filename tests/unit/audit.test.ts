import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../../src-main/db/client';
import {
  AUDIT_GENESIS,
  AuditLog,
  canonicalJson,
  rowHash,
  sha256,
  type Row,
} from '../../src-main/platform/audit';
import type { Clock } from '../../src-main/platform/clock';

let dir: string;
let db: Db;
let now = Date.UTC(2026, 11, 2, 8);
const clock: Clock = { now: () => now, setTimeout, clearTimeout } as unknown as Clock;
let audit: AuditLog;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'audit-test-'));
  db = openDb({
    file: path.join(dir, 'audit.db'),
    migrationsDir: path.join(import.meta.dirname, '../../src-main/db/migrations'),
  });
  audit = new AuditLog(db.$client, clock, dir);
});
afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

/** Five events over two contracts and a document whose PDF the log vouches for. */
function seed() {
  mkdirSync(path.join(dir, 'documents'));
  const pdf = path.join(dir, 'documents', 'invoice-1001.pdf');
  writeFileSync(pdf, '%PDF-1.7 invoice 1001');
  audit.append({
    entityType: 'contract',
    entityId: 1,
    event: 'contract.created',
    data: { title: 'הסכם שירות' },
  });
  now += 1000;
  audit.append({ entityType: 'contract', entityId: 1, event: 'contract.sent' });
  now += 1000;
  audit.append({
    entityType: 'document',
    entityId: 7,
    event: 'document.issued',
    data: {
      number: 1001,
      file: { path: 'documents/invoice-1001.pdf', sha256: sha256('%PDF-1.7 invoice 1001') },
    },
  });
  now += 1000;
  audit.append({ entityType: 'contract', entityId: 2, event: 'contract.created', actor: 'owner' });
  now += 1000;
  audit.append({
    entityType: 'contract',
    entityId: 1,
    event: 'contract.signed',
    data: { signer: 'דנה כהן' },
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
  });
  return pdf;
}

describe('audit log (hash chain)', () => {
  it('chains every event to the one before and verifies an untouched log', () => {
    seed();
    const events = db.$client
      .prepare('select id, prev_hash, hash from audit_events order by id')
      .all() as Array<{
      id: number;
      prev_hash: string;
      hash: string;
    }>;
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
    expect(events[0]!.prev_hash).toBe(AUDIT_GENESIS);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prev_hash).toBe(events[i - 1]!.hash);
    expect(audit.verify()).toEqual({ ok: true, events: 5, problems: [] });
    expect(audit.history('contract', 1).map((e) => e.event)).toEqual([
      'contract.created',
      'contract.sent',
      'contract.signed',
    ]);
  });

  it('finds an edited event, even when its hash was recomputed', () => {
    seed();
    db.$client.prepare(`update audit_events set data = '{"signer":"מישהו אחר"}' where id = 5`).run();
    expect(audit.verify().problems).toEqual([{ kind: 'edited', eventId: 5 }]);

    db.$client.prepare(`update audit_events set data = '{"signer":"דנה כהן"}' where id = 5`).run();
    expect(audit.verify().ok).toBe(true);

    // Rewrite event 2 with a hash consistent with its new content: the link from event 3 gives it away.
    const row = db.$client.prepare('select * from audit_events where id = 2').get() as Row;
    const forged = { ...row, event: 'contract.voided' };
    db.$client
      .prepare('update audit_events set event = ?, hash = ? where id = 2')
      .run(forged.event, rowHash(forged));
    expect(audit.verify().problems).toEqual([{ kind: 'edited', eventId: 2 }]);
  });

  it('finds a deleted event in the middle and at the end', () => {
    seed();
    db.$client.prepare('delete from audit_events where id = 3').run();
    expect(audit.verify().problems).toEqual([{ kind: 'deleted', afterEventId: 2, beforeEventId: 4 }]);
    db.$client.prepare('delete from audit_events where id = 5').run();
    expect(audit.verify().problems).toContainEqual({ kind: 'deleted', afterEventId: 4, beforeEventId: null });
  });

  it('finds a changed or missing file an event vouches for', () => {
    const pdf = seed();
    writeFileSync(pdf, '%PDF-1.7 invoice 1001 — changed');
    expect(audit.verify().problems).toEqual([
      { kind: 'file_changed', eventId: 3, file: 'documents/invoice-1001.pdf' },
    ]);
    // Scoped to another entity, the document's file is not this check's business.
    expect(audit.verify({ entityType: 'contract', entityId: 1 }).ok).toBe(true);
    rmSync(pdf);
    expect(audit.verify({ entityType: 'document', entityId: 7 }).problems).toEqual([
      { kind: 'file_missing', eventId: 3, file: 'documents/invoice-1001.pdf' },
    ]);
  });

  it('writes inside the caller’s transaction: a rolled-back change leaves no event', () => {
    expect(() =>
      db.$client.transaction(() => {
        audit.append({ entityType: 'document', entityId: 1, event: 'document.issued' });
        throw new Error('the document write failed');
      })(),
    ).toThrow('the document write failed');
    expect(audit.verify()).toEqual({ ok: true, events: 0, problems: [] });
    audit.append({ entityType: 'document', entityId: 1, event: 'document.issued' });
    expect(audit.verify()).toEqual({ ok: true, events: 1, problems: [] });
  });

  it('hashes content canonically (key order does not matter)', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe(
      '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}',
    );
  });
});
