import { CheckCircle2, ChevronLeft, ChevronRight, Circle, Plus } from 'lucide-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Task } from '../../src-main/api/contract/crm';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { TaskDialog } from '../components/crm/TaskDialog';
import { DAY_MS, dayStart, toLocalInput } from '../components/crm/util';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { formatDate, formatDateTime, formatNumber, formatTime } from '../lib/format';
import { plural } from '../lib/plural';
import '../styles/crm.css';

const t = he.crm.tasks;
/** Items a week-view day cell draws before "+N"; items a day view draws per "show more". */
const WEEK_CELL = 4;
const DAY_PAGE = 50;
const weekday = new Intl.DateTimeFormat('he-IL', { timeZone: 'Asia/Jerusalem', weekday: 'long' });

/** Sunday 00:00 (Israel) of the week containing `ms` — the Israeli week starts on Sunday. */
function weekStart(ms: number): number {
  const d = dayStart(ms);
  const dow = new Date(`${toLocalInput(d).slice(0, 10)}T12:00:00Z`).getUTCDay();
  return dayStart(d - dow * DAY_MS + 12 * 3_600_000);
}

function Calendar({ onOpen, onNew }: { onOpen: (t: Task) => void; onNew: (start: number) => void }) {
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'day' ? 'day' : 'week';
  const anchor = Number(params.get('at')) || Date.now();
  const from = view === 'day' ? dayStart(anchor) : weekStart(anchor);
  const days = view === 'day' ? 1 : 7;
  const to = dayStart(from + days * DAY_MS + 12 * 3_600_000);
  // Bounded: the server counts each day and sends a week cell's first few items ("+N" opens the
  // day); the day view pages its items, DAY_PAGE at a time.
  const perDay = days === 1 ? DAY_PAGE : WEEK_CELL;
  const cal = useQuery(() => api.call('crm.calendar', { from, to, perDay }), [from, to, perDay]);
  const [extra, setExtra] = useState<{ key: string; items: Task[] }>({ key: '', items: [] });
  const key = `${from}:${to}:${perDay}:${cal.data?.total ?? ''}`;
  const more = extra.key === key ? extra.items : [];
  const [loadingMore, setLoadingMore] = useState(false);
  useEvent('crm.changed', (e) => e.entity === 'task' && cal.reload());
  const set = (patch: Record<string, string>) =>
    setParams({ ...Object.fromEntries(params), ...patch }, { replace: true });
  const shift = (dir: number) => set({ at: String(from + dir * days * DAY_MS + 12 * 3_600_000) });
  const cols =
    cal.data?.days ??
    Array.from({ length: days }, (_, i) => ({
      start: dayStart(from + i * DAY_MS + 12 * 3_600_000),
      count: 0,
      items: [] as Task[],
    }));
  const today = dayStart(Date.now());
  const showMore = async (day: number, shown: number) => {
    setLoadingMore(true);
    try {
      const next = await api.call('crm.calendar', {
        from: day,
        to: dayStart(day + DAY_MS + 12 * 3_600_000),
        perDay: DAY_PAGE,
        offset: shown,
      });
      setExtra({ key, items: [...more, ...(next.days[0]?.items ?? [])] });
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <section className="card" data-testid="calendar">
      <div className="cal-toolbar">
        <div className="seg" role="group">
          <button className={view === 'day' ? 'active' : ''} onClick={() => set({ view: 'day' })}>
            {t.day}
          </button>
          <button className={view === 'week' ? 'active' : ''} onClick={() => set({ view: 'week' })}>
            {t.week}
          </button>
        </div>
        <button className="btn btn-sm" onClick={() => set({ at: String(Date.now()) })}>
          {t.today}
        </button>
        <button className="btn btn-sm" aria-label={t.prevRange} onClick={() => shift(-1)}>
          <ChevronRight size={16} />
        </button>
        <button className="btn btn-sm" aria-label={t.nextRange} onClick={() => shift(1)}>
          <ChevronLeft size={16} />
        </button>
        <span className="range">
          {days === 1
            ? `${weekday.format(from)} ${formatDate(from)}`
            : `${formatDate(from)} – ${formatDate(to - 1)}`}
        </span>
        {cal.loading && <span className="muted">{he.common.loading}</span>}
      </div>
      {cal.error !== undefined && <ErrorState error={cal.error} onRetry={cal.reload} />}
      <div className={`week${days === 1 ? ' day-view' : ''}`}>
        {cols.map(({ start: d, count, items: first }) => {
          const items = days === 1 ? [...first, ...more] : first;
          return (
            <div
              key={d}
              className={`day-col${d === today ? ' today' : ''}`}
              onDoubleClick={() => onNew(d + 9 * 3_600_000)}
              data-testid={`day-${d}`}
              data-count={count}
            >
              <h4>
                <span>{weekday.format(d)}</span>
                <span>{formatDate(d).slice(0, 5)}</span>
              </h4>
              {items.map((x) => (
                <div
                  key={x.id}
                  className={`event ${x.kind}${x.doneAt ? ' done' : ''}`}
                  onClick={() => onOpen(x)}
                  data-testid={`event-${x.id}`}
                >
                  <span className="time">{formatTime((x.startsAt ?? x.dueAt)!)}</span> {x.title}
                  {x.customerName && <div className="muted">{x.customerName}</div>}
                </div>
              ))}
              {count > items.length &&
                (days === 1 ? (
                  <button
                    className="btn btn-sm"
                    data-testid="day-show-more"
                    disabled={loadingMore}
                    onClick={() => void showMore(d, items.length)}
                  >
                    {t.showMore} ({formatNumber(count - items.length)})
                  </button>
                ) : (
                  <button
                    className="btn btn-ghost btn-sm"
                    data-testid={`more-${d}`}
                    aria-label={`${plural(count - items.length, t.moreInDay)} · ${t.moreInDayLabel} ${formatDate(d)}`}
                    onClick={() => set({ view: 'day', at: String(d + 12 * 3_600_000) })}
                  >
                    {plural(count - items.length, t.moreInDay)}
                  </button>
                ))}
            </div>
          );
        })}
      </div>
      {cal.data && cal.data.total === 0 && (
        <p className="muted" style={{ textAlign: 'center' }}>
          {t.calendarEmpty}
        </p>
      )}
    </section>
  );
}

function TaskList({ onOpen }: { onOpen: (t: Task) => void }) {
  const [status, setStatus] = useState<'open' | 'done' | 'all'>('open');
  const [page, setPage] = useState(1);
  const list = useQuery(() => api.call('crm.tasks.list', { status, page, limit: 25 }), [status, page]);
  useEvent('crm.changed', (e) => e.entity === 'task' && list.reload());
  const now = Date.now();
  return (
    <section className="card crm-card" data-testid="task-list">
      <div className="crm-toolbar">
        <div className="seg" role="group">
          {(['open', 'done', 'all'] as const).map((s) => (
            <button
              key={s}
              className={status === s ? 'active' : ''}
              onClick={() => (setStatus(s), setPage(1))}
            >
              {t[s]}
            </button>
          ))}
        </div>
        {list.data && <span className="crm-count">{formatNumber(list.data.total)}</span>}
      </div>
      {list.loading && !list.data && <Loading />}
      {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.data && list.data.items.length === 0 && (
        <EmptyState title={t.empty}>
          <p>{t.emptyHint}</p>
        </EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <table className="table">
          <tbody>
            {list.data.items.map((x) => {
              const when = x.startsAt ?? x.dueAt;
              return (
                <tr key={x.id}>
                  <td style={{ width: 36 }}>
                    <button
                      className="btn btn-ghost btn-sm"
                      aria-label={he.crm.customer.markDone}
                      onClick={() =>
                        void api.call('crm.tasks.setDone', { id: x.id, done: !x.doneAt }).then(list.reload)
                      }
                    >
                      {x.doneAt ? (
                        <CheckCircle2 size={18} color="var(--color-success)" />
                      ) : (
                        <Circle size={18} />
                      )}
                    </button>
                  </td>
                  <td onClick={() => onOpen(x)} style={{ cursor: 'pointer' }}>
                    <strong>{x.title}</strong> <span className="badge">{he.crm.taskKind[x.kind]}</span>
                    {x.createdBy === 'agent' && (
                      <span className="badge badge-info" style={{ marginInlineStart: 4 }}>
                        {t.byAgent}
                      </span>
                    )}
                  </td>
                  <td>
                    {x.customerId ? (
                      <Link to={`/customers/${x.customerId}`}>
                        {x.customerName || he.crm.customers.noName}
                      </Link>
                    ) : (
                      <span className="muted">{t.noCustomer}</span>
                    )}
                  </td>
                  <td className="muted">
                    {when ? formatDateTime(when) : '—'}{' '}
                    {!x.doneAt && when && when < now && <span className="badge badge-fail">{t.overdue}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {list.data && list.data.total > 25 && (
        <div className="pager">
          <span>
            {he.crm.customers.page} {page} {he.crm.customers.of} {Math.ceil(list.data.total / 25)}
          </span>
          <div className="btns">
            <button className="btn btn-sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              {he.crm.customers.prev}
            </button>
            <button
              className="btn btn-sm"
              disabled={page * 25 >= list.data.total}
              onClick={() => setPage(page + 1)}
            >
              {he.crm.customers.next}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

export function TasksPage() {
  const [editing, setEditing] = useState<Task | 'new' | number | null>(null);
  return (
    <>
      <PageHeader
        title={t.title}
        subtitle={t.subtitle}
        actions={
          <button className="btn btn-primary" onClick={() => setEditing('new')}>
            <Plus size={16} /> {t.add}
          </button>
        }
      />
      <Calendar onOpen={setEditing} onNew={(start) => setEditing(start)} />
      <div style={{ height: 20 }} />
      <TaskList onOpen={setEditing} />
      {editing !== null && (
        <TaskDialog
          task={typeof editing === 'object' ? editing : undefined}
          defaultStart={typeof editing === 'number' ? editing : undefined}
          onClose={() => setEditing(null)}
          onSaved={() => setEditing(null)}
        />
      )}
    </>
  );
}
