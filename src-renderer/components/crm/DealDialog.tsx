import { useState, type FormEvent } from 'react';
import type { Deal } from '../../../src-main/api/contract/crm';
import { crmMethods, DEAL_STAGES } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { he } from '../../i18n/he';
import { dealBody, dealFormErrors, dealMessage } from '../../lib/form-errors';
import { FormProblems, TextField, serverFieldErrors, useFormErrors } from '../form';
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
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const draft = { customerId: who?.id ?? null, title, amount, stage };
  // Every field's problem at once, by the API's own schema.
  const check = useFormErrors(dealFormErrors(draft));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure('');
    if (!check.submit()) return;
    setBusy(true);
    try {
      // Checked above by the same schema: parse only gives it its type.
      onSaved(
        await api.call('crm.deals.create', crmMethods['crm.deals.create'].input.parse(dealBody(draft))),
      );
    } catch (err) {
      const mapped = serverFieldErrors(err, dealMessage);
      check.setServer(mapped);
      if (!Object.keys(mapped).length) setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t.createTitle} onClose={onClose} testId="deal-dialog">
      <form onSubmit={submit} noValidate>
        <div className="grid grid-2">
          <TextField
            id="dd-title"
            label={t.titleField}
            maxLength={200}
            value={title}
            {...check.bind('title', setTitle)}
          />
          <TextField
            id="dd-amount"
            label={t.amount}
            ltr
            inputMode="decimal"
            value={amount}
            {...check.bind('amountAgorot', setAmount)}
          />
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
            <CustomerPicker
              value={who}
              onChange={(c) => {
                setWho(c);
                check.blur('customerId');
                check.changed('customerId');
              }}
            />
            {check.error('customerId') && <span className="error">{check.error('customerId')}</span>}
          </div>
        </div>
        <FormProblems check={check} failure={failure} />
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? he.common.saving : he.common.save}
          </button>
          <button className="btn btn-ghost" type="button" onClick={onClose}>
            {he.common.cancel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
