import { useState } from 'react';
import type { z } from 'zod';
import type { importPreviewSchema, ImportIssue } from '../../../src-main/api/contract/crm';
import { api, ApiCallError } from '../../api';
import { he } from '../../i18n/he';
import { errorMessage } from '../States';
import { Modal } from './Modal';
import { fill } from './util';

const t = he.crm.import;
type Preview = z.infer<typeof importPreviewSchema>;

export const issueText = (i: ImportIssue) => {
  const text = fill(t.issues[i.code] ?? i.code, { v: i.value ?? '' });
  const why = i.reason && he.crm.form.phoneProblems[i.reason];
  return why ? `${text}: ${why}` : text;
};

/** Choose a CSV, see what will be imported and each bad row's problem, then import the good rows. */
export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<{ imported: number; skipped: number } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const explain = (err: unknown) => {
    if (err instanceof ApiCallError && err.body.code === 'bad_input') {
      const code = (err.body.details as { code?: string } | undefined)?.code;
      return code === 'no_columns' ? t.noColumns : t.fileError;
    }
    return errorMessage(err);
  };

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError('');
    setResult(null);
    setPreview(null);
    try {
      const text = await file.text();
      setCsv(text);
      setBusy(true);
      setPreview(await api.call('crm.customers.importPreview', { csv: text }));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  const commit = async () => {
    setBusy(true);
    try {
      const r = await api.call('crm.customers.importCommit', { csv });
      setResult(r);
      onImported();
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t.title} onClose={onClose} wide testId="import-dialog">
      <p className="muted" style={{ marginTop: 0 }}>
        {t.hint}
      </p>
      <label className="btn">
        {t.choose}
        <input
          type="file"
          accept=".csv,text/csv,.vcf,text/vcard,text/x-vcard"
          hidden
          data-testid="import-file"
          onChange={(e) => void choose(e.target.files?.[0])}
        />
      </label>
      {busy && (
        <span className="muted" style={{ marginInlineStart: 12 }}>
          {he.common.loading}
        </span>
      )}
      {error && (
        <div className="notice notice-error" style={{ marginTop: 12 }} role="alert">
          {error}
        </div>
      )}
      {preview && !result && (
        <div style={{ marginTop: 16 }} data-testid="import-preview">
          <div className="kpis" style={{ gridTemplateColumns: 'repeat(3, minmax(0, 1fr))' }}>
            <div className="stat-tile">
              <div className="label">{t.rows}</div>
              <div className="value">{preview.totalRows}</div>
            </div>
            <div className="stat-tile">
              <div className="label">{t.valid}</div>
              <div className="value" style={{ color: 'var(--color-success)' }} data-testid="import-valid">
                {preview.validRows}
              </div>
            </div>
            <div className="stat-tile">
              <div className="label">{t.invalid}</div>
              <div className="value" style={{ color: 'var(--color-danger)' }} data-testid="import-invalid">
                {preview.invalidRows}
              </div>
            </div>
          </div>
          <p className="muted">
            {t.columns}:{' '}
            {preview.columns.map((c) => (
              <span key={c.header} className={c.field ? 'tag' : 'badge'} style={{ marginInlineEnd: 6 }}>
                {c.header} ← {c.field ? (t.fields[c.field] ?? c.field) : t.unknownColumn}
              </span>
            ))}
          </p>
          {preview.issues.length > 0 && (
            <div className="issue-list">
              <table className="table" data-testid="import-issues">
                <thead>
                  <tr>
                    <th>{t.line}</th>
                    <th>{t.problem}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.issues.map((i, k) => (
                    <tr key={k}>
                      <td>{i.line}</td>
                      <td>
                        {issueText(i)}
                        {i.value && i.code !== 'duplicate_in_file' ? (
                          <span className="muted" style={{ marginInlineStart: 8 }}>
                            (<span className="ltr">{i.value}</span>)
                          </span>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="form-actions">
            <button
              className="btn btn-primary"
              disabled={busy || preview.validRows === 0}
              onClick={() => void commit()}
            >
              {busy ? t.importing : `${t.commit} (${preview.validRows})`}
            </button>
            <button className="btn btn-ghost" onClick={onClose}>
              {he.common.cancel}
            </button>
          </div>
        </div>
      )}
      {result && (
        <div className="notice notice-ok" style={{ marginTop: 16 }} role="status" data-testid="import-result">
          {fill(t.done, { n: result.imported, m: result.skipped })}
        </div>
      )}
    </Modal>
  );
}
