/**
 * A customer's timeline: the sources the modules registered (each a small indexed query on its
 * (customer_id, time) index, at most `limit` rows) merged newest first — never a UNION scan.
 * Order: time desc, then kind rank desc, then id desc; the cursor is the last item's key.
 */
import type { TimelineItem } from '../api/contract/crm';
import type { TimelineCursor, TimelineSource } from '../platform/timeline';
import { sqlTimelineSource } from '../platform/timeline';
import type { Database } from 'better-sqlite3';

/** The CRM's own source: tasks and appointments. */
export const taskTimelineSource = (sqlite: Database): TimelineSource =>
  sqlTimelineSource(sqlite, {
    kind: 'task',
    rank: 4,
    capability: 'crm',
    table: 'tasks',
    time: 'created_at',
    select:
      "id, created_at as at, null as direction, case when done_at is null then 'open' else 'done' end as status, title as text, kind as subtype, null as amount, null as number, null as duration, coalesce(starts_at, due_at) as due",
  });

export function parseCursor(cursor: string | undefined): TimelineCursor | null {
  if (!cursor) return null;
  const [at, rank, id] = cursor.split(':').map(Number);
  return { at: at!, rank: rank!, id: id! };
}

export function timeline(
  sources: readonly TimelineSource[],
  customerId: number,
  limit: number,
  cursor?: string,
): { items: TimelineItem[]; nextCursor: string | null } {
  const c = parseCursor(cursor);
  const merged: Array<{ rank: number; item: TimelineItem }> = [];
  for (const s of sources) {
    for (const item of s.page(customerId, limit, c)) merged.push({ rank: s.rank, item });
  }
  merged.sort((a, b) => b.item.at - a.item.at || b.rank - a.rank || b.item.id - a.item.id);
  const page = merged.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((m) => m.item),
    nextCursor: merged.length > limit && last ? `${last.item.at}:${last.rank}:${last.item.id}` : null,
  };
}
