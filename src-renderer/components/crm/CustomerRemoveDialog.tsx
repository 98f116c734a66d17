import { useState } from 'react';
import { api } from '../../api';
import { useQuery } from '../../api/hooks';
import { he } from '../../i18n/he';
import type { Plural } from '../../lib/plural';
import { Counted } from '../format';
import { ErrorState, Loading, errorMessage } from '../States';
import { CustomerPicker } from './CustomerPicker';
import { Modal } from './Modal';

const t = he.crm.customer.remove;

/**
 * Removing a customer, said before it is done: deleting (their deals and tasks go, the rest stays
 * without the link, a contract blocks it), or merging them into another customer (everything moves
 * there). Both are confirmed here; `onDone` gets the customer that remains, if any.
 */
export function CustomerRemoveDialog({
  customer,
  onClose,
  onDone,
}: {
  customer: { id: number; name: string };
  onClose: () => void;
  onDone: (remainingId: number | null) => void;
}) {
  const impact = useQuery(() => api.call('crm.customers.deleteImpact', { id: customer.id }), [customer.id]);
  const [mode, setMode] = useState<'delete' | 'merge'>('delete');
  const [target, setTarget] = useState<{ id: number; name: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (f: () => Promise<number | null>) => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await f());
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  const tableName = (table: string) => (t.tables as Record<string, Plural | undefined>)[table];
  const d = impact.data;
  const blocked = (d?.blocked.length ?? 0) > 0;

  return (
    <Modal title={`${t.title} ${customer.name}`} onClose={onClose} testId="customer-remove">
      <div className="tabs" role="group" aria-label={t.title}>
        <button
          className={`btn btn-sm${mode === 'delete' ? ' btn-primary' : ''}`}
          aria-pressed={mode === 'delete'}
          onClick={() => setMode('delete')}
          data-testid="remove-mode-delete"
        >
          {t.delete}
        </button>{' '}
        <button
          className={`btn btn-sm${mode === 'merge' ? ' btn-primary' : ''}`}
          aria-pressed={mode === 'merge'}
          onClick={() => setMode('merge')}
          data-testid="remove-mode-merge"
        >
          {t.merge}
        </button>
      </div>
      {impact.error !== undefined && <ErrorState error={impact.error} onRetry={impact.reload} />}
      {!d && impact.error === undefined && <Loading />}
      {d && mode === 'delete' && (
        <div data-testid="remove-impact">
          {blocked ? (
            <div className="notice notice-warn" role="alert" data-testid="remove-blocked">
              <p>
                {t.blocked}{' '}
                {d.blocked.map((b) => (
                  <span key={b.table}>
                    <Counted n={b.count} forms={tableName(b.table) ?? t.otherRecords} />{' '}
                  </span>
                ))}
              </p>
              <p>{t.blockedHint}</p>
            </div>
          ) : (
            <>
              <p>{t.deleteIntro}</p>
              <ul>
                <li>
                  <Counted n={d.deals} forms={t.deals} /> · <Counted n={d.tasks} forms={t.tasks} /> —{' '}
                  {t.deleted}
                </li>
                {d.unlinked
                  .filter((u) => tableName(u.table))
                  .map((u) => (
                    <li key={u.table}>
                      <Counted n={u.count} forms={tableName(u.table)!} /> — {t.kept}
                    </li>
                  ))}
              </ul>
              <p className="hint">{t.cannotUndo}</p>
            </>
          )}
        </div>
      )}
      {d && mode === 'merge' && (
        <div data-testid="remove-merge">
          <p>{t.mergeIntro}</p>
          <CustomerPicker value={target} onChange={setTarget} />
          {target?.id === customer.id && <p className="error">{t.mergeSelf}</p>}
        </div>
      )}
      {error && (
        <div className="notice notice-warn" role="alert">
          {error}
        </div>
      )}
      <div className="form-actions">
        {mode === 'delete' ? (
          <button
            className="btn btn-danger"
            disabled={busy || !d || blocked}
            data-testid="remove-confirm-delete"
            onClick={() =>
              void run(async () => {
                await api.call('crm.customers.delete', { id: customer.id });
                return null;
              })
            }
          >
            {t.confirmDelete}
          </button>
        ) : (
          <button
            className="btn btn-primary"
            disabled={busy || !target || target.id === customer.id}
            data-testid="remove-confirm-merge"
            onClick={() =>
              void run(async () => {
                const r = await api.call('crm.customers.merge', {
                  targetId: target!.id,
                  sourceId: customer.id,
                });
                return r.id;
              })
            }
          >
            {target ? `${t.confirmMerge} ${target.name}` : t.confirmMerge}
          </button>
        )}
        <button className="btn btn-ghost" onClick={onClose}>
          {he.common.cancel}
        </button>
      </div>
    </Modal>
  );
}
