/**
 * The slow SQLite work on a backup copy (row counts, removing the machine-encrypted keys,
 * `PRAGMA integrity_check` of a restored file: seconds on a 500 MB database) runs on a worker
 * thread, so calls keep being answered meanwhile. The worker's code is plain CommonJS in a string
 * (no bundling, the same under tsx, vitest and the Electron build); it loads better-sqlite3 from
 * the path the main thread resolved.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const { op, file, secrets, source } = workerData;
const ident = (n) => '"' + String(n).replace(/"/g, '""') + '"';
(async () => {
  if (op === 'snapshot') {
    // SQLite's online backup from this thread's own connection, all pages in one step: one read
    // snapshot (WAL: the app keeps writing meanwhile), and the copy's writes and fsync happen here,
    // not on the app's thread. A write between the first small step and the big one restarts it once.
    const src = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await src.backup(file, { progress: () => 0x7fffffff });
    } finally {
      src.close();
    }
  }
  const db = new Database(file, { fileMustExist: true });
  const tables = db.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name").pluck().all();
  const has = (t) => tables.includes(t);
  const counts = () => {
    const out = {};
    for (const t of tables) {
      try { out[t] = db.prepare('select count(*) from ' + ident(t)).pluck().get(); } catch { /* a virtual table without its module */ }
    }
    return out;
  };
  const migrations = () => has('__drizzle_migrations') ? db.prepare('select created_at from __drizzle_migrations').pluck().all().map(Number) : [];
  let out;
  if (op === 'prepare-copy' || op === 'snapshot') {
    // A backup is one self-contained file; the keys encrypted for this machine never leave it.
    db.pragma('journal_mode = DELETE');
    db.pragma('secure_delete = ON');
    const secretNames = has('secrets') ? db.prepare('select name from secrets').pluck().all() : [];
    if (has('secrets')) db.prepare('delete from secrets').run();
    out = { counts: counts(), migrations: migrations(), secretNames };
  } else if (op === 'check-restore') {
    const problems = db.pragma('integrity_check', { simple: false }).map((r) => r.integrity_check).filter((r) => r !== 'ok');
    out = { problems: problems.slice(0, 5), migrations: migrations(), counts: problems.length ? {} : counts() };
    if (!problems.length && has('secrets')) {
      db.pragma('secure_delete = ON');
      const put = db.prepare('insert into secrets (name, ciphertext, updated_at) values (?, ?, ?) on conflict(name) do update set ciphertext = excluded.ciphertext, updated_at = excluded.updated_at');
      db.transaction(() => {
        db.prepare('delete from secrets').run();
        for (const s of secrets || []) put.run(s.name, Buffer.from(s.ciphertext), s.updatedAt);
      })();
    }
  } else {
    throw new Error('unknown op ' + op);
  }
  db.close();
  parentPort.postMessage({ ok: true, out });
})().catch((err) => {
  parentPort.postMessage({ ok: false, message: String((err && err.message) || err), code: err && err.code });
});
`;

const sqlitePath = (): string => createRequire(import.meta.url).resolve('better-sqlite3');

export interface PreparedCopy {
  counts: Record<string, number>;
  migrations: number[];
  secretNames: string[];
}

export interface RestoreCheck {
  problems: string[];
  migrations: number[];
  counts: Record<string, number>;
}

export class SqliteWorkerError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteWorkerError';
  }
}

function run<T>(workerData: Record<string, unknown>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { ...workerData, sqlitePath: sqlitePath() },
    });
    let settled = false;
    worker.once('message', (msg: { ok: boolean; out?: T; message?: string; code?: string }) => {
      settled = true;
      if (msg.ok) resolve(msg.out as T);
      else reject(new SqliteWorkerError(msg.message ?? 'sqlite worker failed', msg.code));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new SqliteWorkerError(`sqlite worker exited (${code})`));
    });
  });
}

/**
 * A consistent copy of the live database `source` into `file`, made on the worker (see above),
 * then prepared like prepareCopy.
 */
export const snapshotCopy = (source: string, file: string) =>
  run<PreparedCopy>({ op: 'snapshot', source, file });

/** On a fresh backup copy: single-file journal mode, keys removed (securely), counts and schema. */
export const prepareCopy = (file: string) => run<PreparedCopy>({ op: 'prepare-copy', file });

/**
 * On a restored database before it replaces anything: integrity_check, schema and counts; then
 * (when intact) its keys table is set to `secrets` (already encrypted for this machine).
 */
export const checkRestored = (
  file: string,
  secrets: Array<{ name: string; ciphertext: Buffer; updatedAt: number }>,
) =>
  run<RestoreCheck>({
    op: 'check-restore',
    file,
    secrets: secrets.map((s) => ({ ...s, ciphertext: new Uint8Array(s.ciphertext) })),
  });
