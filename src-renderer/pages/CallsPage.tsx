import { FileText, Mic, PhoneIncoming, PhoneOutgoing, Search } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { CallSummary } from '../../src-main/api/contract/calls';
import { CALL_STATUSES } from '../../src-main/api/contract/calls';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { DateInput } from '../components/billing/DateInput';
import { DAY_MS, fromLocalInput } from '../components/crm/util';
import { Counted, Num } from '../components/format';
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

/**
 * How the call was handled ("הסוכן ענה" / "הודעה מוקלטת"), or null for a call nobody answered
 * (busy, no answer, failed, still ringing): its status already says what happened.
 */
export function callHandling(c: Pick<CallSummary, 'status' | 'mode'>): string | null {
  return c.status === 'completed' || c.status === 'in-progress' ? he.calls.mode[c.mode] : null;
}

/** 'YYYY-MM-DD' (an Israeli calendar day) → the epoch ms it starts at. */
const dayStartMs = (iso: string): number => fromLocalInput(`${iso}T00:00`)!;

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
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  // DateInput reports 'YYYY-MM-DD', '' when emptied, or null while what is typed is not a date.
  const [fromDay, setFromDay] = useState<string | null>('');
  const [toDay, setToDay] = useState<string | null>('');
  const navigate = useNavigate();
  useEffect(() => {
    const t = window.setTimeout(() => {
      setSearch(text.trim());
      setPage(1);
    }, 250);
    return () => window.clearTimeout(t);
  }, [text]);
  const from = fromDay ? dayStartMs(fromDay) : undefined;
  // "Until" a day includes that whole day.
  const to = toDay ? dayStartMs(toDay) + DAY_MS : undefined;
  const badRange = from !== undefined && to !== undefined && to <= from;
  const range = badRange
    ? {}
    : { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  const filtered = Boolean(search || status || mode || range.from || range.to);
  const q = useQuery(
    () =>
      api.call('calls.list', {
        page,
        limit: PAGE_SIZE,
        ...(status ? { status } : {}),
        ...(mode ? { mode } : {}),
        ...(search ? { q: search } : {}),
        ...range,
      }),
    [page, status, mode, search, range.from, range.to],
  );
  const clear = () => {
    setText('');
    setSearch('');
    setStatus('');
    setMode('');
    setFromDay('');
    setToDay('');
    setPage(1);
  };

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
          <div className="field calls-filter calls-search">
            <label htmlFor="calls-search">{he.calls.search}</label>
            <div className="calls-search-box">
              <Search size={16} aria-hidden />
              <input
                id="calls-search"
                className="input"
                type="search"
                value={text}
                onChange={(e) => setText(e.target.value)}
                maxLength={100}
                data-testid="calls-search"
              />
            </div>
          </div>
          <DateInput
            id="calls-from"
            className="calls-filter calls-date"
            label={he.calls.from}
            value={fromDay ?? ''}
            optional
            onChange={(v) => {
              setFromDay(v);
              setPage(1);
            }}
            error={fromDay === null ? he.calls.badDate : undefined}
          />
          <DateInput
            id="calls-to"
            className="calls-filter calls-date"
            label={he.calls.to}
            value={toDay ?? ''}
            optional
            onChange={(v) => {
              setToDay(v);
              setPage(1);
            }}
            error={toDay === null ? he.calls.badDate : badRange ? he.calls.badRange : undefined}
          />
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
                <Counted n={q.data.total} forms={he.calls.total} />
              </>
            )}
          </div>
        </div>

        {q.loading && !q.data && <Loading />}
        {q.error !== undefined && <ErrorState error={q.error} onRetry={q.reload} />}
        {q.data && q.data.items.length === 0 && !filtered && (
          <EmptyState title={he.calls.empty}>
            <p>{he.calls.emptyHint}</p>
          </EmptyState>
        )}
        {q.data && q.data.items.length === 0 && filtered && (
          <EmptyState title={he.calls.noMatch}>
            <p>{he.calls.noMatchHint}</p>
            <button className="btn" onClick={clear}>
              {he.calls.clearSearch}
            </button>
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
                const handling = callHandling(c);
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
                            <bdi dir="ltr" className="num">
                              {who.phone}
                            </bdi>
                          )}
                          <div className="sub-line">
                            {who.name ? (
                              <bdi dir="ltr" className="num">
                                {who.phone}
                              </bdi>
                            ) : (
                              <span>{he.calls.unknownCaller}</span>
                            )}
                          </div>
                        </div>
                      </div>
                    </td>
                    <td>
                      <bdi dir="ltr" className="num">
                        {formatDateTime(c.startedAt)}
                      </bdi>
                    </td>
                    <td>
                      <bdi dir="ltr" className="num">
                        {formatDuration(c.durationSec)}
                      </bdi>
                    </td>
                    <td>
                      {handling ? (
                        <span className={`badge ${c.mode === 'stream' ? 'badge-info' : ''}`}>{handling}</span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[c.status]}`}>{he.calls.status[c.status]}</span>
                    </td>
                    <td className="calls-preview-cell">
                      {c.preview && (
                        <p className="calls-preview" title={c.preview} data-testid="call-preview">
                          {c.preview}
                        </p>
                      )}
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
              {he.calls.page} <Num value={page} /> {he.calls.of} <Num value={pages} />
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
