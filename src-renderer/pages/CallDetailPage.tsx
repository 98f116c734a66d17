import { ArrowRight, Play } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { CallDetail } from '../../src-main/api/contract/calls';
import { api, ApiCallError } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { CallTurns } from '../components/CallTurns';
import { PhoneNumber } from '../components/format';
import { EmptyState, ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';
import { formatDateTime, formatDuration } from '../lib/format';
import { callerLabel, callHandling, STATUS_BADGE } from './CallsPage';
import '../styles/calls.css';
// The conversation bubbles (CallTurns) are styled with the live monitor.
import '../styles/live-calls.css';

function Recording({ call }: { call: CallDetail }) {
  const [src, setSrc] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!call.recording?.available) {
    return (
      <p className="muted">
        {call.recordingStatus ? he.calls.recordingStatus[call.recordingStatus] : he.calls.recordingNone}
      </p>
    );
  }
  const load = async () => {
    setLoading(true);
    try {
      setSrc((await api.call('calls.recording', { id: call.id })).dataUrl);
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  return (
    <div className="recording">
      {src ? (
        <audio controls autoPlay src={src} data-testid="call-audio" />
      ) : (
        <button className="btn" onClick={() => void load()} disabled={loading} data-testid="call-audio-load">
          <Play size={16} />
          {loading ? he.calls.recordingLoading : he.calls.recordingLoad}
        </button>
      )}
      {error !== undefined && <p className="notice notice-error">{errorMessage(error)}</p>}
    </div>
  );
}

/** The fields the agent noted, in the owner's words; fields without a Hebrew name are left out. */
function leadRows(fields: CallDetail['leadFields']): Array<[string, string]> {
  return Object.entries(fields ?? {}).flatMap(([k, v]): Array<[string, string]> => {
    const label = he.calls.lead[k];
    if (!label || v == null || v === '') return [];
    if (typeof v === 'boolean') return [[label, he.calls.leadValue[v ? 'yes' : 'no']!]];
    if (typeof v === 'string') return [[label, he.calls.leadValue[v] ?? v]];
    return [];
  });
}

/** A Hebrew sentence for the error the core recorded on the call. */
function errorText(call: CallDetail): string {
  const kind = call.error!.split(':')[0]!;
  const e = he.calls.errors;
  if (e[kind] && kind !== 'other') return e[kind]!;
  if (call.recordingStatus === 'failed') return e.download!;
  return e.other!;
}

function CallNotFound() {
  return (
    <div className="card" data-testid="call-not-found">
      <EmptyState title={he.calls.notFound}>
        <p>{he.calls.notFoundHint}</p>
        <Link className="btn btn-primary" to="/calls">
          {he.calls.back}
        </Link>
      </EmptyState>
    </div>
  );
}

export function CallDetailPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const q = useQuery(
    () => (valid ? api.call('calls.get', { id }) : Promise.reject(new Error('bad id'))),
    [id],
  );
  useEvent('call.updated', (c) => {
    if (c.id === id) q.reload();
  });
  if (!valid || (q.error instanceof ApiCallError && q.error.status === 404)) return <CallNotFound />;
  // Moving from one call to another never shows the previous call while (or instead of) loading.
  const call = q.data?.id === id ? q.data : undefined;
  if (!call && q.error !== undefined) return <ErrorState error={q.error} onRetry={q.reload} />;
  if (!call) return <Loading />;
  const who = callerLabel(call);
  const f = he.calls.fields;
  const testCall = call.engine === 'test' && call.from === 'test';
  const endedBy = call.endedBy ? he.calls.endedBy[call.endedBy] : undefined;
  const rows: Array<[string, ReactNode]> = [
    [f.status, <span className={`badge ${STATUS_BADGE[call.status]}`}>{he.calls.status[call.status]}</span>],
    [f.mode, callHandling(call) ?? '—'],
    [f.direction, he.calls.direction[call.direction]],
    [f.started, <bdi dir="ltr">{formatDateTime(call.startedAt)}</bdi>],
    [f.ended, call.endedAt ? <bdi dir="ltr">{formatDateTime(call.endedAt)}</bdi> : '—'],
    [f.duration, <bdi dir="ltr">{formatDuration(call.durationSec)}</bdi>],
    [f.from, testCall ? he.live.testCaller : <PhoneNumber value={call.from} />],
    [f.to, <PhoneNumber value={call.to} />],
    [
      f.customer,
      call.customerId ? (
        <Link to={`/customers/${call.customerId}`}>{call.customerName || he.calls.openCustomer}</Link>
      ) : (
        '—'
      ),
    ],
    ...(endedBy ? [[f.endedBy, endedBy] as [string, ReactNode]] : []),
  ];
  const lead = leadRows(call.leadFields);
  const voicemail = call.mode === 'record';
  const answered = callHandling(call) !== null;
  // A conversation with the agent is its own transcript; a separate one shows only without it.
  const transcript = voicemail || (call.turns.length === 0 && call.transcript);
  const hasRecording = Boolean(call.recording || call.recordingStatus || voicemail);
  return (
    <>
      <PageHeader
        title={`${he.calls.detailTitle} ${who.name || who.phone}`}
        subtitle={who.name && who.phone ? who.phone : undefined}
        actions={
          <Link className="btn btn-ghost" to="/calls">
            <ArrowRight size={16} />
            {he.calls.back}
          </Link>
        }
      />
      <div className="grid calls-detail">
        <div className="calls-detail-main">
          {hasRecording && (
            <section className="card">
              <h2>{he.calls.recording}</h2>
              <Recording call={call} />
            </section>
          )}
          {transcript && (
            <section className="card">
              <h2>{voicemail ? he.calls.message : he.calls.transcript}</h2>
              {call.transcript ? (
                <p className="transcript" data-testid="call-transcript">
                  {call.transcript}
                </p>
              ) : (
                <p className="muted">{he.calls.transcriptNone}</p>
              )}
            </section>
          )}
          {(call.summary || lead.length > 0) && (
            <section className="card" data-testid="call-summary">
              <h2>{he.calls.summary}</h2>
              {call.summary && <p className="transcript">{call.summary}</p>}
              {lead.length > 0 && (
                <>
                  <h3 className="sub">{he.calls.leadFields}</h3>
                  {lead.map(([label, value]) => (
                    <div className="list-row" key={label}>
                      <span className="muted">{label}</span>
                      <span>{value}</span>
                    </div>
                  ))}
                </>
              )}
            </section>
          )}
          {(call.turns.length > 0 || (answered && !voicemail)) && (
            <section className="card">
              <h2>{he.calls.turns}</h2>
              {call.turns.length > 0 ? (
                <>
                  <p className="hint">{he.calls.turnsHint}</p>
                  <CallTurns turns={call.turns} />
                </>
              ) : (
                <p className="muted">{he.calls.turnsNone}</p>
              )}
            </section>
          )}
        </div>
        <aside className="card">
          <h2>{he.calls.details}</h2>
          {rows.map(([label, value]) => (
            <div className="list-row" key={label}>
              <span className="muted">{label}</span>
              <span>{value}</span>
            </div>
          ))}
          {call.error && (
            <p className="notice notice-error calls-error" data-testid="call-error">
              {errorText(call)}
            </p>
          )}
          <details className="calls-technical" data-testid="call-technical">
            <summary>{he.calls.technical}</summary>
            <div className="list-row">
              <span className="muted">{f.engine}</span>
              <span>{he.live.engines[call.engine] ?? call.engine}</span>
            </div>
            <div className="list-row">
              <span className="muted">{f.callSid}</span>
              <bdi dir="ltr" className="mono" style={{ overflowWrap: 'anywhere' }}>
                {call.callSid}
              </bdi>
            </div>
            {call.error && (
              <div className="list-row">
                <span className="muted">{he.calls.errorDetail}</span>
                <bdi dir="ltr" className="mono" style={{ overflowWrap: 'anywhere' }}>
                  {call.error}
                </bdi>
              </div>
            )}
          </details>
        </aside>
      </div>
    </>
  );
}
