/**
 * "Try the agent without a phone": a test call with the computer's microphone and speakers,
 * through the same session code as a phone call. It shows in the monitor like any live call.
 */
import { Mic, MicOff, PhoneCall, PhoneOff } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { TestCall, type TestCallStatus } from '../audio/test-call';
import { he } from '../i18n/he';
import { formatDuration } from '../lib/format';
import { AudioMeter } from './AudioMeter';
import '../styles/app-audio.css';

const t = he.live.testCall;

export function TestCallPanel() {
  const call = useRef<TestCall>(null);
  const [status, setStatus] = useState<TestCallStatus>({ phase: 'idle', muted: false });
  const [now, setNow] = useState(() => Date.now());
  call.current ??= new TestCall(setStatus);

  useEffect(() => () => call.current?.dispose(), []);
  useEffect(() => {
    if (status.phase !== 'connected') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [status.phase]);

  // Known before starting: without an OpenAI key the agent cannot answer (the server refuses too).
  const info = useQuery(() => api.call('system.info'), []);
  const refused = status.phase === 'ended' && status.endReason === 'no_openai_key';
  const reloadInfo = info.reload;
  useEffect(() => {
    if (refused) reloadInfo();
  }, [refused, reloadInfo]);
  const noKey = info.data?.readiness.openai === 'disabled' || refused;

  const active = status.phase === 'starting' || status.phase === 'connected';
  const c = call.current;
  return (
    <section className="card test-call" data-testid="test-call" data-phase={status.phase}>
      <div className="test-call-intro">
        <span className="test-call-icon" aria-hidden>
          <Mic size={20} />
        </span>
        <div>
          <h2>{t.title}</h2>
          <p className="muted">{t.hint}</p>
        </div>
      </div>
      {active ? (
        <div className="test-call-live">
          <div className="test-call-status" data-testid="test-call-status">
            <span className="live-dot" aria-hidden />
            {status.phase === 'connected' ? t.connected : t.starting}
            {status.startedAt != null && (
              <span className="ltr muted">
                {formatDuration(Math.max(0, (now - status.startedAt) / 1000))}
              </span>
            )}
          </div>
          <div className="test-call-meters">
            <AudioMeter label={t.you} level={() => c.levels().mic} testId="test-call-mic" />
            <AudioMeter label={t.agent} level={() => c.levels().agent} testId="test-call-agent" />
          </div>
          <div className="test-call-actions">
            <button
              className="btn"
              onClick={() => c.setMuted(!status.muted)}
              aria-pressed={status.muted}
              data-testid="test-call-mute"
            >
              {status.muted ? <MicOff size={16} /> : <Mic size={16} />}
              {status.muted ? t.unmute : t.mute}
            </button>
            <button className="btn btn-danger" onClick={() => c.hangup()} data-testid="test-call-hangup">
              <PhoneOff size={16} />
              {t.hangup}
            </button>
          </div>
        </div>
      ) : (
        <div className="test-call-live">
          {noKey && (
            <p
              className="notice notice-error"
              role="alert"
              id="test-call-missing"
              data-testid="test-call-missing"
            >
              {t.missingKey} <Link to="/settings?section=keys">{t.toKeys}</Link>
            </p>
          )}
          {status.phase === 'ended' && !refused && (
            <p className="notice" data-testid="test-call-ended">
              {t.ended}
              {status.endReason ? ` · ${t.endReasons[status.endReason] ?? ''}` : ''}
              {status.callId != null && (
                <>
                  {' '}
                  <Link to={`/calls/${status.callId}`}>{t.openCall}</Link>
                </>
              )}
            </p>
          )}
          {status.phase === 'error' && (
            <p className="notice notice-error" role="alert" data-testid="test-call-error">
              {t.errors[status.error ?? ''] ?? t.errors.refused}
            </p>
          )}
          <button
            className="btn btn-primary"
            onClick={() => void c.start()}
            disabled={noKey}
            aria-describedby={noKey ? 'test-call-missing' : undefined}
            data-testid="test-call-start"
          >
            <PhoneCall size={16} />
            {status.phase === 'idle' ? t.start : t.again}
          </button>
        </div>
      )}
    </section>
  );
}
