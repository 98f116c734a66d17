/**
 * A full disk: writes that the disk refuses are errors the caller sees (API: 507 storage_full,
 * webhooks: their fallback TwiML plus an ERROR line), nothing is reported as saved, and the
 * owner is told (system.info `storage`, `system.storage` event) until writes succeed again.
 *
 * The disk is a real 8 MB tmpfs filled with a filler file (Linux, root), so SQLite answers
 * SQLITE_FULL from a real ENOSPC, at commit time as in the field. Where mounting is refused,
 * the tmpfs cases are skipped (printed) and a genuine SQLITE_FULL from `PRAGMA max_page_count`
 * still checks the API mapping.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src-main/api/envelope';
import { recordingTwiml, thanksTwiml, WEBHOOK_PATHS } from '../../src-main/telephony/twiml';
import { startTestCore, type TestCore } from '../helpers/core';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  callParams,
  postTwilio,
  PUBLIC_HOST,
  recordingSid,
} from '../helpers/twilio';

const mountDir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-tmpfs-'));
let mounted = false;
let whyNot = '';

beforeAll(() => {
  if (process.platform !== 'linux') {
    whyNot = `not Linux (${process.platform})`;
    return;
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mountDir], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    whyNot = `mount -t tmpfs refused: ${String((err as Error).message).split('\n')[0]}`;
    console.log(`storage-full: tmpfs cases skipped (${whyNot}); the max_page_count case still runs`);
  }
});

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mountDir], { stdio: 'pipe' });
  rmSync(mountDir, { recursive: true, force: true });
});

const filler = () => path.join(mountDir, 'filler.bin');

/** Fills the disk to the last byte (ENOSPC), after truncating the WAL so every write must grow it. */
function fillDisk(t: TestCore, o: { checkpoint?: boolean } = {}): void {
  if (o.checkpoint !== false) t.core.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  for (const chunk of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
    const buf = Buffer.alloc(chunk, 0x55);
    for (;;) {
      try {
        appendFileSync(filler(), buf);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        break;
      }
    }
  }
}

const freeDisk = () => rmSync(filler(), { force: true });

describe('a full disk (tmpfs)', () => {
  let t: TestCore | undefined;
  afterEach(async () => {
    freeDisk();
    await t?.stop();
    t = undefined;
  });

  it('customers.create answers 507 storage_full, saves nothing, and the owner is warned until space returns', async (ctx) => {
    if (!mounted) ctx.skip();
    t = await startTestCore({}, path.join(mountDir, 'data'));
    const events: EventMessage[] = [];
    t.core.bus.subscribe((m) => m.name === 'system.storage' && events.push(m));
    const before = await t.api('system.info');
    expect(before.body.data.storage).toEqual({ full: false, since: null });

    fillDisk(t);
    const name = 'לקוח בדיסק מלא';
    const res = await t.api('crm.customers.create', { name, phone: '050-7654321', notes: 'x'.repeat(2000) });
    expect(res.status).toBe(507);
    expect(res.status).not.toBe(404);
    expect(res.body.code).toBe('storage_full');
    expect(res.body.error).toBe('storage_full');
    expect(res.body.message).toContain('הדיסק מלא');
    const rows = t.core.db.$client.prepare('select count(*) n from customers where name = ?').get(name) as {
      n: number;
    };
    expect(rows.n).toBe(0);
    const info = await t.api('system.info');
    expect(info.body.data.storage.full).toBe(true);
    expect(typeof info.body.data.storage.since).toBe('number');
    expect(events.map((e) => (e.payload as { full: boolean }).full)).toEqual([true]);
    const lines = t.logs();
    expect(
      lines.some(
        (l) =>
          l.level === 'error' && String(l.msg).includes('storage') && l.method === 'crm.customers.create',
      ),
    ).toBe(true);

    // Space returns: the next write commits, and the warning clears.
    freeDisk();
    const again = await t.api('crm.customers.create', { name, phone: '050-7654321' });
    expect(again.status).toBe(200);
    expect(again.body.data.name).toBe(name);
    expect((await t.api('system.info')).body.data.storage).toEqual({ full: false, since: null });
    expect(events.map((e) => (e.payload as { full: boolean }).full)).toEqual([true, false]);
  });

  it('signed incoming_call answers the recording TwiML with an ERROR line and never says "saved"', async (ctx) => {
    if (!mounted) ctx.skip();
    t = await startTestCore(
      { PUBLIC_HOST, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN },
      path.join(mountDir, 'data'),
    );
    fillDisk(t);
    const answers = [];
    for (let n = 1; n <= 16; n++) {
      const from = `+97250${String(1000000 + n)}`;
      answers.push(await postTwilio(t.publicUrl, WEBHOOK_PATHS.incomingCall, callParams(n, { From: from })));
    }
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.type).toContain('xml');
      expect(a.text).toBe(recordingTwiml());
    }
    const q = (table: string) =>
      (t!.core.db.$client.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
    expect(q('calls')).toBe(0);
    expect(q('customers')).toBe(0);
    const lines = t.logs();
    expect(lines.filter((l) => String(l.msg).includes('saved as a lead'))).toEqual([]);
    const errors = lines.filter(
      (l) =>
        l.level === 'error' && String(l.msg).includes('storage') && l.path === WEBHOOK_PATHS.incomingCall,
    );
    expect(errors).toHaveLength(16);
    expect(errors.every((l) => String(l.code).startsWith('SQLITE_'))).toBe(true);

    // The other webhooks of the same call answer their fallbacks, each with a storage ERROR line.
    const p = (extra: Record<string, string>) => callParams(2, { From: '+972501000002', ...extra });
    const ended = await postTwilio(t.publicUrl, WEBHOOK_PATHS.streamEnded, p({ CallStatus: 'in-progress' }));
    expect([ended.status, ended.text]).toEqual([200, recordingTwiml()]);
    const rec = await postTwilio(
      t.publicUrl,
      WEBHOOK_PATHS.handleRecording,
      p({ CallStatus: 'in-progress', RecordingSid: recordingSid(2), RecordingDuration: '3' }),
    );
    expect([rec.status, rec.text]).toEqual([200, thanksTwiml()]);
    const status = await postTwilio(
      t.publicUrl,
      WEBHOOK_PATHS.callStatus,
      p({ CallStatus: 'completed', CallDuration: '12' }),
    );
    expect(status.status).toBe(204);
    for (const path of [WEBHOOK_PATHS.streamEnded, WEBHOOK_PATHS.handleRecording, WEBHOOK_PATHS.callStatus]) {
      expect(
        t.logs().some((l) => l.level === 'error' && String(l.msg).includes('storage') && l.path === path),
        path,
      ).toBe(true);
    }
    expect(q('calls')).toBe(0);
    expect(q('jobs')).toBe(0);

    // Space returns: the same call is saved, and only now is the caller reported as saved.
    freeDisk();
    const ok = await postTwilio(
      t.publicUrl,
      WEBHOOK_PATHS.incomingCall,
      callParams(1, { From: '+972501000001' }),
    );
    expect(ok.status).toBe(200);
    expect(q('calls')).toBe(1);
    expect(t.logs().filter((l) => String(l.msg).includes('saved as a lead'))).toHaveLength(1);
  });
});

describe('stopping on a full disk (tmpfs)', () => {
  it('closes cleanly and the next start has every committed row', async (ctx) => {
    if (!mounted) ctx.skip();
    const dir = path.join(mountDir, 'data-stop');
    const t = await startTestCore({}, dir);
    let stopped = false;
    try {
      const saved = await t.api('crm.customers.create', { name: 'נשמר לפני', notes: 'y'.repeat(9000) });
      expect(saved.status).toBe(200);
      // The saved row is still only in the WAL: the checkpoint at shutdown needs room it lacks.
      fillDisk(t, { checkpoint: false });
      expect((await t.api('crm.customers.create', { name: 'לא נשמר', notes: 'z'.repeat(9000) })).status).toBe(
        507,
      );
      await t.stop({ keepData: true });
      stopped = true;
    } finally {
      freeDisk();
      if (!stopped) await t.stop();
    }
    const again = await startTestCore({}, dir);
    try {
      const names = (
        again.core.db.$client.prepare('select name from customers order by id').all() as Array<{
          name: string;
        }>
      ).map((r) => r.name);
      expect(names).toContain('נשמר לפני');
      expect(names).not.toContain('לא נשמר');
    } finally {
      await again.stop();
    }
  });
});

describe('SQLITE_FULL from SQLite itself (max_page_count)', () => {
  it('maps to 507 storage_full, not 404 or 500, and stores nothing', async () => {
    const t = await startTestCore();
    try {
      const sqlite = t.core.db.$client;
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const pages = sqlite.pragma('page_count', { simple: true }) as number;
      sqlite.pragma(`max_page_count = ${pages}`);
      // Notes far larger than a page: the row needs new overflow pages, which SQLite refuses.
      const res = await t.api('crm.customers.create', { name: 'אין מקום', notes: 'ש'.repeat(9000) });
      expect(res.status).toBe(507);
      expect(res.body.code).toBe('storage_full');
      expect((await t.api('system.info')).body.data.storage.full).toBe(true);
      const n = sqlite.prepare("select count(*) n from customers where name = 'אין מקום'").get() as {
        n: number;
      };
      expect(n.n).toBe(0);
      sqlite.pragma('max_page_count = 1073741823');
      const ok = await t.api('crm.customers.create', { name: 'אין מקום', notes: 'ש'.repeat(9000) });
      expect(ok.status).toBe(200);
      expect((await t.api('system.info')).body.data.storage.full).toBe(false);
    } finally {
      await t.stop();
    }
  });
});
