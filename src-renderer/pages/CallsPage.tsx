import { FileText, Mic, PhoneIncoming, PhoneOutgoing } from 'lucide-react';
import { useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { CallSummary } from '../../src-main/api/contract/calls';
import { CALL_STATUSES } from '../../src-main/api/contract/calls';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { formatDateTime, formatDuration, formatPhone } from '../lib/format';
import '../styles/calls.css';

const PAGE_SIZE = 25;
type StatusFilter = CallSummary['status'] | '';
type ModeFilter = CallSummary['mode'] | '';

export const STATUS_BADGE: Record<CallSummary['status'], string> = {
  queued: 'badge',
  ringing: 'badge-info',
  'in-progress': 'badge-info',
  completed: 'badge-ok',
  busy: 'badge-warn',
  failed: 'badge-fail',
  'no-answer': 'badge-warn',
  canceled: 'badge',
};

/** Name if known, else the number as an Israeli reads it. */
export function callerLabel(c: Pick<CallSummary, 'customerName' | 'from' | 'to' | 'direction'>): {
  name: string;
  phone: string;
} {
  const raw = c.direction === 'in' ? c.from : c.to;
  const phone = /^\+\d+$/.test(raw) ? formatPhone(raw) : '';
  // A test call from the app (microphone) is recorded with from "test".
  if (c.direction === 'in' && raw === 'test') return { name: he.live.testCaller, phone: '' };
  const name = c.customerName || (phone ? '' : he.calls.anonymous);
  return { name, phone };
}

export function CallsPage() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<StatusFilter>('');
  const [mode, setMode] = useState<ModeFilter>('');
  const navigate = useNavigate();
  const q = useQuery(
    () =>
      api.call('calls.list', {
        page,
        limit: PAGE_SIZE,
        ...(status ? { status } : {}),
        ...(mode ? { mode } : {}),
      }),
    [page, status, mode],
  );

  // A changed call already on screen is patched in place; a new one reloads the page (coalesced).
  const pending = useRef<number | undefined>(undefined);
  useEvent('call.updated', (call) => {
    const items = q.data?.items;
    if (items?.some((c) => c.id === call.id)) {
      q.setData({ ...q.data!, items: items.map((c) => (c.id === call.id ? call : c)) });
      return;
    }
    window.clearTimeout(pending.current);
    pending.current = window.setTimeout(q.reload, 300);
  });

  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / PAGE_SIZE)) : 1;

  return (
    <>
      <PageHeader title={he.calls.title} subtitle={he.calls.subtitle} />
      <div className="card calls-card">
        <div className="calls-toolbar">
          <label className="field calls-filter">
            <span>{he.calls.filterStatus}</span>
            <select
              className="select"
              value={status}
              onChange={(e) => {
                setStatus(e.target.value as StatusFilter);
                setPage(1);
              }}
            >
              <option value="">{he.calls.all}</option>
              {CALL_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {he.calls.status[s]}
                </option>
              ))}
            </select>
          </label>
          <label className="field calls-filter">
            <span>{he.calls.filterMode}</span>
            <select
              className="select"
              value={mode}
              onChange={(e) => {
                setMode(e.target.value as ModeFilter);
                setPage(1);
              }}
            >
              <option value="">{he.calls.all}</option>
              <option value="stream">{he.calls.mode.stream}</option>
              <option value="record">{he.calls.mode.record}</option>
            </select>
          </label>
          <div className="calls-count">
            {q.data && (
              <>
                <strong>{q.data.total}</strong> {he.calls.total}
              </>
            )}
          </div>
        </div>

        {q.loading && !q.data && <Loading />}
        {q.error !== undefined && <ErrorState error={q.error} onRetry={q.reload} />}
        {q.data && q.data.items.length === 0 && (
          <EmptyState title={he.calls.empty}>
            <p>{he.calls.emptyHint}</p>
          </EmptyState>
        )}
        {q.data && q.data.items.length > 0 && (
          <table className="table calls-table" data-testid="calls-table">
            <thead>
              <tr>
                <th>{he.calls.columns.caller}</th>
                <th>{he.calls.columns.time}</th>
                <th>{he.calls.columns.duration}</th>
                <th>{he.calls.columns.mode}</th>
                <th>{he.calls.columns.status}</th>
                <th>{he.calls.columns.message}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.items.map((c) => {
                const who = callerLabel(c);
                return (
                  <tr
                    key={c.id}
                    className="calls-row"
                    onClick={() => navigate(`/calls/${c.id}`)}
                    data-testid="call-row"
                  >
                    <td>
                      <div className="caller">
                        {c.direction === 'in' ? <PhoneIncoming size={16} /> : <PhoneOutgoing size={16} />}
                        <div>
                          {c.customerId && who.name ? (
                            <Link to={`/customers/${c.customerId}`} onClick={(e) => e.stopPropagation()}>
                              {who.name}
                            </Link>
                          ) : who.name ? (
                            <span>{who.name}</span>
                          ) : (
                            <span className="ltr">{who.phone}</span>
                          )}
                          <div className="sub-line">
                            {who.name ? (
                              <span className="ltr">{who.phone}</span>
                            ) : (
                              <span>{he.calls.unknownCaller}</span>
                            )}
                          </div>
                        </div>
                      </div>
                    </td>
                    <td>
                      <span className="ltr">{formatDateTime(c.startedAt)}</span>
                    </td>
                    <td>
                      <span className="ltr">{formatDuration(c.durationSec)}</span>
                    </td>
                    <td>
                      <span className={`badge ${c.mode === 'stream' ? 'badge-info' : ''}`}>
                        {he.calls.mode[c.mode]}
                      </span>
                    </td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[c.status]}`}>{he.calls.status[c.status]}</span>
                    </td>
                    <td>
                      <div className="call-flags">
                        {c.hasRecording && <Mic size={16} aria-label={he.calls.hasRecording} />}
                        {c.hasTranscript && <FileText size={16} aria-label={he.calls.hasTranscript} />}
                        {c.recordingStatus && (
                          <span
                            className={`badge ${c.recordingStatus === 'failed' ? 'badge-fail' : c.recordingStatus === 'transcribed' ? 'badge-ok' : ''}`}
                          >
                            {he.calls.recordingStatus[c.recordingStatus]}
                          </span>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {q.data && pages > 1 && (
          <div className="pager">
            <button className="btn btn-sm" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
              {he.calls.prev}
            </button>
            <span>
              {he.calls.page} {page} {he.calls.of} {pages}
            </span>
            <button className="btn btn-sm" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
              {he.calls.next}
            </button>
          </div>
        )}
      </div>
    </>
  );
}
