import type { Database, Statement } from 'better-sqlite3';
import { BUSINESS_ID } from '../business/business-service';

export { BUSINESS_ID };

/** Prepared statements by SQL text: the CRM's dynamic queries come in a small, fixed set of shapes. */
export class StatementCache {
  private readonly cache = new Map<string, Statement>();
  constructor(readonly sqlite: Database) {}

  get(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.sqlite.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.get(sql).all(...params) as T[];
  }

  one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.get(sql).get(...params) as T | undefined;
  }

  run(sql: string, ...params: unknown[]) {
    return this.get(sql).run(...params);
  }

  tx<T>(fn: () => T): T {
    return this.sqlite.transaction(fn)();
  }
}

/**
 * Search text as the owner meant it, safe for SQLite and FTS5: no control characters (a NUL
 * ends an FTS5 string early: "unterminated string"), no lone surrogates (they cannot be
 * UTF-8), no invisible direction marks or BOMs (never part of a stored name), and whitespace
 * runs as one space. Every search input goes through it before it is matched.
 */
export function searchText(raw: string): string {
  return raw
    .replace(/\p{Cs}/gu, '')
    .replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF]/g, '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
}

/**
 * One FTS5 string: the term in double quotes with inner quotes doubled, so `*`, `NEAR(`, `AND`,
 * `:`, `^`, `-` are literal text. The term must already be `searchText`.
 */
export const ftsPhrase = (term: string) => `"${term.replace(/"/g, '""')}"`;

/** The trigram tokenizer matches nothing shorter than 3 characters. */
export const TRIGRAM_MIN = 3;

const TZ = 'Asia/Jerusalem';
const partsFmt = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Offset of Israel's wall clock from UTC at an instant, in ms (2 or 3 hours). */
function offsetAt(ms: number): number {
  const p = Object.fromEntries(partsFmt.formatToParts(ms).map((x) => [x.type, x.value]));
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant Israel's calendar day containing `ms` began. */
export function israelDayStart(ms: number): number {
  const local = ms + offsetAt(ms);
  const midnightWall = Math.floor(local / 86_400_000) * 86_400_000;
  let guess = midnightWall - offsetAt(ms);
  // The offset may differ at midnight on a DST-change day.
  guess = midnightWall - offsetAt(guess);
  return guess;
}

/** 'YYYY-MM-DD' of an instant in Israel. */
export function israelDate(ms: number): string {
  return dateFmt.format(ms);
}

/** Formats hour buckets (epoch ms / 3.6e6) as Israeli dates, caching per hour: reports group by hour in SQL. */
export function hourToIsraelDate(hour: number, cache: Map<number, string>): string {
  let d = cache.get(hour);
  if (d === undefined) {
    d = israelDate(hour * 3_600_000);
    cache.set(hour, d);
  }
  return d;
}

export function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
