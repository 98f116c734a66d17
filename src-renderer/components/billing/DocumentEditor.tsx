import { Plus, Trash2 } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { lineInputSchema, type LineInput } from '../../../src-main/api/contract/billing';
import { api, ApiCallError } from '../../api';
import { he } from '../../i18n/he';
import { CustomerPicker } from '../crm/CustomerPicker';
import { Modal } from '../crm/Modal';
import { fieldErrors } from '../crm/util';
import { SelectField } from '../SelectField';
import { errorMessage } from '../States';
import { DateInput, israelToday } from './DateInput';
import { Money } from '../format';
import { parseShekels, shekelsText } from './Money';
import { PaymentFields, checkPayment, emptyPayment, type PaymentDraft } from './PaymentFields';
import { PdfFrame } from './PdfFrame';
import {
  FORM_TYPES,
  MANUAL_METHODS,
  type BillingDocument,
  type FileRef,
  type FormType,
  type ManualMethod,
  type Totals,
} from './types';

const f = he.billing.form;
const e = f.errors;
const problems = he.billing.problems;

interface LineDraft {
  key: number;
  description: string;
  quantity: string;
  unitPrice: string;
  discount: string;
  discountKind: 'agorot' | 'percent';
}
interface CustomerInfo {
  address: string | null;
  phoneDisplay: string;
  email: string | null;
}
interface FormState {
  type: FormType;
  customer: { id: number; name: string } | null;
  /** '' none; null while what is typed is not a date. */
  dueDate: string | null;
  notes: string;
  allocationNumber: string;
  customerIdNumber: string;
  lines: LineDraft[];
  payments: PaymentDraft[];
  /** The first payment's amount follows the total until the owner types one. */
  payAuto: boolean;
}

let nextKey = 1;
const blankLine = (): LineDraft => ({
  key: nextKey++,
  description: '',
  quantity: '1',
  unitPrice: '',
  discount: '',
  discountKind: 'agorot',
});
const takesPayments = (t: FormType) => t === 'receipt' || t === 'tax_invoice_receipt';
const addDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function fromDocument(d: BillingDocument): FormState {
  return {
    type: d.type === 'credit_note' ? 'tax_invoice' : d.type,
    customer: d.customerId ? { id: d.customerId, name: d.customer?.name ?? '' } : null,
    dueDate: d.dueDate ?? '',
    notes: d.notes,
    allocationNumber: d.allocationNumber ?? '',
    customerIdNumber: d.customer?.idNumber ?? '',
    lines: d.lines.length
      ? d.lines.map((l) => ({
          key: nextKey++,
          description: l.description,
          quantity: String(l.quantity),
          unitPrice: shekelsText(l.unitPriceAgorot),
          discount: !l.discount
            ? ''
            : l.discount.kind === 'percent'
              ? String(l.discount.percent)
              : shekelsText(l.discount.agorot),
          discountKind: l.discount?.kind ?? 'agorot',
        }))
      : [blankLine()],
    payments: d.payments.map((p) => ({
      ...emptyPayment(p.date, shekelsText(p.amountAgorot)),
      method: (MANUAL_METHODS as readonly string[]).includes(p.method) ? (p.method as ManualMethod) : 'cash',
      chequeNumber: p.details.chequeNumber ?? '',
      bank: p.details.bank ?? '',
      branch: p.details.branch ?? '',
      account: p.details.account ?? '',
      cardLast4: p.details.cardLast4 ?? '',
      installments: p.details.installments ? String(p.details.installments) : '',
      reference: p.details.reference ?? '',
    })),
    payAuto: d.payments.length === 0,
  };
}

/** Every field's problem at once, and the lines that are fine (for the live totals). */
function check(form: FormState, needs: { allocation: boolean; customerId: boolean }) {
  const errors: Record<string, string> = {};
  const lines: LineInput[] = [];
  if (!form.customer) errors.customer = e.customer;
  if (form.dueDate === null) errors.dueDate = e.date;
  if (form.lines.length === 0) errors.lines = e.lines;
  for (const l of form.lines) {
    const k = `line.${l.key}`;
    const before = Object.keys(errors).length;
    const description = l.description.trim();
    if (!description) errors[`${k}.description`] = e.description;
    const q = Number(l.quantity.replace(',', '.').trim());
    const qOk =
      l.quantity.trim() !== '' &&
      Number.isFinite(q) &&
      q > 0 &&
      Math.abs(Math.round(q * 1000) - q * 1000) < 1e-6;
    if (!qOk) errors[`${k}.quantity`] = e.quantity;
    const price = parseShekels(l.unitPrice);
    if (price === null || price < 0) errors[`${k}.unitPrice`] = l.unitPrice.trim() ? e.unitPrice : e.required;
    let discount: LineInput['discount'];
    if (l.discount.trim()) {
      if (l.discountKind === 'percent') {
        const p = Number(l.discount.replace('%', '').trim());
        if (!Number.isFinite(p) || p < 0 || p > 100) errors[`${k}.discount`] = e.discount;
        else discount = { kind: 'percent', percent: Math.round(p * 100) / 100 };
      } else {
        const a = parseShekels(l.discount);
        const gross = qOk && price !== null ? Math.round(q * price) : Infinity;
        if (a === null || a < 0 || a > gross) errors[`${k}.discount`] = e.discount;
        else discount = { kind: 'agorot', agorot: a };
      }
    }
    if (Object.keys(errors).length > before) continue;
    // The API's own schema has the last word on a line.
    const parsed = lineInputSchema.safeParse({
      description,
      quantity: q,
      unitPriceAgorot: price,
      ...(discount ? { discount } : {}),
    });
    if (parsed.success) lines.push(parsed.data);
    else errors[`${k}.description`] = e.invalid;
  }
  const allocation = form.allocationNumber.trim();
  if (allocation && !/^\d{9}$/.test(allocation)) errors.allocationNumber = e.allocation;
  else if (!allocation && needs.allocation) errors.allocationNumber = problems.allocation_number_required!;
  const idNumber = form.customerIdNumber.trim();
  if (idNumber && !/^\d{5,9}$/.test(idNumber)) errors.customerIdNumber = e.digits;
  else if (!idNumber && needs.customerId) errors.customerIdNumber = problems.customer_id_required!;
  const payments = takesPayments(form.type)
    ? form.payments.map((p, i) => {
        const c = checkPayment(p);
        for (const [field, msg] of Object.entries(c.errors)) errors[`pay.${i}.${field}`] = msg;
        return c.value;
      })
    : [];
  if (takesPayments(form.type) && form.payments.length === 0) errors.payments = problems.payments_mismatch!;
  return { errors, lines, payments: payments.filter((p) => p !== null) };
}

/** The draft as the API takes it (only when every field is fine). */
function toDraft(
  form: FormState,
  lines: LineInput[],
  payments: ReturnType<typeof check>['payments'],
  info: CustomerInfo | null,
) {
  const idNumber = form.customerIdNumber.trim();
  // An ID number typed here is printed with the customer's own details (the CRM keeps its record).
  const details =
    idNumber && form.customer
      ? {
          name: form.customer.name,
          idNumber,
          ...(info?.address ? { address: info.address } : {}),
          ...(info?.phoneDisplay ? { phone: info.phoneDisplay } : {}),
          ...(info?.email ? { email: info.email } : {}),
        }
      : null;
  return {
    type: form.type,
    customerId: form.customer?.id ?? null,
    customerDetails: details,
    dueDate: form.dueDate || null,
    lines,
    payments: takesPayments(form.type) ? payments : [],
    allocationNumber: form.allocationNumber.trim() || null,
    notes: form.notes.trim(),
  };
}

/**
 * Create or edit a draft: type, customer, lines, live totals (the server's own math), VAT, notes,
 * due date, payment details for receipts, a live PDF preview, and "הפק מסמך" with a confirmation.
 * Every field's error is shown at once — when leaving the field, and all of them on issuing.
 */
export function DocumentEditor({
  draft,
  initialType,
  initialCustomer,
  dealId,
  onIssued,
}: {
  draft?: BillingDocument;
  /** Shown in place (an opened draft); without it the new document's page opens. */
  onIssued?: (doc: BillingDocument) => void;
  initialType?: FormType;
  initialCustomer?: { id: number; name: string } | null;
  dealId?: number | null;
}) {
  const navigate = useNavigate();
  const today = israelToday();
  const [form, setForm] = useState<FormState>(() =>
    draft
      ? fromDocument(draft)
      : {
          type: initialType ?? 'tax_invoice',
          customer: initialCustomer ?? null,
          dueDate: '',
          notes: '',
          allocationNumber: '',
          customerIdNumber: '',
          lines: [blankLine()],
          payments: [emptyPayment(today)],
          payAuto: true,
        },
  );
  // Saves run one after another; the ref always has the id the last one made.
  const idRef = useRef<number | null>(draft?.id ?? null);
  const setDraftId = (id: number) => {
    idRef.current = id;
  };
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [totals, setTotals] = useState<Totals | null>(null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string>('');
  const [saveState, setSaveState] = useState<'idle' | 'saving' | 'saved' | 'failed'>(
    draft ? 'saved' : 'idle',
  );
  const [preview, setPreview] = useState<FileRef | null>(null);
  const [previewState, setPreviewState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const [confirm, setConfirm] = useState<'issue' | 'delete' | null>(null);
  const [issuing, setIssuing] = useState(false);
  const [info, setInfo] = useState<(CustomerInfo & { id: number }) | null>(null);
  // The picked customer's details (printed with an ID number typed here).
  const customerId = form.customer?.id;
  useEffect(() => {
    if (!customerId) return setInfo(null);
    let live = true;
    api
      .call('crm.customers.get', { id: customerId })
      .then(
        (c) =>
          live && setInfo({ id: c.id, address: c.address, phoneDisplay: c.phoneDisplay, email: c.email }),
      )
      .catch(() => live && setInfo({ id: customerId, address: null, phoneDisplay: '', email: null }));
    return () => {
      live = false;
    };
  }, [customerId]);

  // Payment terms from the billing settings: a new invoice is due after them.
  useEffect(() => {
    if (draft) return;
    let live = true;
    api
      .call('billing.settings.get', {})
      .then(
        (s) =>
          live &&
          setForm((x) =>
            x.dueDate === '' && x.type === 'tax_invoice' && s.paymentTermsDays > 0
              ? { ...x, dueDate: addDays(today, s.paymentTermsDays) }
              : x,
          ),
      )
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [draft, today]);

  const needAllocation = totals?.requirements.allocationNumber ?? false;
  const needCustomerId = totals?.requirements.customerId ?? false;
  const needs = { allocation: needAllocation, customerId: needCustomerId };
  const checked = useMemo(
    () => check(form, { allocation: needAllocation, customerId: needCustomerId }),
    [form, needAllocation, needCustomerId],
  );
  const errors = checked.errors;
  const shown = (key: string) => submitted || touched.has(key);
  const err = (key: string) => (shown(key) ? (errors[key] ?? serverErrors[key]) : serverErrors[key]);
  const blur = (key: string) => setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
  const update = (patch: Partial<FormState>) => {
    setForm((x) => ({ ...x, ...patch }));
    setServerErrors({});
  };
  const setLine = (key: number, patch: Partial<LineDraft>) =>
    update({ lines: form.lines.map((l) => (l.key === key ? { ...l, ...patch } : l)) });

  // Live totals: the server computes them with the function issuing uses (never in the browser).
  const totalsInput = JSON.stringify({
    type: form.type,
    customerId: form.customer?.id ?? null,
    lines: checked.lines,
    payments: takesPayments(form.type) ? checked.payments : [],
    allocationNumber: /^\d{9}$/.test(form.allocationNumber.trim()) ? form.allocationNumber.trim() : null,
  });
  useEffect(() => {
    let live = true;
    const h = setTimeout(() => {
      api
        .call('billing.documents.totals', JSON.parse(totalsInput) as never)
        .then((r) => live && setTotals(r))
        .catch(() => undefined);
    }, 200);
    return () => {
      live = false;
      clearTimeout(h);
    };
  }, [totalsInput]);
  // The first payment of a receipt follows the total until the owner types its amount.
  useEffect(() => {
    if (!totals || !form.payAuto || !takesPayments(form.type) || form.payments.length !== 1) return;
    const amount = totals.totalAgorot > 0 ? shekelsText(totals.totalAgorot) : '';
    if (form.payments[0]!.amount !== amount)
      setForm((x) => ({ ...x, payments: [{ ...x.payments[0]!, amount }] }));
  }, [totals, form.payAuto, form.type, form.payments]);

  // Saving the draft and its preview: automatically once the form is complete, a moment after typing.
  const complete = Object.keys(errors).length === 0;
  const draftInput =
    complete && (!form.customer || info?.id === form.customer.id)
      ? JSON.stringify(toDraft(form, checked.lines, checked.payments, info))
      : null;
  // An opened draft is already saved as it is: the first automatic save is not needed.
  const saved = useRef<string | null>(draft ? draftInput : null);
  const saving = useRef<Promise<number> | null>(null);

  const save = async (input: string): Promise<number> => {
    while (saving.current) await saving.current.catch(() => undefined);
    const known = idRef.current;
    if (known !== null && saved.current === input) return known;
    const run = (async () => {
      setSaveState('saving');
      const body = JSON.parse(input) as ReturnType<typeof toDraft>;
      const doc =
        known === null
          ? await api.call('billing.documents.createDraft', { ...body, dealId: dealId ?? null })
          : await api.call('billing.documents.updateDraft', { id: known, ...body });
      saved.current = input;
      setDraftId(doc.id);
      setSaveState('saved');
      if (known === null) window.history.replaceState(null, '', `#/invoices/${doc.id}`);
      return doc.id;
    })();
    saving.current = run;
    try {
      return await run;
    } catch (err) {
      setSaveState('failed');
      setServerErrors(serverFieldErrors(err));
      throw err;
    } finally {
      saving.current = null;
    }
  };
  const refreshPreview = async (id: number) => {
    setPreviewState('busy');
    try {
      setPreview(await api.call('billing.documents.preview', { id }));
      setPreviewState('idle');
    } catch {
      setPreviewState('failed');
    }
  };
  useEffect(() => {
    if (!draftInput) return;
    const h = setTimeout(() => {
      save(draftInput)
        .then((id) => refreshPreview(id))
        .catch(() => undefined);
    }, 900);
    return () => clearTimeout(h);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draftInput]);
  // An existing draft shows its preview at once.
  useEffect(() => {
    if (draft) void refreshPreview(draft.id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const firstError = () => {
    const el = document.querySelector<HTMLElement>('.doc-form [aria-invalid="true"]');
    el?.focus();
  };
  const startIssue = async () => {
    setSubmitted(true);
    setNotice('');
    if (!draftInput) {
      setNotice(f.fixErrors);
      setTimeout(firstError, 0);
      return;
    }
    try {
      await save(draftInput);
    } catch (err) {
      setNotice(errorText(err));
      return;
    }
    const blocking = (totals?.problems ?? []).filter(
      (p) => p !== 'allocation_number_required' || !form.allocationNumber,
    );
    if (blocking.length) {
      setNotice(blocking.map((p) => problems[p] ?? p).join(' · '));
      return;
    }
    setConfirm('issue');
  };
  const issue = async () => {
    const id = idRef.current;
    if (id === null) return;
    setIssuing(true);
    try {
      const allocation = form.allocationNumber.trim();
      const doc = await api.call('billing.documents.issue', {
        id,
        ...(allocation ? { allocationNumber: allocation } : {}),
      });
      if (onIssued) onIssued(doc);
      else navigate(`/invoices/${doc.id}`, { replace: true });
    } catch (err) {
      setConfirm(null);
      setNotice(errorText(err));
      setServerErrors(serverFieldErrors(err));
    } finally {
      setIssuing(false);
    }
  };
  const remove = async () => {
    const id = idRef.current;
    if (id === null) return navigate('/invoices');
    try {
      await api.call('billing.documents.deleteDraft', { id });
      navigate('/invoices', { replace: true });
    } catch (err) {
      setConfirm(null);
      setNotice(errorText(err));
    }
  };

  const vatRate = totals ? totals.vatRateBp / 100 : null;
  const payments = takesPayments(form.type);
  const paySum = checked.payments.reduce((s, p) => s + p.amountAgorot, 0);
  const title = draft ? f.editTitle : f.newTitle;

  return (
    <>
      <div className="doc-head">
        <div>
          <Link to="/invoices" className="muted">
            {f.back}
          </Link>
          <h1>{title}</h1>
        </div>
        <div className="doc-actions">
          <span className="muted" role="status" data-testid="draft-state" data-state={saveState}>
            {saveState === 'saving' && f.savingDraft}
            {saveState === 'saved' && f.draftSaved}
            {saveState === 'failed' && f.draftSaveFailed}
          </span>
          <button className="btn btn-ghost btn-danger" type="button" onClick={() => setConfirm('delete')}>
            <Trash2 size={16} /> {f.deleteDraft}
          </button>
          <button
            className="btn"
            type="button"
            disabled={!draftInput}
            onClick={() =>
              draftInput &&
              void save(draftInput)
                .then(refreshPreview)
                .catch(() => undefined)
            }
            data-testid="save-draft"
          >
            {f.saveDraft}
          </button>
          <button
            className="btn btn-primary"
            type="button"
            onClick={() => void startIssue()}
            data-testid="issue"
          >
            {f.issue}
          </button>
        </div>
      </div>
      {notice && !(notice === f.fixErrors && complete) && (
        <div className="notice notice-error" role="alert" data-testid="form-notice">
          {notice}
          {notice.includes(problems.business_details_missing!) && (
            <>
              {' '}
              <Link to="/settings">{he.billing.toSettings}</Link>
            </>
          )}
        </div>
      )}
      <div className="doc-editor">
        <form
          className="card doc-form"
          data-testid="document-form"
          noValidate
          onSubmit={(ev) => {
            ev.preventDefault();
            void startIssue();
          }}
        >
          <div className="grid grid-2">
            <SelectField
              id="doc-type"
              label={f.type}
              value={form.type}
              options={FORM_TYPES}
              labels={he.billing.types}
              onChange={(type) => update({ type })}
            />
            <div className="field">
              <label>{f.customer}</label>
              <div aria-invalid={err('customer') ? 'true' : undefined} tabIndex={-1}>
                <CustomerPicker
                  value={form.customer}
                  onChange={(customer) => {
                    update({ customer });
                    blur('customer');
                  }}
                />
              </div>
              {err('customer') && <span className="error">{err('customer')}</span>}
            </div>
            <DateInput
              id="doc-due"
              label={form.type === 'proposal' ? f.validUntil : f.dueDate}
              value={form.dueDate ?? ''}
              optional
              onChange={(dueDate) => update({ dueDate })}
              onBlur={() => blur('dueDate')}
              error={err('dueDate')}
            />
            {(needs.customerId || form.customerIdNumber) && (
              <div className="field">
                <label htmlFor="doc-cid">{f.customerId}</label>
                <input
                  id="doc-cid"
                  className="input"
                  dir="ltr"
                  inputMode="numeric"
                  value={form.customerIdNumber}
                  aria-invalid={err('customerIdNumber') ? 'true' : undefined}
                  onChange={(ev) => update({ customerIdNumber: ev.target.value })}
                  onBlur={() => blur('customerIdNumber')}
                />
                {err('customerIdNumber') && <span className="error">{err('customerIdNumber')}</span>}
              </div>
            )}
            {(needs.allocation || form.allocationNumber) && form.type !== 'proposal' && (
              <div className="field">
                <label htmlFor="doc-alloc">{f.allocation}</label>
                <input
                  id="doc-alloc"
                  className="input"
                  dir="ltr"
                  inputMode="numeric"
                  maxLength={9}
                  value={form.allocationNumber}
                  aria-invalid={err('allocationNumber') ? 'true' : undefined}
                  onChange={(ev) => update({ allocationNumber: ev.target.value })}
                  onBlur={() => blur('allocationNumber')}
                />
                {totals?.requirements.allocationThresholdAgorot != null && (
                  <span className="hint" style={{ fontSize: 'var(--text-xs)' }}>
                    {f.allocationHint.split('{amount}')[0]}
                    <Money agorot={totals.requirements.allocationThresholdAgorot} />
                    {f.allocationHint.split('{amount}')[1]}
                  </span>
                )}
                {err('allocationNumber') && <span className="error">{err('allocationNumber')}</span>}
              </div>
            )}
          </div>

          <div className="form-section">
            <h3>{f.lines}</h3>
            <div className="doc-lines" data-testid="doc-lines">
              {form.lines.map((l, i) => {
                const k = `line.${l.key}`;
                const idx = checked.lines.length === form.lines.length ? i : -1;
                const lineTotal = idx >= 0 ? totals?.lines[idx]?.totalAgorot : undefined;
                const cell = (field: 'description' | 'quantity' | 'unitPrice' | 'discount', ltr: boolean) => {
                  const id = `line-${l.key}-${field}`;
                  return (
                    <div className={`inline-field c-${field}`}>
                      <label htmlFor={id}>{f[field]}</label>
                      <input
                        id={id}
                        className="input"
                        dir={ltr ? 'ltr' : undefined}
                        inputMode={ltr ? 'decimal' : undefined}
                        value={l[field]}
                        aria-invalid={err(`${k}.${field}`) ? 'true' : undefined}
                        onChange={(ev) => setLine(l.key, { [field]: ev.target.value })}
                        onBlur={() => blur(`${k}.${field}`)}
                        data-testid={`line-${field}`}
                      />
                      {err(`${k}.${field}`) && <span className="error">{err(`${k}.${field}`)}</span>}
                    </div>
                  );
                };
                return (
                  <div className="doc-line" key={l.key} data-testid="doc-line">
                    <span className="c-index">
                      <bdi className="num">{i + 1}</bdi>
                    </span>
                    {cell('description', false)}
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm c-remove"
                      aria-label={`${f.removeLine} ${i + 1}`}
                      title={f.removeLine}
                      disabled={form.lines.length === 1}
                      onClick={() => update({ lines: form.lines.filter((x) => x.key !== l.key) })}
                    >
                      <Trash2 size={16} />
                    </button>
                    {cell('quantity', true)}
                    {cell('unitPrice', true)}
                    <div className="c-discount-box">
                      {cell('discount', true)}
                      <select
                        className="select"
                        aria-label={`${f.discountKind} · ${i + 1}`}
                        value={l.discountKind}
                        onChange={(ev) =>
                          setLine(l.key, { discountKind: ev.target.value as 'agorot' | 'percent' })
                        }
                      >
                        <option value="agorot">{f.discountKinds.agorot}</option>
                        <option value="percent">{f.discountKinds.percent}</option>
                      </select>
                    </div>
                    <div className="inline-field c-total" data-testid="line-total">
                      <label>{f.lineTotal}</label>
                      <span className="c-total-value">
                        {lineTotal != null ? (
                          <Money exact agorot={lineTotal} />
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </span>
                    </div>
                  </div>
                );
              })}
            </div>
            {err('lines') && <span className="error">{err('lines')}</span>}
            <button
              type="button"
              className="btn btn-sm"
              style={{ marginTop: 8 }}
              onClick={() => update({ lines: [...form.lines, blankLine()] })}
              data-testid="add-line"
            >
              <Plus size={16} /> {f.addLine}
            </button>

            <div className="totals" data-testid="totals" aria-live="polite">
              <div className="row">
                <span>{f.subtotal}</span>
                {totals ? (
                  <Money exact agorot={totals.subtotalAgorot} testId="total-subtotal" />
                ) : (
                  <span>—</span>
                )}
              </div>
              <div className="row">
                {totals && totals.vatRateBp === 0 ? (
                  <span data-testid="no-vat">{f.noVat}</span>
                ) : (
                  <>
                    <span>
                      {f.vat.split('{rate}')[0]}
                      <bdi className="num">{vatRate ?? ''}</bdi>
                      {f.vat.split('{rate}')[1]}
                    </span>
                    {totals ? <Money exact agorot={totals.vatAgorot} testId="total-vat" /> : <span>—</span>}
                  </>
                )}
              </div>
              <div className="row grand">
                <span>{f.total}</span>
                {totals ? <Money exact agorot={totals.totalAgorot} testId="total-grand" /> : <span>—</span>}
              </div>
            </div>
          </div>

          {payments && (
            <div className="form-section" data-testid="doc-payments">
              <h3>{f.payment}</h3>
              {form.payments.map((p, i) => (
                <div key={i} style={{ marginBottom: 12 }}>
                  <PaymentFields
                    idPrefix={`dp${i}`}
                    value={p}
                    errors={Object.fromEntries(
                      Object.entries(errors)
                        .filter(([k]) => k.startsWith(`pay.${i}.`))
                        .map(([k, v]) => [k.slice(`pay.${i}.`.length), v]),
                    )}
                    shown={(field) => shown(`pay.${i}.${field}`)}
                    onBlur={(field) => blur(`pay.${i}.${field}`)}
                    onChange={(next) =>
                      update({
                        payments: form.payments.map((x, j) => (j === i ? next : x)),
                        payAuto: form.payAuto && next.amount === p.amount,
                      })
                    }
                  />
                  {form.payments.length > 1 && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      onClick={() => update({ payments: form.payments.filter((_, j) => j !== i) })}
                    >
                      {f.removePayment}
                    </button>
                  )}
                </div>
              ))}
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => update({ payments: [...form.payments, emptyPayment(today)], payAuto: false })}
              >
                <Plus size={16} /> {f.addPayment}
              </button>
              {totals && checked.payments.length > 0 && paySum !== totals.totalAgorot && (
                <p className="error" style={{ marginTop: 8 }} data-testid="payments-diff">
                  {problems.payments_mismatch} ({f.paymentsSum} <Money exact agorot={paySum} />)
                </p>
              )}
              {err('payments') && <span className="error">{err('payments')}</span>}
            </div>
          )}

          <div className="form-section">
            <div className="field">
              <label htmlFor="doc-notes">{f.notes}</label>
              <textarea
                id="doc-notes"
                className="textarea"
                maxLength={4000}
                value={form.notes}
                onChange={(ev) => update({ notes: ev.target.value })}
              />
            </div>
          </div>
        </form>
        <section className="card sticky-card" data-testid="preview-card">
          <h2>{f.preview}</h2>
          <p className="hint">{f.previewHint}</p>
          <PdfFrame
            file={preview}
            title={f.preview}
            busy={previewState === 'busy' || saveState === 'saving'}
            failed={previewState === 'failed'}
            emptyText={f.previewWaiting}
            testId="preview"
          />
        </section>
      </div>
      {confirm === 'issue' && totals && (
        <Modal
          title={f.issueTitle.replace('{type}', he.billing.types[form.type])}
          onClose={() => !issuing && setConfirm(null)}
          testId="issue-confirm"
        >
          <p>{f.issueConfirm}</p>
          <p>
            <strong>
              {form.customer?.name} · <Money exact agorot={totals.totalAgorot} />
            </strong>
          </p>
          <div className="form-actions">
            <button
              className="btn btn-primary"
              disabled={issuing}
              onClick={() => void issue()}
              data-testid="issue-confirm-button"
            >
              {issuing ? f.issuing : f.issueConfirmButton}
            </button>
            <button className="btn btn-ghost" disabled={issuing} onClick={() => setConfirm(null)}>
              {he.common.cancel}
            </button>
          </div>
        </Modal>
      )}
      {confirm === 'delete' && (
        <Modal title={f.deleteDraft} onClose={() => setConfirm(null)} testId="delete-confirm">
          <p>{f.deleteConfirm}</p>
          <div className="form-actions">
            <button className="btn btn-danger" onClick={() => void remove()}>
              {f.deleteDraft}
            </button>
            <button className="btn btn-ghost" onClick={() => setConfirm(null)}>
              {he.common.cancel}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

/** The Hebrew reason for a refused save or issue (the API's problem code when it has one). */
export function errorText(err: unknown): string {
  if (err instanceof ApiCallError) {
    const code = err.body.error ?? err.body.code;
    if (code && problems[code]) return problems[code]!;
    const details = err.body.details as { problems?: string[] } | undefined;
    if (details?.problems?.length) return details.problems.map((p) => problems[p] ?? p).join(' · ');
    // Never the server's English message on the owner's screen.
    if (err.body.code !== 'storage_full' && err.status !== 401 && err.body.code !== 'feature_disabled')
      return err.body.code === 'bad_input' ? he.common.badInput : he.billing.failed;
  }
  return errorMessage(err);
}

/** The API's field errors mapped onto this form's fields (top-level keys of the draft). */
function serverFieldErrors(err: unknown): Record<string, string> {
  const fe = fieldErrors(err);
  const out: Record<string, string> = {};
  if (fe.customerId || fe.customerDetails) out.customer = e.invalid;
  if (fe.dueDate) out.dueDate = e.date;
  if (fe.lines) out.lines = e.invalid;
  if (fe.allocationNumber) out.allocationNumber = e.allocation;
  if (fe.payments) out.payments = e.invalid;
  if (err instanceof ApiCallError) {
    const code = err.body.error ?? err.body.code;
    if (code === 'allocation_number_required') out.allocationNumber = problems[code]!;
    if (code === 'customer_id_required') out.customerIdNumber = problems[code]!;
    if (code === 'no_customer') out.customer = problems[code]!;
  }
  return out;
}
