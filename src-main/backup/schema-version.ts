/**
 * The schema version of a database = the last drizzle migration applied to it. The app knows its
 * own migrations from the journal; a database whose last migration the app does not know (or one
 * newer than the app's last) comes from a newer app and is never restored.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface AppMigration {
  tag: string;
  when: number;
}

export function appMigrations(migrationsDir: string): AppMigration[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ tag: string; when: number }>;
  };
  return journal.entries.map((e) => ({ tag: e.tag, when: e.when })).sort((a, b) => a.when - b.when);
}

/** The schema a database has, from its `__drizzle_migrations` created_at values. */
export function schemaOf(
  createdAt: number[],
  known: AppMigration[],
): { last: string; when: number; applied: number } {
  if (createdAt.length === 0) return { last: 'none', when: 0, applied: 0 };
  const when = Math.max(...createdAt);
  return {
    last: known.find((m) => m.when === when)?.tag ?? `unknown-${when}`,
    when,
    applied: createdAt.length,
  };
}

/** Whether this app can run on a database whose last migration is `when`. */
export function schemaSupported(when: number, known: AppMigration[]): boolean {
  if (when === 0) return true;
  return known.some((m) => m.when === when);
}
