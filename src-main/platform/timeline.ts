/**
 * Timeline sources: each feature module registers how its records appear on a customer's
 * timeline (`FeatureModule.timeline`); the CRM merges the sources the core hands it and queries
 * no other module's tables. A source pages its own rows newest first with the shared cursor.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Capability } from '../api/contract/business';
import type { TimelineItem } from '../api/contract/crm';

export type TimelineKind = TimelineItem['kind'];

/** Position of the last item on a page: time desc, then source rank desc, then id desc. */
export interface TimelineCursor {
  at: number;
  rank: number;
  id: number;
}

export interface TimelineSource {
  kind: TimelineKind;
  /** Breaks ties between sources at the same instant (higher first). */
  rank: number;
  /** A source of a capability that is not built yet is not shown. */
  capability: Capability;
  /** At most `limit + 1` items after `cursor` (all of this source's rows when null), newest first. */
  page(customerId: number, limit: number, cursor: TimelineCursor | null): TimelineItem[];
}

/**
 * A source over one table with a (customer_id, time) index. `select` yields the columns
 * id, at, direction, status, text, subtype, amount, number, duration, due.
 */
export interface SqlTimelineSpec {
  kind: TimelineKind;
  rank: number;
  capability: Capability;
  table: string;
  time: string;
  select: string;
}

interface Row {
  id: number;
  at: number;
  direction: 'in' | 'out' | null;
  status: string | null;
  text: string | null;
  subtype: string | null;
  amount: number | null;
  number: number | null;
  duration: number | null;
  due: number | null;
}

export function sqlTimelineSource(sqlite: Database, spec: SqlTimelineSpec): TimelineSource {
  const { table, time, select } = spec;
  let first: Statement | undefined;
  let older: Statement | undefined;
  let ties: Statement | undefined;
  const item = (r: Row): TimelineItem => ({
    kind: spec.kind,
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
  });
  return {
    kind: spec.kind,
    rank: spec.rank,
    capability: spec.capability,
    page(customerId, limit, c) {
      if (!c) {
        first ??= sqlite.prepare(
          `select ${select} from ${table} where customer_id = ? order by ${time} desc, id desc limit ?`,
        );
        return (first.all(customerId, limit + 1) as Row[]).map(item);
      }
      // Rows strictly older than the cursor, plus those at the same instant that sort after it.
      older ??= sqlite.prepare(
        `select ${select} from ${table} where customer_id = ? and ${time} < ? order by ${time} desc, id desc limit ?`,
      );
      let rows = older.all(customerId, c.at, limit + 1) as Row[];
      if (spec.rank <= c.rank) {
        ties ??= sqlite.prepare(
          `select ${select} from ${table} where customer_id = ? and ${time} = ? order by id desc limit ?`,
        );
        const same = (ties.all(customerId, c.at, limit + 1) as Row[]).filter(
          (r) => spec.rank < c.rank || r.id < c.id,
        );
        rows = [...same, ...rows];
      }
      return rows.map(item);
    },
  };
}
