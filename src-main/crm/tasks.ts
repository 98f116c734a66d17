/** Tasks, call-backs and appointments; the calendar; reminders that raise desktop notifications. */
import type { Task } from '../api/contract/crm';
import { badInput, notFound } from '../api/errors';
import { ruleDetails } from '../api/field-issues';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import { BUSINESS_ID, israelDayStart, type StatementCache } from './sql';

interface TaskRow {
  id: number;
  customer_id: number | null;
  customer_name: string | null;
  call_id: number | null;
  kind: Task['kind'];
  title: string;
  description: string;
  due_at: number | null;
  starts_at: number | null;
  ends_at: number | null;
  reminder_at: number | null;
  reminded_at: number | null;
  done_at: number | null;
  created_by: Task['createdBy'];
  created_at: number;
}

const COLS = `t.id, t.customer_id, c.name as customer_name, t.call_id, t.kind, t.title, t.description, t.due_at, t.starts_at, t.ends_at,
  t.reminder_at, t.reminded_at, t.done_at, t.created_by, t.created_at`;
const FROM = 'tasks t left join customers c on c.id = t.customer_id';

export const toTask = (r: TaskRow): Task => ({
  id: r.id,
  customerId: r.customer_id,
  customerName: r.customer_name,
  callId: r.call_id,
  kind: r.kind,
  title: r.title,
  description: r.description,
  dueAt: r.due_at,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  reminderAt: r.reminder_at,
  remindedAt: r.reminded_at,
  doneAt: r.done_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

type TaskFields = Pick<
  Task,
  'customerId' | 'kind' | 'title' | 'description' | 'dueAt' | 'startsAt' | 'endsAt' | 'reminderAt'
>;

function check(t: TaskFields): void {
  if (t.kind === 'appointment' && t.startsAt === null)
    throw badInput('an appointment needs a start time', ruleDetails({ startsAt: 'required' }));
  if (t.startsAt !== null && t.endsAt !== null && t.endsAt <= t.startsAt) {
    throw badInput('the end must be after the start', ruleDetails({ endsAt: 'before_start' }));
  }
}

export class TaskService {
  constructor(
    private readonly sql: StatementCache,
    private readonly clock: Clock,
    private readonly assertCustomer: (id: number) => void,
    private readonly changed: (id: number) => void,
  ) {}

  get(id: number): Task {
    const r = this.sql.one<TaskRow>(
      `select ${COLS} from ${FROM} where t.id = ? and t.business_id = ${BUSINESS_ID}`,
      id,
    );
    if (!r) throw notFound(`task ${id}`);
    return toTask(r);
  }

  openForCustomer(customerId: number, limit = 50): Task[] {
    return this.sql
      .all<TaskRow>(
        `select ${COLS} from ${FROM} where t.customer_id = ? and t.done_at is null order by coalesce(t.starts_at, t.due_at) is null, coalesce(t.starts_at, t.due_at) limit ?`,
        customerId,
        limit,
      )
      .map(toTask);
  }

  list(input: { page: number; limit: number; status: 'open' | 'done' | 'all'; customerId?: number }) {
    const where = [`t.business_id = ${BUSINESS_ID}`];
    const params: unknown[] = [];
    if (input.customerId !== undefined) {
      where.push('t.customer_id = ?');
      params.push(input.customerId);
    }
    if (input.status === 'open') where.push('t.done_at is null');
    if (input.status === 'done') where.push('t.done_at is not null');
    const w = where.join(' and ');
    const total = this.sql.one<{ n: number }>(`select count(*) n from tasks t where ${w}`, ...params)!.n;
    const offset = (input.page - 1) * input.limit;
    let rows: TaskRow[] = [];
    if (offset < total && input.status === 'open') {
      // Dated tasks by due date (an index walk), then the undated ones: two queries, no sort of every open task.
      const dated = this.sql.one<{ n: number }>(
        `select count(*) n from tasks t where ${w} and t.due_at is not null`,
        ...params,
      )!.n;
      if (offset < dated) {
        rows = this.sql.all<TaskRow>(
          `select ${COLS} from ${FROM} where ${w} and t.due_at is not null order by t.due_at, t.id limit ? offset ?`,
          ...params,
          input.limit,
          offset,
        );
      }
      if (rows.length < input.limit) {
        rows.push(
          ...this.sql.all<TaskRow>(
            `select ${COLS} from ${FROM} where ${w} and t.due_at is null order by t.id limit ? offset ?`,
            ...params,
            input.limit - rows.length,
            Math.max(0, offset - dated),
          ),
        );
      }
    } else if (offset < total) {
      const order = input.status === 'done' ? 't.done_at desc, t.id desc' : 't.id desc';
      rows = this.sql.all<TaskRow>(
        `select ${COLS} from ${FROM} where ${w} order by ${order} limit ? offset ?`,
        ...params,
        input.limit,
        offset,
      );
    }
    return { items: rows.map(toTask), total, page: input.page, limit: input.limit };
  }

  /**
   * The calendar over [from, to), one entry per Israeli day: how many appointments start and
   * undated-slot tasks fall due that day (counted in SQL by hour: Israel's offset is whole hours),
   * and the first `perDay` of them from `offset` on, by time. Index range scans only: the counts
   * read covering indexes, each day's items one bounded query.
   */
  calendar(from: number, to: number, perDay: number, offset = 0) {
    const hours = new Map<number, number>();
    const add = (rows: Array<{ h: number; n: number }>) => {
      for (const r of rows) hours.set(r.h, (hours.get(r.h) ?? 0) + r.n);
    };
    add(
      this.sql.all(
        `select starts_at / 3600000 h, count(*) n from tasks
         where business_id = ${BUSINESS_ID} and starts_at >= ? and starts_at < ? group by h`,
        from,
        to,
      ),
    );
    add(
      this.sql.all(
        `select due_at / 3600000 h, count(*) n from tasks indexed by tasks_business_due_starts_idx
         where business_id = ${BUSINESS_ID} and due_at >= ? and due_at < ? and starts_at is null group by h`,
        from,
        to,
      ),
    );
    const days: Array<{ start: number; count: number; items: Task[] }> = [];
    for (let d = israelDayStart(from); d < to; d = israelDayStart(d + 36 * 3_600_000)) {
      days.push({ start: d, count: 0, items: [] });
    }
    for (const [h, n] of hours) {
      const day = days.findLast((x) => x.start <= h * 3_600_000);
      if (day) day.count += n;
    }
    for (let i = 0; i < days.length; i++) {
      const day = days[i]!;
      if (day.count <= offset || perDay === 0) continue;
      const lo = Math.max(from, day.start);
      const hi = Math.min(to, days[i + 1]?.start ?? to);
      day.items = this.sql
        .all<TaskRow>(
          `select * from (
             select ${COLS}, t.starts_at as at from ${FROM}
             where t.business_id = ${BUSINESS_ID} and t.starts_at >= ? and t.starts_at < ?
             union all
             select ${COLS}, t.due_at as at from tasks t indexed by tasks_business_due_starts_idx left join customers c on c.id = t.customer_id
             where t.business_id = ${BUSINESS_ID} and t.due_at >= ? and t.due_at < ? and t.starts_at is null
           ) order by at, id limit ? offset ?`,
          lo,
          hi,
          lo,
          hi,
          perDay,
          offset,
        )
        .map(toTask);
    }
    return { days, total: days.reduce((a, d) => a + d.count, 0) };
  }

  create(input: TaskFields): Task {
    check(input);
    if (input.customerId !== null) this.assertCustomer(input.customerId);
    const now = this.clock.now();
    const { id } = this.sql.one<{ id: number }>(
      `insert into tasks (business_id, customer_id, kind, title, description, due_at, starts_at, ends_at, reminder_at, created_by, created_at, updated_at)
       values (${BUSINESS_ID}, ?, ?, ?, ?, ?, ?, ?, ?, 'owner', ?, ?) returning id`,
      input.customerId,
      input.kind,
      input.title,
      input.description,
      input.dueAt ?? input.startsAt,
      input.startsAt,
      input.endsAt ??
        (input.kind === 'appointment' && input.startsAt !== null ? input.startsAt + 3_600_000 : null),
      input.reminderAt,
      now,
      now,
    )!;
    this.changed(id);
    return this.get(id);
  }

  update(input: Partial<TaskFields> & { id: number }): Task {
    const cur = this.get(input.id);
    const next: TaskFields = {
      customerId: input.customerId !== undefined ? input.customerId : cur.customerId,
      kind: input.kind ?? cur.kind,
      title: input.title ?? cur.title,
      description: input.description ?? cur.description,
      dueAt: input.dueAt !== undefined ? input.dueAt : cur.dueAt,
      startsAt: input.startsAt !== undefined ? input.startsAt : cur.startsAt,
      endsAt: input.endsAt !== undefined ? input.endsAt : cur.endsAt,
      reminderAt: input.reminderAt !== undefined ? input.reminderAt : cur.reminderAt,
    };
    check(next);
    if (next.customerId !== null && next.customerId !== cur.customerId) this.assertCustomer(next.customerId);
    const rearm = input.reminderAt !== undefined && input.reminderAt !== cur.reminderAt;
    this.sql.run(
      `update tasks set customer_id = ?, kind = ?, title = ?, description = ?, due_at = ?, starts_at = ?, ends_at = ?, reminder_at = ?,
         reminded_at = ${rearm ? 'null' : 'reminded_at'}, updated_at = ? where id = ?`,
      next.customerId,
      next.kind,
      next.title,
      next.description,
      next.dueAt,
      next.startsAt,
      next.endsAt,
      next.reminderAt,
      this.clock.now(),
      input.id,
    );
    this.changed(input.id);
    return this.get(input.id);
  }

  setDone(id: number, done: boolean): Task {
    this.get(id);
    this.sql.run(
      'update tasks set done_at = ?, updated_at = ? where id = ?',
      done ? this.clock.now() : null,
      this.clock.now(),
      id,
    );
    this.changed(id);
    return this.get(id);
  }

  delete(id: number): void {
    this.get(id);
    this.sql.run('delete from tasks where id = ?', id);
    this.changed(id);
  }

  /** Reminders due at `now` that have not fired (open tasks only), oldest first. */
  dueReminders(now: number, limit = 50): Task[] {
    return this.sql
      .all<TaskRow>(
        `select ${COLS} from ${FROM} where t.reminder_at <= ? and t.reminded_at is null and t.done_at is null and t.business_id = ${BUSINESS_ID} order by t.reminder_at limit ?`,
        now,
        limit,
      )
      .map(toTask);
  }

  nextReminderAt(): number | null {
    return (
      this.sql.one<{ at: number | null }>(
        `select min(reminder_at) at from tasks where reminder_at is not null and reminded_at is null and done_at is null`,
      )?.at ?? null
    );
  }

  markReminded(id: number, at: number): void {
    this.sql.run('update tasks set reminded_at = ? where id = ?', at, id);
  }
}

/**
 * Fires due reminders: a desktop notification through the notifier port and a `crm.reminder`
 * event. Sleeps until the next reminder (at most `maxSleepMs`), woken early by `poke()`.
 * Reminders more than `staleAfterMs` late (the app was closed) are marked without a flood of notifications.
 */
export class ReminderScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly deps: {
      tasks: TaskService;
      clock: Clock;
      notifier: Notifier;
      logger: Logger;
      emit: (t: Task) => void;
      maxSleepMs?: number;
      staleAfterMs?: number;
    },
  ) {}

  start(): void {
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  poke(): void {
    if (this.running) this.tick();
  }

  tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { tasks, clock, notifier, logger } = this.deps;
    try {
      const now = clock.now();
      const stale = now - (this.deps.staleAfterMs ?? 6 * 3_600_000);
      for (let round = 0; round < 20; round++) {
        const due = tasks.dueReminders(now);
        if (due.length === 0) break;
        for (const t of due) {
          tasks.markReminded(t.id, now);
          if ((t.reminderAt ?? 0) < stale) continue;
          const when = t.startsAt ?? t.dueAt;
          notifier.notify({
            title: t.customerName ? `תזכורת: ${t.title} — ${t.customerName}` : `תזכורת: ${t.title}`,
            body: when
              ? new Intl.DateTimeFormat('he-IL', {
                  timeZone: 'Asia/Jerusalem',
                  dateStyle: 'short',
                  timeStyle: 'short',
                }).format(when)
              : t.description.slice(0, 200),
            route: t.customerId ? `/customers/${t.customerId}` : '/tasks',
          });
          this.deps.emit(t);
        }
      }
    } catch (err) {
      logger.error({ err }, 'reminder tick failed');
    }
    if (!this.running) return;
    const next = (() => {
      try {
        return tasks.nextReminderAt();
      } catch {
        return null;
      }
    })();
    const max = this.deps.maxSleepMs ?? 60_000;
    const wait = next === null ? max : Math.max(50, Math.min(max, next - clock.now()));
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref();
  }
}
