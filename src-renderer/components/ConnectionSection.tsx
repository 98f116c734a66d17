/**
 * Settings → connection: how Twilio reaches the app (the tunnel, live; a reserved ngrok domain;
 * the owner's own address) and which Twilio number points here, with what was changed and undo.
 * The pieces are shared with the onboarding wizard.
 */
import { Undo2 } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import type { PhoneSetup } from '../../src-main/api/contract/phone';
import type { ConnectionInfo, TunnelState } from '../../src-main/api/contract/tunnel';
import { api, ApiCallError } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { he } from '../i18n/he';
import { formatDateTime, formatPhone } from '../lib/format';
import { plural } from '../lib/plural';
import { NumberPicker } from './onboarding/NumberPicker';
import { ErrorState, Loading, errorMessage } from './States';
import '../styles/onboarding.css';

const t = he.connection;

/** Seconds until the next attempt, ticking every second while the tunnel waits to retry. */
function useCountdown(at: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at == null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at == null ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}

const STATE_BADGE: Record<TunnelState['state'], string> = {
  off: 'badge',
  connecting: 'badge badge-info',
  online: 'badge badge-ok',
  retrying: 'badge badge-warn',
  failed: 'badge badge-fail',
};

/** The tunnel's state in words: online with its address, connecting, retrying in N s, failed and why. */
export function TunnelStateLine({ tunnel, hasKey }: { tunnel: TunnelState; hasKey: boolean | undefined }) {
  const seconds = useCountdown(tunnel.state === 'retrying' ? tunnel.nextRetryAt : null);
  const state = t.states[tunnel.state];
  const label = typeof state === 'string' ? state : plural(seconds, state);
  return (
    <div className="conn-state" data-testid="tunnel-state" data-state={tunnel.state}>
      <span className={STATE_BADGE[tunnel.state]}>{label}</span>
      {tunnel.state === 'online' && tunnel.url && <span className="ltr conn-url">{tunnel.url}</span>}
      {tunnel.error && (tunnel.state === 'failed' || tunnel.state === 'retrying') && (
        <p className="notice notice-error conn-reason" role="alert">
          {t.errors[tunnel.error]}
        </p>
      )}
      {tunnel.state === 'off' && hasKey === false && <p className="hint conn-reason">{t.needKey}</p>}
    </div>
  );
}

/** The live connection info: loaded once, then kept by the `tunnel.state` event. */
export function useConnection() {
  const q = useQuery(() => api.call('tunnel.status'), []);
  useEvent('tunnel.state', (c) => q.setData(c));
  return q;
}

/** The live phone setup: loaded once, then kept by the `phone.setup` event. */
export function usePhoneSetup() {
  const q = useQuery(() => api.call('phone.setup'), []);
  useEvent('phone.setup', (s) => q.setData(s));
  return q;
}

const show = (v: string) => v || t.emptyValue;

/** What was changed on the number, newest first: when, why, before → after. */
export function ChangeHistory({ history, limit }: { history: PhoneSetup['history']; limit?: number }) {
  if (history.length === 0) return <p className="hint">{t.historyEmpty}</p>;
  return (
    <ol className="conn-history" data-testid="phone-history">
      {history.slice(0, limit).map((h, i) => (
        <li key={`${h.at}-${i}`}>
          <div className="conn-history-head">
            <strong>{t.reasons[h.reason]}</strong>
            <span className="muted">{formatDateTime(h.at)}</span>
          </div>
          <dl className="conn-diff">
            <dt>{t.incoming}</dt>
            <dd>
              <span className="muted">{t.before}:</span>{' '}
              <span className="ltr">{show(h.before.voiceUrl)}</span>
              <span aria-hidden> ← </span>
              <span className="muted">{t.after}:</span> <span className="ltr">{show(h.after.voiceUrl)}</span>
            </dd>
            <dt>{t.statusUpdates}</dt>
            <dd>
              <span className="muted">{t.before}:</span>{' '}
              <span className="ltr">{show(h.before.statusCallback)}</span>
              <span aria-hidden> ← </span>
              <span className="muted">{t.after}:</span>{' '}
              <span className="ltr">{show(h.after.statusCallback)}</span>
            </dd>
          </dl>
        </li>
      ))}
    </ol>
  );
}

/** Undo the last change on the number (puts back the values it replaced). */
export function UndoButton({ setup, onDone }: { setup: PhoneSetup; onDone: (s: PhoneSetup) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!setup.number || setup.history.length === 0) return null;
  const undo = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.call('phone.undo'));
    } catch (err) {
      setError(
        err instanceof ApiCallError && err.body.error === 'nothing_to_undo'
          ? t.nothingToUndo
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="conn-undo">
      <button className="btn btn-sm" onClick={() => void undo()} disabled={busy} data-testid="phone-undo">
        <Undo2 size={14} />
        {t.undo}
      </button>
      <span className="hint">{t.undoHint}</span>
      {error && (
        <span className="badge badge-fail" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function AddressForm({ info, onSaved }: { info: ConnectionInfo; onSaved: (c: ConnectionInfo) => void }) {
  const [domain, setDomain] = useState(info.tunnel.domain ?? '');
  const [own, setOwn] = useState(info.ownAddress ?? '');
  const [status, setStatus] = useState<
    { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }
  >({ kind: 'idle' });
  useEffect(() => {
    setDomain(info.tunnel.domain ?? '');
    setOwn(info.ownAddress ?? '');
  }, [info.tunnel.domain, info.ownAddress]);

  const configure = async (input: Parameters<typeof api.call<'tunnel.configure'>>[1]) => {
    setStatus({ kind: 'saving' });
    try {
      onSaved(await api.call('tunnel.configure', input));
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({ kind: 'error', message: errorMessage(err) });
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void configure({ domain: domain.trim() || null, ownAddress: own.trim() || null });
  };
  return (
    <form onSubmit={submit} data-testid="address-form">
      <label className="conn-toggle">
        <input
          type="checkbox"
          checked={info.enabled}
          onChange={(e) => void configure({ enabled: e.target.checked })}
          data-testid="tunnel-enabled"
        />
        {t.tunnelOn}
      </label>
      <div className="grid grid-2" style={{ marginTop: 12 }}>
        <div className="field">
          <label htmlFor="c-domain">{t.domain}</label>
          <input
            id="c-domain"
            className="input"
            dir="ltr"
            placeholder="my-shop.ngrok.app"
            value={domain}
            onChange={(e) => setDomain(e.target.value)}
          />
          <span className="hint">{t.domainHint}</span>
        </div>
        <div className="field">
          <label htmlFor="c-own">{t.ownAddress}</label>
          <input
            id="c-own"
            className="input"
            dir="ltr"
            placeholder="calls.my-business.co.il"
            value={own}
            onChange={(e) => setOwn(e.target.value)}
          />
          <span className="hint">{t.ownAddressHint}</span>
        </div>
      </div>
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={status.kind === 'saving'}>
          {status.kind === 'saving' ? he.common.saving : he.common.save}
        </button>
        {status.kind === 'saved' && (
          <span className="badge badge-ok" role="status">
            {t.saved}
          </span>
        )}
        {status.kind === 'error' && (
          <span className="badge badge-fail" role="alert">
            {status.message}
          </span>
        )}
      </div>
    </form>
  );
}

function NumberSettings() {
  const q = usePhoneSetup();
  const [error, setError] = useState<string>();
  if (q.loading && !q.data) return <Loading />;
  if (q.error !== undefined) return <ErrorState error={q.error} onRetry={q.reload} />;
  const setup = q.data!;
  const configure = async (input: { auto?: boolean; forget?: true }) => {
    setError(undefined);
    try {
      q.setData(await api.call('phone.configure', input));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div data-testid="number-settings">
      {setup.number ? (
        <div className="list-row">
          <span>{t.numberPicked}</span>
          <strong className="ltr" data-testid="picked-number">
            {formatPhone(setup.number.phoneNumber) || setup.number.phoneNumber}
          </strong>
        </div>
      ) : (
        <p className="hint">{t.numberNone}</p>
      )}
      <NumberPicker onPicked={(s) => q.setData(s)} compact />
      {setup.number && (
        <>
          <label className="conn-toggle" style={{ marginTop: 12 }}>
            <input
              type="checkbox"
              checked={setup.auto}
              onChange={(e) => void configure({ auto: e.target.checked })}
              data-testid="phone-auto"
            />
            {t.auto}
          </label>
          <p className="hint">{t.autoHint}</p>
          <button className="btn btn-sm btn-ghost" onClick={() => void configure({ forget: true })}>
            {t.forget}
          </button>
        </>
      )}
      {setup.lastError && (
        <p className="notice notice-error" role="alert">
          {t.lastError.replace('{when}', formatDateTime(setup.lastError.at))}
        </p>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <h3 className="conn-subtitle">{t.historyTitle}</h3>
      <UndoButton setup={setup} onDone={(s) => q.setData(s)} />
      <ChangeHistory history={setup.history} limit={10} />
    </div>
  );
}

export function ConnectionSection() {
  const q = useConnection();
  const secrets = useQuery(() => api.call('secrets.status'), []);
  return (
    <section className="card" id="connection" data-testid="connection">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>
      <h3 className="conn-subtitle">{t.addressTitle}</h3>
      {q.loading && !q.data && <Loading />}
      {q.error !== undefined && <ErrorState error={q.error} onRetry={q.reload} />}
      {q.data && (
        <>
          <div className="list-row">
            <span>{t.current}</span>
            <span>
              {q.data.publicAddress.host ? (
                <strong className="ltr" data-testid="public-address">
                  {q.data.publicAddress.host}
                </strong>
              ) : (
                <span className="muted">{t.none}</span>
              )}
              {q.data.publicAddress.source && (
                <span className="badge" style={{ marginInlineStart: 8 }}>
                  {t.sources[q.data.publicAddress.source]}
                </span>
              )}
            </span>
          </div>
          <div className="list-row">
            <span>{t.tunnelTitle}</span>
            <TunnelStateLine tunnel={q.data.tunnel} hasKey={secrets.data?.ngrok_authtoken} />
          </div>
          <AddressForm info={q.data} onSaved={(c) => q.setData(c)} />
        </>
      )}
      <h3 className="conn-subtitle">{t.numberTitle}</h3>
      <NumberSettings />
    </section>
  );
}
