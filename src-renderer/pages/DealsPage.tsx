import { Plus } from 'lucide-react';
import { useState, type DragEvent } from 'react';
import { Link } from 'react-router-dom';
import type { Deal } from '../../src-main/api/contract/crm';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { DealDialog } from '../components/crm/DealDialog';
import { ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';
import { formatDate, formatMoney, formatNumber } from '../lib/format';
import '../styles/crm.css';

const t = he.crm.deals;
const PAGE = 30;
const MAX_PER_STAGE = 200;

/** The pipeline: drag a card to another column (or onto a card to go before it); also reachable by keyboard. */
export function DealsPage() {
  // Bounded: each column scrolls inside itself; "more" loads further cards (up to the API's 200 per stage).
  const [limit, setLimit] = useState(PAGE);
  const board = useQuery(() => api.call('crm.deals.board', { limitPerStage: limit }), [limit]);
  useEvent('crm.changed', (e) => e.entity === 'deal' && board.reload());
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
      {board.loading && !board.data && <Loading />}
      {board.error !== undefined && <ErrorState error={board.error} onRetry={board.reload} />}
      {board.data && (
        <div className="board" data-testid="board">
          {board.data.stages.map((s) => (
            <section
              key={s.stage}
              className={`column${over?.stage === s.stage ? ' drop' : ''}`}
              style={{ maxHeight: 'calc(100vh - 220px)', overflowY: 'auto' }}
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
              {s.count > s.deals.length &&
                (limit < MAX_PER_STAGE ? (
                  <button
                    className="btn btn-sm more"
                    data-testid={`more-${s.stage}`}
                    disabled={board.loading}
                    onClick={() => setLimit(Math.min(MAX_PER_STAGE, limit + PAGE * 2))}
                  >
                    {t.more} {formatNumber(s.count - s.deals.length)}
                  </button>
                ) : (
                  <div className="more">
                    {t.more} {formatNumber(s.count - s.deals.length)}
                  </div>
                ))}
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
