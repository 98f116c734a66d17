import { useRef, useState } from 'react';
import type { z } from 'zod';
import {
  IMPORT_TARGETS,
  type importPreviewSchema,
  type ImportIssue,
  type ImportTarget,
} from '../../../src-main/api/contract/crm';
import { api, ApiCallError } from '../../api';
import { he } from '../../i18n/he';
import { plural } from '../../lib/plural';
import { EmailAddress, Num, PhoneNumber } from '../format';
import { errorMessage } from '../States';
import { Modal } from './Modal';
import { fill } from './util';

const t = he.crm.import;
type Preview = z.infer<typeof importPreviewSchema>;
type Mapping = Array<ImportTarget | null>;
type Result = { imported: number; updated: number; skipped: number };

export const issueText = (i: ImportIssue) => {
  const text = fill(t.issues[i.code] ?? i.code, { v: i.value ?? '' });
  const why = i.reason && he.crm.form.phoneProblems[i.reason];
  return why ? `${text}: ${why}` : text;
};

/** A column's header as the owner knows it (vCard columns get their Hebrew name). */
const headerText = (h: string) => t.vcardColumns[h] ?? h;

const ACTION_BADGE = { create: 'badge-ok', update: 'badge-info', skip: 'badge-warn' } as const;

/**
 * Choose a CSV or vCard file and see, before anything is written, what it will do: how many new
 * customers, updates and skipped rows (with why), the first rows, and which column feeds which
 * field. The mapping and "update existing customers" can be changed; each change re-previews.
 */
export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState('');
  const [mapping, setMapping] = useState<Mapping | undefined>(undefined);
  const [update, setUpdate] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const asked = useRef(0);

  const explain = (err: unknown) => {
    if (err instanceof ApiCallError && err.body.code === 'bad_input') {
      const code = (err.body.details as { code?: string } | undefined)?.code;
      return code === 'no_columns' ? t.noColumns : t.fileError;
    }
    return errorMessage(err);
  };

  /** Previews `text` with the mapping and flag; a newer request wins over a slower older one. */
  const load = async (text: string, m: Mapping | undefined, u: boolean) => {
    const n = ++asked.current;
    setBusy(true);
    setError('');
    try {
      const p = await api.call('crm.customers.importPreview', { csv: text, mapping: m, update: u });
      if (n === asked.current) setPreview(p);
    } catch (err) {
      if (n === asked.current) setError(explain(err));
    } finally {
      if (n === asked.current) setBusy(false);
    }
  };

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setResult(null);
    setPreview(null);
    setMapping(undefined);
    setFileName(file.name);
    try {
      const text = await file.text();
      setCsv(text);
      await load(text, undefined, update);
    } catch (err) {
      setError(explain(err));
    }
  };

  const remap = (col: number, target: ImportTarget | null) => {
    if (!preview) return;
    const next = (mapping ?? preview.columns.map((c) => c.field)).slice();
    next[col] = target;
    setMapping(next);
    void load(csv, next, update);
  };

  const toggleUpdate = (u: boolean) => {
    setUpdate(u);
    if (csv) void load(csv, mapping, u);
  };

  const commit = async () => {
    setBusy(true);
    try {
      const r = await api.call('crm.customers.importCommit', { csv, mapping, update });
      setResult(r);
      onImported();
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };

  const columns = preview
    ? preview.columns.map((c, i) => ({ ...c, i, field: mapping ? mapping[i]! : c.field }))
    : [];
  // Google's export has dozens of columns, most of them empty: those are hidden unless mapped.
  const shown = columns.filter((c) => c.example || c.field);
  const hidden = columns.length - shown.length;
  const toImport = preview ? preview.counts.create + preview.counts.update : 0;

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
      {fileName && (
        <span className="muted" style={{ marginInlineStart: 12 }}>
          {t.fileLabel} <bdi>{fileName}</bdi>
        </span>
      )}
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
            {(['create', 'update', 'skip'] as const).map((k) => (
              <div className="stat-tile" key={k}>
                <div className="label">{t.totals[k]}</div>
                <div
                  className="value"
                  style={{ color: k === 'skip' && preview.counts.skip ? 'var(--color-danger)' : undefined }}
                  data-testid={`import-count-${k}`}
                >
                  <Num value={preview.counts[k]} />
                </div>
              </div>
            ))}
          </div>

          <label
            className="field"
            style={{ flexDirection: 'row', alignItems: 'center', gap: 8, marginTop: 12 }}
          >
            <input
              type="checkbox"
              checked={update}
              disabled={busy}
              data-testid="import-update"
              onChange={(e) => toggleUpdate(e.target.checked)}
            />
            <span>{t.update}</span>
          </label>
          <p className="hint" style={{ marginTop: 0 }}>
            {t.updateHint}
          </p>

          {preview.needsMapping && (
            <div className="notice notice-error" role="alert" data-testid="import-needs-mapping">
              {t.noColumns}
            </div>
          )}
          <h3 style={{ marginBottom: 4 }}>{t.mappingTitle}</h3>
          <p className="hint" style={{ marginTop: 0 }}>
            {t.mappingHint}
          </p>
          <div className="issue-list">
            <table className="table" data-testid="import-mapping">
              <thead>
                <tr>
                  <th>{t.column}</th>
                  <th>{t.example}</th>
                  <th>{t.target}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.i}>
                    <td>
                      <bdi>{headerText(c.header)}</bdi>
                    </td>
                    <td
                      className="muted"
                      style={{ maxWidth: 260, overflow: 'hidden', textOverflow: 'ellipsis' }}
                    >
                      <bdi>{c.example}</bdi>
                    </td>
                    <td>
                      <select
                        className="select"
                        aria-label={`${t.target}: ${headerText(c.header)}`}
                        data-testid={`import-map-${c.i}`}
                        value={c.field ?? ''}
                        disabled={busy}
                        onChange={(e) => remap(c.i, (e.target.value || null) as ImportTarget | null)}
                      >
                        <option value="">{t.ignore}</option>
                        {IMPORT_TARGETS.map((f) => (
                          <option key={f} value={f}>
                            {t.fields[f]}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {hidden > 0 && <p className="hint">{plural(hidden, t.emptyColumns)}</p>}

          <h3 style={{ marginBottom: 4 }}>
            {t.sampleTitle}{' '}
            <span className="muted" style={{ fontWeight: 'normal', fontSize: '0.9em' }}>
              ({plural(preview.totalRows, t.sampleOf)})
            </span>
          </h3>
          <div className="issue-list" style={{ maxHeight: 300 }}>
            <table className="table" data-testid="import-sample">
              <thead>
                <tr>
                  <th>{t.line}</th>
                  <th>{t.fields.name}</th>
                  <th>{t.fields.phone}</th>
                  <th>{t.fields.email}</th>
                  <th>{t.action}</th>
                </tr>
              </thead>
              <tbody>
                {preview.sample.map((r) => (
                  <tr key={r.line}>
                    <td>
                      <Num value={r.line} plain />
                    </td>
                    <td>
                      <bdi>{r.name}</bdi>
                    </td>
                    <td>
                      <PhoneNumber value={r.phone} />
                    </td>
                    <td>
                      <EmailAddress value={r.email} />
                    </td>
                    <td>
                      <span className={`badge ${ACTION_BADGE[r.action]}`}>{t.actions[r.action]}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          {preview.skipReasons.length > 0 && (
            <>
              <h3 style={{ marginBottom: 4 }}>{t.skipTitle}</h3>
              <ul data-testid="import-skip-reasons" style={{ marginTop: 0 }}>
                {preview.skipReasons.map((r) => (
                  <li key={r.code}>
                    {plural(r.rows, t.reasonRows)}: {fill(t.issues[r.code] ?? r.code, { v: '…' })}
                  </li>
                ))}
              </ul>
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
                        <td>
                          <Num value={i.line} plain />
                        </td>
                        <td>
                          {issueText(i)}
                          {i.value && i.code !== 'duplicate_in_file' ? (
                            <span className="muted" style={{ marginInlineStart: 8 }}>
                              (<bdi>{i.value}</bdi>)
                            </span>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <div className="form-actions">
            <button
              className="btn btn-primary"
              disabled={busy || toImport === 0 || !!error}
              data-testid="import-commit"
              onClick={() => void commit()}
            >
              {busy ? t.importing : plural(toImport, t.commit)}
            </button>
            <button className="btn btn-ghost" onClick={onClose}>
              {he.common.cancel}
            </button>
          </div>
        </div>
      )}
      {result && (
        <div className="notice notice-ok" style={{ marginTop: 16 }} role="status" data-testid="import-result">
          {(['create', 'update', 'skip'] as const)
            .map((k) => ({
              k,
              n: k === 'create' ? result.imported : k === 'update' ? result.updated : result.skipped,
            }))
            .filter(({ k, n }) => n > 0 || k === 'create')
            .map(({ k, n }) => plural(n, t.done[k]))
            .join(' · ')}
        </div>
      )}
    </Modal>
  );
}
