/**
 * Backup and restore of the 100,000-customer demo (1,000,000 WhatsApp messages, 200,000 calls)
 * plus a files folder: how long a backup and a restore take, how big the archive is, and how
 * responsive the app stays meanwhile — a probe calls an API method (crm.customers.get through the
 * dispatcher) every 10 ms and the event-loop delay is sampled; target: none delayed > 50 ms.
 * The demo database is the CRM bench's cached one when present (copied, then migrated), else built
 * (~40 s). BACKUP_BENCH_CUSTOMERS=N for a smaller trial.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { applyStagedRestore } from '../src-main/backup/restore-apply';
import { BACKUP_SERVICES } from '../src-main/backup/module';
import { createCore } from '../src-main/core';
import { generateDemoData } from '../src-main/crm/demo-data';
import { closeDb, openDb } from '../src-main/db/client';
import { loadConfig } from '../src-main/platform/config';
import { createLogger } from '../src-main/platform/logger';
import { resolvePaths } from '../src-main/platform/paths';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CUSTOMERS = Number(process.env.BACKUP_BENCH_CUSTOMERS ?? 100_000);
const OPTIONS = { customers: CUSTOMERS, messages: CUSTOMERS * 10, calls: CUSTOMERS * 2, seed: 42 };
const TARGET_MS = 50;
const RECORDINGS = 200;

/** The CRM bench's cached demo of the same size (any migration level: openDb brings it up to date). */
function cachedDemo(): string | null {
  for (const d of readdirSync(os.tmpdir())) {
    if (!d.startsWith('agentlocator-bench-crm-')) continue;
    const dir = path.join(os.tmpdir(), d);
    try {
      const s = JSON.parse(readFileSync(path.join(dir, 'demo.json'), 'utf8')) as {
        customers: number;
        messages: number;
      };
      if (s.customers === OPTIONS.customers && s.messages === OPTIONS.messages)
        return path.join(dir, 'agentlocator.db');
    } catch {
      // Not a finished cache.
    }
  }
  return null;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Calls an API method every 10 ms and samples the event loop while `work` runs. */
async function probed<T>(core: Awaited<ReturnType<typeof createCore>>, work: () => Promise<T>) {
  const latencies: number[] = [];
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let stop = false;
  let maxIds = 1;
  try {
    maxIds = Number(core.db.$client.prepare('select max(id) from customers').pluck().get() ?? 1);
  } catch {
    // No customers: id 1 answers not_found just as fast.
  }
  const probe = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await core.dispatch(
        'crm.customers.get',
        { id: 1 + Math.floor(Math.random() * maxIds) },
        { transport: 'internal', requestId: 'bench-probe' },
      );
      latencies.push(performance.now() - t0);
      const wait = Math.max(0, 10 - (performance.now() - t0));
      await new Promise((r) => setTimeout(r, wait));
    }
  })();
  const t0 = performance.now();
  const out = await work();
  const ms = performance.now() - t0;
  stop = true;
  await probe;
  h.disable();
  return {
    out,
    ms,
    stats: {
      probes: latencies.length,
      api_p50_ms: r1(pct(latencies, 50)),
      api_p95_ms: r1(pct(latencies, 95)),
      api_max_ms: r1(Math.max(0, ...latencies)),
      loop_delay_p99_ms: r1(h.percentile(99) / 1e6),
      loop_delay_max_ms: r1(h.max / 1e6),
    },
  };
}

export default async function bench() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-bench-backup-'));
  try {
    const paths = resolvePaths(dir, ROOT);
    const cached = cachedDemo();
    let demo: { built: boolean; buildMs: number | null };
    if (cached) {
      copyFileSync(cached, paths.dbFile);
      demo = { built: false, buildMs: null };
    } else {
      const db = openDb({ file: paths.dbFile, migrationsDir: paths.migrationsDir });
      const s = generateDemoData(db, OPTIONS);
      closeDb(db);
      demo = { built: true, buildMs: s.ms };
    }
    // A files folder like a year of a small business: recordings, invoices, media.
    for (let i = 0; i < RECORDINGS; i++) {
      const p = path.join(paths.recordingsDir, `RE${String(i).padStart(32, '0')}.wav`);
      const buf = Buffer.alloc(96_000);
      for (let j = 0; j < buf.length; j += 2) buf.writeInt16LE(Math.round(Math.sin((i + j) / 7) * 8000), j);
      writeFileSync(p, buf);
    }
    mkdirSync(path.join(paths.filesDir, 'documents'), { recursive: true });
    for (let i = 0; i < 300; i++)
      writeFileSync(
        path.join(paths.filesDir, 'documents', `invoice-${i}.pdf`),
        `%PDF-1.7 ${'x'.repeat(20_000 + i)}`,
      );

    const config = loadConfig({ AGENTLOCATOR_DATA_DIR: dir, PORT: '0', LOCAL_PORT: '0', HOST: '127.0.0.1' });
    const logger = createLogger({ level: 'silent', stdout: false });
    const core = await createCore({ config, mode: 'browser', logger, appRoot: ROOT });
    try {
      const mod = core.services.require(BACKUP_SERVICES);
      core.db.$client.pragma('wal_checkpoint(TRUNCATE)');
      const dbBytes = statSync(paths.dbFile).size;
      let filesBytes = 0;
      let files = 0;
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(d, e.name));
          else {
            files++;
            filesBytes += statSync(path.join(d, e.name)).size;
          }
        }
      };
      walk(paths.filesDir);
      const idle = await probed(core, () => new Promise((r) => setTimeout(r, 2000)));
      const backup = await probed(core, () => mod.service.create({ kind: 'manual' }));
      const restore = await probed(core, () => mod.service.stageRestore(backup.out.path, {}));
      // Applying the staged restore (renames only) on the stopped app's folder.
      await core.stop();
      const t0 = performance.now();
      const applied = applyStagedRestore(paths, logger, Date.now());
      const applyMs = performance.now() - t0;
      const reopened = openDb({ file: paths.dbFile, migrationsDir: paths.migrationsDir });
      const restoredCustomers = Number(
        reopened.$client.prepare('select count(*) from customers').pluck().get(),
      );
      closeDb(reopened);
      const worst = Math.max(
        backup.stats.api_max_ms,
        backup.stats.loop_delay_max_ms,
        restore.stats.api_max_ms,
        restore.stats.loop_delay_max_ms,
      );
      return {
        dataset: backup.out.counts,
        demo,
        db_bytes: dbBytes,
        files,
        files_bytes: filesBytes,
        archive_bytes: backup.out.size,
        backup_ms: Math.round(backup.ms),
        restore_check_and_stage_ms: Math.round(restore.ms),
        restore_apply_ms: r1(applyMs),
        restored_customers: restoredCustomers,
        kept_aside: applied !== null && existsSync(path.join(applied.keptAside, 'agentlocator.db')),
        idle: idle.stats,
        during_backup: backup.stats,
        during_restore_check: restore.stats,
        target_max_delay_ms: TARGET_MS,
        worst_delay_ms: worst,
        within_target: worst <= TARGET_MS,
      };
    } finally {
      await core.stop().catch(() => undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
