/**
 * The swap of a checked restore (staged by BackupService.stageRestore as `restore-staged/`),
 * done at start-up before the database opens: the current database (with -wal/-shm) and files
 * folder move aside into `before-restore-<time>/`, the staged ones move into place. If the app
 * then cannot open the restored database, everything moves back. The kept-aside data is removed
 * KEEP_ASIDE_DAYS after the app has started on the restored data (restore-done.json says when).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { openDb, type Db } from '../db/client';
import type { Logger } from '../platform/logger';
import { DIR_MODE, type AppPaths } from '../platform/paths';
import {
  KEPT_PREFIX,
  RESTORED_FILE,
  STAGED_DIR,
  STAGED_INFO,
  type RestoredInfo,
  type StagedInfo,
} from './service';

export const KEEP_ASIDE_DAYS = 7;
const SIDE = ['-wal', '-shm', '-journal'];

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[:.]/g, '-');

/** Whether a checked restore waits to be applied at the next start. */
export const restorePending = (paths: AppPaths): boolean =>
  existsSync(path.join(paths.dataDir, STAGED_DIR, STAGED_INFO));

/**
 * Applies a staged restore (if any) and opens the database. Throws what openDb throws when no
 * restore was pending; after a restore that cannot be opened, rolls back and opens the old data.
 */
export function openDbApplyingRestore(paths: AppPaths, log: Logger, now: number): Db {
  const applied = applyStagedRestore(paths, log, now);
  const open = () => openDb({ file: paths.dbFile, migrationsDir: paths.migrationsDir });
  if (!applied) return open();
  try {
    return open();
  } catch (err) {
    log.error({ err }, 'the restored database does not open: going back to the data it replaced');
    rollback(paths, applied.keptAside, now);
    writeFileSync(
      path.join(paths.dataDir, RESTORED_FILE),
      JSON.stringify({ ...applied, failed: true, rolledBackAt: now }),
      { mode: 0o600 },
    );
    return open();
  }
}

/** Moves the current data aside and the staged restore into place. Returns what was done. */
export function applyStagedRestore(paths: AppPaths, log: Logger, now: number): RestoredInfo | null {
  const staged = path.join(paths.dataDir, STAGED_DIR);
  const info = readJson<StagedInfo>(path.join(staged, STAGED_INFO));
  if (!info) return null;
  const base = info.keptAside ?? path.join(paths.dataDir, `${KEPT_PREFIX}${stamp(now)}`);
  let kept = base;
  for (let n = 2; existsSync(kept); n++) kept = `${base}-${n}`;
  mkdirSync(kept, { recursive: true, mode: DIR_MODE });
  const db = path.basename(paths.dbFile);
  // Side files first, so the restored database never meets a stale WAL.
  for (const s of [...SIDE, '']) {
    if (existsSync(paths.dbFile + s)) renameSync(paths.dbFile + s, path.join(kept, db + s));
  }
  if (existsSync(paths.filesDir)) renameSync(paths.filesDir, path.join(kept, 'files'));
  renameSync(path.join(staged, 'agentlocator.db'), paths.dbFile);
  if (existsSync(path.join(staged, 'files'))) renameSync(path.join(staged, 'files'), paths.filesDir);
  for (const d of [paths.filesDir, paths.recordingsDir]) mkdirSync(d, { recursive: true, mode: DIR_MODE });
  const done: RestoredInfo = { ...info, appliedAt: now, keptAside: kept };
  writeFileSync(path.join(paths.dataDir, RESTORED_FILE), JSON.stringify(done, null, 2), { mode: 0o600 });
  rmSync(staged, { recursive: true, force: true });
  log.warn(
    { from: info.from, kept_aside: kept, keys_to_reenter: info.keysToReenter },
    'backup restored: the previous data is kept aside until the app has run on the restored data',
  );
  return done;
}

function rollback(paths: AppPaths, kept: string, now: number): void {
  const failed = path.join(paths.dataDir, `restore-failed-${stamp(now)}`);
  mkdirSync(failed, { recursive: true, mode: DIR_MODE });
  const db = path.basename(paths.dbFile);
  for (const s of [...SIDE, '']) {
    if (existsSync(paths.dbFile + s)) renameSync(paths.dbFile + s, path.join(failed, db + s));
  }
  if (existsSync(paths.filesDir)) renameSync(paths.filesDir, path.join(failed, 'files'));
  for (const s of ['', ...SIDE]) {
    if (existsSync(path.join(kept, db + s))) renameSync(path.join(kept, db + s), paths.dbFile + s);
  }
  if (existsSync(path.join(kept, 'files'))) renameSync(path.join(kept, 'files'), paths.filesDir);
  mkdirSync(paths.recordingsDir, { recursive: true, mode: DIR_MODE });
  rmSync(kept, { recursive: true, force: true });
}

/**
 * The app has started on the restored data: note when (once), and remove data kept aside by
 * restores whose start is older than KEEP_ASIDE_DAYS. Returns the removed folders.
 */
export function restoreStarted(paths: AppPaths, now: number): string[] {
  const file = path.join(paths.dataDir, RESTORED_FILE);
  const done = readJson<RestoredInfo & { failed?: boolean }>(file);
  if (done && !done.failed && done.startedAt === undefined) {
    done.startedAt = now;
    try {
      writeFileSync(file, JSON.stringify(done, null, 2), { mode: 0o600 });
    } catch {
      // Next start tries again.
    }
  }
  const removed: string[] = [];
  const keepFrom = now - KEEP_ASIDE_DAYS * 86_400_000;
  for (const name of readdirSync(paths.dataDir)) {
    if (!name.startsWith(KEPT_PREFIX)) continue;
    const dir = path.join(paths.dataDir, name);
    // The current restore's kept data counts from the start on it; an older one from its folder's time.
    const since =
      done && path.resolve(done.keptAside) === dir ? (done.startedAt ?? now) : statSync(dir).mtimeMs;
    if (since <= keepFrom) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
