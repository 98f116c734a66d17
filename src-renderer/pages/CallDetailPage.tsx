import { ArrowRight, Play } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { CallDetail, CallTurn } from '../../src-main/api/contract/calls';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { he } from '../i18n/he';
import { formatDateTime, formatDuration, formatPhone } from '../lib/format';
import { NotFoundPage } from './NotFoundPage';
import { callerLabel, STATUS_BADGE } from './CallsPage';
import '../styles/calls.css';

const ms = (v: number | null) => (v == null ? '—' : String(v));

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

function Turns({ turns }: { turns: CallTurn[] }) {
  if (!turns.length) return <p className="muted">{he.calls.turnsNone}</p>;
  const t = he.calls.turn;
  return (
    <table className="table turns-table" data-testid="call-turns">
      <thead>
        <tr>
          <th>{t.index}</th>
          <th>{t.caller}</th>
          <th>{t.agent}</th>
          <th>{t.firstAudio}</th>
          <th>{t.asr}</th>
          <th>{t.nlp}</th>
          <th>{t.tts}</th>
          <th>{t.total}</th>
        </tr>
      </thead>
      <tbody>
        {turns.map((turn) => (
          <tr key={turn.id}>
            <td>{turn.turnIndex + 1}</td>
            <td>{turn.callerText}</td>
            <td>
              {turn.agentText}
              {turn.interrupted && <span className="badge badge-warn turn-flag">{t.interrupted}</span>}
              {turn.errorCode && <span className="badge badge-fail turn-flag">{turn.errorCode}</span>}
            </td>
            <td className={`num ${turn.tFirstAudioMs != null && turn.tFirstAudioMs > 2500 ? 'slow' : ''}`}>
              {ms(turn.tFirstAudioMs)}
            </td>
            <td className="num">{ms(turn.tAsrMs)}</td>
            <td className="num">{ms(turn.tNlpMs)}</td>
            <td className="num">{ms(turn.tTtsMs)}</td>
            <td className="num">{ms(turn.tTotalMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
  if (!valid) return <NotFoundPage />;
  if (q.loading && !q.data) return <Loading />;
  if (q.error !== undefined && !q.data) return <ErrorState error={q.error} onRetry={q.reload} />;
  const call = q.data!;
  const who = callerLabel(call);
  const f = he.calls.fields;
  const rows: Array<[string, ReactNode]> = [
    [f.status, <span className={`badge ${STATUS_BADGE[call.status]}`}>{he.calls.status[call.status]}</span>],
    [f.mode, he.calls.mode[call.mode]],
    [f.direction, he.calls.direction[call.direction]],
    [f.started, <span className="ltr">{formatDateTime(call.startedAt)}</span>],
    [f.ended, call.endedAt ? <span className="ltr">{formatDateTime(call.endedAt)}</span> : '—'],
    [f.duration, <span className="ltr">{formatDuration(call.durationSec)}</span>],
    [
      f.from,
      call.engine === 'test' && call.from === 'test' ? (
        he.live.testCaller
      ) : (
        <span className="ltr">{formatPhone(call.from) || call.from}</span>
      ),
    ],
    [f.to, <span className="ltr">{formatPhone(call.to) || call.to}</span>],
    [
      f.customer,
      call.customerId ? (
        <Link to={`/customers/${call.customerId}`}>{call.customerName || he.calls.openCustomer}</Link>
      ) : (
        '—'
      ),
    ],
    [f.engine, <span className="ltr">{call.engine}</span>],
    ...(call.endedBy
      ? [[f.endedBy, he.calls.endedBy[call.endedBy] ?? call.endedBy] as [string, ReactNode]]
      : []),
    [f.callSid, <span className="ltr mono">{call.callSid}</span>],
  ];
  const leadFields = call.leadFields ? Object.entries(call.leadFields) : [];
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
          <section className="card">
            <h2>{he.calls.recording}</h2>
            <Recording call={call} />
          </section>
          <section className="card">
            <h2>{he.calls.transcript}</h2>
            {call.transcript ? (
              <p className="transcript" data-testid="call-transcript">
                {call.transcript}
              </p>
            ) : (
              <p className="muted">{he.calls.transcriptNone}</p>
            )}
            {call.summary && (
              <>
                <h3 className="sub">{he.calls.summary}</h3>
                <p className="transcript">{call.summary}</p>
              </>
            )}
            {leadFields.length > 0 && (
              <>
                <h3 className="sub">{he.calls.leadFields}</h3>
                {leadFields.map(([k, v]) => (
                  <div className="list-row" key={k}>
                    <span className="muted">{k}</span>
                    <span>{typeof v === 'string' ? v : JSON.stringify(v)}</span>
                  </div>
                ))}
              </>
            )}
          </section>
          <section className="card">
            <h2>{he.calls.turns}</h2>
            <p className="hint">{he.calls.turnsHint}</p>
            <Turns turns={call.turns} />
          </section>
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
            <p className="notice notice-error calls-error">
              {he.calls.error}: <span className="ltr">{call.error}</span>
            </p>
          )}
        </aside>
      </div>
    </>
  );
}
