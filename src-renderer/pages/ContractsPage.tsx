import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { Counted, Num } from '../components/format';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { formatDate } from '../lib/format';
import { useDebounced } from '../lib/use-debounced';
import '../styles/crm.css';

const t = he.contracts;
const PAGE_SIZE = 25;
const STATUSES = ['draft', 'sent', 'opened', 'signed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

/** All contracts: search and status filter in the address, paged on the server. */
export function ContractsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const status = (params.get('status') ?? '') as Status | '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const q = params.get('q') ?? '';
  const [typed, setTyped] = useState(q);
  const search = useDebounced(typed.trim(), 250);
  const update = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next, { replace: true });
  };
  useEffect(() => {
    if (search !== q) update({ q: search });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the typed search settles
  }, [search]);
  const list = useQuery(
    () =>
      api.call('contracts.list', {
        page,
        limit: PAGE_SIZE,
        ...(status ? { status } : {}),
        ...(q ? { q } : {}),
      }),
    [status, page, q],
  );
  const filtered = !!(status || q);
  useEvent('contracts.changed', () => list.reload());
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  return (
    <>
      <PageHeader
        title={t.title}
        subtitle={t.subtitle}
        actions={
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            <Link className="btn" to="/contracts/templates" data-testid="contract-templates">
              {t.templatesLink}
            </Link>
            <Link className="btn btn-primary" to="/contracts/new" data-testid="contract-new-button">
              {t.newContract}
            </Link>
          </div>
        }
      />
      <section className="card crm-card">
        <div className="crm-toolbar">
          <input
            className="input"
            type="search"
            style={{ minWidth: 300 }}
            placeholder={t.search}
            aria-label={t.search}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="contract-search"
          />
          <select
            className="select"
            aria-label={t.columns.status}
            value={status}
            onChange={(e) => update({ status: e.target.value })}
            data-testid="contract-status-filter"
          >
            <option value="">{t.allStatuses}</option>
            {STATUSES.map((x) => (
              <option key={x} value={x}>
                {t.status[x]}
              </option>
            ))}
          </select>
          {data && (
            <span className="crm-count" data-testid="contract-total">
              <Counted n={data.total} forms={t.count} />
            </span>
          )}
        </div>
        {list.loading && !data && <Loading />}
        {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
        {data && data.items.length === 0 && (
          <EmptyState title={q ? t.noSearchResults : status ? t.noResults : t.empty}>
            <p>{q ? t.noSearchResultsHint : filtered ? t.noResultsHint : t.emptyHint}</p>
          </EmptyState>
        )}
        {data && data.items.length > 0 && (
          <table className="table crm-table" data-testid="contract-table">
            <thead>
              <tr>
                <th>{t.columns.number}</th>
                <th>{t.columns.title}</th>
                <th>{t.columns.customer}</th>
                <th>{t.columns.date}</th>
                <th>{t.columns.status}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} onClick={() => navigate(`/contracts/${c.id}`)} data-testid="contract-row">
                  <td>
                    <bdi className="num">{c.number ?? '—'}</bdi>
                  </td>
                  <td className="name">
                    <a
                      href={`#/contracts/${c.id}`}
                      onClick={(e) => e.preventDefault()}
                      style={{ color: 'inherit' }}
                    >
                      {c.title}
                    </a>
                  </td>
                  <td>{c.customerName || he.crm.customers.noName}</td>
                  <td className="muted">
                    <bdi className="num">{formatDate(c.createdAt)}</bdi>
                  </td>
                  <td>
                    <span className="badge" data-status={c.status}>
                      {t.status[c.status]}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data && data.total > PAGE_SIZE && (
          <div className="pager">
            <span>
              {t.page} <Num value={page} /> {t.of} <Num value={pages} />
            </span>
            <div className="btns">
              <button
                className="btn btn-sm"
                disabled={page <= 1}
                onClick={() => update({ page: String(page - 1) })}
              >
                {t.prev}
              </button>
              <button
                className="btn btn-sm"
                disabled={page >= pages}
                onClick={() => update({ page: String(page + 1) })}
              >
                {t.next}
              </button>
            </div>
          </div>
        )}
      </section>
    </>
  );
}
