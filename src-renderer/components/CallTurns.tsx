/**
 * A call's turns as a conversation: what the caller said, what the agent answered (only the
 * heard part when interrupted) and each turn's latencies. Live turns show their progress.
 * Used by the live call monitor and the call-detail page. Times are in seconds ("1.2").
 */
import type { CallTurn } from '../../src-main/api/contract/calls';
import { he } from '../i18n/he';
import { formatSeconds } from '../lib/format';

export type TurnView = CallTurn & { state?: 'thinking' | 'speaking' | 'done' };

const SLOW_MS = 2500;
const GOOD_MS = 1200;

function Latency({ label, value, main }: { label: string; value: number | null; main?: boolean }) {
  if (value == null) return null;
  const tone = !main ? '' : value <= GOOD_MS ? 'lat-good' : value > SLOW_MS ? 'lat-slow' : 'lat-ok';
  return (
    <span className={`lat ${tone}`} title={label}>
      <span className="lat-label">{label}</span>
      <bdi dir="ltr" className="num">
        {formatSeconds(value)}
      </bdi>
    </span>
  );
}

export function CallTurns({ turns, live = false }: { turns: TurnView[]; live?: boolean }) {
  const t = he.live.turn;
  if (!turns.length) return <p className="muted">{live ? he.live.waitingFirstTurn : he.live.noTurns}</p>;
  return (
    <ol className="call-turns" data-testid="call-turns-live">
      {turns.map((turn) => (
        <li key={turn.turnIndex} className="call-turn">
          <div className="bubble bubble-caller">
            <span className="who">{t.caller}</span>
            {turn.callerText || <span className="muted">{t.listening}</span>}
          </div>
          <div className={`bubble bubble-agent ${turn.interrupted ? 'interrupted' : ''}`}>
            <span className="who">{t.agent}</span>
            {turn.agentText ||
              (turn.state === 'thinking' ? (
                <span className="muted typing">{t.thinking}</span>
              ) : (
                <span className="muted">—</span>
              ))}
            {turn.interrupted && <span className="badge badge-warn turn-flag">{t.interrupted}</span>}
            {turn.errorCode && (
              // The code (a provider's, e.g. asr_timeout) is for support: on hover, not as the label.
              <span className="badge badge-fail turn-flag" title={turn.errorCode}>
                {t.failed}
              </span>
            )}
          </div>
          <div className="lats" aria-label={t.latencies}>
            <Latency label={t.firstAudio} value={turn.tFirstAudioMs} main />
            <Latency label={t.vad} value={turn.tVadMs} />
            <Latency label={t.asr} value={turn.tAsrMs} />
            <Latency label={t.nlp} value={turn.tNlpMs} />
            <Latency label={t.tts} value={turn.tTtsMs} />
            <Latency label={t.total} value={turn.tTotalMs} />
          </div>
        </li>
      ))}
    </ol>
  );
}
