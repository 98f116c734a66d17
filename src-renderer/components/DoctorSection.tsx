/**
 * Settings → "check the line": the doctor's golden-path checks (setup.doctor) run inside the
 * app, one ✅/❌ line each with what to do in Hebrew (the same checks as `npm run doctor`).
 */
import { CheckCircle2, Stethoscope, XCircle } from 'lucide-react';
import { useState } from 'react';
import type { DoctorReport } from '../../src-main/api/contract/setup';
import { api } from '../api';
import { he } from '../i18n/he';
import { formatDateTime } from '../lib/format';
import { errorMessage } from './States';
import '../styles/onboarding.css';

const t = he.doctor;
const label = (id: string) => (t.labels as Record<string, string>)[id] ?? t.labels.other;
const note = (n: string) => (t.notes as Record<string, string>)[n] ?? null;

export function DoctorSection() {
  const [report, setReport] = useState<DoctorReport>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport(await api.call('setup.doctor'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" id="doctor" data-testid="doctor">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>
      <div className="form-actions" style={{ marginTop: 0 }}>
        <button
          className="btn btn-primary"
          onClick={() => void run()}
          disabled={busy}
          data-testid="doctor-run"
        >
          <Stethoscope size={16} />
          {busy ? t.running : report ? t.again : t.run}
        </button>
        {report && (
          <span className={`badge ${report.ok ? 'badge-ok' : 'badge-fail'}`} role="status">
            {report.ok ? t.allOk : t.someFailed} · {formatDateTime(report.ranAt)}
          </span>
        )}
      </div>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <div className="doctor-list" data-testid="doctor-report">
          {report.checks.map((c, i) => (
            <div className="list-row doctor-row" key={`${c.id}-${i}`} data-ok={c.ok} data-id={c.id}>
              <span className="summary-item">
                {c.ok ? (
                  <CheckCircle2 color="var(--color-success)" aria-label={t.ok} />
                ) : (
                  <XCircle color="var(--color-danger)" aria-label={t.fail} />
                )}
                <span>
                  <strong>{label(c.id)}</strong>
                  {!c.ok && <span className="hint">{c.hint ?? t.noHint}</span>}
                  {c.ok && c.note && note(c.note) && <span className="hint">{note(c.note)}</span>}
                </span>
              </span>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
