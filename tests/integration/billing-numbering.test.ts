/**
 * Gapless numbering under concurrency (issue 12): several processes, each with its own connection
 * to the same database file (WAL, busy timeout), issue 1,000 documents of each of two types at
 * once. Every type must come out numbered exactly start..start+999 — no gap, no duplicate — and
 * each number belongs to exactly one issued document (one audit event each, chain intact).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { BusinessService } from '../../src-main/business/business-service';
import { createBilling } from '../../src-main/billing/module';
import { SqlCustomerDirectory } from '../../src-main/crm/customer-directory';
import { closeDb, openDb } from '../../src-main/db/client';
import { AuditLog } from '../../src-main/platform/audit';
import { systemClock } from '../../src-main/platform/clock';
import { createLogger } from '../../src-main/platform/logger';
import { SettingsStore } from '../../src-main/platform/settings';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'billing-numbering-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKERS = 4;
const PER_WORKER = 250;
const PROPOSAL_START = 5001;

it(`${WORKERS} processes issue 1,000 tax invoices and 1,000 proposals at once: numbers 1..1000 and ${PROPOSAL_START}..${PROPOSAL_START + 999}, no gap, no duplicate`, async () => {
  const file = path.join(dir, 'agentlocator.db');
  const db = openDb({ file, migrationsDir: 'src-main/db/migrations' });
  const business = new BusinessService(db, systemClock);
  business.updateProfile({
    name: 'סטודיו',
    legalName: 'סטודיו בע״מ',
    vatId: '514123456',
    businessType: 'company',
  });
  db.$client
    .prepare("insert into customers (id, business_id, name, phone) values (1, 1, 'דנה', '+972501234567')")
    .run();
  const billing = createBilling({
    db,
    clock: systemClock,
    logger: createLogger({ level: 'error', stdout: false }),
    business,
    settings: new SettingsStore(db, systemClock),
    customers: new SqlCustomerDirectory(db, systemClock),
    dataDir: dir,
  });
  billing.settings.set({ startingNumbers: { proposal: PROPOSAL_START } });
  closeDb(db);

  const outputs = await Promise.all(
    Array.from({ length: WORKERS }, () =>
      run(
        process.execPath,
        [
          '--import',
          'tsx',
          'tests/fixtures/billing-issuer.ts',
          file,
          dir,
          String(PER_WORKER),
          'tax_invoice,proposal',
        ],
        { maxBuffer: 16 * 1024 * 1024, timeout: 240_000 },
      ),
    ),
  );
  const issued = outputs.flatMap(
    (o) => JSON.parse(o.stdout.trim()) as Array<{ id: number; type: string; number: number }>,
  );
  expect(issued).toHaveLength(WORKERS * PER_WORKER * 2);

  const check = openDb({ file, migrationsDir: 'src-main/db/migrations' });
  const numbers = (type: string) =>
    (
      check.$client
        .prepare("select number from documents where type = ? and status = 'issued' order by number")
        .all(type) as Array<{ number: number }>
    ).map((r) => r.number);
  const range = (start: number) => Array.from({ length: 1000 }, (_, i) => start + i);
  expect(numbers('tax_invoice')).toEqual(range(1));
  expect(numbers('proposal')).toEqual(range(PROPOSAL_START));
  // What each worker was told matches what was written, and the workers interleaved.
  const written = new Map(
    (
      check.$client.prepare('select id, number from documents').all() as Array<{ id: number; number: number }>
    ).map((r) => [r.id, r.number]),
  );
  for (const d of issued) expect(written.get(d.id)).toBe(d.number);
  const firstWorker = JSON.parse(outputs[0]!.stdout) as Array<{ type: string; number: number }>;
  const own = firstWorker.filter((d) => d.type === 'tax_invoice').map((d) => d.number);
  expect(own.at(-1)! - own[0]!).toBeGreaterThan(PER_WORKER - 1);
  expect(check.$client.prepare("select count(*) n from documents where status = 'draft'").get()).toEqual({
    n: 0,
  });
  expect(
    check.$client.prepare("select next_number n from document_sequences where type = 'tax_invoice'").get(),
  ).toEqual({ n: 1001 });
  const audit = new AuditLog(check.$client, systemClock, dir);
  expect(
    check.$client.prepare("select count(*) n from audit_events where event = 'document.issued'").get(),
  ).toEqual({
    n: 2000,
  });
  expect(audit.verify().ok).toBe(true);
  closeDb(check);
}, 300_000);
