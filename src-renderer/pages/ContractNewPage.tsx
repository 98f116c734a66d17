import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { PLACEHOLDER_NAMES } from '../../src-main/api/contract/contracts';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { ContractText } from '../components/contracts/ContractText';
import { CustomerPicker } from '../components/crm/CustomerPicker';
import { EmptyState, ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';
import { formatMoney } from '../lib/format';
import { useDebounced } from '../lib/use-debounced';
import '../styles/crm.css';
import '../styles/contracts.css';

const t = he.contracts.create;
type Placeholder = (typeof PLACEHOLDER_NAMES)[number];

/**
 * A new contract: a customer (given by the customer page, or picked here), a template, optionally
 * one of the customer's deals; the text as it will read, and the blanks the template leaves to
 * fill. Creating stores a numbered draft and opens it.
 */
export function ContractNewPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const templates = useQuery(() => api.call('contracts.templates.list'), []);
  const givenCustomer = Number(params.get('customer')) || null;
  // The customer given by the customer page, until the owner picks another (or none).
  const [picked, setPicked] = useState<{ id: number; name: string } | null | undefined>();
  const customerId = picked === undefined ? givenCustomer : (picked?.id ?? null);
  const deals = useQuery(
    () => (customerId ? api.call('crm.customers.get', { id: customerId }) : Promise.resolve(null)),
    [customerId],
  );
  const customer =
    picked !== undefined ? picked : deals.data ? { id: deals.data.id, name: deals.data.name } : null;
  const [templateId, setTemplateId] = useState<number | null>(null);
  const [dealId, setDealId] = useState<number | null>(Number(params.get('deal')) || null);
  const [values, setValues] = useState<Partial<Record<Placeholder, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const tid = templateId ?? templates.data?.[0]?.id ?? null;
  const typed = useDebounced(values, 300);
  const [preview, setPreview] = useState<{ text: string; missing: Placeholder[] }>();
  const [blanks, setBlanks] = useState<Placeholder[]>([]);

  // The customer's deals: a deal given in the address must be this customer's.
  const customerDeals = deals.data?.deals ?? [];
  const deal = customerDeals.some((d) => d.id === dealId) ? dealId : null;

  useEffect(() => {
    if (!tid) return;
    let live = true;
    api
      .call('contracts.preview', {
        templateId: tid,
        ...(customerId ? { customerId } : {}),
        ...(deal ? { dealId: deal } : {}),
        values: Object.fromEntries(Object.entries(typed).filter(([, v]) => v?.trim())),
      })
      .then((r) => {
        if (!live) return;
        setPreview({ text: r.text, missing: r.missing });
        // The fields to fill are what the template leaves blank without the owner's typing.
        setBlanks((prev) => [...new Set([...prev.filter((p) => r.placeholders.includes(p)), ...r.missing])]);
      })
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [tid, customerId, deal, typed]);
  useEffect(() => setBlanks([]), [tid, customerId, deal]);

  const create = async () => {
    if (!customerId || !tid) return;
    setBusy(true);
    setError(undefined);
    try {
      const c = await api.call('contracts.create', {
        customerId,
        templateId: tid,
        ...(deal ? { dealId: deal } : {}),
        values: Object.fromEntries(Object.entries(values).filter(([, v]) => v?.trim())),
      });
      navigate(`/contracts/${c.id}`, { replace: true });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  if (templates.error !== undefined) return <ErrorState error={templates.error} onRetry={templates.reload} />;
  if (!templates.data || (customerId && deals.loading && !deals.data)) return <Loading />;
  if (templates.data.length === 0)
    return (
      <EmptyState title={t.title}>
        <p>{t.noTemplates}</p>
        <Link to="/contracts/templates?id=new">{he.contracts.templates.new}</Link>
      </EmptyState>
    );
  return (
    <>
      <PageHeader title={t.title} subtitle={t.subtitle} />
      <section className="card crm-card contract-editor" data-testid="contract-new">
        <div style={{ display: 'grid', gap: 12 }}>
          <div className="field">
            <span className="label">{t.customer}</span>
            <CustomerPicker value={customer} onChange={setPicked} />
          </div>
          <div className="field">
            <label htmlFor="new-template">{t.template}</label>
            <select
              id="new-template"
              className="select"
              value={tid ?? ''}
              onChange={(e) => setTemplateId(Number(e.target.value))}
              data-testid="new-template"
            >
              {templates.data.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
          {customerId && (
            <div className="field">
              <label htmlFor="new-deal">{t.deal}</label>
              <select
                id="new-deal"
                className="select"
                value={deal ?? ''}
                onChange={(e) => setDealId(Number(e.target.value) || null)}
                data-testid="new-deal"
              >
                <option value="">{t.noDeal}</option>
                {customerDeals.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.title}
                    {d.amountAgorot ? ` · ${formatMoney(d.amountAgorot)}` : ''}
                  </option>
                ))}
              </select>
            </div>
          )}
          {customerId && blanks.length > 0 && (
            <fieldset className="field" data-testid="new-blanks" style={{ border: 0, padding: 0 }}>
              <legend className="label">{t.blanks}</legend>
              <p className="hint">{t.blanksHint}</p>
              {blanks.map((p) => (
                <div className="field" key={p}>
                  <label htmlFor={`blank-${p}`}>{he.contracts.placeholders[p]}</label>
                  <input
                    id={`blank-${p}`}
                    className="input"
                    value={values[p] ?? ''}
                    onChange={(e) => setValues({ ...values, [p]: e.target.value })}
                    data-testid={`blank-${p}`}
                  />
                </div>
              ))}
            </fieldset>
          )}
          {error && (
            <div className="notice notice-warn" role="alert">
              {error}
            </div>
          )}
          <div className="crm-toolbar">
            <button
              className="btn btn-primary"
              disabled={busy || !customerId || !tid}
              onClick={() => void create()}
              data-testid="new-create"
            >
              {t.submit}
            </button>
            <Link className="btn btn-ghost" to={givenCustomer ? `/customers/${givenCustomer}` : '/contracts'}>
              {he.common.cancel}
            </Link>
          </div>
        </div>
        <div>
          <p className="hint">{customerId ? t.preview : t.pickCustomer}</p>
          <div className="contract-preview" data-testid="new-preview">
            {preview ? <ContractText body={preview.text} testId="new-preview-text" /> : <Loading />}
          </div>
        </div>
      </section>
    </>
  );
}
