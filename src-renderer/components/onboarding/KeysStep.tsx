/**
 * The wizard's keys step: OpenAI, the Google service-account file, Twilio's account id and
 * password, ngrok. Each is saved (secrets.set) and then checked live against its service
 * (setup.checkKey): ✅, or ❌ with what is wrong in Hebrew and where to get the key.
 */
import { CheckCircle2, FileUp, XCircle } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CheckedKey, CheckResult } from '../../../src-main/api/contract/setup';
import type { SECRET_KEYS } from '../../../src-main/api/contract/system';
import { api } from '../../api';
import { useQuery } from '../../api/hooks';
import { he } from '../../i18n/he';
import { KeyLabel } from '../KeyLabel';
import { errorMessage } from '../States';

const t = he.onboarding.keys;
type SecretName = (typeof SECRET_KEYS)[number];

const FIELDS: Record<CheckedKey, SecretName[]> = {
  openai: ['openai_api_key'],
  google: ['google_service_account_json'],
  twilio: ['twilio_account_sid', 'twilio_auth_token'],
  ngrok: ['ngrok_authtoken'],
};

/** The Hebrew for a failed check: what is wrong with this key. */
export function problemText(key: CheckedKey, r: CheckResult): string {
  const p = r.problem ?? 'other';
  const v = t.problems[p];
  return typeof v === 'string' ? v : v[key];
}

export function CheckLine({
  result,
  okText,
  problem,
}: {
  result: CheckResult;
  okText: string;
  problem: string;
}) {
  return result.ok ? (
    <p className="check-line check-ok" role="status" data-testid="check-ok">
      <CheckCircle2 size={18} aria-hidden />
      {okText}
    </p>
  ) : (
    <p
      className="check-line check-fail"
      role="alert"
      data-testid="check-fail"
      data-problem={result.problem ?? ''}
    >
      <XCircle size={18} aria-hidden />
      {problem}
    </p>
  );
}

function KeyCard({
  id,
  stored,
  onStored,
}: {
  id: CheckedKey;
  stored: Partial<Record<SecretName, boolean>>;
  onStored: (s: Record<SecretName, boolean>) => void;
}) {
  const [drafts, setDrafts] = useState<Partial<Record<SecretName, string>>>({});
  const [fileName, setFileName] = useState<string>();
  const [fileError, setFileError] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CheckResult>();
  const [error, setError] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  const names = FIELDS[id];
  const allStored = names.every((n) => stored[n]);
  const hasDraft = names.some((n) => drafts[n]?.trim());

  const check = async () => {
    setResult(await api.call('setup.checkKey', { key: id }));
  };
  // A key stored earlier is checked once on arrival, so the owner sees ✅/❌ without a click.
  const checkedOnce = useRef(false);
  useEffect(() => {
    if (checkedOnce.current || !allStored) return;
    checkedOnce.current = true;
    check().catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [allStored]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      let last: Record<SecretName, boolean> | undefined;
      for (const name of names) {
        const value = drafts[name]?.trim();
        if (value) last = await api.call('secrets.set', { name, value });
      }
      checkedOnce.current = true;
      if (last) onStored(last);
      setDrafts({});
      await check();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const onFile = async (file: File | undefined) => {
    setFileError(false);
    if (!file) return;
    const text = await file.text();
    try {
      JSON.parse(text);
    } catch {
      setFileError(true);
      setFileName(undefined);
      return;
    }
    setFileName(file.name);
    setDrafts({ google_service_account_json: text });
  };

  return (
    <form className="key-card" onSubmit={submit} data-testid={`key-${id}`}>
      <div className="key-card-head">
        <h3>{t.titles[id]}</h3>
        {id === 'google' && <span className="badge">{t.optional}</span>}
        {allStored && <span className="badge badge-ok">{t.stored}</span>}
      </div>
      {id === 'google' && <p className="hint">{t.googleHint}</p>}
      <div className={names.length > 1 ? 'grid grid-2' : undefined}>
        {id === 'google' ? (
          <div className="field">
            <KeyLabel name="google_service_account_json" htmlFor="k-google-file" where={false} />
            <div className="file-row">
              <input
                ref={fileInput}
                id="k-google-file"
                type="file"
                accept=".json,application/json"
                className="visually-hidden"
                onChange={(e) => void onFile(e.target.files?.[0])}
                data-testid="google-file"
              />
              <button type="button" className="btn" onClick={() => fileInput.current?.click()}>
                <FileUp size={16} />
                {t.pickFile}
              </button>
              {fileName && <span className="muted">{t.fileChosen.replace('{name}', fileName)}</span>}
            </div>
            {fileError && <span className="error">{t.fileBad}</span>}
          </div>
        ) : (
          names.map((name) => (
            <div className="field" key={name}>
              <KeyLabel name={name} htmlFor={`k-${name}`} where={false} />
              <input
                id={`k-${name}`}
                className="input"
                type="password"
                dir="ltr"
                autoComplete="off"
                placeholder={stored[name] ? t.storedPlaceholder : ''}
                value={drafts[name] ?? ''}
                onChange={(e) => setDrafts((d) => ({ ...d, [name]: e.target.value }))}
              />
            </div>
          ))
        )}
      </div>
      <p className="hint key-where">
        <strong>{t.whereLabel}</strong> {t.where[id]}
      </p>
      <div className="form-actions" style={{ marginTop: 8 }}>
        {hasDraft ? (
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="key-save">
            {busy ? t.checking : t.saveAndCheck}
          </button>
        ) : (
          <button
            className="btn"
            type="button"
            disabled={busy || !allStored}
            onClick={() => {
              setBusy(true);
              check()
                .catch((err: unknown) => setError(errorMessage(err)))
                .finally(() => setBusy(false));
            }}
            data-testid="key-check"
          >
            {busy ? t.checking : t.check}
          </button>
        )}
      </div>
      {result && <CheckLine result={result} okText={t.ok} problem={problemText(id, result)} />}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

export function KeysStep() {
  const q = useQuery(() => api.call('secrets.status'), []);
  const stored = q.data ?? {};
  return (
    <div className="key-cards">
      {(['openai', 'google', 'twilio', 'ngrok'] as const).map((id) => (
        <KeyCard key={id} id={id} stored={stored} onStored={(s) => q.setData(s)} />
      ))}
    </div>
  );
}
