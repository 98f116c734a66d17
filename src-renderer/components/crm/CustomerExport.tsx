/**
 * "Export CSV" on the customers page: the core builds the file a chunk at a time and reports its
 * progress (crm.export.progress), shown as a bar with a cancel button; the page stays usable.
 */
import { Download, X } from 'lucide-react';
import { useRef, useState, type ReactElement } from 'react';
import type { EventPayload } from '../../../src-main/api/contract';
import type { z } from 'zod';
import type { customerFiltersSchema } from '../../../src-main/api/contract/crm';
import { api, ApiCallError } from '../../api';
import { useEvent } from '../../api/hooks';
import { he } from '../../i18n/he';
import { formatNumber } from '../../lib/format';
import { plural } from '../../lib/plural';
import { ProgressBar } from '../ProgressBar';
import { errorMessage } from '../States';

const t = he.crm.export;
type Progress = EventPayload<'crm.export.progress'>;
type CustomerFilters = z.infer<typeof customerFiltersSchema>;

const newId = () => `export-${crypto.randomUUID()}`;

/** The export button (for the page header) and its progress or outcome (for under it). */
export function useCustomerExport(filters: CustomerFilters): {
  button: ReactElement;
  status: ReactElement | null;
} {
  const [running, setRunning] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const current = useRef<string | null>(null);
  useEvent('crm.export.progress', (p) => p.exportId === current.current && setProgress(p));

  const start = async () => {
    const exportId = newId();
    current.current = exportId;
    setRunning(exportId);
    setProgress(null);
    setNotice(null);
    try {
      const r = await api.call('crm.customers.export', { ...filters, exportId });
      const url = URL.createObjectURL(new Blob([r.csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = r.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setNotice({ kind: 'info', text: plural(r.rows, t.done) });
    } catch (err) {
      const cancelled = err instanceof ApiCallError && err.body.error === 'export_cancelled';
      setNotice(cancelled ? { kind: 'info', text: t.cancelled } : { kind: 'error', text: errorMessage(err) });
    } finally {
      current.current = null;
      setRunning(null);
    }
  };
  const cancel = () => {
    if (running) void api.call('crm.customers.exportCancel', { exportId: running });
  };

  const pct = progress?.percent ?? 0;
  const button = (
    <button className="btn" onClick={() => void start()} disabled={running !== null} data-testid="export-csv">
      <Download size={16} /> {running ? he.crm.customers.exporting : he.crm.customers.export}
    </button>
  );
  const status = running ? (
    <div className="export-progress-row" data-testid="export-progress">
      <ProgressBar percent={pct} label={t.label}>
        {progress ? plural(progress.total, t.progress, { rows: formatNumber(progress.rows) }) : t.starting}
      </ProgressBar>
      <button className="btn btn-sm" onClick={cancel} data-testid="export-cancel">
        <X size={14} /> {t.cancel}
      </button>
    </div>
  ) : notice ? (
    <div
      className={`export-progress-row notice ${notice.kind === 'error' ? 'notice-error' : 'notice-ok'}`}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      data-testid="export-notice"
    >
      {notice.text}
    </div>
  ) : null;
  return { button, status };
}
