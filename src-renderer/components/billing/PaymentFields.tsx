import type { PaymentDetails } from '../../../src-main/api/contract/billing';
import { he } from '../../i18n/he';
import { SelectField } from '../SelectField';
import { DateInput } from './DateInput';
import { parseShekels } from './Money';
import { MANUAL_METHODS, type ManualMethod } from './types';

const f = he.billing.form;
const e = f.errors;

/** One payment as the owner types it (text fields; converted and checked by `checkPayment`). */
export interface PaymentDraft {
  method: ManualMethod;
  amount: string;
  /** 'YYYY-MM-DD', or null while what is typed is not a date. */
  date: string | null;
  chequeNumber: string;
  bank: string;
  branch: string;
  account: string;
  cardLast4: string;
  installments: string;
  reference: string;
}

export const emptyPayment = (date: string, amount = ''): PaymentDraft => ({
  method: 'cash',
  amount,
  date,
  chequeNumber: '',
  bank: '',
  branch: '',
  account: '',
  cardLast4: '',
  installments: '',
  reference: '',
});

/** Which detail fields each method asks for (what a receipt prints for it). */
const FIELDS: Record<ManualMethod, Array<keyof PaymentDraft>> = {
  cash: [],
  cheque: ['chequeNumber', 'bank', 'branch', 'account'],
  bank_transfer: ['bank', 'branch', 'account', 'reference'],
  card: ['cardLast4', 'installments', 'reference'],
  bit: ['reference'],
};
const LABELS: Partial<Record<keyof PaymentDraft, string>> = {
  chequeNumber: f.chequeNumber,
  bank: f.bank,
  branch: f.branch,
  account: f.account,
  cardLast4: f.cardLast4,
  installments: f.cardPayments,
  reference: f.transferRef,
};
const LTR = new Set<keyof PaymentDraft>(['chequeNumber', 'branch', 'account', 'cardLast4', 'installments']);

export interface CheckedPayment {
  method: ManualMethod;
  amountAgorot: number;
  date: string;
  details: PaymentDetails;
}

/** Every field's problem at once (Hebrew), and the API shape when there is none. */
export function checkPayment(p: PaymentDraft): {
  errors: Partial<Record<keyof PaymentDraft, string>>;
  value: CheckedPayment | null;
} {
  const errors: Partial<Record<keyof PaymentDraft, string>> = {};
  const amountAgorot = parseShekels(p.amount);
  if (!p.amount.trim()) errors.amount = e.required;
  else if (amountAgorot === null || amountAgorot <= 0) errors.amount = e.amount;
  if (p.date === null || p.date === '') errors.date = e.date;
  const used = new Set(FIELDS[p.method]);
  const details: PaymentDetails = {};
  if (used.has('chequeNumber')) {
    if (!p.chequeNumber.trim()) errors.chequeNumber = e.required;
    else if (!/^\d+$/.test(p.chequeNumber.trim())) errors.chequeNumber = e.digits;
    else details.chequeNumber = p.chequeNumber.trim();
  }
  for (const k of ['branch', 'account'] as const) {
    if (!used.has(k) || !p[k].trim()) continue;
    if (!/^\d+$/.test(p[k].trim())) errors[k] = e.digits;
    else details[k] = p[k].trim();
  }
  if (used.has('bank') && p.bank.trim()) details.bank = p.bank.trim();
  if (used.has('cardLast4') && p.cardLast4.trim()) {
    if (!/^\d{4}$/.test(p.cardLast4.trim())) errors.cardLast4 = e.last4;
    else details.cardLast4 = p.cardLast4.trim();
  }
  if (used.has('installments') && p.installments.trim()) {
    const n = Number(p.installments.trim());
    if (!Number.isInteger(n) || n < 1 || n > 36) errors.installments = e.invalid;
    else details.installments = n;
  }
  if (used.has('reference') && p.reference.trim()) details.reference = p.reference.trim();
  const ok = Object.keys(errors).length === 0;
  return {
    errors,
    value: ok ? { method: p.method, amountAgorot: amountAgorot!, date: p.date!, details } : null,
  };
}

/** Method, amount, date and the method's own details, each with its error under it. */
export function PaymentFields({
  idPrefix,
  value,
  onChange,
  errors,
  shown,
  onBlur,
  dateLabel = f.paidAt,
}: {
  idPrefix: string;
  value: PaymentDraft;
  onChange: (next: PaymentDraft) => void;
  errors: Partial<Record<keyof PaymentDraft, string>>;
  /** Which fields' errors to show (left once, or all after a submit). */
  shown: (field: keyof PaymentDraft) => boolean;
  onBlur: (field: keyof PaymentDraft) => void;
  dateLabel?: string;
}) {
  const err = (k: keyof PaymentDraft) => (shown(k) ? errors[k] : undefined);
  const set = <K extends keyof PaymentDraft>(k: K, v: PaymentDraft[K]) => onChange({ ...value, [k]: v });
  const text = (k: keyof PaymentDraft) => (
    <div className="field" key={k}>
      <label htmlFor={`${idPrefix}-${k}`}>
        {k === 'reference' && value.method === 'card' ? f.approval : LABELS[k]}
      </label>
      <input
        id={`${idPrefix}-${k}`}
        className="input"
        dir={LTR.has(k) ? 'ltr' : undefined}
        inputMode={LTR.has(k) ? 'numeric' : undefined}
        value={value[k] ?? ''}
        aria-invalid={err(k) ? 'true' : undefined}
        onChange={(ev) => set(k, ev.target.value as never)}
        onBlur={() => onBlur(k)}
      />
      {err(k) && <span className="error">{err(k)}</span>}
    </div>
  );
  return (
    <>
      <div className="pay-details">
        <SelectField
          id={`${idPrefix}-method`}
          label={f.method}
          value={value.method}
          options={MANUAL_METHODS}
          labels={he.billing.methods}
          onChange={(m) => set('method', m)}
        />
        <div className="field">
          <label htmlFor={`${idPrefix}-amount`}>{f.amount}</label>
          <input
            id={`${idPrefix}-amount`}
            className="input"
            dir="ltr"
            inputMode="decimal"
            value={value.amount}
            aria-invalid={err('amount') ? 'true' : undefined}
            onChange={(ev) => set('amount', ev.target.value)}
            onBlur={() => onBlur('amount')}
          />
          {err('amount') && <span className="error">{err('amount')}</span>}
        </div>
        <DateInput
          id={`${idPrefix}-date`}
          label={value.method === 'cheque' ? f.chequeDate : dateLabel}
          value={value.date ?? ''}
          onChange={(iso) => set('date', iso)}
          onBlur={() => onBlur('date')}
          error={err('date')}
        />
      </div>
      {FIELDS[value.method].length > 0 && (
        <div className="pay-details">{FIELDS[value.method].map((k) => text(k))}</div>
      )}
    </>
  );
}
