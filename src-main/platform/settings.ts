import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/client';
import { settings } from '../db/schema';
import type { Clock } from './clock';

/** App settings as JSON values in the `settings` table, read through a schema with defaults. */
export class SettingsStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  get<T extends z.ZodType>(key: string, schema: T): z.output<T> {
    const row = this.db.select().from(settings).where(eq(settings.key, key)).get();
    let raw: unknown = undefined;
    if (row) {
      try {
        raw = JSON.parse(row.value);
      } catch {
        raw = undefined;
      }
    }
    const parsed = schema.safeParse(raw);
    return parsed.success ? parsed.data : schema.parse(undefined);
  }

  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    const now = this.clock.now();
    this.db
      .insert(settings)
      .values({ key, value: json, updatedAt: now })
      .onConflictDoUpdate({ target: settings.key, set: { value: json, updatedAt: now } })
      .run();
  }
}
