/**
 * The live call monitor: every call on the line now, updating as it happens — state, duration,
 * the transcript turn by turn with latencies — with "hang up" and "transfer to me".
 */
import { ArrowLeftRight, Mic, PhoneCall, PhoneOff, Radio, Volume2, Brain, Hourglass } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { LiveCall, LiveState, LiveTurnView } from '../../src-main/api/contract/monitor';
import { api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { CallTurns } from '../components/CallTurns';
import { fill } from '../components/crm/util';
import { ListenButton } from '../components/ListenIn';
import { EmptyState, ErrorState, Loading, PageHeader, errorMessage } from '../components/States';
import { TestCallPanel } from '../components/TestCallPanel';
import { he } from '../i18n/he';
import { Counted } from '../components/format';
import { formatDuration, formatPhone, formatSeconds } from '../lib/format';
import '../styles/live-calls.css';

const STATE_ICON: Record<LiveState, typeof Mic> = {
  connecting: Hourglass,
  greeting: Volume2,
  listening: Mic,
  thinking: Brain,
  speaking: Volume2,
  ending: PhoneOff,
  ended: PhoneOff,
};

interface Ended {
  call: LiveCall;
  endedAt: number;
  endedBy: string | null;
}

function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

function upsertTurn(turns: LiveTurnView[], t: LiveTurnView): LiveTurnView[] {
  const i = turns.findIndex((x) => x.turnIndex === t.turnIndex);
  if (i < 0) return [...turns, t].sort((a, b) => a.turnIndex - b.turnIndex);
  const next = [...turns];
  next[i] = t;
  return next;
}

function LiveCallCard({ call, now }: { call: LiveCall; now: number }) {
  const [busy, setBusy] = useState<'hangup' | 'transfer' | null>(null);
  const [error, setError] = useState<string>();
  const Icon = STATE_ICON[call.state];
  const phone = call.test ? '' : /^\+\d+$/.test(call.from) ? formatPhone(call.from) : call.from;
  const name = call.test ? he.live.testCaller : call.customerName || (phone ? '' : he.calls.anonymous);
  const act = async (what: 'hangup' | 'transfer') => {
    if (what === 'hangup' && !window.confirm(he.live.confirmHangup)) return;
    setBusy(what);
    setError(undefined);
    try {
      if (what === 'hangup') await api.call('monitor.hangup', { callSid: call.callSid });
      else {
        const r = await api.call('monitor.transfer', { callSid: call.callSid });
        if (!r.ok) setError(he.live.transferErrors[r.error ?? ''] ?? he.live.transferFailed);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const lastLatency = [...call.turns].reverse().find((t) => t.tFirstAudioMs != null)?.tFirstAudioMs;
  return (
    <section className="card live-call" data-testid="live-call" data-state={call.state}>
      <header className="live-call-head">
        <div className="live-caller">
          <span className="live-dot" aria-hidden />
          <div>
            <div className="live-name">{name || phone}</div>
            {name && phone && <div className="ltr sub-line">{phone}</div>}
          </div>
        </div>
        <span className={`badge live-state live-state-${call.state}`} data-testid="live-state">
          <Icon size={14} />
          {he.live.state[call.state]}
        </span>
        {call.test && (
          <span className="badge live-test-badge" data-testid="live-test-badge">
            {he.live.testBadge}
          </span>
        )}
        <dl className="live-facts">
          <div>
            <dt>{he.live.duration}</dt>
            <dd className="ltr" data-testid="live-duration">
              {formatDuration(Math.max(0, (now - call.startedAt) / 1000))}
            </dd>
          </div>
          <div>
            <dt>{he.live.engine}</dt>
            <dd>{he.live.engines[call.engine] ?? call.engine}</dd>
          </div>
          <div>
            <dt>{he.live.lastLatency}</dt>
            <dd>{lastLatency != null ? fill(he.calls.seconds, { n: formatSeconds(lastLatency) }) : '—'}</dd>
          </div>
        </dl>
        <div className="live-actions">
          <ListenButton callSid={call.callSid} />
          <button
            className="btn"
            disabled={busy != null || call.state === 'ending'}
            onClick={() => void act('transfer')}
            data-testid="live-transfer"
          >
            <ArrowLeftRight size={16} />
            {busy === 'transfer' ? he.live.transferring : he.live.transfer}
          </button>
          <button
            className="btn btn-danger"
            disabled={busy != null}
            onClick={() => void act('hangup')}
            data-testid="live-hangup"
          >
            <PhoneOff size={16} />
            {busy === 'hangup' ? he.live.hangingUp : he.live.hangup}
          </button>
        </div>
      </header>
      {error && <p className="notice notice-error">{error}</p>}
      <CallTurns turns={call.turns} live />
    </section>
  );
}

export function LiveCallsPage() {
  const q = useQuery(() => api.call('monitor.liveCalls', undefined), []);
  const [calls, setCalls] = useState<LiveCall[]>([]);
  const [ended, setEnded] = useState<Ended[]>([]);
  const now = useNow(1000);
  useEffect(() => {
    if (q.data) setCalls(q.data);
  }, [q.data]);

  useEvent('monitor.call', (c) =>
    setCalls((list) => {
      const i = list.findIndex((x) => x.callSid === c.callSid);
      if (i < 0) return [...list, c];
      const next = [...list];
      next[i] = { ...c, turns: list[i]!.turns };
      return next;
    }),
  );
  useEvent('monitor.turn', (t) =>
    setCalls((list) =>
      list.map((c) => (c.callSid === t.callSid ? { ...c, turns: upsertTurn(c.turns, t) } : c)),
    ),
  );
  useEvent('monitor.ended', (e) =>
    setCalls((list) => {
      const call = list.find((c) => c.callSid === e.callSid);
      if (call) setEnded((old) => [{ call, endedAt: Date.now(), endedBy: e.endedBy }, ...old].slice(0, 5));
      return list.filter((c) => c.callSid !== e.callSid);
    }),
  );

  if (q.loading && !q.data) return <Loading />;
  if (q.error !== undefined && !q.data) return <ErrorState error={q.error} onRetry={q.reload} />;
  return (
    <>
      <PageHeader
        title={he.live.title}
        subtitle={he.live.subtitle}
        actions={
          <span className="live-badge">
            <Radio size={16} />
            {he.calls.live}
          </span>
        }
      />
      <TestCallPanel />
      {calls.length === 0 ? (
        <div className="card">
          <EmptyState title={he.live.empty}>
            <p>{he.live.emptyHint}</p>
          </EmptyState>
        </div>
      ) : (
        <div className="live-list">
          {calls.map((c) => (
            <LiveCallCard key={c.callSid} call={c} now={now} />
          ))}
        </div>
      )}
      {ended.length > 0 && (
        <section className="card live-ended">
          <h2>{he.live.recentlyEnded}</h2>
          <ul>
            {ended.map((e) => (
              <li key={e.call.callSid}>
                <PhoneCall size={14} />
                <span>
                  {e.call.test
                    ? he.live.testCaller
                    : e.call.customerName || formatPhone(e.call.from) || he.calls.anonymous}
                </span>
                <span className="muted">
                  <Counted n={e.call.turns.length} forms={he.live.turnsCount} />
                  {e.endedBy ? ` · ${he.calls.endedBy[e.endedBy] ?? e.endedBy}` : ''}
                </span>
                {e.call.callId != null && <Link to={`/calls/${e.call.callId}`}>{he.live.openCall}</Link>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
