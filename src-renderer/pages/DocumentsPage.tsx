import { Plus, Search } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { BillingTabs } from '../components/billing/BillingTabs';
import { DateInput, showIsoDate } from '../components/billing/DateInput';
import { DocStatusBadge, PaidBadge, docTitle } from '../components/billing/labels';
import { Counted, Money, Num } from '../components/format';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { formatDate } from '../lib/format';
import { DOC_TYPES, type DocType } from '../components/billing/types';
import '../styles/crm.css';
import '../styles/billing.css';

const t = he.billing.list;
const PAGE_SIZE = 25;
const STATUSES = ['draft', 'issued', 'cancelled'] as const;

/** All documents: filters in the address (type, status, paid, dates, search), paged on the server. */
export function DocumentsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get('q') ?? '';
  const type = (params.get('type') ?? '') as DocType | '';
  const status = (params.get('status') ?? '') as (typeof STATUSES)[number] | '';
  const paid = (params.get('paid') ?? '') as 'paid' | 'partial' | 'unpaid' | '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const customerId = Number(params.get('customer')) || 0;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(q);
  const [badDate, setBadDate] = useState<{ from?: boolean; to?: boolean }>({});

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
    const h = setTimeout(() => typed.trim() !== q && update({ q: typed.trim() }), 250);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);

  const list = useQuery(
    () =>
      api.call('billing.documents.list', {
        page,
        limit: PAGE_SIZE,
        ...(q ? { q } : {}),
        ...(type ? { type } : {}),
        ...(status ? { status } : {}),
        ...(paid ? { paid } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(customerId ? { customerId } : {}),
      }),
    [q, type, status, paid, from, to, customerId, page],
  );
  useEvent('crm.changed', () => list.reload());

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;
  const filtered = Boolean(q || type || status || paid || from || to || customerId);
  return (
    <>
      <PageHeader
        title={he.billing.title}
        subtitle={he.billing.subtitle}
        actions={
          <button
            className="btn btn-primary"
            onClick={() => navigate('/invoices/new')}
            data-testid="new-document"
          >
            <Plus size={16} /> {t.add}
          </button>
        }
      />
      <BillingTabs />
      <section className="card crm-card">
        <div className="crm-toolbar billing-toolbar">
          <div className="crm-search">
            <Search size={16} />
            <input
              className="input"
              type="search"
              placeholder={t.search}
              aria-label={t.search}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              data-testid="document-search"
            />
          </div>
          <select
            className="select"
            aria-label={t.columns.type}
            value={type}
            onChange={(e) => update({ type: e.target.value })}
            data-testid="filter-type"
          >
            <option value="">{t.allTypes}</option>
            {DOC_TYPES.map((x) => (
              <option key={x} value={x}>
                {he.billing.types[x]}
              </option>
            ))}
          </select>
          <select
            className="select"
            aria-label={t.columns.status}
            value={status}
            onChange={(e) => update({ status: e.target.value })}
          >
            <option value="">{t.allStatuses}</option>
            {STATUSES.map((x) => (
              <option key={x} value={x}>
                {he.billing.status[x]}
              </option>
            ))}
          </select>
          <select
            className="select"
            aria-label={t.columns.paid}
            value={paid}
            onChange={(e) => update({ paid: e.target.value })}
            data-testid="filter-paid"
          >
            <option value="">{t.allPaid}</option>
            <option value="paid">{t.paidOnly}</option>
            <option value="partial">{t.partialOnly}</option>
            <option value="unpaid">{t.unpaidOnly}</option>
          </select>
          <DateInput
            id="doc-from"
            className="date-field"
            hideLabel
            label={t.from}
            value={from}
            optional
            error={badDate.from ? t.badDate : undefined}
            onChange={(iso) => {
              setBadDate((b) => ({ ...b, from: iso === null }));
              if (iso !== null) update({ from: iso });
            }}
          />
          <DateInput
            id="doc-to"
            className="date-field"
            hideLabel
            label={t.to}
            value={to}
            optional
            error={badDate.to ? t.badDate : undefined}
            onChange={(iso) => {
              setBadDate((b) => ({ ...b, to: iso === null }));
              if (iso !== null) update({ to: iso });
            }}
          />
          {filtered && (
            <button
              className="btn btn-sm btn-ghost"
              onClick={() => {
                setTyped('');
                setBadDate({});
                setParams(new URLSearchParams(), { replace: true });
              }}
            >
              {t.clear}
            </button>
          )}
          {data && (
            <span className="crm-count" data-testid="document-total">
              <Counted n={data.total} forms={t.count} />
            </span>
          )}
        </div>
        {list.loading && !data && <Loading />}
        {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
        {data && data.items.length === 0 && (
          <EmptyState title={filtered ? t.noResults : t.empty}>
            <p>{filtered ? t.noResultsHint : t.emptyHint}</p>
            {!filtered && (
              <button className="btn btn-primary" onClick={() => navigate('/invoices/new')}>
                <Plus size={16} /> {t.add}
              </button>
            )}
          </EmptyState>
        )}
        {data && data.items.length > 0 && (
          <table
            className="table crm-table billing-table"
            data-testid="document-table"
            style={{ opacity: list.loading ? 0.6 : 1 }}
          >
            <thead>
              <tr>
                <th>{t.columns.type}</th>
                <th>{t.columns.number}</th>
                <th>{t.columns.customer}</th>
                <th>{t.columns.date}</th>
                <th className="amount">{t.columns.total}</th>
                <th>{t.columns.status}</th>
                <th>{t.columns.paid}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => (
                <tr
                  key={d.id}
                  className={d.status === 'cancelled' ? 'cancelled' : undefined}
                  onClick={() => navigate(`/invoices/${d.id}`)}
                  data-testid="document-row"
                >
                  <td>{he.billing.types[d.type]}</td>
                  <td className="doc-number">
                    {d.number != null ? <Num value={d.number} plain /> : <span className="muted">—</span>}
                  </td>
                  <td className="name">
                    <a
                      href={`#/invoices/${d.id}`}
                      onClick={(e) => e.preventDefault()}
                      aria-label={`${d.customerName || he.crm.customers.noName} · ${docTitle(d)}`}
                      style={{ color: 'inherit' }}
                    >
                      {d.customerName || he.crm.customers.noName}
                    </a>
                  </td>
                  <td className="muted">
                    <bdi className="num">
                      {d.issueDate ? showIsoDate(d.issueDate) : formatDate(d.createdAt)}
                    </bdi>
                  </td>
                  <td className="amount">
                    <Money agorot={d.totalAgorot} />
                  </td>
                  <td>
                    <DocStatusBadge status={d.status} />
                  </td>
                  <td>
                    <PaidBadge doc={d} />
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
