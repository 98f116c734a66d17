/**
 * Start-up of the headless core (`node headless.js`, the app's own main-process bundle built for
 * this run from the checked-out code, bench/lib/headless.vite.config.ts) until the app is ready:
 * the modules started and the local server answering an authenticated API call (`system.info`
 * with the token, AGENTLOCATOR_LOCAL_TOKEN). The public /healthz answers earlier (it listens
 * before the modules start and before the local server exists); its time is reported alongside.
 * An empty data folder (migrations included) and a 100,000-customer demo database, median of 5
 * (BENCH_STARTUP_RUNS, BENCH_STARTUP_CUSTOMERS for a smaller trial). Target: ready in under
 * 500 ms with 100k customers.
 *
 * What "cold" means here, per variant (every run is a new process):
 * - `warm_cache`: the OS page cache is warm (the database copy was just written; node, the bundle
 *   and node_modules were read by earlier runs).
 * - `db_evicted`: the database files are evicted from the page cache before each run
 *   (`dd iflag=nocache`, no root needed), code files stay cached: a first start after the data
 *   was last touched long ago.
 * - `all_caches_dropped`: the whole page cache is dropped before each run
 *   (`echo 1 > /proc/sys/vm/drop_caches`, root only; skipped where not allowed): node, the bundle,
 *   node_modules and the database all come from disk, like the first start after a reboot.
 * `db_bytes_cached_before_start` shows, per run, how much of the database was still in the page
 * cache just before the start (fincore), so an eviction that did not happen is visible.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out', 'bench-headless');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const CUSTOMERS = Number(process.env.BENCH_STARTUP_CUSTOMERS ?? 100_000);
const TOKEN = 'bench-startup-token-0123456789';
const TARGET_MS = 500;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface StartTimes {
  healthz: number;
  ready: number;
}

/** Spawns headless on a data folder; times the first 200 of /healthz and of system.info. */
async function start(dataDir: string): Promise<StartTimes> {
  const [port, localPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(OUT, 'headless.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOCAL_PORT: String(localPort),
      AGENTLOCATOR_DATA_DIR: dataDir,
      AGENTLOCATOR_LOCAL_TOKEN: TOKEN,
      LOG_TO_STDOUT: 'false',
    },
    stdio: 'ignore',
  });
  const until = async (probe: () => Promise<boolean>, what: string) => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`headless exited (${child.exitCode}) before ${what}`);
      if (performance.now() - started > 30_000) throw new Error(`no ${what} within 30 s`);
      try {
        if (await probe()) return performance.now() - started;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  try {
    const healthz = await until(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200,
      '/healthz',
    );
    const ready = await until(async () => {
      const res = await fetch(`http://127.0.0.1:${localPort}/api/system.info`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return (
        res.status === 200 && ((await res.json()) as { data?: { mode?: string } }).data?.mode === 'browser'
      );
    }, 'system.info');
    return { healthz, ready };
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** Evicts a folder's files from the page cache (GNU dd: iflag=nocache with count=0 drops the whole file). */
function evict(dir: string): void {
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const file = path.join(f.parentPath, f.name);
    spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
}

/** Bytes of a folder's files in the page cache (util-linux fincore); null where fincore is missing. */
function residentBytes(dir: string): number | null {
  let total = 0;
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const r = spawnSync('fincore', ['-b', '-n', '-o', 'RES', path.join(f.parentPath, f.name)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) return null;
    total += Number(r.stdout.trim()) || 0;
  }
  return total;
}

/** Drops the whole page cache; false where the sandbox does not allow it. */
function dropAllCaches(): boolean {
  spawnSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (f.isFile()) total += statSync(path.join(f.parentPath, f.name)).size;
  return total;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x);
const summary = (runs: StartTimes[]) => ({
  ready_median_ms: round(median(runs.map((r) => r.ready))),
  healthz_median_ms: round(median(runs.map((r) => r.healthz))),
  ready_all_ms: runs.map((r) => round(r.ready)),
});

export default async function startup(): Promise<Record<string, unknown>> {
  const build = spawnSync('npx', ['electron-vite', 'build', '-c', 'bench/lib/headless.vite.config.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  if (build.status !== 0 || !existsSync(path.join(OUT, 'headless.js')))
    throw new Error('headless build failed (npx electron-vite build -c bench/lib/headless.vite.config.ts)');
  const buildInfo = JSON.parse(readFileSync(path.join(OUT, 'build-info.json'), 'utf8')) as { commit: string };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'al-bench-startup-'));
  try {
    const empty: StartTimes[] = [];
    for (let i = 0; i < RUNS; i++) empty.push(await start(path.join(tmp, `empty-${i}`)));

    const seeded = path.join(tmp, 'seeded');
    const gen = spawnSync(
      'npx',
      ['tsx', 'scripts/demo-data.ts', '--customers', String(CUSTOMERS), '--data-dir', seeded],
      { cwd: ROOT, stdio: 'ignore' },
    );
    if (gen.status !== 0) throw new Error('demo-data failed');
    const copy = (name: string) => {
      const dir = path.join(tmp, name);
      cpSync(seeded, dir, { recursive: true });
      return dir;
    };
    const warm: StartTimes[] = [];
    for (let i = 0; i < RUNS; i++) warm.push(await start(copy(`warm-${i}`)));
    // What was left of the database in the page cache just before each start (checked, not assumed).
    const residentAfterEvict: Array<number | null> = [];
    const residentAfterDrop: Array<number | null> = [];
    const dbEvicted: StartTimes[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = copy(`evicted-${i}`);
      spawnSync('sync');
      evict(dir);
      residentAfterEvict.push(residentBytes(dir));
      dbEvicted.push(await start(dir));
    }
    const allDropped: StartTimes[] = [];
    let dropAllowed = true;
    for (let i = 0; i < RUNS && dropAllowed; i++) {
      const dir = copy(`dropped-${i}`);
      dropAllowed = dropAllCaches();
      residentAfterDrop.push(residentBytes(dir));
      if (dropAllowed) allDropped.push(await start(dir));
    }
    const big = {
      warm_cache: summary(warm),
      db_evicted: summary(dbEvicted),
      all_caches_dropped: dropAllowed ? summary(allDropped) : null,
    };
    return {
      runs: RUNS,
      customers: CUSTOMERS,
      headless_build_commit: buildInfo.commit,
      ready_means: 'modules started and the local server answered system.info with the token (200)',
      cold_means: {
        warm_cache: 'new process, OS page cache warm (database just written, code read by earlier runs)',
        db_evicted: 'new process, database files evicted from the page cache (dd iflag=nocache), code cached',
        all_caches_dropped: dropAllowed
          ? 'new process after echo 1 > /proc/sys/vm/drop_caches: node, bundle, node_modules and database from disk'
          : 'not run: dropping the page cache is not allowed here',
      },
      db_bytes: dirBytes(seeded),
      db_bytes_cached_before_start: {
        db_evicted: residentAfterEvict,
        all_caches_dropped: dropAllowed ? residentAfterDrop : null,
      },
      empty_db: summary(empty),
      seeded_db: big,
      target_ms: TARGET_MS,
      meets_target: {
        warm_cache: big.warm_cache.ready_median_ms < TARGET_MS,
        db_evicted: big.db_evicted.ready_median_ms < TARGET_MS,
        all_caches_dropped: big.all_caches_dropped
          ? big.all_caches_dropped.ready_median_ms < TARGET_MS
          : null,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
