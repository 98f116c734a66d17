import { useState } from 'react';
import type { PaymentProviderStatus } from '../../src-main/api/contract/payments';
import type { SECRET_KEYS } from '../../src-main/api/contract/system';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { he } from '../i18n/he';
import { KeyLabel, keyLabelText } from './KeyLabel';
import { ErrorState, Loading, errorMessage } from './States';

const t = he.paymentsSettings;
type SecretName = (typeof SECRET_KEYS)[number];
type Provider = 'paypal' | 'tranzila';
type KeyName = Extract<SecretName, `paypal_${string}` | `tranzila_${string}`>;

const KEYS: Record<Provider, KeyName[]> = {
  paypal: ['paypal_client_id', 'paypal_client_secret'],
  tranzila: ['tranzila_terminal', 'tranzila_api_key', 'tranzila_api_secret'],
};
/** The terminal name is not a secret: shown as typed. */
const PLAIN: ReadonlySet<KeyName> = new Set(['tranzila_terminal']);

/** The payment keys, for the general keys list to leave out (they live in this section). */
export const PAYMENT_SECRET_KEYS: readonly SecretName[] = [...KEYS.paypal, ...KEYS.tranzila];

/** Hebrew for a payments API error (payments_not_configured, payment_provider_error …). */
export function paymentsErrorMessage(err: unknown): string {
  const code = (err as { body?: { error?: string } })?.body?.error;
  return (code && t.errors[code]) || errorMessage(err);
}

/**
 * Settings → online payments: PayPal (keys, sandbox or live, webhook id) and Tranzila (terminal
 * and API keys), what each still lacks, where the provider calls us back, and automatic receipts.
 * Other billing screens create the links (payments.createPayPalOrder / createTranzilaLink).
 */
export function PaymentsSettingsSection() {
  const status = useQuery(() => api.call('payments.providerStatus'), []);
  const secrets = useQuery(() => api.call('secrets.status'), []);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [webhookDraft, setWebhookDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError('');
    setSaved(false);
    try {
      await fn();
      setSaved(true);
    } catch (err) {
      setError(paymentsErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const saveKey = (name: KeyName, value: string | null) =>
    run(async () => {
      secrets.setData(await api.call('secrets.set', { name, value }));
      setDrafts((d) => ({ ...d, [name]: '' }));
      status.setData(await api.call('payments.providerStatus'));
    });
  const update = (patch: Partial<PaymentProviderStatus['settings']>) =>
    run(async () => {
      status.setData(await api.call('payments.updateSettings', patch));
    });

  const s = status.data;
  const keys = secrets.data;
  const webhook = webhookDraft ?? s?.settings.paypalWebhookId ?? '';
  const webhookOk = /^[A-Za-z0-9-]*$/.test(webhook.trim());

  const stateOf = (p: Provider) => {
    const st = s![p];
    if (!st.enabled) return { text: t.states.off, cls: 'badge' };
    if (!st.configured) return { text: t.states.keys, cls: 'badge badge-warn' };
    if (st.missing.length) return { text: t.states.partial, cls: 'badge badge-warn' };
    return { text: t.states.ready, cls: 'badge badge-ok' };
  };

  const keyRows = (p: Provider) =>
    KEYS[p].map((name) => (
      <div className="key-row" key={name} data-testid={`pay-key-${name}`}>
        <KeyLabel name={name} />
        <span className={`badge ${keys?.[name] ? 'badge-ok' : ''}`}>
          {keys?.[name] ? he.settings.keySet : he.settings.keyMissing}
        </span>
        <input
          className="input"
          type={PLAIN.has(name) ? 'text' : 'password'}
          dir="ltr"
          autoComplete="off"
          aria-label={keyLabelText(name)}
          placeholder={he.settings.keyPlaceholder}
          value={drafts[name] ?? ''}
          onChange={(e) => setDrafts((d) => ({ ...d, [name]: e.target.value }))}
        />
        <button
          className="btn btn-sm"
          disabled={busy || !drafts[name]?.trim()}
          onClick={() => void saveKey(name, drafts[name]!.trim())}
        >
          {he.common.save}
        </button>
        {keys?.[name] && (
          <button className="btn btn-sm btn-ghost" disabled={busy} onClick={() => void saveKey(name, null)}>
            {he.settings.keyClear}
          </button>
        )}
      </div>
    ));

  const missingLine = (p: Provider) =>
    s![p].enabled && s![p].missing.length > 0 ? (
      <p className="hint" data-testid={`pay-missing-${p}`}>
        {t.missingPrefix} {s![p].missing.map((m) => t.missing[m]).join('، ')}
      </p>
    ) : null;

  const callback = (p: Provider) => (
    <div className="field">
      <span>{t.callbackUrl}</span>
      {s![p].callbackUrl ? (
        <span className="ltr" data-testid={`pay-callback-${p}`} style={{ userSelect: 'all' }}>
          {s![p].callbackUrl}
        </span>
      ) : (
        <p className="hint">{t.noAddress}</p>
      )}
    </div>
  );

  return (
    <section className="card" id="payments" data-testid="payments-settings">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>
      {(status.loading || secrets.loading) && !s && <Loading />}
      {status.error !== undefined && <ErrorState error={status.error} onRetry={status.reload} />}
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      {saved && !error && <p className="hint">{t.saved}</p>}
      {s && (
        <>
          <h3>
            {t.paypal} <span className={stateOf('paypal').cls}>{stateOf('paypal').text}</span>
          </h3>
          {missingLine('paypal')}
          <label className="field">
            <span>{t.mode}</span>
            <select
              className="select"
              value={s.settings.paypalMode}
              disabled={busy}
              data-testid="paypal-mode"
              onChange={(e) => void update({ paypalMode: e.target.value as 'sandbox' | 'live' })}
            >
              <option value="sandbox">{t.modes.sandbox}</option>
              <option value="live">{t.modes.live}</option>
            </select>
          </label>
          <p className="hint">{t.modeHint}</p>
          {keyRows('paypal')}
          <p className="hint">{t.paypalKeysHint}</p>
          {callback('paypal')}
          <label className="field">
            <span>{t.webhookId}</span>
            <div className="list-row" style={{ gap: 12 }}>
              <input
                className="input"
                dir="ltr"
                autoComplete="off"
                data-testid="paypal-webhook-id"
                value={webhook}
                onChange={(e) => setWebhookDraft(e.target.value)}
              />
              <button
                className="btn btn-sm"
                disabled={busy || !webhookOk || webhook.trim() === s.settings.paypalWebhookId}
                onClick={() =>
                  void update({ paypalWebhookId: webhook.trim() }).then(() => setWebhookDraft(null))
                }
              >
                {he.common.save}
              </button>
            </div>
          </label>
          {!webhookOk && <p className="notice notice-error">{t.webhookInvalid}</p>}
          <p className="hint">{t.webhookHint}</p>

          <h3>
            {t.tranzila} <span className={stateOf('tranzila').cls}>{stateOf('tranzila').text}</span>
          </h3>
          {missingLine('tranzila')}
          {keyRows('tranzila')}
          <p className="hint">{t.tranzilaKeysHint}</p>
          {callback('tranzila')}
          <p className="hint">{t.tranzilaCallbackHint}</p>

          <label className="field" style={{ flexDirection: 'row', alignItems: 'center', gap: 8 }}>
            <input
              type="checkbox"
              checked={s.settings.autoReceipt}
              disabled={busy}
              data-testid="payments-auto-receipt"
              onChange={(e) => void update({ autoReceipt: e.target.checked })}
            />
            <span>{t.autoReceipt}</span>
          </label>
          <p className="hint">{t.autoReceiptHint}</p>
        </>
      )}
    </section>
  );
}
