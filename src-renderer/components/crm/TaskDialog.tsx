import { useState, type FormEvent } from 'react';
import type { Task } from '../../../src-main/api/contract/crm';
import { TASK_KINDS } from '../../../src-main/api/contract/crm';
import { api } from '../../api';
import { DateTimeField, type DateTimeValue } from '../DateTimeField';
import { FormProblems, TextField, issueMessage, serverFieldErrors, useFormErrors } from '../form';
import { TASK_FIELDS, taskBody, taskFormErrors, type TaskDraft } from '../../lib/form-errors';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { Modal } from './Modal';
import { CustomerPicker } from './CustomerPicker';
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
  const [when, setWhen] = useState<DateTimeValue>(initialWhen);
  const [end, setEnd] = useState<DateTimeValue>(task?.endsAt ?? null);
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
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const draft: TaskDraft = {
    kind,
    title,
    description,
    customerId: who?.id ?? null,
    when,
    end,
    reminder,
  };
  // Every field's problem at once, by the API's own schema (and the picker's own reasons).
  const errors = taskFormErrors(draft);
  const check = useFormErrors(errors);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure('');
    if (!check.submit()) return;
    setBusy(true);
    try {
      const body = taskBody(draft);
      onSaved(
        task
          ? await api.call('crm.tasks.update', { id: task.id, ...body })
          : await api.call('crm.tasks.create', body),
      );
    } catch (err) {
      const mapped = serverFieldErrors(err, issueMessage, TASK_FIELDS);
      check.setServer(mapped);
      if (!Object.keys(mapped).length) setFailure(errorMessage(err));
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
          <TextField
            id="td-title"
            label={t.titleField}
            maxLength={200}
            value={title}
            {...check.bind('title', setTitle)}
          />
          <DateTimeField
            id="td-when"
            testId="td-when-field"
            label={kind === 'appointment' ? t.startsAt : t.due}
            value={when}
            {...check.bind('when', setWhen)}
          />
          {kind === 'appointment' ? (
            <DateTimeField
              id="td-end"
              testId="td-end-field"
              label={t.endsAt}
              value={end}
              defaultTime="10:00"
              {...check.bind('end', setEnd)}
            />
          ) : (
            <div />
          )}
          <div className="field">
            <label htmlFor="td-reminder">{t.reminder}</label>
            <select
              id="td-reminder"
              className="select"
              value={reminder}
              disabled={when === null}
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
        <TextField
          id="td-desc"
          className="field-gap"
          label={t.description}
          multiline
          maxLength={10_000}
          value={description}
          {...check.bind('description', setDescription)}
        />
        <FormProblems check={check} failure={failure} />
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy}>
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
