import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { useQuery } from '../../api/hooks';
import { useApp } from '../../app-context';
import { he } from '../../i18n/he';
import { ErrorState, Loading } from '../States';
import { DateInput } from './DateInput';
import { Money, Num } from '../format';
import { parseShekels, shekelsText } from './Money';
import { DOC_TYPES, type BillingSettings, type DocType } from './types';

const s = he.billing.settings;
const se = s.errors;

interface Row {
  key: number;
  from: string | null;
  amount: string;
}
let nextKey = 1;

/**
 * Settings → documents: the dealer details every document prints (from the business profile), the
 * VAT rate, the first number of each type (until its first document), allocation-number thresholds,
 * payment terms and the footer note. Every field's error at once, on save and on leaving it.
 */
export function BillingSettingsSection() {
  const { business } = useApp();
  const q = useQuery(() => api.call('billing.settings.get', {}), []);
  if (q.error !== undefined)
    return (
      <section className="card" id="billing">
        <h2>{s.title}</h2>
        <ErrorState error={q.error} onRetry={q.reload} />
      </section>
    );
  if (!q.data || !business)
    return (
      <section className="card" id="billing">
        <h2>{s.title}</h2>
        <Loading />
      </section>
    );
  return <BillingSettingsForm settings={q.data} onSaved={q.setData} vatId={business.vatId} />;
}

function BillingSettingsForm({
  settings,
  onSaved,
  vatId,
}: {
  settings: BillingSettings;
  onSaved: (s: BillingSettings) => void;
  vatId: string;
}) {
  const [starts, setStarts] = useState<Record<string, string>>({});
  const [rows, setRows] = useState<Row[]>([]);
  const [terms, setTerms] = useState('');
  const [cash, setCash] = useState('');
  const [footer, setFooter] = useState('');
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved' | string>('idle');
  useEffect(() => {
    setStarts(Object.fromEntries(DOC_TYPES.map((t) => [t, String(settings.startingNumbers[t] ?? 1)])));
    setRows(
      settings.allocationThresholds.map((r) => ({
        key: nextKey++,
        from: r.from,
        amount: shekelsText(r.amountAgorot),
      })),
    );
    setTerms(String(settings.paymentTermsDays));
    setCash(shekelsText(settings.cashIdThresholdAgorot));
    setFooter(settings.footerNote);
  }, [settings]);

  const locked = new Set<DocType>(settings.lockedTypes);
  const errors: Record<string, string> = {};
  for (const t of DOC_TYPES) {
    if (locked.has(t)) continue;
    const n = Number(starts[t]);
    if (!Number.isInteger(n) || n < 1 || n > 999_999_999) errors[`start.${t}`] = se.number;
  }
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.from) errors[`row.${r.key}.from`] = se.date;
    else if (seen.has(r.from)) errors[`row.${r.key}.from`] = se.duplicate;
    else seen.add(r.from);
    const a = parseShekels(r.amount);
    if (a === null || a < 0) errors[`row.${r.key}.amount`] = se.amount;
  }
  if (rows.length === 0) errors.rows = se.atLeastOne;
  const days = Number(terms);
  if (!Number.isInteger(days) || days < 0 || days > 365) errors.terms = se.days;
  const cashAgorot = parseShekels(cash);
  if (cashAgorot === null || cashAgorot < 0) errors.cash = se.amount;
  const show = (k: string) => (submitted || touched.has(k) ? errors[k] : undefined);
  const blur = (k: string) => setTouched((t) => new Set(t).add(k));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length) return;
    setStatus('saving');
    try {
      const startingNumbers = Object.fromEntries(
        DOC_TYPES.filter((t) => !locked.has(t)).map((t) => [t, Number(starts[t])]),
      );
      const next = await api.call('billing.settings.set', {
        startingNumbers,
        allocationThresholds: rows
          .map((r) => ({ from: r.from!, amountAgorot: parseShekels(r.amount)! }))
          .sort((a, b) => a.from.localeCompare(b.from)),
        paymentTermsDays: days,
        cashIdThresholdAgorot: cashAgorot!,
        footerNote: footer.trim(),
      });
      onSaved(next);
      setSubmitted(false);
      setTouched(new Set());
      setStatus('saved');
    } catch {
      setStatus(he.billing.failed);
    }
  };

  const patur = settings.dealerType === 'osek_patur';
  return (
    <form className="card" id="billing" onSubmit={submit} noValidate data-testid="billing-settings">
      <h2>{s.title}</h2>
      <p className="hint">{s.hint}</p>
      <dl className="kv">
        <dt>{s.dealerType}</dt>
        <dd>{s.dealerTypes[settings.dealerType]}</dd>
        <dt>{s.vatId}</dt>
        <dd>
          <bdi className="num">{vatId || '—'}</bdi>{' '}
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() =>
              document.querySelector('[data-testid="profile-form"]')?.scrollIntoView({ block: 'start' })
            }
          >
            {s.profileLink}
          </button>
        </dd>
        <dt>{s.vatRate}</dt>
        <dd>{patur ? s.vatNone : <bdi className="num">{settings.vatRateBp / 100}%</bdi>}</dd>
      </dl>
      <p className="hint" style={{ marginTop: 8 }}>
        {patur ? s.patur : s.vatRateHint}
      </p>

      <h3 style={{ marginTop: 16 }}>{s.numbering}</h3>
      <p className="hint">{s.numberingHint}</p>
      <table className="table" data-testid="starting-numbers">
        <thead>
          <tr>
            <th>{he.billing.list.columns.type}</th>
            <th>{s.startAt}</th>
            <th>{s.nextNumber}</th>
          </tr>
        </thead>
        <tbody>
          {DOC_TYPES.map((t) => (
            <tr key={t}>
              <td>{he.billing.types[t]}</td>
              <td>
                {locked.has(t) ? (
                  <span className="muted">
                    <Num value={settings.startingNumbers[t] ?? 1} plain /> · {s.locked}
                  </span>
                ) : (
                  <>
                    <input
                      className="input"
                      style={{ width: 140 }}
                      dir="ltr"
                      inputMode="numeric"
                      aria-label={`${s.startAt} ${he.billing.types[t]}`}
                      value={starts[t] ?? ''}
                      aria-invalid={show(`start.${t}`) ? 'true' : undefined}
                      onChange={(e) => setStarts((x) => ({ ...x, [t]: e.target.value.trim() }))}
                      onBlur={() => blur(`start.${t}`)}
                    />
                    {show(`start.${t}`) && <div className="error">{show(`start.${t}`)}</div>}
                  </>
                )}
              </td>
              <td>
                <Num value={settings.nextNumbers[t] ?? 1} plain />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 style={{ marginTop: 16 }}>{s.thresholds}</h3>
      <p className="hint">{s.thresholdsHint}</p>
      <table className="table thresholds" data-testid="thresholds">
        <thead>
          <tr>
            <th>{s.from}</th>
            <th>{s.amount}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.key}>
              <td>
                <DateInput
                  id={`thr-from-${r.key}`}
                  label={`${s.from} ${i + 1}`}
                  value={r.from ?? ''}
                  onChange={(from) => setRows((xs) => xs.map((x) => (x.key === r.key ? { ...x, from } : x)))}
                  onBlur={() => blur(`row.${r.key}.from`)}
                  error={show(`row.${r.key}.from`)}
                  className="label-hidden"
                />
              </td>
              <td>
                <input
                  className="input"
                  dir="ltr"
                  inputMode="decimal"
                  aria-label={`${s.amount} ${i + 1}`}
                  value={r.amount}
                  aria-invalid={show(`row.${r.key}.amount`) ? 'true' : undefined}
                  onChange={(e) =>
                    setRows((xs) => xs.map((x) => (x.key === r.key ? { ...x, amount: e.target.value } : x)))
                  }
                  onBlur={() => blur(`row.${r.key}.amount`)}
                />
                {show(`row.${r.key}.amount`) && <div className="error">{show(`row.${r.key}.amount`)}</div>}
                {!show(`row.${r.key}.amount`) && parseShekels(r.amount) !== null && (
                  <div className="muted" style={{ fontSize: 'var(--text-xs)' }}>
                    <Money agorot={parseShekels(r.amount)!} />
                  </div>
                )}
              </td>
              <td>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  onClick={() => setRows((xs) => xs.filter((x) => x.key !== r.key))}
                >
                  {s.remove}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {show('rows') && <div className="error">{show('rows')}</div>}
      <button
        type="button"
        className="btn btn-sm"
        style={{ marginTop: 8 }}
        onClick={() => setRows((xs) => [...xs, { key: nextKey++, from: null, amount: '' }])}
      >
        {s.addThreshold}
      </button>

      <div className="grid grid-2" style={{ marginTop: 16 }}>
        <div className="field">
          <label htmlFor="bs-terms">{s.paymentTerms}</label>
          <input
            id="bs-terms"
            className="input"
            dir="ltr"
            inputMode="numeric"
            value={terms}
            aria-invalid={show('terms') ? 'true' : undefined}
            onChange={(e) => setTerms(e.target.value.trim())}
            onBlur={() => blur('terms')}
          />
          {show('terms') && <span className="error">{show('terms')}</span>}
        </div>
        <div className="field">
          <label htmlFor="bs-cash">{s.cashIdThreshold}</label>
          <input
            id="bs-cash"
            className="input"
            dir="ltr"
            inputMode="decimal"
            value={cash}
            aria-invalid={show('cash') ? 'true' : undefined}
            onChange={(e) => setCash(e.target.value)}
            onBlur={() => blur('cash')}
          />
          {show('cash') && <span className="error">{show('cash')}</span>}
        </div>
      </div>
      <div className="field" style={{ marginTop: 12 }}>
        <label htmlFor="bs-footer">{s.footerNote}</label>
        <textarea
          id="bs-footer"
          className="textarea"
          maxLength={1000}
          value={footer}
          onChange={(e) => setFooter(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={status === 'saving'}>
          {status === 'saving' ? he.common.saving : he.common.save}
        </button>
        {status === 'saved' && (
          <span className="badge badge-ok" role="status">
            {he.common.saved}
          </span>
        )}
        {status !== 'idle' && status !== 'saving' && status !== 'saved' && (
          <span className="badge badge-fail" role="alert">
            {status}
          </span>
        )}
      </div>
    </form>
  );
}
