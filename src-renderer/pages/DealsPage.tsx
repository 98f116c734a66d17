import { Plus, Search, X } from 'lucide-react';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Deal } from '../../src-main/api/contract/crm';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { DealDialog } from '../components/crm/DealDialog';
import { DAY_MS, dayStart } from '../components/crm/util';
import { ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';
import { formatDate, formatMoney, formatNumber } from '../lib/format';
import '../styles/crm.css';

const t = he.crm.deals;
const PAGE = 30;
const PERIODS = ['d7', 'd30', 'd90', 'y1'] as const;
const PERIOD_DAYS = { d7: 7, d30: 30, d90: 90, y1: 365 } as const;
type Stage = Deal['stage'];

/** Whole shekels typed in a filter → agorot (empty or not a number: no bound). */
const agorotOf = (v: string | null) => {
  const n = Number((v ?? '').replace(/[,\s₪]/g, ''));
  return v && Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : undefined;
};

/** The board's filters, kept in the address (?q=&min=&max=&period=&customer=) so a view can be shared and kept. */
function useDealFilters() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const min = params.get('min') ?? '';
  const max = params.get('max') ?? '';
  const period = PERIODS.find((p) => p === params.get('period')) ?? '';
  const customer = Number(params.get('customer')) || undefined;
  const set = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const createdFrom = period ? dayStart(Date.now()) - (PERIOD_DAYS[period] - 1) * DAY_MS : undefined;
  const api = {
    ...(customer ? { customerId: customer } : {}),
    ...(q.trim() ? { q: q.trim() } : {}),
    ...(agorotOf(min) !== undefined ? { minAgorot: agorotOf(min) } : {}),
    ...(agorotOf(max) !== undefined ? { maxAgorot: agorotOf(max) } : {}),
    ...(createdFrom !== undefined ? { createdFrom } : {}),
  };
  return { q, min, max, period, customer, set, api, active: Object.keys(api).length > 0 };
}

function DealFilters({ f }: { f: ReturnType<typeof useDealFilters> }) {
  // The search box answers as one types, the board follows a moment later.
  const [q, setQ] = useState(f.q);
  const [min, setMin] = useState(f.min);
  const [max, setMax] = useState(f.max);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (q !== f.q || min !== f.min || max !== f.max) f.set({ q, min, max });
    }, 300);
    return () => clearTimeout(timer);
  });
  const customerName = useQuery(
    () => (f.customer ? api.call('crm.customers.get', { id: f.customer }) : Promise.resolve(null)),
    [f.customer],
  ).data?.name;
  return (
    <section className="card crm-card deal-filters" aria-label={t.filters.title}>
      <div className="crm-toolbar" data-testid="deal-filters">
        <div className="crm-search">
          <Search size={16} />
          <input
            className="input"
            type="search"
            aria-label={t.filters.search}
            placeholder={t.filters.search}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="deal-search"
          />
        </div>
        <input
          className="input deal-amount"
          inputMode="numeric"
          aria-label={t.filters.minAmount}
          placeholder={t.filters.minAmount}
          value={min}
          onChange={(e) => setMin(e.target.value)}
          data-testid="deal-min"
        />
        <input
          className="input deal-amount"
          inputMode="numeric"
          aria-label={t.filters.maxAmount}
          placeholder={t.filters.maxAmount}
          value={max}
          onChange={(e) => setMax(e.target.value)}
          data-testid="deal-max"
        />
        <select
          className="select deal-period"
          aria-label={t.filters.period}
          value={f.period}
          onChange={(e) => f.set({ period: e.target.value })}
          data-testid="deal-period"
        >
          <option value="">{t.filters.anyTime}</option>
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t.filters.periods[p]}
            </option>
          ))}
        </select>
        {f.customer && (
          <span className="badge deal-customer-chip">
            {t.filters.customer} {customerName ?? ''}
            <button
              className="btn btn-ghost btn-sm"
              aria-label={t.filters.clearCustomer}
              onClick={() => f.set({ customer: '' })}
            >
              <X size={14} />
            </button>
          </span>
        )}
        {f.active && (
          <button
            className="btn btn-ghost btn-sm"
            onClick={() => {
              setQ('');
              setMin('');
              setMax('');
              f.set({ q: '', min: '', max: '', period: '', customer: '' });
            }}
            data-testid="deal-clear"
          >
            {t.filters.clear}
          </button>
        )}
      </div>
    </section>
  );
}

/** The pipeline: drag a card to another column (or onto a card to go before it); also reachable by keyboard. */
export function DealsPage() {
  const filters = useDealFilters();
  // Bounded: each column scrolls inside itself and pages on its own ("more" until its end). A
  // reload (a move, a change elsewhere) keeps as many cards as the longest column shows, up to 200.
  const shown = useRef(PAGE);
  const key = JSON.stringify(filters.api);
  // New filters start every column on its first page (this effect runs before the query's).
  useEffect(() => {
    shown.current = PAGE;
  }, [key]);
  const board = useQuery(
    () => api.call('crm.deals.board', { ...filters.api, limitPerStage: Math.min(200, shown.current) }),
    [key],
  );
  useEvent('crm.changed', (e) => e.entity === 'deal' && board.reload());
  const [loadingMore, setLoadingMore] = useState<Stage | null>(null);
  const loadMore = async (stage: Stage) => {
    const col = board.data?.stages.find((s) => s.stage === stage);
    if (!col?.nextCursor) return;
    setLoadingMore(stage);
    setError('');
    try {
      const page = await api.call('crm.deals.stage', {
        ...filters.api,
        stage,
        cursor: col.nextCursor,
        limit: PAGE,
      });
      const data = board.data!;
      const stages = data.stages.map((s) =>
        s.stage === stage ? { ...s, deals: [...s.deals, ...page.deals], nextCursor: page.nextCursor } : s,
      );
      shown.current = Math.max(shown.current, ...stages.map((s) => s.deals.length));
      board.setData({ stages });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoadingMore(null);
    }
  };
  const [dragging, setDragging] = useState<number | null>(null);
  const [over, setOver] = useState<{ stage: Deal['stage']; beforeId: number | null } | null>(null);
  const [error, setError] = useState('');
  const [adding, setAdding] = useState(false);

  const move = async (id: number, stage: Deal['stage'], beforeId: number | null) => {
    setError('');
    const data = board.data;
    if (data) {
      // Optimistic: show the card in its new place at once; the answer (or a reload) confirms it.
      const deal = data.stages.flatMap((s) => s.deals).find((d) => d.id === id);
      if (deal) {
        const stages = data.stages.map((s) => {
          const without = s.deals.filter((d) => d.id !== id);
          const count = s.count - (s.deals.length - without.length);
          const total = s.totalAgorot - (s.deals.length - without.length) * deal.amountAgorot;
          if (s.stage !== stage) return { ...s, deals: without, count, totalAgorot: total };
          const at =
            beforeId === null
              ? without.length
              : Math.max(
                  0,
                  without.findIndex((d) => d.id === beforeId),
                );
          return {
            ...s,
            deals: [...without.slice(0, at), { ...deal, stage }, ...without.slice(at)],
            count: count + 1,
            totalAgorot: total + deal.amountAgorot,
          };
        });
        board.setData({ stages });
      }
    }
    try {
      await api.call('crm.deals.move', { id, stage, beforeId });
    } catch (err) {
      setError(errorMessage(err));
    }
    board.reload();
  };

  const onDrop = (e: DragEvent, stage: Deal['stage'], beforeId: number | null) => {
    e.preventDefault();
    e.stopPropagation();
    const id = Number(e.dataTransfer.getData('text/plain'));
    setDragging(null);
    setOver(null);
    if (id && id !== beforeId) void move(id, stage, beforeId);
  };

  return (
    <>
      <PageHeader
        title={t.title}
        subtitle={t.subtitle}
        actions={
          <button className="btn btn-primary" onClick={() => setAdding(true)}>
            <Plus size={16} /> {t.add}
          </button>
        }
      />
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      <DealFilters f={filters} />
      {board.loading && !board.data && <Loading />}
      {board.error !== undefined && <ErrorState error={board.error} onRetry={board.reload} />}
      {board.data && (
        <div className="board" data-testid="board">
          {board.data.stages.map((s) => (
            <section
              key={s.stage}
              className={`column${over?.stage === s.stage ? ' drop' : ''}`}
              style={{ maxHeight: 'calc(100vh - 290px)', overflowY: 'auto' }}
              data-testid={`stage-${s.stage}`}
              aria-label={he.crm.stage[s.stage]}
              onDragOver={(e) => {
                e.preventDefault();
                if (over?.stage !== s.stage || over.beforeId !== null)
                  setOver({ stage: s.stage, beforeId: null });
              }}
              onDragLeave={(e) => !e.currentTarget.contains(e.relatedTarget as Node) && setOver(null)}
              onDrop={(e) => onDrop(e, s.stage, null)}
            >
              <div className="column-head">
                <h3>
                  {he.crm.stage[s.stage]} <span className="badge">{formatNumber(s.count)}</span>
                </h3>
                <span className="sum">{formatMoney(s.totalAgorot)}</span>
              </div>
              {s.deals.length === 0 && (
                <p className="muted" style={{ fontSize: 'var(--text-sm)', textAlign: 'center' }}>
                  {t.empty}
                </p>
              )}
              {s.deals.map((d) => (
                <article
                  key={d.id}
                  className={`deal${dragging === d.id ? ' dragging' : ''}${over?.beforeId === d.id ? ' drop-before' : ''}`}
                  draggable
                  data-testid={`deal-${d.id}`}
                  onDragStart={(e) => {
                    e.dataTransfer.setData('text/plain', String(d.id));
                    e.dataTransfer.effectAllowed = 'move';
                    setDragging(d.id);
                  }}
                  onDragEnd={() => {
                    setDragging(null);
                    setOver(null);
                  }}
                  onDragOver={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    if (over?.beforeId !== d.id) setOver({ stage: s.stage, beforeId: d.id });
                  }}
                  onDrop={(e) => onDrop(e, s.stage, d.id)}
                >
                  <div className="title">{d.title}</div>
                  <div className="meta">
                    <Link to={`/customers/${d.customerId}`} draggable={false}>
                      {d.customerName || he.crm.customers.noName}
                    </Link>
                    <span className="amount">{formatMoney(d.amountAgorot)}</span>
                  </div>
                  <div className="meta">
                    <span>
                      {d.wonAt
                        ? `${t.wonAt}${formatDate(d.wonAt)}`
                        : d.lostAt
                          ? `${t.lostAt}${formatDate(d.lostAt)}`
                          : formatDate(d.createdAt)}
                    </span>
                    <select
                      className="select"
                      style={{ width: 'auto', padding: '0 4px', fontSize: 'var(--text-xs)' }}
                      aria-label={t.moveTo}
                      value={d.stage}
                      onChange={(e) => void move(d.id, e.target.value as Deal['stage'], null)}
                    >
                      {board.data!.stages.map((x) => (
                        <option key={x.stage} value={x.stage}>
                          {he.crm.stage[x.stage]}
                        </option>
                      ))}
                    </select>
                  </div>
                </article>
              ))}
              {s.nextCursor && (
                <button
                  className="btn btn-sm more"
                  data-testid={`more-${s.stage}`}
                  disabled={loadingMore === s.stage}
                  onClick={() => void loadMore(s.stage)}
                >
                  {t.more} {formatNumber(s.count - s.deals.length)}
                </button>
              )}
            </section>
          ))}
        </div>
      )}
      {adding && (
        <DealDialog onClose={() => setAdding(false)} onSaved={() => (setAdding(false), board.reload())} />
      )}
    </>
  );
}
