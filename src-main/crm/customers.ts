/**
 * Customers: list/search (FTS5 trigram index + phone digits), get with stats, create, update,
 * merge. Raw prepared statements: these are the hot queries of the CRM at 100k customers.
 */
import type { z } from 'zod';
import type {
  Customer,
  CustomerDetail,
  CustomerListItem,
  customerFiltersSchema,
  customerSortSchema,
} from '../api/contract/crm';
import { ApiError, badInput, notFound } from '../api/errors';
import { ruleDetails } from '../api/field-issues';
import type { AuditInput } from '../platform/audit';
import type { Clock } from '../platform/clock';
import { formatPhone, normalizePhone, parsePhone } from '../platform/phone';
import type { DealService } from './deals';
import {
  BUSINESS_ID,
  ftsPhrase as phrase,
  parseTags,
  searchText,
  TRIGRAM_MIN,
  type StatementCache,
} from './sql';
import type { TaskService } from './tasks';

export interface CustomerRow {
  id: number;
  name: string;
  phone: string | null;
  email: string | null;
  status: Customer['status'];
  source: Customer['source'];
  tags: string;
  notes: string;
  vat_id: string | null;
  address: string | null;
  last_contact_at: number | null;
  created_at: number;
  updated_at: number;
}

export const CUSTOMER_COLUMNS =
  'c.id, c.name, c.phone, c.email, c.status, c.source, c.tags, c.notes, c.vat_id, c.address, c.last_contact_at, c.created_at, c.updated_at';
const LIST_COLUMNS =
  "c.id, c.name, c.phone, c.email, c.status, c.source, c.tags, '' as notes, null as vat_id, c.address, c.last_contact_at, c.created_at, c.updated_at";

export function toCustomer(r: CustomerRow): Customer {
  return {
    id: r.id,
    name: r.name,
    phone: r.phone,
    phoneDisplay: formatPhone(r.phone),
    email: r.email,
    status: r.status,
    source: r.source,
    tags: parseTags(r.tags),
    notes: r.notes,
    vatId: r.vat_id,
    address: r.address,
    lastContactAt: r.last_contact_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toListItem(r: CustomerRow): CustomerListItem {
  const { notes: _n, vatId: _v, ...rest } = toCustomer(r);
  return rest;
}

export type CustomerFilters = z.infer<typeof customerFiltersSchema>;
export type CustomerSort = z.infer<typeof customerSortSchema>;

const PHONE_LIKE = /^[+*\d\s\-().]+$/;

/**
 * Turns the filters into WHERE parts. The trigram index answers terms of 3+ characters (and
 * phone digits); shorter input falls back to a name prefix range on the name index.
 */
export function customerWhere(f: CustomerFilters): {
  fts: string | null;
  where: string[];
  params: unknown[];
} {
  const where = [`c.business_id = ${BUSINESS_ID}`];
  const params: unknown[] = [];
  const match: string[] = [];
  const q = searchText(f.q ?? '');
  if (q) {
    const digits = q.replace(/\D/g, '');
    if (PHONE_LIKE.test(q) && digits.length >= 3) {
      // A part of a number matches its digits; a whole number in any typed form (0044 …,
      // 1-800-123-456, *2700) also matches the digits of its stored form, which the index holds.
      const stored = normalizePhone(q)?.replace(/\D/g, '');
      match.push(
        stored && stored !== digits
          ? `phones : (${phrase(digits)} OR ${phrase(stored)})`
          : `phones : ${phrase(digits)}`,
      );
    } else {
      const terms = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
      const long = terms.filter((t) => [...t].length >= TRIGRAM_MIN);
      const short = terms.filter((t) => [...t].length < TRIGRAM_MIN);
      if (long.length === 0) {
        where.push('c.name >= ? and c.name < ?');
        params.push(q, `${q}\u{10FFFF}`);
      } else {
        match.push(...long.map(phrase));
        for (const t of short) {
          where.push("instr(lower(c.name || ' ' || coalesce(c.email, '')), ?) > 0");
          params.push(t);
        }
      }
    }
  }
  if (f.status) {
    where.push('c.status = ?');
    params.push(f.status);
  }
  if (f.source) {
    where.push('c.source = ?');
    params.push(f.source);
  }
  if (f.tag) {
    // The index holds the tags as their JSON text, so the tag is looked up as JSON writes it
    // (control characters and lone surrogates escaped: nothing there can break the FTS5 string).
    const stored = JSON.stringify(f.tag).slice(1, -1);
    if ([...stored].length >= TRIGRAM_MIN) match.push(`tags : ${phrase(stored)}`);
    where.push('exists (select 1 from json_each(c.tags) where value = ?)');
    params.push(f.tag);
  }
  return { fts: match.length ? match.join(' AND ') : null, where, params };
}

/**
 * Ids grow with creation time (rows are inserted with created_at = now), so "created" sorts by
 * id: the rowid order every index and the FTS index already carry — no sort step at 100k rows.
 */
const SORT_COLUMN: Record<CustomerSort, string> = {
  created: 'c.id',
  name: 'c.name',
  lastContact: 'c.last_contact_at',
};

export class CustomerService {
  constructor(
    private readonly sql: StatementCache,
    private readonly clock: Clock,
    private readonly deals: () => DealService,
    private readonly tasks: () => TaskService,
    private readonly changed: (id: number) => void,
    private readonly merged: (intoId: number, fromId: number) => void = () => undefined,
    private readonly audit?: (e: AuditInput) => void,
  ) {}

  private readonly referencing = new Map<string, Array<{ table: string; column: string; notnull: number }>>();
  /**
   * Every column with a foreign key to `target`, from the schema (and whether it may be empty): a
   * merge re-links them all, a delete empties or refuses them.
   */
  private columnsTo(target: 'customers' | 'deals') {
    let cols = this.referencing.get(target);
    if (!cols) {
      cols = this.sql.all<{ table: string; column: string; notnull: number }>(
        `select m.name as "table", f."from" as "column", c."notnull" as "notnull"
         from sqlite_master m, pragma_foreign_key_list(m.name) f, pragma_table_info(m.name) c
         where m.type = 'table' and f."table" = ? and c.name = f."from" order by m.name`,
        target,
      );
      this.referencing.set(target, cols);
    }
    return cols;
  }

  /** FROM clause and params for the filters: with a search, the FTS hits drive the join. */
  private from(f: CustomerFilters): {
    from: string;
    where: string;
    params: unknown[];
    count: [string, unknown[]];
    idOrder: string;
  } {
    const w = customerWhere(f);
    if (w.fts) {
      const where = ['customers_fts match ?', ...w.where].join(' and ');
      const params = [w.fts, ...w.params];
      return {
        from: 'customers_fts f cross join customers c on c.id = f.rowid',
        where,
        params,
        // FTS5 hands rows out in rowid order itself; ordering by c.id would add a sort of every hit.
        idOrder: 'f.rowid',
        // With nothing but the search, the index alone counts (one business per database).
        count:
          w.where.length === 1
            ? ['select count(*) as n from customers_fts where customers_fts match ?', [w.fts]]
            : [
                `select count(*) as n from customers_fts f cross join customers c on c.id = f.rowid where ${where}`,
                params,
              ],
      };
    }
    const where = w.where.join(' and ');
    return {
      from: 'customers c',
      where,
      params: w.params,
      count: [`select count(*) as n from customers c where ${where}`, w.params],
      idOrder: 'c.id',
    };
  }

  list(input: CustomerFilters & { page: number; limit: number; sort: CustomerSort; dir: 'asc' | 'desc' }) {
    const { from, where, params, count, idOrder } = this.from(input);
    const dir = input.dir === 'asc' ? 'asc' : 'desc';
    const order =
      input.sort === 'created' ? `${idOrder} ${dir}` : `${SORT_COLUMN[input.sort]} ${dir}, c.id ${dir}`;
    const total = this.sql.one<{ n: number }>(count[0], ...count[1])!.n;
    const offset = (input.page - 1) * input.limit;
    const rows =
      offset >= total
        ? []
        : this.sql.all<CustomerRow>(
            `select ${LIST_COLUMNS} from ${from} where ${where} order by ${order} limit ? offset ?`,
            ...params,
            input.limit,
            offset,
          );
    return { items: rows.map(toListItem), total, page: input.page, limit: input.limit };
  }

  /** Every matching customer, for export (streams rows from SQLite). */
  *iterate(f: CustomerFilters): Generator<Customer> {
    const { from, where, params } = this.from(f);
    for (const r of this.sql
      .get(`select ${CUSTOMER_COLUMNS} from ${from} where ${where} order by c.id`)
      .iterate(...params)) {
      yield toCustomer(r as CustomerRow);
    }
  }

  row(id: number): CustomerRow {
    const r = this.sql.one<CustomerRow>(
      `select ${CUSTOMER_COLUMNS} from customers c where c.id = ? and c.business_id = ${BUSINESS_ID}`,
      id,
    );
    if (!r) throw notFound(`customer ${id}`);
    return r;
  }

  get(id: number): Customer {
    return toCustomer(this.row(id));
  }

  detail(id: number): CustomerDetail {
    const c = this.get(id);
    const n = (sql: string, ...p: unknown[]) => this.sql.one<{ n: number | null }>(sql, ...p)?.n ?? 0;
    const stats = {
      calls: n('select count(*) n from calls where customer_id = ?', id),
      messages: n('select count(*) n from wa_messages where customer_id = ?', id),
      unreadMessages: n(
        `select count(*) n from wa_messages where business_id = ${BUSINESS_ID} and customer_id = ? and unread = 1`,
        id,
      ),
      openTasks: n('select count(*) n from tasks where customer_id = ? and done_at is null', id),
      openDeals: n("select count(*) n from deals where customer_id = ? and stage not in ('won', 'lost')", id),
      unpaidAgorot: n(
        `select sum(max(0, d.total_agorot - coalesce((select sum(p.amount_agorot) from payments p where p.document_id = d.id and p.status = 'succeeded'), 0))) n
         from documents d where d.customer_id = ? and d.type = 'tax_invoice' and d.status = 'issued'`,
        id,
      ),
    };
    return { ...c, stats, deals: this.deals().forCustomer(id), openTasks: this.tasks().openForCustomer(id) };
  }

  private normalizePhone(phone: string | null | undefined): string | null {
    if (phone === undefined || phone === null || phone.trim() === '') return null;
    const parsed = parsePhone(phone);
    if (!parsed.ok) throw badInput('invalid phone number', ruleDetails({ phone: parsed.problem }));
    return parsed.stored;
  }

  private assertPhoneFree(phone: string | null, exceptId?: number): void {
    if (!phone) return;
    const other = this.sql.one<{ id: number }>(
      `select id from customers where business_id = ${BUSINESS_ID} and phone = ?`,
      phone,
    );
    if (other && other.id !== exceptId) {
      throw new ApiError('conflict', 'a customer with this phone already exists', {
        existingId: other.id,
        field: 'phone',
      });
    }
  }

  create(input: {
    name: string;
    phone?: string | null;
    email?: string | null;
    status: Customer['status'];
    source: Customer['source'];
    tags: string[];
    notes: string;
    vatId?: string | null;
    address?: string | null;
  }): Customer {
    const phone = this.normalizePhone(input.phone);
    this.assertPhoneFree(phone);
    const now = this.clock.now();
    const { id } = this.sql.one<{ id: number }>(
      `insert into customers (business_id, name, phone, email, status, source, tags, notes, vat_id, address, created_at, updated_at)
       values (${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      input.name,
      phone,
      input.email || null,
      input.status,
      input.source,
      JSON.stringify(dedupe(input.tags)),
      input.notes,
      input.vatId || null,
      input.address || null,
      now,
      now,
    )!;
    this.changed(id);
    return this.get(id);
  }

  update(input: {
    id: number;
    name?: string;
    phone?: string | null;
    email?: string | null;
    status?: Customer['status'];
    source?: Customer['source'];
    tags?: string[];
    notes?: string;
    vatId?: string | null;
    address?: string | null;
  }): Customer {
    const current = this.row(input.id);
    const set: string[] = [];
    const params: unknown[] = [];
    const put = (col: string, v: unknown) => {
      set.push(`${col} = ?`);
      params.push(v);
    };
    if (input.phone !== undefined) {
      const phone = this.normalizePhone(input.phone);
      if (phone !== current.phone) this.assertPhoneFree(phone, input.id);
      put('phone', phone);
    }
    if (input.name !== undefined) put('name', input.name);
    if (input.email !== undefined) put('email', input.email || null);
    if (input.status !== undefined) put('status', input.status);
    if (input.source !== undefined) put('source', input.source);
    if (input.tags !== undefined) put('tags', JSON.stringify(dedupe(input.tags)));
    if (input.notes !== undefined) put('notes', input.notes);
    if (input.vatId !== undefined) put('vat_id', input.vatId || null);
    if (input.address !== undefined) put('address', input.address || null);
    put('updated_at', this.clock.now());
    this.sql.run(`update customers set ${set.join(', ')} where id = ?`, ...params, input.id);
    this.changed(input.id);
    return this.get(input.id);
  }

  /** Moves everything of `sourceId` onto `targetId` and removes the source, in one transaction. */
  merge(targetId: number, sourceId: number): Customer {
    const target = this.row(targetId);
    const source = this.row(sourceId);
    this.sql.tx(() => {
      // Re-link, never re-word: issued documents and signed contracts keep their own snapshots.
      for (const { table, column } of this.columnsTo('customers')) {
        this.sql.run(`update "${table}" set "${column}" = ? where "${column}" = ?`, targetId, sourceId);
      }
      this.merged(targetId, sourceId);
      this.sql.run('delete from customers where id = ?', sourceId);
      const rank = { customer: 2, lead: 1, inactive: 0 } as const;
      const notes = [target.notes, source.notes].filter(Boolean).join('\n');
      this.sql.run(
        `update customers set phone = ?, email = ?, name = ?, status = ?, tags = ?, notes = ?, vat_id = ?, address = ?,
           last_contact_at = ?, updated_at = ? where id = ?`,
        target.phone ?? source.phone,
        target.email ?? source.email,
        target.name || source.name,
        rank[source.status] > rank[target.status] ? source.status : target.status,
        JSON.stringify(dedupe([...parseTags(target.tags), ...parseTags(source.tags)])),
        notes.slice(0, 10_000),
        target.vat_id ?? source.vat_id,
        target.address ?? source.address,
        Math.max(target.last_contact_at ?? 0, source.last_contact_at ?? 0) || null,
        this.clock.now(),
        targetId,
      );
    });
    this.changed(targetId);
    return this.get(targetId);
  }

  /**
   * What deleting a customer does, before it is done: the CRM's own deals and tasks of the
   * customer go with it; every other row that points at the customer (or at one of its deals)
   * stays and only loses the link when the link may be empty (calls, messages, documents keep
   * their own snapshot of the name); a row that cannot exist without the customer (a contract,
   * which is evidence) blocks the delete. Read from the schema, so no module is known by name.
   */
  deleteImpact(id: number): {
    deals: number;
    tasks: number;
    unlinked: Array<{ table: string; count: number }>;
    blocked: Array<{ table: string; count: number }>;
  } {
    this.row(id);
    const own = new Set(['deals', 'tasks']);
    // Per table, the rows that point at the customer or at one of their deals, by any column.
    const refs = new Map<string, Array<{ where: string; notnull: number }>>();
    const add = (table: string, where: string, notnull: number) =>
      own.has(table) || refs.set(table, [...(refs.get(table) ?? []), { where, notnull }]);
    for (const r of this.columnsTo('customers')) add(r.table, `"${r.column}" = @id`, r.notnull);
    for (const r of this.columnsTo('deals'))
      add(r.table, `"${r.column}" in (select id from deals where customer_id = @id)`, r.notnull);
    const rows = (table: string, wheres: string[]) =>
      wheres.length
        ? this.sql.one<{ n: number }>(`select count(*) n from "${table}" where ${wheres.join(' or ')}`, {
            id,
          })!.n
        : 0;
    const unlinked: Array<{ table: string; count: number }> = [];
    const blocked: Array<{ table: string; count: number }> = [];
    for (const [table, cols] of refs) {
      const b = rows(
        table,
        cols.filter((c) => c.notnull).map((c) => c.where),
      );
      if (b) blocked.push({ table, count: b });
      else {
        const n = rows(
          table,
          cols.map((c) => c.where),
        );
        if (n) unlinked.push({ table, count: n });
      }
    }
    const count = (table: string) =>
      this.sql.one<{ n: number }>(`select count(*) n from "${table}" where customer_id = ?`, id)!.n;
    return { deals: count('deals'), tasks: count('tasks'), unlinked, blocked };
  }

  /** Deletes a customer as deleteImpact() says, in one transaction, and writes it to the audit log. */
  delete(id: number): ReturnType<CustomerService['deleteImpact']> {
    const c = this.row(id);
    const result = this.sql.tx(() => {
      const impact = this.deleteImpact(id);
      if (impact.blocked.length)
        throw new ApiError('conflict', 'the customer has records that cannot exist without them', {
          blocked: impact.blocked,
        });
      for (const r of this.columnsTo('deals'))
        if (r.table !== 'deals' && r.table !== 'tasks')
          this.sql.run(
            `update "${r.table}" set "${r.column}" = null where "${r.column}" in (select id from deals where customer_id = ?)`,
            id,
          );
      for (const r of this.columnsTo('customers'))
        if (r.table !== 'deals' && r.table !== 'tasks')
          this.sql.run(`update "${r.table}" set "${r.column}" = null where "${r.column}" = ?`, id);
      this.sql.run('delete from tasks where customer_id = ?', id);
      this.sql.run('delete from deals where customer_id = ?', id);
      this.sql.run('delete from customers where id = ?', id);
      // Who it was and what went with it: the log keeps no contact details, only the fact.
      this.audit?.({
        entityType: 'customer',
        entityId: id,
        event: 'customer.deleted',
        data: { name: c.name, deals: impact.deals, tasks: impact.tasks, unlinked: impact.unlinked },
      });
      return impact;
    });
    this.changed(id);
    return result;
  }

  /** Names of a set of customers (for lists that show them). */
  names(ids: Iterable<number | null>): Map<number, string> {
    const unique = [...new Set([...ids].filter((x): x is number => typeof x === 'number'))];
    const out = new Map<number, string>();
    for (let i = 0; i < unique.length; i += 200) {
      const chunk = unique.slice(i, i + 200);
      for (const r of this.sql.all<{ id: number; name: string }>(
        `select id, name from customers where id in (${chunk.map(() => '?').join(',')})`,
        ...chunk,
      )) {
        out.set(r.id, r.name);
      }
    }
    return out;
  }
}

function dedupe(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].slice(0, 20);
}
