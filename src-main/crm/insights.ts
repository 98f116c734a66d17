/** Dashboard, reports and global search: read-only queries, each on an index range. */
import { CUSTOMER_SOURCES, type Dashboard, type Reports } from '../api/contract/crm';
import type { Clock } from '../platform/clock';
import { CUSTOMER_COLUMNS, customerWhere, toListItem, type CustomerRow } from './customers';
import { toDeal } from './deals';
import { BUSINESS_ID, hourToIsraelDate, israelDayStart, searchText, type StatementCache } from './sql';
import { toTask } from './tasks';

type Num = { n: number | null };

/** Open tax invoices: issued, not cancelled, paid less than their total. */
const OPEN_INVOICES = `
  select d.id, d.total_agorot - coalesce((select sum(p.amount_agorot) from payments p where p.document_id = d.id and p.status = 'succeeded'), 0) as due,
         coalesce(d.due_date, d.issue_date) as due_date
  from documents d where d.business_id = ${BUSINESS_ID} and d.type = 'tax_invoice' and d.status = 'issued'`;

export function dashboard(sql: StatementCache, clock: Clock): Dashboard {
  const now = clock.now();
  const today = israelDayStart(now);
  const n = (q: string, ...p: unknown[]) => sql.one<Num>(q, ...p)?.n ?? 0;

  const calls = sql.all<{
    id: number;
    customer_id: number | null;
    name: string | null;
    from_number: string;
    started_at: number;
    status: string;
    mode: string;
  }>(
    `select k.id, k.customer_id, c.name, k.from_number, k.started_at, k.status, k.mode from calls k left join customers c on c.id = k.customer_id
     where k.business_id = ${BUSINESS_ID} and k.started_at >= ? and k.engine <> 'test' order by k.started_at desc limit 8`,
    today,
  );
  const leads = sql.all<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from customers c where c.business_id = ${BUSINESS_ID} and c.created_at >= ? and c.status = 'lead' order by c.created_at desc limit 8`,
    today,
  );
  const unread = sql.all<{
    id: number;
    customer_id: number | null;
    name: string | null;
    body: string;
    created_at: number;
  }>(
    `select m.id, m.customer_id, c.name, m.body, m.created_at from wa_messages m indexed by wa_messages_unread_idx left join customers c on c.id = m.customer_id
     where m.business_id = ${BUSINESS_ID} and m.unread = 1 order by m.created_at desc limit 8`,
  );
  const agenda = sql.all<Parameters<typeof toTask>[0]>(
    `select t.id, t.customer_id, c.name as customer_name, t.call_id, t.kind, t.title, t.description, t.due_at, t.starts_at, t.ends_at,
            t.reminder_at, t.reminded_at, t.done_at, t.created_by, t.created_at
     from tasks t left join customers c on c.id = t.customer_id
     where t.business_id = ${BUSINESS_ID} and t.done_at is null and t.due_at < ? order by t.due_at limit 8`,
    today + 86_400_000,
  );
  const invoices = sql.one<{ n: number; total: number | null }>(
    `select count(*) n, sum(due) total from (${OPEN_INVOICES}) where due > 0`,
  )!;

  return {
    todayCalls: {
      count: n(
        `select count(*) n from calls where business_id = ${BUSINESS_ID} and started_at >= ? and engine <> 'test'`,
        today,
      ),
      items: calls.map((r) => ({
        id: r.id,
        customerId: r.customer_id,
        customerName: r.name,
        from: r.from_number,
        startedAt: r.started_at,
        status: r.status,
        mode: r.mode,
      })),
    },
    newLeads: {
      count: n(
        `select count(*) n from customers where business_id = ${BUSINESS_ID} and created_at >= ? and status = 'lead'`,
        today,
      ),
      items: leads.map(toListItem),
    },
    openTasks: {
      count: n(`select count(*) n from tasks where business_id = ${BUSINESS_ID} and done_at is null`),
      overdue: n(
        `select count(*) n from tasks where business_id = ${BUSINESS_ID} and done_at is null and due_at < ?`,
        now,
      ),
      items: agenda.map(toTask),
    },
    unreadWhatsapp: {
      count: n(`select count(*) n from wa_messages where business_id = ${BUSINESS_ID} and unread = 1`),
      customers: n(
        `select count(distinct customer_id) n from wa_messages where business_id = ${BUSINESS_ID} and unread = 1`,
      ),
      items: unread.map((r) => ({
        id: r.id,
        customerId: r.customer_id,
        customerName: r.name,
        body: r.body.slice(0, 200),
        at: r.created_at,
      })),
    },
    unpaidInvoices: { count: invoices.n, totalAgorot: invoices.total ?? 0 },
  };
}

const monthFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Jerusalem',
  year: 'numeric',
  month: '2-digit',
});

export function reports(sql: StatementCache, clock: Clock, from: number, to: number): Reports {
  const dates = new Map<number, string>();
  // Grouped by UTC hour in SQL (Israel's offset is whole hours), then folded into Israeli days.
  const callHours = sql.all<{ h: number; total: number; live: number; fallback: number; missed: number }>(
    `select started_at / 3600000 h, count(*) total,
            sum(mode = 'stream' and status = 'completed') live, sum(mode = 'record' and status = 'completed') fallback,
            sum(status <> 'completed') missed
     from calls where business_id = ${BUSINESS_ID} and started_at >= ? and started_at < ? and engine <> 'test' group by h`,
    from,
    to,
  );
  const perDay = new Map<
    string,
    { date: string; total: number; live: number; fallback: number; missed: number }
  >();
  for (const r of callHours) {
    const date = hourToIsraelDate(r.h, dates);
    const d = perDay.get(date) ?? { date, total: 0, live: 0, fallback: 0, missed: 0 };
    d.total += r.total;
    d.live += r.live;
    d.fallback += r.fallback;
    d.missed += r.missed;
    perDay.set(date, d);
  }
  const callsPerDay = [...perDay.values()].sort((a, b) => a.date.localeCompare(b.date));
  const answer = callsPerDay.reduce(
    (a, d) => ({
      total: a.total + d.total,
      live: a.live + d.live,
      fallback: a.fallback + d.fallback,
      missed: a.missed + d.missed,
    }),
    {
      total: 0,
      live: 0,
      fallback: 0,
      missed: 0,
    },
  );

  const turnHours = sql.all<{ h: number; turns: number; total: number | null; first: number | null }>(
    `select created_at / 3600000 h, count(*) turns, sum(t_total_ms) total, sum(t_first_audio_ms) first
     from call_turns where business_id = ${BUSINESS_ID} and created_at >= ? and created_at < ? and mode = 'stream'
       and call_sid not like 'TEST%' group by h`,
    from,
    to,
  );
  const lat = new Map<string, { turns: number; total: number; first: number }>();
  for (const r of turnHours) {
    const date = hourToIsraelDate(r.h, dates);
    const d = lat.get(date) ?? { turns: 0, total: 0, first: 0 };
    d.turns += r.turns;
    d.total += r.total ?? 0;
    d.first += r.first ?? 0;
    lat.set(date, d);
  }
  const latencyPerDay = [...lat.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, d]) => ({
      date,
      turns: d.turns,
      avgTotalMs: Math.round(d.total / Math.max(1, d.turns)),
      avgFirstAudioMs: Math.round(d.first / Math.max(1, d.turns)),
    }));
  const allTurns = latencyPerDay.reduce((a, d) => a + d.turns, 0);
  const avgTurnLatencyMs = Math.round(
    latencyPerDay.reduce((a, d) => a + d.avgTotalMs * d.turns, 0) / Math.max(1, allTurns),
  );

  const leadsBySource = sql.all<{ source: Reports['leadsBySource'][number]['source']; count: number }>(
    // One covering range per source (business, source, created) instead of reading every new customer's row.
    `select source, count(*) count from customers indexed by customers_business_source_created_idx
     where business_id = ${BUSINESS_ID} and source in (${CUSTOMER_SOURCES.map((x) => `'${x}'`).join(', ')})
       and created_at >= ? and created_at < ? group by source order by count desc`,
    from,
    to,
  );

  const payHours = sql.all<{ h: number; total: number; n: number }>(
    `select paid_at / 3600000 h, sum(amount_agorot) total, count(*) n from payments
     where business_id = ${BUSINESS_ID} and paid_at >= ? and paid_at < ? and status = 'succeeded' group by h`,
    from,
    to,
  );
  const months = new Map<string, { month: string; totalAgorot: number; payments: number }>();
  const monthCache = new Map<number, string>();
  for (const r of payHours) {
    let month = monthCache.get(r.h);
    if (!month) monthCache.set(r.h, (month = monthFmt.format(r.h * 3_600_000)));
    const m = months.get(month) ?? { month, totalAgorot: 0, payments: 0 };
    m.totalAgorot += r.total;
    m.payments += r.n;
    months.set(month, m);
  }

  const open = sql.all<{ due: number; due_date: string }>(
    `select due, due_date from (${OPEN_INVOICES}) where due > 0`,
  );
  const today = Date.parse(`${hourToIsraelDate(Math.floor(clock.now() / 3_600_000), dates)}T00:00:00Z`);
  const buckets = {
    '0-30': { count: 0, totalAgorot: 0 },
    '31-60': { count: 0, totalAgorot: 0 },
    '61-90': { count: 0, totalAgorot: 0 },
    '90+': { count: 0, totalAgorot: 0 },
  };
  for (const r of open) {
    const days = Math.floor((today - Date.parse(`${r.due_date}T00:00:00Z`)) / 86_400_000);
    const b = days <= 30 ? '0-30' : days <= 60 ? '31-60' : days <= 90 ? '61-90' : '90+';
    buckets[b].count++;
    buckets[b].totalAgorot += r.due;
  }

  return {
    from,
    to,
    callsPerDay,
    answer: {
      ...answer,
      liveRate: answer.total ? Math.round((answer.live / answer.total) * 1000) / 1000 : 0,
    },
    latencyPerDay,
    avgTurnLatencyMs,
    leadsBySource,
    revenueByMonth: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)),
    openInvoices: {
      count: open.length,
      totalAgorot: open.reduce((a, r) => a + r.due, 0),
      aging: (Object.keys(buckets) as Array<keyof typeof buckets>).map((bucket) => ({
        bucket,
        ...buckets[bucket],
      })),
    },
  };
}

/** How many of the newest WhatsApp messages global search looks through (bounded time at 1M rows). */
export const MESSAGE_SEARCH_WINDOW = 50_000;

export function globalSearch(sql: StatementCache, raw: string) {
  const q = searchText(raw);
  if (!q) return { customers: [], deals: [], documents: [], messages: [] };
  const w = customerWhere({ q });
  const custFrom = w.fts ? 'customers_fts f cross join customers c on c.id = f.rowid' : 'customers c';
  const custWhere = [...(w.fts ? ['customers_fts match ?'] : []), ...w.where].join(' and ');
  const params = [...(w.fts ? [w.fts] : []), ...w.params];
  const customers = sql.all<CustomerRow>(
    `select ${CUSTOMER_COLUMNS} from ${custFrom} where ${custWhere} order by c.last_contact_at desc limit 8`,
    ...params,
  );
  const ids = customers.map((c) => c.id);
  const inIds = ids.length ? ids.map(() => '?').join(',') : 'null';

  const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const deals = sql
    .all<Parameters<typeof toDeal>[0]>(
      `select d.id, d.customer_id, c.name as customer_name, d.title, d.stage, d.amount_agorot, d.position, d.expected_close_date,
              d.won_at, d.lost_at, d.lost_reason, d.created_at, d.updated_at
       from deals d left join customers c on c.id = d.customer_id
       where d.customer_id in (${inIds}) or d.id in (select id from deals where business_id = ${BUSINESS_ID} and title like ? escape '\\' order by id desc limit 8)
       order by d.updated_at desc limit 8`,
      ...ids,
      like,
    )
    .map(toDeal);

  type DocRow = {
    id: number;
    type: string;
    number: number;
    customer_id: number | null;
    name: string | null;
    total_agorot: number;
    issue_date: string;
    created_at: number;
  };
  const docCols =
    'd.id, d.type, d.number, d.customer_id, c.name, d.total_agorot, d.issue_date, d.created_at from documents d left join customers c on c.id = d.customer_id';
  const num = /^\d{1,9}$/.test(q.trim()) ? Number(q.trim()) : null;
  const byNumber =
    num === null
      ? []
      : sql.all<DocRow>(
          `select ${docCols} where d.business_id = ${BUSINESS_ID} and d.type = ? and d.number = ?`,
          'tax_invoice',
          num,
        );
  const byNumberOther =
    num === null
      ? []
      : sql.all<DocRow>(
          `select ${docCols} where d.business_id = ${BUSINESS_ID} and d.type in ('receipt', 'tax_invoice_receipt', 'credit_note', 'proposal') and d.number = ?`,
          num,
        );
  const byCustomer = ids.length
    ? sql.all<DocRow>(
        `select ${docCols} where d.customer_id in (${inIds}) and d.status <> 'draft' order by d.created_at desc limit 8`,
        ...ids,
      )
    : [];
  const documents = [...byNumber, ...byNumberOther, ...byCustomer]
    .filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i)
    .slice(0, 8)
    .map((r) => ({
      id: r.id,
      type: r.type,
      number: r.number,
      customerId: r.customer_id,
      customerName: r.name,
      totalAgorot: r.total_agorot,
      issueDate: r.issue_date,
    }));

  const maxId = sql.one<Num>('select max(id) n from wa_messages')?.n ?? 0;
  const messages =
    [...q.trim()].length < 2
      ? []
      : sql
          .all<{
            id: number;
            customer_id: number | null;
            name: string | null;
            body: string;
            created_at: number;
            direction: 'in' | 'out';
          }>(
            `select m.id, m.customer_id, c.name, m.body, m.created_at, m.direction from wa_messages m left join customers c on c.id = m.customer_id
               where m.id > ? and instr(m.body, ?) > 0 order by m.id desc limit 8`,
            maxId - MESSAGE_SEARCH_WINDOW,
            q.trim(),
          )
          .map((r) => ({
            id: r.id,
            customerId: r.customer_id,
            customerName: r.name,
            body: r.body.slice(0, 200),
            at: r.created_at,
            direction: r.direction,
          }));

  return { customers: customers.map(toListItem), deals, documents, messages };
}
