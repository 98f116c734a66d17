import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import type { Customer } from '../../../src-main/api/contract/crm';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES } from '../../../src-main/api/contract/crm';
import { api, ApiCallError } from '../../api';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { Modal } from './Modal';
import { FormProblems, TextField, serverFieldErrors, useFormErrors } from '../form';
import { customerBody, customerFormErrors, type CustomerDraft } from '../../lib/form-errors';
import { SelectField } from '../SelectField';

const t = he.crm.form;

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
  const [form, setForm] = useState<CustomerDraft>({
    name: customer?.name ?? '',
    phone: customer?.phoneDisplay ?? '',
    email: customer?.email ?? '',
    status: customer?.status ?? 'lead',
    source: customer?.source ?? 'manual',
    tags: customer?.tags.join(', ') ?? '',
    notes: customer?.notes ?? '',
    address: customer?.address ?? '',
  });
  // Every field's problem at once, by the API's own schema (the phone by the one phone parser).
  const errors = useMemo(() => customerFormErrors(form), [form]);
  const check = useFormErrors(errors);
  const [existingId, setExistingId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const set = (k: keyof CustomerDraft, v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    check.changed(k);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setExistingId(null);
    setFailure('');
    if (!check.submit()) return;
    setBusy(true);
    const body = customerBody(form);
    try {
      const saved = customer
        ? await api.call('crm.customers.update', { id: customer.id, ...body })
        : await api.call('crm.customers.create', body);
      onSaved(saved);
    } catch (err) {
      const mapped = serverFieldErrors(err);
      if (err instanceof ApiCallError && err.body.code === 'conflict') {
        mapped.phone = t.phoneExists;
        setExistingId((err.body.details as { existingId?: number } | undefined)?.existingId ?? null);
      }
      check.setServer(mapped);
      if (!Object.keys(mapped).length) setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const input = (k: 'name' | 'phone' | 'email' | 'address', label: string, ltr = false, hint?: string) => (
    <TextField
      id={`cf-${k}`}
      name={k}
      label={label}
      ltr={ltr}
      value={form[k]}
      onChange={(v) => set(k, v)}
      onBlur={() => check.blur(k)}
      error={check.error(k)}
      hint={hint}
      after={
        k === 'phone' && existingId ? (
          <Link to={`/customers/${existingId}`} onClick={onClose}>
            {t.openExisting}
          </Link>
        ) : undefined
      }
    />
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
        <TextField
          id="cf-tags"
          className="field-gap"
          label={t.tags}
          value={form.tags}
          onChange={(v) => set('tags', v)}
          onBlur={() => check.blur('tags')}
          error={check.error('tags')}
        />
        <TextField
          id="cf-notes"
          className="field-gap"
          label={t.notes}
          multiline
          maxLength={10_000}
          value={form.notes}
          onChange={(v) => set('notes', v)}
          onBlur={() => check.blur('notes')}
          error={check.error('notes')}
        />
        <FormProblems check={check} failure={failure} />
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
