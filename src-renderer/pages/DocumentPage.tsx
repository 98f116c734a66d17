import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api, ApiCallError } from '../api';
import { useQuery } from '../api/hooks';
import { DocumentEditor } from '../components/billing/DocumentEditor';
import { DocumentView } from '../components/billing/DocumentView';
import { FORM_TYPES, type FormType } from '../components/billing/types';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { he } from '../i18n/he';
import '../styles/crm.css';
import '../styles/billing.css';

const v = he.billing.view;

/** `/invoices/new?type=&customer=&deal=`: a new draft, the customer (and deal) picked in advance. */
export function DocumentNewPage() {
  const [params] = useSearchParams();
  const type = params.get('type') as FormType | null;
  const customerId = Number(params.get('customer')) || null;
  const dealId = Number(params.get('deal')) || null;
  const customer = useQuery(
    () => (customerId ? api.call('crm.customers.get', { id: customerId }) : Promise.resolve(null)),
    [customerId],
  );
  if (customerId && customer.loading && !customer.data) return <Loading />;
  const c = customer.data;
  return (
    <DocumentEditor
      key={`${type}-${customerId}`}
      initialType={type && (FORM_TYPES as readonly string[]).includes(type) ? type : undefined}
      initialCustomer={c ? { id: c.id, name: c.name } : null}
      dealId={dealId}
    />
  );
}

/** `/invoices/:id`: a draft opens in the editor, an issued or cancelled document in its view. */
export function DocumentPage() {
  const id = Number(useParams().id);
  const q = useQuery(() => api.call('billing.documents.get', { id }), [id]);
  if (q.error instanceof ApiCallError && (q.error.status === 404 || q.error.status === 400)) {
    return (
      <EmptyState title={v.notFound}>
        <p>{v.notFoundHint}</p>
        <Link to="/invoices">{he.billing.form.back}</Link>
      </EmptyState>
    );
  }
  if (q.error !== undefined) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!q.data || q.data.id !== id) return <Loading />;
  if (q.data.status === 'draft') return <DocumentEditor key={id} draft={q.data} onIssued={q.setData} />;
  return <DocumentView doc={q.data} onChanged={q.reload} />;
}
