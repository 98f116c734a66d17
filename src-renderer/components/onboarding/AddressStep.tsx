/**
 * The wizard's public-address step: the automatic ngrok connection (default) or the owner's own
 * address (tunnel.configure), then a check from outside (setup.checkAddress) with ✅/❌.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { CheckResult } from '../../../src-main/api/contract/setup';
import { api, ApiCallError } from '../../api';
import { useQuery } from '../../api/hooks';
import { he } from '../../i18n/he';
import { TunnelStateLine, useConnection } from '../ConnectionSection';
import { Loading, errorMessage } from '../States';
import { CheckLine } from './KeysStep';

const t = he.onboarding.address;

export function AddressStep({ onNeedKeys }: { onNeedKeys: () => void }) {
  const conn = useConnection();
  const secrets = useQuery(() => api.call('secrets.status'), []);
  const [mode, setMode] = useState<'tunnel' | 'own'>('tunnel');
  const [own, setOwn] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<CheckResult & { host: string | null }>();

  // Open on what the owner chose before.
  const ownAddress = conn.data?.ownAddress;
  useEffect(() => {
    if (ownAddress) {
      setMode('own');
      setOwn(ownAddress);
    }
  }, [ownAddress]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(
        err instanceof ApiCallError && err.body.code === 'bad_input'
          ? t.problems.invalid_format
          : errorMessage(err),
      );
    } finally {
      setBusy(false);
    }
  };
  const startTunnel = () =>
    run(async () => {
      setResult(undefined);
      conn.setData(await api.call('tunnel.configure', { enabled: true, ownAddress: null }));
    });
  const saveOwn = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setResult(undefined);
      conn.setData(await api.call('tunnel.configure', { enabled: false, ownAddress: own.trim() || null }));
      setResult(await api.call('setup.checkAddress'));
    });
  };
  const check = () =>
    run(async () => {
      setResult(await api.call('setup.checkAddress'));
    });

  if (conn.loading && !conn.data) return <Loading />;
  const hasNgrok = secrets.data?.ngrok_authtoken;
  return (
    <div className="address-step">
      <div className="choice-list" role="radiogroup">
        <label className={`choice${mode === 'tunnel' ? ' choice-on' : ''}`}>
          <input
            type="radio"
            name="address-mode"
            checked={mode === 'tunnel'}
            onChange={() => setMode('tunnel')}
            data-testid="mode-tunnel"
          />
          <span>
            <strong>{t.tunnel}</strong>
            <span className="hint">{t.tunnelHint}</span>
          </span>
        </label>
        <label className={`choice${mode === 'own' ? ' choice-on' : ''}`}>
          <input
            type="radio"
            name="address-mode"
            checked={mode === 'own'}
            onChange={() => setMode('own')}
            data-testid="mode-own"
          />
          <span>
            <strong>{t.own}</strong>
            <span className="hint">{t.ownHint}</span>
          </span>
        </label>
      </div>

      {mode === 'tunnel' ? (
        <div className="address-panel">
          {hasNgrok === false && (
            <p className="notice">
              {t.needNgrok}{' '}
              <button className="btn btn-sm" onClick={onNeedKeys}>
                {t.toKeys}
              </button>
            </p>
          )}
          {conn.data && <TunnelStateLine tunnel={conn.data.tunnel} hasKey={hasNgrok} />}
          <div className="form-actions" style={{ marginTop: 12 }}>
            {(!conn.data?.enabled ||
              !!conn.data.ownAddress ||
              conn.data.tunnel.state === 'off' ||
              conn.data.tunnel.state === 'failed') && (
              <button
                className="btn btn-primary"
                onClick={() => void startTunnel()}
                disabled={busy || hasNgrok === false}
                data-testid="tunnel-start"
              >
                {t.start}
              </button>
            )}
            <button className="btn" onClick={() => void check()} disabled={busy} data-testid="address-check">
              {busy ? t.checking : t.check}
            </button>
          </div>
        </div>
      ) : (
        <form className="address-panel" onSubmit={saveOwn}>
          <div className="field">
            <label htmlFor="w-own">{t.ownField}</label>
            <input
              id="w-own"
              className="input"
              dir="ltr"
              placeholder="calls.my-business.co.il"
              value={own}
              onChange={(e) => setOwn(e.target.value)}
              data-testid="own-address"
            />
          </div>
          <div className="form-actions" style={{ marginTop: 12 }}>
            <button
              className="btn btn-primary"
              type="submit"
              disabled={busy || !own.trim()}
              data-testid="own-save"
            >
              {busy ? t.checking : t.useOwn}
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => void check()}
              disabled={busy}
              data-testid="address-check"
            >
              {t.check}
            </button>
          </div>
        </form>
      )}
      {result && (
        <CheckLine
          result={result}
          okText={t.ok.replace('{host}', `\u2066${result.host ?? ''}\u2069`)}
          problem={t.problems[result.problem ?? 'other']}
        />
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
