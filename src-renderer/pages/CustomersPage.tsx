import { Plus, Search, Upload } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES } from '../../src-main/api/contract/crm';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { CustomerFormDialog } from '../components/crm/CustomerForm';
import { useCustomerExport } from '../components/crm/CustomerExport';
import { ImportDialog } from '../components/crm/ImportDialog';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { Counted, EmailAddress, PhoneNumber } from '../components/format';
import { formatDate, formatNumber } from '../lib/format';
import '../styles/crm.css';

const t = he.crm.customers;
const SORTS = {
  created_desc: { sort: 'created', dir: 'desc', label: t.sortCreated },
  created_asc: { sort: 'created', dir: 'asc', label: t.sortCreatedAsc },
  name_asc: { sort: 'name', dir: 'asc', label: t.sortName },
  lastContact_desc: { sort: 'lastContact', dir: 'desc', label: t.sortLastContact },
} as const;
type SortKey = keyof typeof SORTS;

export const STATUS_BADGE = { lead: 'badge-info', customer: 'badge-ok', inactive: 'badge' } as const;

export function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  const source = params.get('source') ?? '';
  const sortKey = (params.get('sort') as SortKey | null) ?? 'created_desc';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [typed, setTyped] = useState(q);
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null);

  const update = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next, { replace: true });
  };
  // Type-ahead: the indexed search answers in milliseconds, a short debounce keeps typing smooth.
  useEffect(() => {
    const h = setTimeout(() => typed !== q && update({ q: typed.trim() }), 200);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [typed]);

  const sort = SORTS[sortKey] ?? SORTS.created_desc;
  const list = useQuery(
    () =>
      api.call('crm.customers.list', {
        page,
        limit: 25,
        sort: sort.sort,
        dir: sort.dir,
        ...(q ? { q } : {}),
        ...(status ? { status: status as (typeof CUSTOMER_STATUSES)[number] } : {}),
        ...(source ? { source: source as (typeof CUSTOMER_SOURCES)[number] } : {}),
      }),
    [q, status, source, sortKey, page],
  );
  useEvent('crm.changed', (e) => e.entity === 'customer' && list.reload());

  const exporter = useCustomerExport({
    ...(q ? { q } : {}),
    ...(status ? { status: status as (typeof CUSTOMER_STATUSES)[number] } : {}),
    ...(source ? { source: source as (typeof CUSTOMER_SOURCES)[number] } : {}),
  });

  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / data.limit)) : 1;
  const filtered = Boolean(q || status || source);
  return (
    <>
      <PageHeader
        title={t.title}
        subtitle={t.subtitle}
        actions={
          <div className="header-actions">
            <button className="btn" onClick={() => setDialog('import')}>
              <Upload size={16} /> {t.import}
            </button>
            {exporter.button}
            <button
              className="btn btn-primary"
              onClick={() => setDialog('create')}
              data-testid="add-customer"
            >
              <Plus size={16} /> {t.add}
            </button>
          </div>
        }
      />
      {exporter.status}
      <section className="card crm-card">
        <div className="crm-toolbar">
          <div className="crm-search">
            <Search size={16} />
            <input
              className="input"
              type="search"
              placeholder={t.searchPlaceholder}
              aria-label={t.searchPlaceholder}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              data-testid="customer-search"
            />
          </div>
          <select
            className="select"
            aria-label={he.crm.form.status}
            value={status}
            onChange={(e) => update({ status: e.target.value })}
          >
            <option value="">{t.allStatuses}</option>
            {CUSTOMER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {he.crm.status[s]}
              </option>
            ))}
          </select>
          <select
            className="select"
            aria-label={he.crm.form.source}
            value={source}
            onChange={(e) => update({ source: e.target.value })}
          >
            <option value="">{t.allSources}</option>
            {CUSTOMER_SOURCES.map((s) => (
              <option key={s} value={s}>
                {he.crm.source[s]}
              </option>
            ))}
          </select>
          <select
            className="select"
            aria-label={t.sort}
            value={sortKey}
            onChange={(e) => update({ sort: e.target.value })}
          >
            {Object.entries(SORTS).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label}
              </option>
            ))}
          </select>
          {data && (
            <span className="crm-count" data-testid="customer-total">
              <Counted n={data.total} forms={t.total} />
            </span>
          )}
        </div>
        {list.loading && !data && <Loading />}
        {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
        {data && data.items.length === 0 && (
          <EmptyState title={filtered ? t.noResults : t.empty}>
            <p>{filtered ? t.noResultsHint : t.emptyHint}</p>
            {!filtered && (
              <button className="btn btn-primary" onClick={() => setDialog('create')}>
                <Plus size={16} /> {t.add}
              </button>
            )}
          </EmptyState>
        )}
        {data && data.items.length > 0 && (
          <table
            className="table crm-table"
            data-testid="customer-table"
            style={{ opacity: list.loading ? 0.6 : 1 }}
          >
            <thead>
              <tr>
                <th>{t.columns.name}</th>
                <th>{t.columns.phone}</th>
                <th>{t.columns.email}</th>
                <th>{t.columns.status}</th>
                <th>{t.columns.source}</th>
                <th>{t.columns.tags}</th>
                <th>{t.columns.lastContact}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} onClick={() => navigate(`/customers/${c.id}`)}>
                  <td className="name">{c.name || t.noName}</td>
                  <td>
                    <PhoneNumber value={c.phone} />
                  </td>
                  <td className="muted">
                    <EmailAddress value={c.email} />
                  </td>
                  <td>
                    <span className={`badge ${STATUS_BADGE[c.status]}`}>{he.crm.status[c.status]}</span>
                  </td>
                  <td className="muted">{he.crm.source[c.source]}</td>
                  <td>
                    {c.tags.slice(0, 3).map((x) => (
                      <span className="tag" key={x}>
                        {x}
                      </span>
                    ))}
                  </td>
                  <td className="muted">{c.lastContactAt ? formatDate(c.lastContactAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data && data.total > data.limit && (
          <div className="pager">
            <span>
              {t.page} {formatNumber(page)} {t.of} {formatNumber(pages)}
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
      {dialog === 'create' && (
        <CustomerFormDialog onClose={() => setDialog(null)} onSaved={(c) => navigate(`/customers/${c.id}`)} />
      )}
      {dialog === 'import' && <ImportDialog onClose={() => setDialog(null)} onImported={list.reload} />}
    </>
  );
}
