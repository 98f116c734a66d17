/**
 * Which automatic backups are kept: the newest of each of the last N days and of each of the
 * last M weeks, in Asia/Jerusalem (a backup at 01:30 Israel time on the 3rd is the 3rd's, though
 * it is still the 2nd in UTC).
 */
import { describe, expect, it } from 'vitest';
import { backupsToKeep, jerusalemDay } from '../../src-main/backup/retention';
import { isSafePartPath } from '../../src-main/backup/manifest';

const H = 3600_000;
const D = 24 * H;

describe('backup retention', () => {
  it('keeps 7 daily and 4 weekly out of 60 days of backups (two a day)', () => {
    const start = Date.UTC(2026, 0, 1, 10);
    const all = Array.from({ length: 120 }, (_, i) => ({ id: i, createdAt: start + i * 12 * H }));
    const kept = [...backupsToKeep(all, { daily: 7, weekly: 4 })].sort((a, b) => b.createdAt - a.createdAt);
    const days = new Set(kept.map((b) => jerusalemDay(b.createdAt)));
    // 7 distinct newest days (spanning this week and last, whose newest they already are), plus
    // the newest of the two weeks before.
    expect(kept.length).toBe(7 + 2);
    expect(days.size).toBe(kept.length);
    expect(kept[0]!.id).toBe(119);
    // The oldest kept is about 3–4 weeks back, never the first day.
    const oldest = kept.at(-1)!;
    expect(all.at(-1)!.createdAt - oldest.createdAt).toBeGreaterThan(14 * D);
    expect(all.at(-1)!.createdAt - oldest.createdAt).toBeLessThan(28 * D);
  });

  it('days are Israel days', () => {
    // 2026-03-02 23:30 UTC is 2026-03-03 01:30 in Israel.
    expect(jerusalemDay(Date.UTC(2026, 2, 2, 23, 30))).toBe(jerusalemDay(Date.UTC(2026, 2, 3, 12)));
    const two = [{ createdAt: Date.UTC(2026, 2, 2, 23, 30) }, { createdAt: Date.UTC(2026, 2, 3, 12) }];
    expect(backupsToKeep(two, { daily: 7, weekly: 0 }).size).toBe(1);
  });

  it('archive paths stay inside the backup', () => {
    for (const ok of ['db/agentlocator.db', 'keys.enc', 'files/recordings/RE1.wav', 'files/a b/ג.pdf'])
      expect(isSafePartPath(ok), ok).toBe(true);
    for (const bad of [
      'files/../secret.key',
      '/etc/passwd',
      'files/',
      'files//x',
      'files/a\\b',
      'C:/x',
      'db/other.db',
      'files/./x',
    ])
      expect(isSafePartPath(bad), bad).toBe(false);
  });
});
