/**
 * Backups and restore (issue 14): a round trip on a demo database with files gives identical
 * data (row counts and a content hash per table, file hashes); a backup taken while writes go on
 * is consistent; truncated, tampered and newer-schema backups are refused with a clear message
 * and nothing changes; keys travel only with a password, and a restore says which keys must be
 * entered again; the command-line tools exit non-zero when they refuse; the damaged-database
 * start offers the latest backup. BACKUP_TEST_CUSTOMERS=100000 runs the round trip at full size
 * (the benchmark measures that one: bench/backup.bench.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import Database from 'better-sqlite3';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_SERVICES } from '../../src-main/backup/module';
import { isRecovery, startCoreHost } from '../../src-main/core/recovery';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { ManualClock } from '../../src-main/platform/clock';
import { loadConfig } from '../../src-main/platform/config';
import { createLogger } from '../../src-main/platform/logger';
import { startTestCore, type TestCore } from '../helpers/core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CUSTOMERS = Number(process.env.BACKUP_TEST_CUSTOMERS ?? 5000);
const PASSWORD = 'correct horse battery';
const sha = (buf: Buffer | string) => createHash('sha256').update(buf).digest('hex');
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `agentlocator-${p}-`));

/** Row count and a content hash per table (secrets apart: they are re-encrypted per machine). */
function fingerprint(dbFile: string): Record<string, { rows: number; hash: string }> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const tables = db
      .prepare(
        "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .pluck()
      .all() as string[];
    const out: Record<string, { rows: number; hash: string }> = {};
    for (const t of tables) {
      if (t === 'secrets') continue;
      const h = createHash('sha256');
      let rows = 0;
      let stmt;
      try {
        stmt = db.prepare(`select * from "${t}" order by rowid`);
      } catch {
        stmt = db.prepare(`select * from "${t}"`);
      }
      for (const row of stmt.raw().iterate() as Iterable<unknown[]>) {
        h.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
        rows++;
      }
      out[t] = { rows, hash: h.digest('hex') };
    }
    return out;
  } finally {
    db.close();
  }
}

function fileHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out[r] = sha(readFileSync(path.join(d, e.name)));
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}

/** What "nothing changed" means for a data folder: database bytes (after checkpoint), files, no staging. */
function folderState(t: TestCore) {
  t.core.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  return {
    db: sha(readFileSync(path.join(t.dataDir, 'agentlocator.db'))),
    files: fileHashes(path.join(t.dataDir, 'files')),
    entries: readdirSync(t.dataDir)
      .filter((n) => !n.startsWith('agentlocator.db') && n !== 'logs')
      .sort(),
  };
}

function writeFiles(dataDir: string) {
  const files = {
    'recordings/RE0001.wav': Buffer.alloc(64_000, 7),
    'recordings/RE0002.mp3': Buffer.from('ID3 fake mp3 payload'),
    'documents/2026/invoice-1001.pdf': Buffer.from('%PDF-1.7 invoice 1001'),
    'wa-media/abc/photo.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
    'contracts/signed-17.pdf': Buffer.from('%PDF-1.7 signed contract'),
  };
  for (const [rel, buf] of Object.entries(files)) {
    const p = path.join(dataDir, 'files', ...rel.split('/'));
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, buf);
  }
  mkdirSync(path.join(dataDir, 'cache', 'tts'), { recursive: true });
  writeFileSync(path.join(dataDir, 'cache', 'tts', 'greeting.ulaw'), Buffer.alloc(1000, 1));
}

/** Rewrites a backup archive entry by entry (a tamperer with tar and gzip). */
async function rewrite(
  src: string,
  dest: string,
  edit: (name: string, body: Buffer) => Buffer,
): Promise<void> {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = pipeline(pack as unknown as Readable, createGzip(), createWriteStream(dest));
  const input = pipeline(Readable.from(readFileSync(src)), createGunzip(), extract as never);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry as AsyncIterable<Buffer>) chunks.push(c);
    const body = edit(entry.header.name, Buffer.concat(chunks));
    await new Promise<void>((res, rej) =>
      pack.entry({ name: entry.header.name, size: body.length }, body, (e) => (e ? rej(e) : res())),
    );
  }
  await input;
  pack.finalize();
  await out;
}

function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

const backupOf = (t: TestCore) => t.core.services.require(BACKUP_SERVICES);

describe('backup and restore', () => {
  let t: TestCore;
  let backupFile: string;
  let before: ReturnType<typeof fingerprint>;
  let filesBefore: Record<string, string>;

  beforeAll(async () => {
    t = await startTestCore();
    const started = performance.now();
    generateDemoData(t.core.db, { customers: CUSTOMERS, seed: 7, now: Date.UTC(2026, 10, 1), reset: true });
    console.log(`demo data: ${CUSTOMERS} customers in ${Math.round(performance.now() - started)} ms`);
    writeFiles(t.dataDir);
    await t.api('secrets.set', { name: 'openai_api_key', value: 'sk-test-backup-0001' });
    await t.api('secrets.set', { name: 'twilio_auth_token', value: 'tok-backup-0002' });
  }, 600_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('round trip: identical data (rows and content per table, file hashes), keys back with the password', async () => {
    t.core.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    before = fingerprint(path.join(t.dataDir, 'agentlocator.db'));
    filesBefore = fileHashes(path.join(t.dataDir, 'files'));
    const progress: number[] = [];
    const unsub = t.core.bus.subscribe((m) => {
      if (m.name === 'backup.progress') progress.push((m.payload as { percent: number }).percent);
    });
    const startedAt = performance.now();
    const res = await t.api('backup.create', { password: PASSWORD });
    const backupMs = performance.now() - startedAt;
    unsub();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body.data;
    backupFile = s.path;
    console.log(
      `backup: ${CUSTOMERS} customers, ${(s.size / 2 ** 20).toFixed(1)} MB in ${Math.round(backupMs)} ms`,
    );
    expect(s.counts.customers).toBe(before.customers!.rows);
    expect(s.counts.wa_messages).toBe(before.wa_messages!.rows);
    expect(s.files).toEqual({ count: 5, bytes: expect.any(Number) });
    expect(s.keys).toEqual({ included: true, names: ['openai_api_key', 'twilio_auth_token'] });
    expect(s.schemaSupported).toBe(true);
    expect(progress.at(-1)).toBe(100);
    expect(progress.length).toBeGreaterThan(2);

    // The archive: manifest first; no TTS cache, no key file, no machine-encrypted keys.
    const names: string[] = [];
    const extract = tar.extract();
    const reading = pipeline(Readable.from(readFileSync(backupFile)), createGunzip(), extract as never);
    for await (const e of extract) {
      names.push(e.header.name);
      if (e.header.name === 'db/agentlocator.db') {
        const chunks: Buffer[] = [];
        for await (const c of e as AsyncIterable<Buffer>) chunks.push(c);
        const probe = path.join(tmp('probe'), 'x.db');
        writeFileSync(probe, Buffer.concat(chunks));
        const db = new Database(probe, { readonly: true });
        expect(db.prepare('select count(*) from secrets').pluck().get()).toBe(0);
        db.close();
      } else e.resume();
    }
    await reading;
    expect(names[0]).toBe('manifest.json');
    expect(names).toContain('keys.enc');
    expect(names.some((n) => n.includes('tts') || n.includes('secret.key'))).toBe(false);

    // Change everything, then restore.
    t.core.db.$client.exec('delete from wa_messages where id % 2 = 0; update customers set notes = 42');
    rmSync(path.join(t.dataDir, 'files', 'recordings', 'RE0001.wav'));
    writeFileSync(path.join(t.dataDir, 'files', 'recordings', 'RE9999.wav'), 'after the backup');
    await t.api('secrets.set', { name: 'openai_api_key', value: 'sk-changed' });

    const r = await t.api('backup.restore', { path: backupFile, password: PASSWORD });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.keysRestored).toEqual(['openai_api_key', 'twilio_auth_token']);
    expect(r.body.data.keysToReenter).toEqual([]);
    // No restart hook in a bare test core: it applies at the next start.
    expect(r.body.data.restarting).toBe(false);
    const kept = r.body.data.keptAside as string;
    // What will replace the data is exactly the backup, table by table.
    const staged = fingerprint(path.join(t.dataDir, 'restore-staged', 'agentlocator.db'));
    expect(staged).toEqual(before);

    await t.stop({ keepData: true });
    t = await startTestCore({}, t.dataDir);
    const after = fingerprint(path.join(t.dataDir, 'agentlocator.db'));
    // The app runs on it (its start-up may touch rows, e.g. overdue tasks): the same rows.
    for (const [table, fp] of Object.entries(before)) expect(after[table]?.rows, table).toBe(fp.rows);
    expect(after.customers).toEqual(before.customers);
    expect(after.wa_messages).toEqual(before.wa_messages);
    expect(fileHashes(path.join(t.dataDir, 'files'))).toEqual(filesBefore);
    expect(t.core.secrets.get('openai_api_key')).toBe('sk-test-backup-0001');
    expect(t.core.secrets.get('twilio_auth_token')).toBe('tok-backup-0002');
    // The replaced data is kept aside until a week after this start.
    expect(existsSync(path.join(kept, 'agentlocator.db'))).toBe(true);
    expect(existsSync(path.join(kept, 'files', 'recordings', 'RE9999.wav'))).toBe(true);
    const list = await t.api('backup.list');
    expect(list.body.data.restored).toMatchObject({ from: backupFile, keysToReenter: [] });
    expect(list.body.data.backups[0].path).toBe(backupFile);
  }, 600_000);

  it('a backup taken while writes go on (a live call) is consistent: integrity ok, transactions whole', async () => {
    const sqlite = t.core.db.$client;
    let n = 0;
    let stop = false;
    let writesDuringBackup = 0;
    let backupRunning = false;
    // Each transaction: a call row, its turns and the running count, as the voice agent writes them.
    const write = sqlite.transaction((k: number) => {
      sqlite.prepare("insert into settings (key, value, updated_at) values (?, '1', 0)").run(`probe.${k}`);
      sqlite
        .prepare(
          "insert into settings (key, value, updated_at) values ('probe.count', ?, 0) on conflict(key) do update set value = excluded.value",
        )
        .run(String(k));
    });
    const writer = (async () => {
      while (!stop) {
        write(++n);
        if (backupRunning) writesDuringBackup++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    backupRunning = true;
    const res = await t.api('backup.create', {});
    backupRunning = false;
    stop = true;
    await writer;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(writesDuringBackup).toBeGreaterThan(5);

    const dir = tmp('consistent');
    const extract = tar.extract();
    const reading = pipeline(
      Readable.from(readFileSync(res.body.data.path)),
      createGunzip(),
      extract as never,
    );
    for await (const e of extract) {
      if (e.header.name !== 'db/agentlocator.db') {
        e.resume();
        continue;
      }
      await pipeline(e as unknown as Readable, createWriteStream(path.join(dir, 'x.db')));
    }
    await reading;
    const db = new Database(path.join(dir, 'x.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const count = Number(
      db.prepare("select value from settings where key = 'probe.count'").pluck().get() ?? 0,
    );
    const rows = db
      .prepare("select count(*) from settings where key like 'probe.%' and key != 'probe.count'")
      .pluck()
      .get();
    db.close();
    expect(count).toBeGreaterThan(0);
    expect(rows).toBe(count);
    expect(res.body.data.counts.settings).toBe(count + 1 + (before.settings?.rows ?? 0));
    rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  it('truncated, tampered and newer-schema backups are refused with a clear message; nothing changes', async () => {
    const dir = tmp('bad');
    const truncated = path.join(dir, 'truncated.tar.gz');
    writeFileSync(truncated, readFileSync(backupFile).subarray(0, Math.floor(statSync(backupFile).size / 2)));
    const tampered = path.join(dir, 'tampered.tar.gz');
    await rewrite(backupFile, tampered, (name, body) => {
      if (name !== 'db/agentlocator.db') return body;
      const b = Buffer.from(body);
      b[b.length - 100] = b[b.length - 100]! ^ 0xff;
      return b;
    });
    const flipped = path.join(dir, 'flipped.tar.gz');
    const raw = Buffer.from(readFileSync(backupFile));
    raw[Math.floor(raw.length / 2)] = raw[Math.floor(raw.length / 2)]! ^ 0x55;
    writeFileSync(flipped, raw);
    const newer = path.join(dir, 'newer.tar.gz');
    await rewrite(backupFile, newer, (name, body) => {
      if (name !== 'manifest.json') return body;
      const m = JSON.parse(body.toString());
      m.schema = { last: '0099_from_the_future', when: 4_102_444_800_000, applied: 99 };
      return Buffer.from(JSON.stringify(m));
    });
    const notBackup = path.join(dir, 'notes.tar.gz');
    writeFileSync(notBackup, 'just some text');

    const state = folderState(t);
    const cases: Array<[string, string, RegExp]> = [
      [truncated, 'backup_truncated', /incomplete/],
      [tampered, 'backup_tampered', /changed or damaged: db\/agentlocator\.db does not match its checksum/],
      [flipped, 'backup_', /damaged|incomplete|changed/],
      [newer, 'backup_newer_schema', /newer version of the app/],
      [notBackup, 'backup_not_a_backup', /not an AgentLocator backup/],
    ];
    for (const [file, error, message] of cases) {
      const r = await t.api('backup.restore', { path: file, password: PASSWORD });
      expect(r.status, `${path.basename(file)}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error.startsWith(error), JSON.stringify(r.body)).toBe(true);
      expect(r.body.message).toMatch(message);
      expect(folderState(t), path.basename(file)).toEqual(state);
    }
    // The wrong password, and a keys backup without one: refused before anything is staged.
    const wrong = await t.api('backup.restore', { path: backupFile, password: 'not the password' });
    expect(wrong.body.error).toBe('backup_wrong_password');
    const none = await t.api('backup.restore', { path: backupFile });
    expect(none.body.error).toBe('backup_password_required');
    expect(folderState(t)).toEqual(state);
    // Inspect reads the manifest only.
    const inspect = await t.api('backup.inspect', { path: newer });
    expect(inspect.body.data).toMatchObject({ schema: '0099_from_the_future', schemaSupported: false });
    rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  it('without keys: another computer is told exactly which keys to enter again', async () => {
    const res = await t.api('backup.create', {});
    expect(res.body.data.keys).toEqual({ included: false, names: ['openai_api_key', 'twilio_auth_token'] });
    // Another computer: its own data folder and key file, one key of its own already set.
    const other = await startTestCore();
    await other.api('secrets.set', { name: 'twilio_auth_token', value: 'tok-other-machine' });
    const r = await other.api('backup.restore', { path: res.body.data.path });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data.keysRestored).toEqual([]);
    expect(r.body.data.keysToReenter).toEqual(['openai_api_key']);
    await other.stop({ keepData: true });
    const again = await startTestCore({}, other.dataDir);
    expect(again.core.secrets.get('twilio_auth_token')).toBe('tok-other-machine');
    expect(again.core.secrets.has('openai_api_key')).toBe(false);
    const list = await again.api('backup.list');
    expect(list.body.data.restored.keysToReenter).toEqual(['openai_api_key']);
    // With the password, another computer gets the keys, encrypted with its own key file.
    const withKeys = await again.api('backup.restore', { path: backupFile, password: PASSWORD });
    expect(withKeys.body.data.keysRestored).toEqual(['openai_api_key', 'twilio_auth_token']);
    await again.stop({ keepData: true });
    const third = await startTestCore({}, other.dataDir);
    expect(third.core.secrets.get('openai_api_key')).toBe('sk-test-backup-0001');
    await third.stop();
  }, 600_000);

  it('command line: backup and restore exit 0; refused restores exit non-zero and change nothing; refused while the app runs', async () => {
    const out = path.join(tmp('cli'), 'cli-backup.tar.gz');
    const b = await runScript('scripts/backup.ts', ['--out', out, '--data-dir', t.dataDir]);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toMatch(/backup written/);
    // The app (this test core) runs on the folder: refused.
    const busy = await runScript('scripts/restore.ts', [out, '--data-dir', t.dataDir]);
    expect(busy.code, busy.err).toBe(3);
    expect(busy.err).toMatch(/the app is running/);

    await t.stop({ keepData: true });
    const dataDir = t.dataDir;
    const dbSha = sha(readFileSync(path.join(dataDir, 'agentlocator.db')));
    const truncated = out.replace('.tar.gz', '-cut.tar.gz');
    writeFileSync(truncated, readFileSync(out).subarray(0, 5000));
    const cut = await runScript('scripts/restore.ts', [truncated, '--data-dir', dataDir]);
    expect(cut.code, cut.err).toBe(1);
    expect(cut.err).toMatch(/refused: .*incomplete[\s\S]*nothing was changed/);
    expect(sha(readFileSync(path.join(dataDir, 'agentlocator.db')))).toBe(dbSha);
    const usage = await runScript('scripts/restore.ts', []);
    expect(usage.code).toBe(2);

    const ok = await runScript('scripts/restore.ts', [out, '--data-dir', dataDir]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/restored: [\s\S]*kept in .*before-restore-/);
    t = await startTestCore({}, dataDir);
    expect(fingerprint(path.join(dataDir, 'agentlocator.db')).customers).toEqual(before.customers);
  }, 600_000);
});

describe('automatic backups', () => {
  it('one a day on the injected clock, none while one is fresh, automatic off means none', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0));
    const t = await startTestCore({}, undefined, { clock });
    try {
      const mod = backupOf(t);
      await mod.checkDue();
      let list = (await t.api('backup.list')).body.data;
      expect(list.backups.map((b: { kind: string }) => b.kind)).toEqual(['auto']);
      await mod.checkDue();
      expect((await t.api('backup.list')).body.data.backups).toHaveLength(1);
      clock.advance(24 * 3600_000);
      await mod.checkDue();
      list = (await t.api('backup.list')).body.data;
      expect(list.backups).toHaveLength(2);
      await t.api('backup.settings.set', { automatic: false });
      clock.advance(24 * 3600_000);
      await mod.checkDue();
      expect((await t.api('backup.list')).body.data.backups).toHaveLength(2);
      // Retention: 2 days kept, 0 weeks → the oldest automatic backup goes.
      await t.api('backup.settings.set', { automatic: true, keepDaily: 1, keepWeekly: 0 });
      await mod.checkDue();
      list = (await t.api('backup.list')).body.data;
      expect(list.backups).toHaveLength(1);
      expect(list.backups[0].createdAt).toBe(clock.now());
    } finally {
      await t.stop();
    }
  }, 120_000);

  it('a folder elsewhere (a second disk) is used, and one that cannot be written is refused', async () => {
    const t = await startTestCore();
    try {
      const folder = path.join(tmp('second-disk'), 'AgentLocator backups');
      const set = await t.api('backup.settings.set', { folder });
      expect(set.body.data).toMatchObject({ folder, defaultFolder: false });
      const b = await t.api('backup.create', {});
      expect(path.dirname(b.body.data.path)).toBe(folder);
      const bad = await t.api('backup.settings.set', { folder: path.join(t.dataDir, 'files', 'x') });
      expect(bad.status).toBe(400);
      const rel = await t.api('backup.settings.set', { folder: 'relative/folder' });
      expect(rel.status).toBe(400);
    } finally {
      await t.stop();
    }
  }, 120_000);
});

describe('a damaged database at start-up', () => {
  it('offers the latest backup and restarts on it', async () => {
    const t = await startTestCore();
    generateDemoData(t.core.db, { customers: 200, seed: 3, now: Date.UTC(2026, 10, 1), reset: true });
    const b = await t.api('backup.create', {});
    expect(b.status).toBe(200);
    await t.stop({ keepData: true });
    const dbFile = path.join(t.dataDir, 'agentlocator.db');
    const pages = Math.floor(statSync(dbFile).size / 4096);
    const fd = openSync(dbFile, 'r+');
    for (const page of [2, Math.floor(pages / 2)])
      writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, (page - 1) * 4096);
    closeSync(fd);
    const damagedSha = sha(readFileSync(dbFile));

    const sink = new PassThrough();
    const logger = createLogger({ level: 'silent', stdout: false, extra: sink });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOCAL_PORT: '0',
      AGENTLOCATOR_DATA_DIR: t.dataDir,
    });
    const host = await startCoreHost({ config, mode: 'browser', logger, local: true });
    try {
      expect(isRecovery(host.current())).toBe(true);
      const api = async (method: string, input: unknown = {}) => {
        const local = host.local()!;
        const send = () =>
          fetch(`http://127.0.0.1:${local.port}/api/${method}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${local.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(input),
          });
        const res = await send().catch(() => send());
        return (await res.json()) as any;
      };
      const list = await api('backup.list');
      expect(list.data.last.path).toBe(b.body.data.path);
      const r = await api('backup.restore', { path: list.data.last.path });
      expect(r.data.restarting).toBe(true);
      await host.restarted();
      expect(isRecovery(host.current())).toBe(false);
      const info = await api('system.info');
      expect(info.data.recovery).toBeUndefined();
      const customers = await api('crm.customers.list', { limit: 1 });
      expect(customers.data.total).toBe(200);
      // The damaged file is kept aside, byte for byte.
      expect(sha(readFileSync(path.join(r.data.keptAside, 'agentlocator.db')))).toBe(damagedSha);
    } finally {
      await host.stop();
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
