import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { he } from '../../i18n/he';
import { CustomerPicker } from '../crm/CustomerPicker';
import { Modal } from '../crm/Modal';
import { fromLocalInput } from '../crm/util';
import { israelToday } from './DateInput';
import { errorText } from './DocumentEditor';
import { DocName } from './labels';
import { Money } from '../format';
import { shekelsText } from './Money';
import { PaymentFields, checkPayment, emptyPayment, type PaymentDraft } from './PaymentFields';
import type { DocType } from './types';

const p = he.billing.payments;
const f = he.billing.form;

/**
 * A payment received by hand (cash, cheque, transfer, card at a terminal, Bit), for an invoice or
 * on its own; its receipt is issued at once unless the owner unticks it.
 */
export function RecordPaymentDialog({
  document,
  customer,
  onClose,
  onSaved,
}: {
  document?: {
    id: number;
    type: DocType;
    number: number | null;
    customerId: number | null;
    customerName: string | null;
    balanceAgorot: number;
  };
  customer?: { id: number; name: string } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const today = israelToday();
  const [who, setWho] = useState<{ id: number; name: string } | null>(
    document?.customerId
      ? { id: document.customerId, name: document.customerName ?? '' }
      : (customer ?? null),
  );
  const [pay, setPay] = useState<PaymentDraft>(
    emptyPayment(today, document && document.balanceAgorot > 0 ? shekelsText(document.balanceAgorot) : ''),
  );
  const [notes, setNotes] = useState('');
  const [issueReceipt, setIssueReceipt] = useState(true);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const checked = checkPayment(pay);
  const customerError = !who && !document ? f.errors.customer : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setError('');
    if (!checked.value || customerError) return;
    setBusy(true);
    try {
      const v = checked.value;
      await api.call('billing.payments.record', {
        customerId: who?.id ?? null,
        documentId: document?.id ?? null,
        method: v.method,
        amountAgorot: v.amountAgorot,
        paidAt: v.date === today ? Date.now() : (fromLocalInput(`${v.date}T12:00`) ?? Date.now()),
        details: v.details,
        notes: notes.trim(),
        issueReceipt,
      });
      onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={p.recordTitle} onClose={() => !busy && onClose()} testId="payment-dialog" wide>
      <form onSubmit={submit} noValidate>
        {document ? (
          <p data-testid="payment-for">
            <DocName doc={document} /> · {document.customerName} · {he.billing.view.balance}{' '}
            <Money agorot={document.balanceAgorot} />
          </p>
        ) : (
          <div className="field" style={{ marginBottom: 12 }}>
            <label>{f.customer}</label>
            <CustomerPicker value={who} onChange={setWho} />
            {customerError && submitted && <span className="error">{customerError}</span>}
          </div>
        )}
        <PaymentFields
          idPrefix="rp"
          value={pay}
          onChange={setPay}
          errors={checked.errors}
          shown={(k) => submitted || touched.has(k)}
          onBlur={(k) => setTouched((t) => new Set(t).add(k))}
        />
        <div className="field" style={{ marginTop: 12 }}>
          <label htmlFor="rp-notes">{p.notes}</label>
          <input
            id="rp-notes"
            className="input"
            maxLength={1000}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
          />
        </div>
        <label style={{ display: 'flex', gap: 8, alignItems: 'center', marginTop: 12 }}>
          <input type="checkbox" checked={issueReceipt} onChange={(e) => setIssueReceipt(e.target.checked)} />
          {p.issueReceipt}
        </label>
        {error && (
          <div className="notice notice-error" role="alert" style={{ marginTop: 12 }}>
            {error}
          </div>
        )}
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="payment-save">
            {busy ? he.common.saving : p.record}
          </button>
          <button className="btn btn-ghost" type="button" disabled={busy} onClick={onClose}>
            {he.common.cancel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
