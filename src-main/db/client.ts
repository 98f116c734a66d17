import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenDbOptions {
  file: string;
  migrationsDir: string;
  readonly?: boolean;
}

/** Opens SQLite with WAL and foreign keys on, and applies pending migrations. */
export function openDb(opts: OpenDbOptions): Db {
  const sqlite = new Database(opts.file, { readonly: opts.readonly ?? false });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -32000');
  const db = drizzle({ client: sqlite, schema }) as Db;
  if (!opts.readonly) migrate(db, { migrationsFolder: opts.migrationsDir });
  return db;
}

export function closeDb(db: Db): void {
  if (!db.$client.open) return;
  try {
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.$client.close();
  }
}

export { schema };
