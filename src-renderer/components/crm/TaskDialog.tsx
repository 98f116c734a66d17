import { useState, type FormEvent } from 'react';
import type { Task } from '../../../src-main/api/contract/crm';
import { TASK_KINDS } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { Modal } from './Modal';
import { CustomerPicker } from './CustomerPicker';
import { fromLocalInput, toLocalInput } from './util';
import { SelectField } from '../SelectField';

const t = he.crm.tasks;
const REMINDERS = [
  ['', t.reminderNone],
  ['0', t.reminderAt],
  ['15', t.reminder15],
  ['60', t.reminder60],
  ['1440', t.reminderDay],
] as const;

/** Create or edit a task / call-back / appointment, with a reminder relative to its time. */
export function TaskDialog({
  task,
  customer,
  defaultStart,
  onClose,
  onSaved,
}: {
  task?: Task;
  customer?: { id: number; name: string } | null;
  defaultStart?: number;
  onClose: () => void;
  onSaved: (t: Task) => void;
}) {
  const initialWhen = task ? (task.startsAt ?? task.dueAt) : (defaultStart ?? null);
  const [kind, setKind] = useState<Task['kind']>(task?.kind ?? 'task');
  const [title, setTitle] = useState(task?.title ?? '');
  const [description, setDescription] = useState(task?.description ?? '');
  const [when, setWhen] = useState(toLocalInput(initialWhen));
  const [end, setEnd] = useState(toLocalInput(task?.endsAt));
  const [who, setWho] = useState<{ id: number; name: string } | null>(
    task?.customerId ? { id: task.customerId, name: task.customerName ?? '' } : (customer ?? null),
  );
  const initialReminder =
    task?.reminderAt != null && initialWhen != null
      ? String(Math.round((initialWhen - task.reminderAt) / 60_000))
      : '';
  const [reminder, setReminder] = useState<string>(
    REMINDERS.some(([v]) => v === initialReminder) ? initialReminder : task?.reminderAt ? '0' : '',
  );
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    const at = fromLocalInput(when);
    const endsAt = fromLocalInput(end);
    if (kind === 'appointment' && at === null) return setError(t.startsRequired);
    if (at !== null && endsAt !== null && endsAt <= at) return setError(t.endBeforeStart);
    const reminderAt = reminder !== '' && at !== null ? at - Number(reminder) * 60_000 : null;
    const body = {
      kind,
      title: title.trim(),
      description,
      customerId: who?.id ?? null,
      dueAt: at,
      startsAt: kind === 'appointment' ? at : null,
      endsAt: kind === 'appointment' ? endsAt : null,
      reminderAt,
    };
    setBusy(true);
    try {
      onSaved(
        task
          ? await api.call('crm.tasks.update', { id: task.id, ...body })
          : await api.call('crm.tasks.create', body),
      );
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!task) return;
    await api.call('crm.tasks.delete', { id: task.id });
    onSaved(task);
  };

  return (
    <Modal title={task ? t.editTitle : t.createTitle} onClose={onClose} testId="task-dialog">
      <form onSubmit={submit}>
        <div className="grid grid-2">
          <SelectField
            id="td-kind"
            label={t.kind}
            value={kind}
            options={TASK_KINDS}
            labels={he.crm.taskKind}
            onChange={setKind}
          />
          <div className="field">
            <label htmlFor="td-title">{t.titleField}</label>
            <input
              id="td-title"
              className="input"
              required
              maxLength={200}
              value={title}
              onChange={(e) => setTitle(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="td-when">{kind === 'appointment' ? t.startsAt : t.due}</label>
            <input
              id="td-when"
              className="input"
              type="datetime-local"
              value={when}
              onChange={(e) => setWhen(e.target.value)}
            />
          </div>
          {kind === 'appointment' ? (
            <div className="field">
              <label htmlFor="td-end">{t.endsAt}</label>
              <input
                id="td-end"
                className="input"
                type="datetime-local"
                value={end}
                onChange={(e) => setEnd(e.target.value)}
              />
            </div>
          ) : (
            <div />
          )}
          <div className="field">
            <label htmlFor="td-reminder">{t.reminder}</label>
            <select
              id="td-reminder"
              className="select"
              value={reminder}
              disabled={!when}
              onChange={(e) => setReminder(e.target.value)}
            >
              {REMINDERS.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label>{t.customer}</label>
            <CustomerPicker value={who} onChange={setWho} />
          </div>
        </div>
        <div className="field" style={{ marginTop: 16 }}>
          <label htmlFor="td-desc">{t.description}</label>
          <textarea
            id="td-desc"
            className="textarea"
            maxLength={10_000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        {error && (
          <div className="notice notice-error" style={{ marginTop: 12 }} role="alert">
            {error}
          </div>
        )}
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy || !title.trim()}>
            {busy ? he.common.saving : t.save}
          </button>
          <button className="btn btn-ghost" type="button" onClick={onClose}>
            {he.common.cancel}
          </button>
          {task && (
            <button
              className="btn btn-danger"
              type="button"
              style={{ marginInlineStart: 'auto' }}
              onClick={() => void remove()}
            >
              {t.delete}
            </button>
          )}
        </div>
      </form>
    </Modal>
  );
}
