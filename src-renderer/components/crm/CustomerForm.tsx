import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import type { Customer } from '../../../src-main/api/contract/crm';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES } from '../../../src-main/api/contract/crm';
import { phoneProblem } from '../../../src-main/platform/phone';
import { api, ApiCallError } from '../../api';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { Modal } from './Modal';
import { fieldErrors } from './util';
import { SelectField } from '../SelectField';

const t = he.crm.form;

/** The Hebrew reason a typed phone is refused (the same check as the API's), or ''. */
const phoneMessage = (typed: string): string => {
  const problem = typed.trim() ? phoneProblem(typed) : null;
  return problem ? (t.phoneProblems[problem] ?? t.badPhone) : '';
};

/** Create or edit a customer. The phone may be typed in any form; the core normalizes it. */
export function CustomerFormDialog({
  customer,
  onClose,
  onSaved,
}: {
  customer?: Customer;
  onClose: () => void;
  onSaved: (c: Customer) => void;
}) {
  const [form, setForm] = useState({
    name: customer?.name ?? '',
    phone: customer?.phoneDisplay ?? '',
    email: customer?.email ?? '',
    status: customer?.status ?? 'lead',
    source: customer?.source ?? 'manual',
    tags: customer?.tags.join(', ') ?? '',
    notes: customer?.notes ?? '',
    address: customer?.address ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [existingId, setExistingId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const set = (k: keyof typeof form, v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!form.name.trim()) local.name = t.required;
    const phoneError = phoneMessage(form.phone);
    if (phoneError) local.phone = phoneError;
    setErrors(local);
    setExistingId(null);
    setFailure('');
    if (Object.keys(local).length) return;
    setBusy(true);
    const body = {
      name: form.name.trim(),
      phone: form.phone.trim() || null,
      email: form.email.trim() || null,
      status: form.status,
      source: form.source,
      tags: form.tags
        .split(/[,،]/)
        .map((x) => x.trim())
        .filter(Boolean),
      notes: form.notes,
      address: form.address.trim() || null,
    };
    try {
      const saved = customer
        ? await api.call('crm.customers.update', { id: customer.id, ...body })
        : await api.call('crm.customers.create', body);
      onSaved(saved);
    } catch (err) {
      const fe = fieldErrors(err);
      const mapped: Record<string, string> = {};
      if (fe.phone) mapped.phone = t.phoneProblems[fe.phone] ?? t.badPhone;
      if (fe.email) mapped.email = t.badEmail;
      if (fe.notes || fe.name) mapped[fe.notes ? 'notes' : 'name'] = t.tooLong;
      if (err instanceof ApiCallError && err.body.code === 'conflict') {
        mapped.phone = t.phoneExists;
        setExistingId((err.body.details as { existingId?: number } | undefined)?.existingId ?? null);
      }
      setErrors(mapped);
      if (!Object.keys(mapped).length) setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const input = (k: 'name' | 'phone' | 'email' | 'address', label: string, ltr = false, hint?: string) => (
    <div className="field">
      <label htmlFor={`cf-${k}`}>{label}</label>
      <input
        id={`cf-${k}`}
        name={k}
        className="input"
        dir={ltr ? 'ltr' : undefined}
        value={form[k]}
        aria-invalid={errors[k] ? 'true' : undefined}
        onChange={(e) => set(k, e.target.value)}
        onBlur={
          k === 'phone'
            ? () =>
                setErrors((er) => {
                  const { phone: _old, ...rest } = er;
                  const msg = phoneMessage(form.phone);
                  return msg ? { ...rest, phone: msg } : rest;
                })
            : undefined
        }
      />
      {errors[k] ? (
        <span className="error" role="alert">
          {errors[k]}
        </span>
      ) : hint ? (
        <span className="muted" style={{ fontSize: 'var(--text-xs)' }}>
          {hint}
        </span>
      ) : null}
      {k === 'phone' && existingId && (
        <Link to={`/customers/${existingId}`} onClick={onClose}>
          {t.openExisting}
        </Link>
      )}
    </div>
  );

  return (
    <Modal title={customer ? t.editTitle : t.createTitle} onClose={onClose} testId="customer-form">
      <form onSubmit={submit}>
        <div className="grid grid-2">
          {input('name', t.name)}
          {input('phone', t.phone, true, t.phoneHint)}
          {input('email', t.email, true)}
          {input('address', t.address)}
          <SelectField
            id="cf-status"
            label={t.status}
            value={form.status}
            options={CUSTOMER_STATUSES}
            labels={he.crm.status}
            onChange={(v) => set('status', v)}
          />
          <SelectField
            id="cf-source"
            label={t.source}
            value={form.source}
            options={CUSTOMER_SOURCES}
            labels={he.crm.source}
            onChange={(v) => set('source', v)}
          />
        </div>
        <div className="field" style={{ marginTop: 16 }}>
          <label htmlFor="cf-tags">{t.tags}</label>
          <input
            id="cf-tags"
            className="input"
            value={form.tags}
            onChange={(e) => set('tags', e.target.value)}
          />
        </div>
        <div className="field" style={{ marginTop: 16 }}>
          <label htmlFor="cf-notes">{t.notes}</label>
          <textarea
            id="cf-notes"
            className="textarea"
            value={form.notes}
            maxLength={10_000}
            onChange={(e) => set('notes', e.target.value)}
          />
          {errors.notes && <span className="error">{errors.notes}</span>}
        </div>
        {failure && (
          <div className="notice notice-error" style={{ marginTop: 12 }}>
            {failure}
          </div>
        )}
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? he.common.saving : customer ? he.common.save : t.create}
          </button>
          <button className="btn btn-ghost" type="button" onClick={onClose}>
            {he.common.cancel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
