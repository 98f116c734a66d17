import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { isStorageFailure, StorageHealth } from '../platform/storage-health';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDbOptions {
  file: string;
  migrationsDir: string;
  readonly?: boolean;
}

const healthOf = new WeakMap<Database.Database, StorageHealth>();

/** Opens SQLite with WAL and foreign keys on, and applies pending migrations. */
export function openDb(opts: OpenDbOptions): Db {
  // Before anything writes: a damaged file is left exactly as it is (DatabaseDamagedError).
  if (!opts.readonly) assertDbIntact(opts.file);
  const onDisk = opts.file !== ':memory:' && opts.file !== '';
  if (onDisk && !opts.readonly) ownerOnly(opts.file);
  const sqlite = new Database(opts.file, { readonly: opts.readonly ?? false });
  const health = new StorageHealth(onDisk ? path.dirname(path.resolve(opts.file)) : null);
  healthOf.set(sqlite, health);
  guardWrites(sqlite, health);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -32000');
  // SQLite gives -wal/-shm the database file's mode; an older install may have left them 0644.
  if (onDisk && !opts.readonly) ownerOnly(opts.file);
  const db = drizzle({ client: sqlite, schema }) as Db;
  if (!opts.readonly) {
    try {
      migrate(db, { migrationsFolder: opts.migrationsDir });
    } catch (err) {
      const damaged = damagedFrom(opts.file, err, 'migration');
      if (!damaged) throw err;
      sqlite.close();
      throw damaged;
    }
  }
  return db;
}

/** The database file cannot be used: corrupt pages, not a database, or its migration fails on it. */
export class DatabaseDamagedError extends Error {
  constructor(
    readonly file: string,
    /** SQLite's code (SQLITE_CORRUPT, SQLITE_NOTADB …) or QUICK_CHECK when the check lists problems. */
    readonly sqliteCode: string,
    /** SQLite's own words (first problem), for the log only. */
    readonly detail: string,
    readonly stage: 'check' | 'migration',
  ) {
    super(`database damaged (${sqliteCode}): ${detail}`);
    this.name = 'DatabaseDamagedError';
  }
}

/** Up to this size the start-up check reads the whole file (about 40 ms); see assertDbIntact. */
export const FULL_CHECK_MAX_BYTES = 8 * 1024 * 1024;
/** What start-up reads before the first request: checked on every start, whatever the size. */
const STARTUP_TABLES = ['__drizzle_migrations', 'business', 'settings', 'secrets', 'jobs'];

/**
 * `PRAGMA quick_check` on a read-only connection (it never writes or checkpoints), so a damaged
 * file stays byte-for-byte as it was. A missing or empty file is a new database. Files up to
 * FULL_CHECK_MAX_BYTES are checked whole; a larger one (the 100k-customer demo is 530 MB, 2.5 s
 * for a full check) has its header, schema and the tables start-up reads checked, a few ms.
 * Throws DatabaseDamagedError.
 */
export function assertDbIntact(file: string, opts: { full?: boolean } = {}): void {
  if (file === '' || file === ':memory:') return;
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size === 0) return;
  let check: Database.Database | undefined;
  try {
    check = new Database(file, { readonly: true, fileMustExist: true });
    const problems: string[] = [];
    if (opts.full || size <= FULL_CHECK_MAX_BYTES) {
      problems.push(...quickCheck(check, ''));
    } else {
      problems.push(...quickCheck(check, 'sqlite_schema'));
      const names = new Set(
        check
          .prepare("select name from sqlite_schema where type = 'table'")
          .pluck()
          .all()
          .map((n) => String(n)),
      );
      for (const t of STARTUP_TABLES) if (names.has(t)) problems.push(...quickCheck(check, t));
    }
    if (problems.length) throw new DatabaseDamagedError(file, 'QUICK_CHECK', problems[0]!, 'check');
  } catch (err) {
    if (err instanceof DatabaseDamagedError) throw err;
    const damaged = damagedFrom(file, err, 'check');
    if (damaged) throw damaged;
    throw err;
  } finally {
    check?.close();
  }
}

function quickCheck(db: Database.Database, table: string): string[] {
  const rows = db.pragma(table ? `quick_check(${JSON.stringify(table)})` : 'quick_check', {
    simple: false,
  }) as Array<{ quick_check: string }>;
  return rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
}

/**
 * The SqliteError behind `err` (drizzle wraps query errors) as a DatabaseDamagedError: corrupt or
 * not-a-database always; during a migration any SQLite error, because the file is not what our
 * migrations expect and the app cannot run on it.
 */
function damagedFrom(file: string, err: unknown, stage: 'check' | 'migration'): DatabaseDamagedError | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) continue;
    if (stage === 'migration' || /^SQLITE_(CORRUPT|NOTADB)/.test(code))
      return new DatabaseDamagedError(file, code, e.message.slice(0, 300), stage);
  }
  return null;
}

/** Whether this database's disk is refusing writes (a database not opened by openDb: a fresh tracker). */
export function storageHealth(db: Db): StorageHealth {
  let h = healthOf.get(db.$client);
  if (!h) {
    h = new StorageHealth(null);
    healthOf.set(db.$client, h);
  }
  return h;
}

export function closeDb(db: Db): void {
  if (!db.$client.open) return;
  try {
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    // A full disk cannot take the checkpoint: the committed rows stay in the WAL, which SQLite
    // replays at the next open. Shutting down must still close the database.
    if (!isStorageFailure(err)) throw err;
  } finally {
    db.$client.close();
  }
}

/**
 * The database, its WAL and shared-memory files readable by the owner only (POSIX): they hold
 * customer data. Creates the database file 0600 when missing, so SQLite's -wal/-shm follow.
 */
function ownerOnly(file: string): void {
  if (process.platform === 'win32') return;
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      chmodSync(f, 0o600);
    } catch {
      // -wal/-shm/-journal exist only at times.
    }
  }
}

type AnyStatement = Database.Statement<unknown[], unknown>;
type Fn = (...args: unknown[]) => unknown;
type Variant = 'default' | 'deferred' | 'immediate' | 'exclusive';

/**
 * Makes every failed write an error the caller sees, and tells `health` about storage failures.
 *
 * better-sqlite3's `get()` steps once and then resets the statement without checking the result.
 * For an autocommit INSERT/UPDATE … RETURNING, the commit happens at that reset, so a commit that
 * failed (SQLITE_FULL on a full disk) was rolled back silently while `get()` handed back the new
 * row's id. Writing statements here read their rows with `all()`, which steps to the end and
 * throws when the commit fails. Reads are left as they are.
 */
function guardWrites(sqlite: Database.Database, health: StorageHealth): void {
  const watch = <T>(fn: () => T): T => {
    let out: T;
    try {
      out = fn();
    } catch (err) {
      if (isStorageFailure(err)) health.failed(err);
      throw err;
    }
    // Only a committed write proves the disk takes writes again.
    if (!sqlite.inTransaction) health.succeeded();
    return out;
  };

  const prepare = sqlite.prepare.bind(sqlite) as (source: string) => AnyStatement;
  sqlite.prepare = ((source: string) => {
    const stmt = prepare(source);
    if (stmt.readonly) return stmt;
    const { run, all } = stmt;
    stmt.run = (...params: unknown[]) => watch(() => run.apply(stmt, params));
    if (stmt.reader) {
      stmt.all = (...params: unknown[]) => watch(() => all.apply(stmt, params));
      stmt.get = (...params: unknown[]) => watch(() => all.apply(stmt, params)[0]);
    }
    return stmt;
  }) as Database.Database['prepare'];

  // Transactions commit through statements of their own (not through prepare above).
  const transaction = sqlite.transaction.bind(sqlite) as (fn: Fn) => Record<Variant, Fn> & Fn;
  sqlite.transaction = ((fn: Fn) => {
    const tx = transaction(fn);
    const wrap =
      (variant: Fn): Fn =>
      (...args) =>
        watch(() => variant(...args));
    return Object.assign(wrap(tx), {
      default: wrap(tx.default),
      deferred: wrap(tx.deferred),
      immediate: wrap(tx.immediate),
      exclusive: wrap(tx.exclusive),
    });
  }) as Database.Database['transaction'];
}

export { schema };
