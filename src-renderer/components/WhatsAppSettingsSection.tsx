/**
 * Settings → WhatsApp: which way the business is connected (WhatsApp Web on this computer, or a
 * Twilio WhatsApp sender), the live connection with the QR / pairing code to link the phone,
 * logout, the outbox pace, and the AI auto-reply with its hand-over time.
 */
import { LogOut } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { isFlagBuilt } from '../../src-main/api/contract/business';
import type { WaConnection, WaSettings } from '../../src-main/api/contract/whatsapp';
import { api, ApiCallError } from '../api';
import { useQuery } from '../api/hooks';
import { he } from '../i18n/he';
import { plural } from '../lib/plural';
import { PhoneNumber } from './format';
import { useAvailable } from '../lib/capabilities';
import { formatNumber, formatPhone } from '../lib/format';
import { Modal } from './crm/Modal';
import { ErrorState, Loading, errorMessage } from './States';
import { CONNECTION_BADGE, useWaConnection, useWaProvider } from './whatsapp/hooks';
import { QrImage } from './whatsapp/QrImage';
import '../styles/whatsapp.css';

const t = he.whatsapp.settings;
const states = he.whatsapp.connection.states;

function useSecondsUntil(at: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at == null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at == null ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Why the connection is not open, in words the owner can act on. */
function reasonText(c: WaConnection): string | null {
  if (c.state === 'replaced') return t.reasons.replaced;
  if (c.state === 'logged_out') return t.reasons.logged_out;
  if (c.state === 'error') return t.reasons.error;
  if (c.state === 'not_configured')
    return c.provider === 'twilio' ? t.reasons.not_configured_twilio : t.reasons.not_configured_baileys;
  return null;
}

export function WhatsAppSettingsSection() {
  const on = useAvailable('whatsapp_enabled');
  if (!on) return null;
  return <Section />;
}

function Section() {
  const conn = useWaConnection();
  const provider = useWaProvider();
  const [switching, setSwitching] = useState<string | null>(null);
  const [switchError, setSwitchError] = useState('');
  const c = conn.data?.connection;

  const switchTo = async (name: 'baileys' | 'twilio') => {
    setSwitching(name);
    setSwitchError('');
    try {
      provider.setData(await api.call('whatsapp.provider.set', { provider: name }));
      conn.reload();
    } catch (e) {
      setSwitchError(errorMessage(e));
    } finally {
      setSwitching(null);
    }
  };

  return (
    <section className="card" id="whatsapp" data-testid="wa-settings">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>
      {(provider.error !== undefined || conn.error !== undefined) && (
        <ErrorState
          error={provider.error ?? conn.error}
          onRetry={() => {
            provider.reload();
            conn.reload();
          }}
        />
      )}
      {(!provider.data || !c) && provider.error === undefined && conn.error === undefined && <Loading />}
      {provider.data && (
        <>
          <h3 className="wa-subtitle">{t.provider}</h3>
          {/* Cards, not radios: each holds its own "switch" button (a radio may not contain one). */}
          <div className="wa-providers" role="group" aria-label={t.provider}>
            {provider.data.available.map((p) => {
              const active = p.name === provider.data!.active;
              return (
                <div
                  key={p.name}
                  className={`wa-provider${active ? ' active' : ''}`}
                  aria-current={active ? 'true' : undefined}
                  data-testid={`wa-provider-${p.name}`}
                >
                  <div className="wa-provider-head">
                    <strong>{t.providers[p.name]}</strong>
                    {active && <span className="badge badge-ok">{t.active}</span>}
                    {!active && !p.configured && <span className="badge">{t.notConfigured}</span>}
                  </div>
                  <p>{t.providerHints[p.name]}</p>
                  {!active && (
                    <button
                      type="button"
                      className="btn btn-sm"
                      disabled={switching !== null}
                      onClick={() => void switchTo(p.name)}
                      data-testid={`wa-use-${p.name}`}
                    >
                      {switching === p.name ? t.switching : t.switchTo}
                    </button>
                  )}
                </div>
              );
            })}
          </div>
          <p className="hint">{t.switchNote}</p>
          {switchError && (
            <p className="notice notice-error" role="alert">
              {switchError}
            </p>
          )}
        </>
      )}
      {c && (
        <ConnectionBlock
          c={c}
          onChanged={(x) => conn.data && conn.setData({ ...conn.data, connection: x })}
        />
      )}
      {conn.data && (
        <>
          <h3 className="wa-subtitle">{t.outboxTitle}</h3>
          <div className="wa-outbox" data-testid="wa-outbox">
            {(['queued', 'sending', 'failed', 'sentToday'] as const).map((k) => (
              <div className="stat" key={k}>
                <span className="label">{t.outbox[k]}</span>
                <span className="value">{formatNumber(conn.data!.outbox[k])}</span>
              </div>
            ))}
          </div>
        </>
      )}
      <SettingsForm twilio={provider.data?.active === 'twilio'} />
    </section>
  );
}

/** The live state; for WhatsApp Web the QR (or a pairing code) while not linked, and logout. */
function ConnectionBlock({ c, onChanged }: { c: WaConnection; onChanged: (c: WaConnection) => void }) {
  const seconds = useSecondsUntil(c.state === 'reconnecting' ? c.nextRetryAt : null);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const reason = reasonText(c);
  const baileys = c.provider === 'baileys';
  const linking = baileys && c.state !== 'open';
  const logout = async () => {
    setBusy(true);
    setError('');
    try {
      onChanged(await api.call('whatsapp.logout'));
      setConfirm(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h3 className="wa-subtitle">{t.state}</h3>
      <div className="wa-conn" data-testid="wa-conn" data-state={c.state}>
        <span className={CONNECTION_BADGE[c.state]} data-testid="wa-conn-state">
          {states[c.state]}
        </span>
        {c.state === 'reconnecting' && c.nextRetryAt && (
          <span className="muted">{plural(seconds, t.retryIn)}</span>
        )}
        {c.state === 'open' && c.me?.phone && (
          <span>
            {t.connectedAs} <PhoneNumber value={c.me.phone} testId="wa-me" />
          </span>
        )}
        {baileys && (c.state === 'open' || !!c.me) && (
          <button
            type="button"
            className="btn btn-sm btn-danger"
            onClick={() => setConfirm(true)}
            data-testid="wa-logout"
          >
            <LogOut size={14} aria-hidden /> {t.logout}
          </button>
        )}
      </div>
      {reason && (
        <p
          className={`notice${c.state === 'replaced' || c.state === 'error' ? ' notice-error' : ''}`}
          data-testid="wa-conn-reason"
        >
          {reason}
        </p>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {linking && <Pairing c={c} />}
      {confirm && (
        <Modal title={t.logoutTitle} onClose={() => setConfirm(false)} testId="wa-logout-confirm">
          <p>{t.logoutBody}</p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => void logout()}
              disabled={busy}
              data-testid="wa-logout-yes"
            >
              {busy ? t.loggingOut : t.logoutConfirm}
            </button>
            <button type="button" className="btn" onClick={() => setConfirm(false)}>
              {he.common.cancel}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

/** Link the phone: scan the QR, or (no camera) ask for a code for the business number and type it there. */
function Pairing({ c }: { c: WaConnection }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [qr, setQr] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const shownCode = c.pairingCode ?? code;
  const shownQr = c.qr ?? (c.state === 'qr' ? qr : null);
  /** Asking for the QR starts the link (the app connects to WhatsApp only once linked or asked). */
  const start = () => {
    setAsking(true);
    api
      .call('whatsapp.qr')
      .then((r) => setQr(r.qr))
      .catch(() => setError(t.qrFailed))
      .finally(() => setAsking(false));
  };
  const needsAsk = c.state === 'replaced' || c.state === 'error';
  // Opening the screen starts linking, except after "opened elsewhere": that waits for the owner.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => (needsAsk ? undefined : start()), []);
  const ask = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await api.call('whatsapp.qr', { pairingPhone: phone });
      setCode(r.pairingCode);
      if (!r.pairingCode) setError(t.pairingFailed);
    } catch (err) {
      setError(err instanceof ApiCallError && err.body.code === 'bad_input' ? t.badPhone : t.pairingFailed);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="wa-pairing" data-testid="wa-pairing">
      <div>
        {shownQr ? (
          <QrImage value={shownQr} label={t.qrAlt} />
        ) : (
          <div className="wa-qr-wait" data-testid="wa-qr-wait">
            {needsAsk ? (
              <button
                type="button"
                className="btn btn-primary"
                onClick={start}
                disabled={asking}
                data-testid="wa-qr-new"
              >
                {t.qrNew}
              </button>
            ) : (
              t.qrWaiting
            )}
          </div>
        )}
      </div>
      <div>
        <strong>{t.qrTitle}</strong>
        <ol className="wa-qr-steps">
          {t.qrSteps.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
        <p className="hint">{t.qrRefresh}</p>
        <strong>{t.pairingTitle}</strong>
        <p className="hint" style={{ margin: '4px 0 0' }}>
          {t.pairingHint}
        </p>
        <form className="wa-pairing-form" onSubmit={(e) => void ask(e)}>
          <div className="field">
            <label htmlFor="wa-pair-phone">{t.pairingPhone}</label>
            <input
              id="wa-pair-phone"
              className="input"
              dir="ltr"
              inputMode="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              data-testid="wa-pair-phone"
            />
          </div>
          <button type="submit" className="btn" disabled={busy || !phone.trim()} data-testid="wa-pair-get">
            {busy ? t.pairingGetting : t.pairingGet}
          </button>
        </form>
        {error && (
          <p className="error" role="alert" style={{ color: 'var(--color-danger)' }}>
            {error}
          </p>
        )}
        {shownCode && (
          <div data-testid="wa-pairing-code-box">
            <p style={{ margin: 'var(--space-3) 0 0' }}>{t.pairingCode}</p>
            <span className="wa-pairing-code ltr" data-testid="wa-pairing-code">
              {shownCode.length === 8 ? `${shownCode.slice(0, 4)}-${shownCode.slice(4)}` : shownCode}
            </span>
          </div>
        )}
      </div>
    </div>
  );
}

/** The AI auto-reply is offered only once it is built (its own line in CAPABILITY_BUILT). */
const AUTO_REPLY_BUILT = isFlagBuilt('ai_whatsapp_autoreply');

type Form = {
  perMinute: string;
  perDay: string;
  twilioFrom: string;
  autoReply: boolean;
  handoverMinutes: string;
};
const toForm = (s: WaSettings): Form => ({
  perMinute: String(s.perMinute),
  perDay: String(s.perDay),
  twilioFrom: s.twilioFrom ? formatPhone(s.twilioFrom) || s.twilioFrom : '',
  autoReply: s.autoReply,
  handoverMinutes: String(s.handoverMinutes),
});

/** Pace caps, the Twilio sender, the auto-reply and its hand-over time; every field checked at once. */
function SettingsForm({ twilio }: { twilio: boolean }) {
  const q = useQuery(() => api.call('whatsapp.settings.get'), []);
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | { error: string }>('idle');
  useEffect(() => {
    if (q.data) setForm(toForm(q.data));
  }, [q.data]);
  if (q.error !== undefined) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!form) return null;
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm((f) => f && { ...f, [k]: v });
    setStatus('idle');
  };
  const int = (v: string, min: number, max: number) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const perMinute = int(form.perMinute, 1, 60);
    const perDay = int(form.perDay, 1, 10_000);
    const handoverMinutes = int(form.handoverMinutes, 1, 7 * 24 * 60);
    const next: typeof errors = {};
    if (perMinute === null) next.perMinute = t.rangeError;
    if (perDay === null) next.perDay = t.rangeError;
    if (handoverMinutes === null) next.handoverMinutes = t.rangeError;
    setErrors(next);
    if (Object.keys(next).length) return;
    setStatus('saving');
    try {
      const saved = await api.call('whatsapp.settings.set', {
        perMinute: perMinute!,
        perDay: perDay!,
        ...(AUTO_REPLY_BUILT ? { autoReply: form.autoReply } : {}),
        handoverMinutes: handoverMinutes!,
        ...(twilio ? { twilioFrom: form.twilioFrom.trim() || null } : {}),
      });
      q.setData(saved);
      setStatus('saved');
    } catch (err) {
      if (err instanceof ApiCallError && err.body.code === 'bad_input') {
        const fields =
          (err.body.details as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {};
        setErrors(
          Object.fromEntries(
            Object.keys(fields).map((k) => [k, k === 'twilioFrom' ? t.badPhone : t.rangeError]),
          ) as typeof errors,
        );
      }
      setStatus({ error: errorMessage(err) });
    }
  };
  const num = (k: 'perMinute' | 'perDay' | 'handoverMinutes', label: string, max: number) => (
    <div className="field">
      <label htmlFor={`wa-${k}`}>{label}</label>
      <input
        id={`wa-${k}`}
        className="input"
        type="number"
        dir="ltr"
        min={1}
        max={max}
        value={form[k]}
        aria-invalid={errors[k] ? 'true' : undefined}
        onChange={(e) => set(k, e.target.value)}
        data-testid={`wa-${k}`}
      />
      {errors[k] && <span className="error">{errors[k]}</span>}
    </div>
  );
  return (
    <form onSubmit={(e) => void submit(e)} noValidate data-testid="wa-settings-form">
      {twilio && (
        <>
          <h3 className="wa-subtitle">{t.twilioFrom}</h3>
          <p className="hint">{t.twilioFromHint}</p>
          <div className="field" style={{ maxWidth: 320 }}>
            <input
              className="input"
              dir="ltr"
              inputMode="tel"
              aria-label={t.twilioFrom}
              value={form.twilioFrom}
              aria-invalid={errors.twilioFrom ? 'true' : undefined}
              onChange={(e) => set('twilioFrom', e.target.value)}
              data-testid="wa-twilioFrom"
            />
            {errors.twilioFrom && <span className="error">{errors.twilioFrom}</span>}
          </div>
        </>
      )}
      <h3 className="wa-subtitle">{t.pace}</h3>
      <p className="hint">{t.paceHint}</p>
      <div className="wa-settings-grid">
        {num('perMinute', t.perMinute, 60)}
        {num('perDay', t.perDay, 10_000)}
      </div>
      {AUTO_REPLY_BUILT && (
        <>
          <h3 className="wa-subtitle">{t.autoReply}</h3>
          <p className="hint">{t.autoReplyHint}</p>
          <div className="wa-settings-grid">
            <label className="wa-check">
              <input
                type="checkbox"
                checked={form.autoReply}
                onChange={(e) => set('autoReply', e.target.checked)}
                data-testid="wa-autoReply"
              />
              {t.autoReplyLabel}
            </label>
            {num('handoverMinutes', t.handover, 7 * 24 * 60)}
          </div>
        </>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={status === 'saving'}
          data-testid="wa-settings-save"
        >
          {status === 'saving' ? he.common.saving : t.save}
        </button>
        {status === 'saved' && (
          <span className="badge badge-ok" role="status">
            {he.common.saved}
          </span>
        )}
        {typeof status === 'object' && (
          <span className="badge badge-fail" role="alert">
            {status.error}
          </span>
        )}
      </div>
    </form>
  );
}
