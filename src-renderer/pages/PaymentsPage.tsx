import { Plus } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { BillingTabs } from '../components/billing/BillingTabs';
import { showIsoDate } from '../components/billing/DateInput';
import { Counted, Money, Num } from '../components/format';
import { RecordPaymentDialog } from '../components/billing/RecordPaymentDialog';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { formatDate } from '../lib/format';
import { PAYMENT_METHODS } from '../../src-main/api/contract/billing';
import '../styles/crm.css';
import '../styles/billing.css';

const p = he.billing.payments;
const u = he.billing.unpaid;
const l = he.billing.list;
const PAGE_SIZE = 25;
const STATUS_BADGE = {
  pending: 'badge-warn',
  succeeded: 'badge-ok',
  failed: 'badge-fail',
  refunded: 'badge',
  cancelled: 'badge',
} as const;

function Pager({ page, total, onPage }: { page: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (total <= PAGE_SIZE) return null;
  return (
    <div className="pager">
      <span>
        {l.page} <Num value={page} /> {l.of} <Num value={pages} />
      </span>
      <div className="btns">
        <button className="btn btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          {l.prev}
        </button>
        <button className="btn btn-sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
          {l.next}
        </button>
      </div>
    </div>
  );
}

function usePage(): [number, (p: number) => void] {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  return [
    page,
    (n) => {
      const next = new URLSearchParams(params);
      if (n > 1) next.set('page', String(n));
      else next.delete('page');
      setParams(next, { replace: true });
    },
  ];
}

/** Every payment received, newest first, and the form for one received by hand. */
export function PaymentsPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [page, setPage] = usePage();
  const method = (params.get('method') ?? '') as (typeof PAYMENT_METHODS)[number] | '';
  const [dialog, setDialog] = useState(false);
  const list = useQuery(
    () => api.call('billing.payments.list', { page, limit: PAGE_SIZE, ...(method ? { method } : {}) }),
    [page, method],
  );
  const data = list.data;
  return (
    <>
      <PageHeader
        title={he.billing.title}
        subtitle={he.billing.subtitle}
        actions={
          <button className="btn btn-primary" onClick={() => setDialog(true)} data-testid="new-payment">
            <Plus size={16} /> {p.record}
          </button>
        }
      />
      <BillingTabs />
      <section className="card crm-card">
        <div className="crm-toolbar">
          <select
            className="select"
            aria-label={p.columns.method}
            value={method}
            onChange={(e) => {
              const next = new URLSearchParams();
              if (e.target.value) next.set('method', e.target.value);
              setParams(next, { replace: true });
            }}
          >
            <option value="">{p.allMethods}</option>
            {PAYMENT_METHODS.map((m) => (
              <option key={m} value={m}>
                {he.billing.methods[m]}
              </option>
            ))}
          </select>
          {data && (
            <span className="crm-count" data-testid="payment-total">
              <Num value={data.total} /> {p.count}
            </span>
          )}
        </div>
        {list.loading && !data && <Loading />}
        {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
        {data && data.items.length === 0 && (
          <EmptyState title={p.empty}>
            <p>{p.emptyHint}</p>
          </EmptyState>
        )}
        {data && data.items.length > 0 && (
          <table className="table crm-table billing-table" data-testid="payment-table">
            <thead>
              <tr>
                <th>{p.columns.date}</th>
                <th>{p.columns.customer}</th>
                <th>{p.columns.method}</th>
                <th className="amount">{p.columns.amount}</th>
                <th>{p.columns.document}</th>
                <th>{p.columns.receipt}</th>
                <th>{p.columns.status}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((x) => {
                const target = x.documentId ?? x.receiptDocumentId;
                return (
                  <tr
                    key={x.id}
                    onClick={() => target && navigate(`/invoices/${target}`)}
                    style={target ? undefined : { cursor: 'default' }}
                  >
                    <td className="muted">
                      <bdi className="num">{formatDate(x.paidAt ?? x.createdAt)}</bdi>
                    </td>
                    <td className="name">{x.customerName || he.crm.customers.noName}</td>
                    <td>{he.billing.methods[x.method]}</td>
                    <td className="amount">
                      <Money agorot={x.amountAgorot} />
                    </td>
                    <td>
                      {x.documentId ? (
                        <Link to={`/invoices/${x.documentId}`} onClick={(e) => e.stopPropagation()}>
                          {he.billing.types.tax_invoice} <bdi className="num">{x.documentNumber}</bdi>
                        </Link>
                      ) : (
                        <span className="muted">{p.noDocument}</span>
                      )}
                    </td>
                    <td>
                      {x.receiptDocumentId ? (
                        <Link to={`/invoices/${x.receiptDocumentId}`} onClick={(e) => e.stopPropagation()}>
                          <bdi className="num">{x.receiptNumber}</bdi>
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[x.status]}`}>{p.status[x.status]}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {data && <Pager page={page} total={data.total} onPage={setPage} />}
      </section>
      {dialog && (
        <RecordPaymentDialog
          onClose={() => setDialog(false)}
          onSaved={() => {
            setDialog(false);
            list.reload();
          }}
        />
      )}
    </>
  );
}

/** Issued tax invoices not fully paid, oldest due first, with the total due. */
export function UnpaidPage() {
  const navigate = useNavigate();
  const [page, setPage] = usePage();
  const [paying, setPaying] = useState<null | {
    id: number;
    number: number;
    customerId: number | null;
    customerName: string | null;
    dueAgorot: number;
  }>(null);
  const list = useQuery(() => api.call('billing.payments.unpaid', { page, limit: PAGE_SIZE }), [page]);
  const data = list.data;
  return (
    <>
      <PageHeader title={he.billing.title} subtitle={he.billing.subtitle} />
      <BillingTabs />
      {data && (
        <div className="kpis-billing">
          <div className="stat-tile" data-testid="unpaid-total">
            <div className="label">{u.totalDue}</div>
            <div className="value">
              <Money agorot={data.totalDueAgorot} />
            </div>
          </div>
          <div className="stat-tile">
            <div className="label">{u.count}</div>
            <div className="value">
              <Num value={data.count} />
            </div>
          </div>
        </div>
      )}
      <section className="card crm-card">
        {list.loading && !data && <Loading />}
        {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
        {data && data.items.length === 0 && (
          <EmptyState title={u.empty}>
            <p>{u.emptyHint}</p>
          </EmptyState>
        )}
        {data && data.items.length > 0 && (
          <table className="table crm-table billing-table" data-testid="unpaid-table">
            <thead>
              <tr>
                <th>{u.columns.number}</th>
                <th>{u.columns.customer}</th>
                <th>{u.columns.issueDate}</th>
                <th>{u.columns.dueDate}</th>
                <th className="amount">{u.columns.total}</th>
                <th className="amount">{u.columns.paid}</th>
                <th className="amount">{u.columns.balance}</th>
                <th>{u.overdue}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.items.map((x) => (
                <tr key={x.documentId} onClick={() => navigate(`/invoices/${x.documentId}`)}>
                  <td className="doc-number">
                    {he.billing.types.tax_invoice} <bdi className="num">{x.number}</bdi>
                  </td>
                  <td className="name">{x.customerName || he.crm.customers.noName}</td>
                  <td className="muted">
                    <bdi className="num">{showIsoDate(x.issueDate)}</bdi>
                  </td>
                  <td className="muted">
                    <bdi className="num">{showIsoDate(x.dueDate) || '—'}</bdi>
                  </td>
                  <td className="amount">
                    <Money agorot={x.totalAgorot} />
                  </td>
                  <td className="amount muted">
                    <Money agorot={x.paidAgorot} />
                  </td>
                  <td className="amount">
                    <Money agorot={x.dueAgorot} />
                  </td>
                  <td>
                    {x.daysOverdue > 0 ? (
                      <span className="badge badge-fail">
                        <Counted n={x.daysOverdue} forms={u.days} />
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    <button
                      className="btn btn-sm"
                      onClick={(e) => {
                        e.stopPropagation();
                        setPaying({
                          id: x.documentId,
                          number: x.number,
                          customerId: x.customerId,
                          customerName: x.customerName,
                          dueAgorot: x.dueAgorot,
                        });
                      }}
                    >
                      {p.record}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data && <Pager page={page} total={data.total} onPage={setPage} />}
      </section>
      {paying && (
        <RecordPaymentDialog
          document={{
            id: paying.id,
            type: 'tax_invoice',
            number: paying.number,
            customerId: paying.customerId,
            customerName: paying.customerName,
            balanceAgorot: paying.dueAgorot,
          }}
          onClose={() => setPaying(null)}
          onSaved={() => {
            setPaying(null);
            list.reload();
          }}
        />
      )}
    </>
  );
}
