import { useEffect, useState } from 'react';
import type { WaMessage } from '../../../src-main/api/contract/whatsapp';
import type { z } from 'zod';
import type { waTemplateSchema } from '../../../src-main/api/contract/whatsapp';
import { api } from '../../api';
import { he } from '../../i18n/he';
import { Modal } from '../crm/Modal';
import { ErrorState, Loading } from '../States';
import { sendErrorText } from './errors';
import { fill } from './format';

const t = he.whatsapp.templates;
type Template = z.infer<typeof waTemplateSchema>;
const APPROVAL_BADGE: Record<Template['approval'], string> = {
  approved: 'badge badge-ok',
  pending: 'badge badge-warn',
  rejected: 'badge badge-fail',
  unsubmitted: 'badge',
  unknown: 'badge',
};

/** `{{1}}` placeholders in a template body, as the variable keys '1', '2' … */
const placeholders = (body: string): string[] =>
  [...new Set([...body.matchAll(/\{\{\s*(\d{1,2})\s*\}\}/g)].map((m) => m[1]!))].sort(
    (a, b) => Number(a) - Number(b),
  );

/** Pick an approved template, fill its values, see the message as the customer will, send it. */
export function TemplatePicker({
  customerId,
  available,
  onClose,
  onQueued,
}: {
  customerId: number;
  available: boolean;
  onClose: () => void;
  onQueued: (m: WaMessage) => void;
}) {
  const [items, setItems] = useState<Template[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>();
  const [picked, setPicked] = useState<Template | null>(null);
  const [vars, setVars] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!available) return;
    let live = true;
    setLoadError(undefined);
    api
      .call('whatsapp.templates')
      .then((r) => {
        if (!live) return;
        setItems(r.items);
        const first = r.items.find((x) => x.approval === 'approved');
        if (first) setPicked(first);
      })
      .catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [available, tick]);

  const keys = picked ? placeholders(picked.body) : [];
  const preview = picked
    ? picked.body.replace(/\{\{\s*(\d{1,2})\s*\}\}/g, (_, k: string) => vars[k]?.trim() || `{{${k}}}`)
    : '';
  const missing = keys.some((k) => !vars[k]?.trim());

  const send = async () => {
    if (!picked || missing) return setError(t.missingVars);
    setBusy(true);
    setError('');
    try {
      const variables = Object.fromEntries(keys.map((k) => [k, vars[k]!.trim()]));
      onQueued(
        (await api.call('whatsapp.sendTemplate', { customerId, contentSid: picked.contentSid, variables }))
          .message,
      );
    } catch (e) {
      setError(sendErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t.title} onClose={onClose} wide testId="wa-templates">
      <p className="hint">{t.hint}</p>
      {!available && <p className="notice">{t.notAvailable}</p>}
      {available && loadError !== undefined && (
        <ErrorState error={loadError} onRetry={() => setTick((x) => x + 1)} />
      )}
      {available && !items && loadError === undefined && <Loading label={t.loading} />}
      {items && items.length === 0 && <p className="notice">{t.none}</p>}
      {items && items.length > 0 && (
        <div className="wa-templates">
          <ul className="wa-template-list" role="listbox" aria-label={t.title}>
            {items.map((x) => {
              const ok = x.approval === 'approved';
              return (
                <li key={x.contentSid}>
                  <button
                    type="button"
                    role="option"
                    aria-selected={picked?.contentSid === x.contentSid}
                    className={`wa-template${picked?.contentSid === x.contentSid ? ' active' : ''}`}
                    disabled={!ok}
                    onClick={() => {
                      setPicked(x);
                      setVars({});
                      setError('');
                    }}
                    data-testid="wa-template"
                  >
                    <bdi className="wa-template-name">{x.name}</bdi>
                    <span className={APPROVAL_BADGE[x.approval]}>{t.approval[x.approval]}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          {picked && (
            <div className="wa-template-form">
              {keys.map((k) => (
                <div className="field" key={k}>
                  <label htmlFor={`wa-var-${k}`}>{fill(t.variable, { n: k })}</label>
                  <input
                    id={`wa-var-${k}`}
                    className="input"
                    dir="auto"
                    value={vars[k] ?? ''}
                    onChange={(e) => setVars((v) => ({ ...v, [k]: e.target.value }))}
                  />
                </div>
              ))}
              <div className="wa-template-preview">
                <span className="muted">{t.preview}</span>
                <div className="wa-bubble wa-preview-bubble" dir="auto" data-testid="wa-template-preview">
                  {preview}
                </div>
              </div>
            </div>
          )}
        </div>
      )}
      {error && (
        <p className="wa-composer-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={!picked || busy || picked.approval !== 'approved'}
          onClick={() => void send()}
          data-testid="wa-template-send"
        >
          {busy ? he.whatsapp.composer.sending : t.send}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          {he.common.cancel}
        </button>
      </div>
    </Modal>
  );
}
