/**
 * Which automatic backups to keep: the newest of each of the last `daily` days and of each of
 * the last `weekly` weeks (Monday to Sunday), days and weeks in Asia/Jerusalem — restic's
 * `--keep-daily/--keep-weekly` rule. Backups made by hand are never removed.
 */
const dayFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Jerusalem',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Days since 1970-01-01 of the Jerusalem calendar date of `ms`. */
export function jerusalemDay(ms: number): number {
  const [y, m, d] = dayFmt.format(ms).split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000);
}

/** Monday-based week number (1970-01-01 was a Thursday). */
export const jerusalemWeek = (ms: number): number => Math.floor((jerusalemDay(ms) + 3) / 7);

export function backupsToKeep<T extends { createdAt: number }>(
  autos: readonly T[],
  keep: { daily: number; weekly: number },
): Set<T> {
  const newestFirst = [...autos].sort((a, b) => b.createdAt - a.createdAt);
  const kept = new Set<T>();
  const bucket = (key: (ms: number) => number, count: number) => {
    let last: number | undefined;
    let n = 0;
    for (const b of newestFirst) {
      if (n >= count) break;
      const k = key(b.createdAt);
      if (k === last) continue;
      last = k;
      n++;
      kept.add(b);
    }
  };
  bucket(jerusalemDay, keep.daily);
  bucket(jerusalemWeek, keep.weekly);
  return kept;
}
