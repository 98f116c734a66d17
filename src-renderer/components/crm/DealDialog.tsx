import { useState, type FormEvent } from 'react';
import type { Deal } from '../../../src-main/api/contract/crm';
import { DEAL_STAGES } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { CustomerPicker } from './CustomerPicker';
import { Modal } from './Modal';
import { SelectField } from '../SelectField';

const t = he.crm.deals;

export function DealDialog({
  customer,
  onClose,
  onSaved,
}: {
  customer?: { id: number; name: string };
  onClose: () => void;
  onSaved: (d: Deal) => void;
}) {
  const [who, setWho] = useState<{ id: number; name: string } | null>(customer ?? null);
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [stage, setStage] = useState<Deal['stage']>('new');
  const [error, setError] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!who) return setError(t.noCustomers);
    try {
      const shekels = Number(amount.replace(/[,₪\s]/g, '') || 0);
      onSaved(
        await api.call('crm.deals.create', {
          customerId: who.id,
          title: title.trim(),
          amountAgorot: Math.round(shekels * 100),
          stage,
        }),
      );
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Modal title={t.createTitle} onClose={onClose} testId="deal-dialog">
      <form onSubmit={submit}>
        <div className="grid grid-2">
          <div className="field">
            <label htmlFor="dd-title">{t.titleField}</label>
            <input
              id="dd-title"
              className="input"
              required
              maxLength={200}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="dd-amount">{t.amount}</label>
            <input
              id="dd-amount"
              className="input"
              dir="ltr"
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </div>
          <SelectField
            id="dd-stage"
            label={t.stage}
            value={stage}
            options={DEAL_STAGES}
            labels={he.crm.stage}
            onChange={setStage}
          />
          <div className="field">
            <label>{t.customer}</label>
            <CustomerPicker value={who} onChange={setWho} />
          </div>
        </div>
        {error && (
          <div className="notice notice-error" style={{ marginTop: 12 }}>
            {error}
          </div>
        )}
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={!title.trim()}>
            {he.common.save}
          </button>
          <button className="btn btn-ghost" type="button" onClick={onClose}>
            {he.common.cancel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
