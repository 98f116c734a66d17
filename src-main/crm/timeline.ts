/**
 * A customer's timeline: small indexed queries, one per table of a built capability (each on its
 * (customer_id, time) index, at most `limit` rows) merged newest first — never a UNION scan.
 * Order: time desc, then kind rank desc, then id desc; the cursor is the last item's key.
 */
import { isBuilt, type Capability } from '../api/contract/business';
import type { TimelineItem } from '../api/contract/crm';
import type { StatementCache } from './sql';

type Kind = TimelineItem['kind'];
export interface Source {
  kind: Kind;
  rank: number;
  table: string;
  time: string;
  select: string;
}

const SOURCES: Source[] = [
  {
    kind: 'call',
    rank: 6,
    table: 'calls',
    time: 'started_at',
    select:
      "id, started_at as at, direction, status, coalesce(summary, '') as text, case when engine = 'bridge' then 'bridge' else mode end as subtype, null as amount, null as number, duration_sec as duration, null as due",
  },
  {
    kind: 'whatsapp',
    rank: 5,
    table: 'wa_messages',
    time: 'created_at',
    select:
      'id, created_at as at, direction, status, body as text, type as subtype, null as amount, null as number, null as duration, null as due',
  },
  {
    kind: 'task',
    rank: 4,
    table: 'tasks',
    time: 'created_at',
    select:
      "id, created_at as at, null as direction, case when done_at is null then 'open' else 'done' end as status, title as text, kind as subtype, null as amount, null as number, null as duration, coalesce(starts_at, due_at) as due",
  },
  {
    kind: 'contract',
    rank: 3,
    table: 'contracts',
    time: 'created_at',
    select:
      'id, created_at as at, null as direction, status, title as text, null as subtype, null as amount, null as number, null as duration, null as due',
  },
  {
    kind: 'document',
    rank: 2,
    table: 'documents',
    time: 'created_at',
    select:
      'id, created_at as at, null as direction, status, notes as text, type as subtype, total_agorot as amount, number, null as duration, null as due',
  },
  {
    kind: 'payment',
    rank: 1,
    table: 'payments',
    time: 'created_at',
    select:
      "id, created_at as at, null as direction, status, coalesce(reference, '') as text, method as subtype, amount_agorot as amount, null as number, null as duration, paid_at as due",
  },
];

/** The capability each source belongs to: a source whose capability is not built is not shown. */
const SOURCE_CAPABILITY: Record<Kind, Capability> = {
  call: 'calls',
  whatsapp: 'whatsapp',
  task: 'crm',
  contract: 'contracts',
  document: 'invoices',
  payment: 'payments',
};
/** The sources a timeline reads: demo rows of WhatsApp, documents or payments never pass as real features. */
export const timelineSources = (built: (c: Capability) => boolean = isBuilt): Source[] =>
  SOURCES.filter((s) => built(SOURCE_CAPABILITY[s.kind]));

interface Row {
  id: number;
  at: number;
  direction: 'in' | 'out' | null;
  status: string | null;
  text: string;
  subtype: string | null;
  amount: number | null;
  number: number | null;
  duration: number | null;
  due: number | null;
}

export function parseCursor(cursor: string | undefined): { at: number; rank: number; id: number } | null {
  if (!cursor) return null;
  const [at, rank, id] = cursor.split(':').map(Number);
  return { at: at!, rank: rank!, id: id! };
}

export function timeline(
  sql: StatementCache,
  customerId: number,
  limit: number,
  cursor?: string,
  sources: Source[] = timelineSources(),
): { items: TimelineItem[]; nextCursor: string | null } {
  const c = parseCursor(cursor);
  const merged: Array<{ rank: number; item: TimelineItem }> = [];
  for (const s of sources) {
    let rows: Row[];
    if (!c) {
      rows = sql.all<Row>(
        `select ${s.select} from ${s.table} where customer_id = ? order by ${s.time} desc, id desc limit ?`,
        customerId,
        limit + 1,
      );
    } else {
      // Rows strictly older than the cursor, plus those at the same instant that sort after it.
      rows = sql.all<Row>(
        `select ${s.select} from ${s.table} where customer_id = ? and ${s.time} < ? order by ${s.time} desc, id desc limit ?`,
        customerId,
        c.at,
        limit + 1,
      );
      if (s.rank <= c.rank) {
        const ties = sql.all<Row>(
          `select ${s.select} from ${s.table} where customer_id = ? and ${s.time} = ? order by id desc limit ?`,
          customerId,
          c.at,
          limit + 1,
        );
        rows = [...ties.filter((r) => s.rank < c.rank || r.id < c.id), ...rows];
      }
    }
    for (const r of rows) {
      merged.push({
        rank: s.rank,
        item: {
          kind: s.kind,
          id: r.id,
          at: r.at,
          direction: r.direction,
          status: r.status,
          text: r.text ?? '',
          subtype: r.subtype,
          amountAgorot: r.amount,
          number: r.number,
          durationSec: r.duration,
          dueAt: r.due,
        },
      });
    }
  }
  merged.sort((a, b) => b.item.at - a.item.at || b.rank - a.rank || b.item.id - a.item.id);
  const page = merged.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((m) => m.item),
    nextCursor: merged.length > limit && last ? `${last.item.at}:${last.rank}:${last.item.id}` : null,
  };
}
