/** Deals and the pipeline board: stages new → qualified → proposal → won/lost, ordered by position. */
import { DEAL_STAGES, type Deal } from '../api/contract/crm';
import { notFound } from '../api/errors';
import type { Clock } from '../platform/clock';
import { BUSINESS_ID, searchText, type StatementCache } from './sql';

interface DealRow {
  id: number;
  customer_id: number;
  customer_name: string | null;
  title: string;
  stage: Deal['stage'];
  amount_agorot: number;
  position: number;
  expected_close_date: string | null;
  won_at: number | null;
  lost_at: number | null;
  lost_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface DealFilters {
  customerId?: number;
  /** Part of the title or of the customer's name. */
  q?: string;
  minAgorot?: number;
  maxAgorot?: number;
  /** Opened within [createdFrom, createdTo). */
  createdFrom?: number;
  createdTo?: number;
}

/** Deals (of one stage) matching the filters: on the (business, stage, position) index, never a scan. */
function dealWhere(stage: Deal['stage'] | null, f: DealFilters) {
  const where = [`d.business_id = ${BUSINESS_ID}`];
  const params: unknown[] = [];
  const put = (sql: string, ...p: unknown[]) => (where.push(sql), params.push(...p));
  if (stage) put('d.stage = ?', stage);
  if (f.customerId !== undefined) put('d.customer_id = ?', f.customerId);
  if (f.minAgorot !== undefined) put('d.amount_agorot >= ?', f.minAgorot);
  if (f.maxAgorot !== undefined) put('d.amount_agorot <= ?', f.maxAgorot);
  if (f.createdFrom !== undefined) put('d.created_at >= ?', f.createdFrom);
  if (f.createdTo !== undefined) put('d.created_at < ?', f.createdTo);
  const q = searchText(f.q ?? '').toLowerCase();
  if (q) put("(instr(lower(d.title), ?) > 0 or instr(lower(coalesce(c.name, '')), ?) > 0)", q, q);
  return {
    where: where.join(' and '),
    params,
    join: q ? ' left join customers c on c.id = d.customer_id' : '',
  };
}

const COLS = `d.id, d.customer_id, c.name as customer_name, d.title, d.stage, d.amount_agorot, d.position, d.expected_close_date,
  d.won_at, d.lost_at, d.lost_reason, d.created_at, d.updated_at`;
const GAP = 1024;

export const toDeal = (r: DealRow): Deal => ({
  id: r.id,
  customerId: r.customer_id,
  customerName: r.customer_name ?? '',
  title: r.title,
  stage: r.stage,
  amountAgorot: r.amount_agorot,
  position: r.position,
  expectedCloseDate: r.expected_close_date,
  wonAt: r.won_at,
  lostAt: r.lost_at,
  lostReason: r.lost_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class DealService {
  constructor(
    private readonly sql: StatementCache,
    private readonly clock: Clock,
    private readonly assertCustomer: (id: number) => void,
    private readonly changed: (id: number) => void,
  ) {}

  get(id: number): Deal {
    const r = this.sql.one<DealRow>(
      `select ${COLS} from deals d left join customers c on c.id = d.customer_id where d.id = ? and d.business_id = ${BUSINESS_ID}`,
      id,
    );
    if (!r) throw notFound(`deal ${id}`);
    return toDeal(r);
  }

  forCustomer(customerId: number, limit = 50): Deal[] {
    return this.sql
      .all<DealRow>(
        `select ${COLS} from deals d left join customers c on c.id = d.customer_id where d.customer_id = ? order by d.created_at desc limit ?`,
        customerId,
        limit,
      )
      .map(toDeal);
  }

  /**
   * The pipeline: per stage the count and ₪ total of the deals matching the filters, and the
   * first `limitPerStage` of them by position with the cursor of the next page.
   */
  board(limitPerStage: number, filters: DealFilters = {}) {
    // One pass for every column's count and total (a filtered text search reads each deal once).
    const w = dealWhere(null, filters);
    const agg = new Map(
      this.sql
        .all<{ stage: Deal['stage']; n: number; total: number | null }>(
          `select d.stage, count(*) n, sum(d.amount_agorot) total from deals d${w.join} where ${w.where} group by d.stage`,
          ...w.params,
        )
        .map((r) => [r.stage, r]),
    );
    return {
      stages: DEAL_STAGES.map((stage) => ({
        stage,
        count: agg.get(stage)?.n ?? 0,
        totalAgorot: agg.get(stage)?.total ?? 0,
        ...this.stagePage(stage, limitPerStage, filters),
      })),
    };
  }

  /** One stage's next deals by position after `cursor` (keyset: `position:id`), to its end. */
  stagePage(stage: Deal['stage'], limit: number, filters: DealFilters = {}, cursor?: string) {
    const w = dealWhere(stage, filters);
    const after = cursor ? cursor.split(':').map(Number) : null;
    const rows = this.sql.all<DealRow>(
      `select ${COLS} from deals d left join customers c on c.id = d.customer_id
       where ${w.where}${after ? ' and (d.position > ? or (d.position = ? and d.id > ?))' : ''}
       order by d.position, d.id limit ?`,
      ...w.params,
      ...(after ? [after[0], after[0], after[1]] : []),
      limit + 1,
    );
    const deals = rows.slice(0, limit).map(toDeal);
    const last = deals.at(-1);
    return { deals, nextCursor: rows.length > limit && last ? `${last.position}:${last.id}` : null };
  }

  private firstPosition(stage: Deal['stage']): number {
    return (
      this.sql.one<{ p: number | null }>(
        `select min(position) p from deals where business_id = ${BUSINESS_ID} and stage = ?`,
        stage,
      )?.p ?? GAP
    );
  }

  private lastPosition(stage: Deal['stage']): number {
    return (
      this.sql.one<{ p: number | null }>(
        `select max(position) p from deals where business_id = ${BUSINESS_ID} and stage = ?`,
        stage,
      )?.p ?? 0
    );
  }

  create(input: {
    customerId: number;
    title: string;
    amountAgorot: number;
    stage: Deal['stage'];
    expectedCloseDate?: string | null;
  }): Deal {
    this.assertCustomer(input.customerId);
    const now = this.clock.now();
    const { id } = this.sql.one<{ id: number }>(
      `insert into deals (business_id, customer_id, title, stage, amount_agorot, position, expected_close_date, won_at, lost_at, created_at, updated_at)
       values (${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      input.customerId,
      input.title,
      input.stage,
      input.amountAgorot,
      // A new deal goes on top of its column, where the owner is looking.
      this.firstPosition(input.stage) - GAP,
      input.expectedCloseDate ?? null,
      input.stage === 'won' ? now : null,
      input.stage === 'lost' ? now : null,
      now,
      now,
    )!;
    this.changed(id);
    return this.get(id);
  }

  update(input: {
    id: number;
    title?: string;
    amountAgorot?: number;
    expectedCloseDate?: string | null;
    lostReason?: string | null;
  }): Deal {
    this.get(input.id);
    const set: string[] = ['updated_at = ?'];
    const params: unknown[] = [this.clock.now()];
    const put = (col: string, v: unknown) => {
      set.push(`${col} = ?`);
      params.push(v);
    };
    if (input.title !== undefined) put('title', input.title);
    if (input.amountAgorot !== undefined) put('amount_agorot', input.amountAgorot);
    if (input.expectedCloseDate !== undefined) put('expected_close_date', input.expectedCloseDate);
    if (input.lostReason !== undefined) put('lost_reason', input.lostReason);
    this.sql.run(`update deals set ${set.join(', ')} where id = ?`, ...params, input.id);
    this.changed(input.id);
    return this.get(input.id);
  }

  /** Places the deal before `beforeId` in `stage` (or last); renumbers the stage only when no gap is left. */
  move(input: { id: number; stage: Deal['stage']; beforeId: number | null }): Deal {
    const deal = this.get(input.id);
    this.sql.tx(() => {
      let position: number;
      if (input.beforeId !== null && input.beforeId !== input.id) {
        const before = this.get(input.beforeId);
        if (before.stage !== input.stage) throw notFound(`deal ${input.beforeId} in stage ${input.stage}`);
        const prev = this.sql.one<{ p: number }>(
          `select position p from deals where business_id = ${BUSINESS_ID} and stage = ? and (position < ? or (position = ? and id < ?)) and id <> ?
           order by position desc, id desc limit 1`,
          input.stage,
          before.position,
          before.position,
          before.id,
          input.id,
        );
        const lo = prev?.p ?? before.position - 2 * GAP;
        if (before.position - lo >= 2) {
          position = Math.floor((lo + before.position) / 2);
        } else {
          // No room: push this deal and everything after it down by a gap.
          this.sql.run(
            `update deals set position = position + ${GAP} where business_id = ${BUSINESS_ID} and stage = ? and position >= ?`,
            input.stage,
            before.position,
          );
          position = before.position;
        }
      } else {
        position =
          deal.stage === input.stage && input.beforeId === input.id
            ? deal.position
            : this.lastPosition(input.stage) + GAP;
      }
      const now = this.clock.now();
      this.sql.run(
        `update deals set stage = ?, position = ?, updated_at = ?,
           won_at = case when ? = 'won' then coalesce(won_at, ?) else null end,
           lost_at = case when ? = 'lost' then coalesce(lost_at, ?) else null end
         where id = ?`,
        input.stage,
        position,
        now,
        input.stage,
        now,
        input.stage,
        now,
        input.id,
      );
    });
    this.changed(input.id);
    return this.get(input.id);
  }
}
