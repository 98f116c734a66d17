/**
 * The Twilio account's numbers: pick one and it is pointed at this app (phone.pick). Outside
 * `compact` it also shows what the pick changed (before → after) with an undo button.
 */
import { CheckCircle2, RefreshCw } from 'lucide-react';
import { useState } from 'react';
import type { PhoneSetup } from '../../../src-main/api/contract/phone';
import { api, ApiCallError } from '../../api';
import { useQuery } from '../../api/hooks';
import { he } from '../../i18n/he';
import { formatPhone } from '../../lib/format';
import { ChangeHistory, UndoButton } from '../ConnectionSection';
import { Loading, errorMessage } from '../States';

const t = he.onboarding.number;

const notConfigured = (err: unknown) =>
  err instanceof ApiCallError && err.body.error === 'twilio_not_configured';

export function NumberPicker({
  onPicked,
  compact = false,
  onNeedKeys,
}: {
  onPicked?: (s: PhoneSetup) => void;
  compact?: boolean;
  onNeedKeys?: () => void;
}) {
  const numbers = useQuery(() => api.call('phone.numbers'), []);
  const [last, setLast] = useState<PhoneSetup>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();

  const pick = async (sid: string) => {
    setBusy(sid);
    setError(undefined);
    try {
      const s = await api.call('phone.pick', { sid });
      setLast(s);
      onPicked?.(s);
      numbers.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  if (numbers.loading && !numbers.data) return <Loading />;
  if (numbers.error !== undefined)
    return (
      <div className="notice notice-error" role="alert" data-testid="numbers-error">
        {notConfigured(numbers.error) ? t.needTwilio : t.loadFailed}{' '}
        {notConfigured(numbers.error) && onNeedKeys ? (
          <button className="btn btn-sm" onClick={onNeedKeys}>
            {he.onboarding.address.toKeys}
          </button>
        ) : (
          <button className="btn btn-sm" onClick={numbers.reload}>
            {he.common.retry}
          </button>
        )}
      </div>
    );
  const list = numbers.data ?? [];
  return (
    <div data-testid="number-picker">
      {list.length === 0 ? (
        <p className="notice">{t.empty}</p>
      ) : (
        <div className="number-list">
          {list.map((n) => (
            <div className="list-row" key={n.sid} data-testid="number-row">
              <span className="number-main">
                <strong className="ltr">{formatPhone(n.phoneNumber) || n.phoneNumber}</strong>
                {n.friendlyName && n.friendlyName !== n.phoneNumber && (
                  <span className="muted">{n.friendlyName}</span>
                )}
              </span>
              <span className="number-actions">
                {n.pointsHere && (
                  <span className="badge badge-ok">
                    <CheckCircle2 size={12} />
                    {t.pointsHere}
                  </span>
                )}
                {n.picked && <span className="badge badge-info">{t.picked}</span>}
                {n.picked && n.pointsHere ? null : (
                  <button
                    className="btn btn-sm btn-primary"
                    disabled={busy !== undefined}
                    onClick={() => void pick(n.sid)}
                    data-testid="number-pick"
                  >
                    {busy === n.sid ? he.common.saving : n.picked ? t.repoint : t.pick}
                  </button>
                )}
              </span>
            </div>
          ))}
        </div>
      )}
      <div className="form-actions" style={{ marginTop: 8 }}>
        <button className="btn btn-sm btn-ghost" onClick={numbers.reload}>
          <RefreshCw size={14} />
          {t.refresh}
        </button>
      </div>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {!compact && last && (
        <div className="number-change" data-testid="number-change">
          {!last.expected && <p className="notice">{t.needAddress}</p>}
          <ChangeHistory history={last.history} limit={1} />
          <UndoButton
            setup={last}
            onDone={(s) => {
              setLast(s);
              onPicked?.(s);
              numbers.reload();
            }}
          />
        </div>
      )}
    </div>
  );
}
