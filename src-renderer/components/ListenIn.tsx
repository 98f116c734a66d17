/** Listen-in on a live call: the caller's and the agent's audio, mixed, either one mutable. */
import { Headphones, HeadphoneOff } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { ListenIn as ListenClient, type ListenStatus } from '../audio/listen-in';
import { he } from '../i18n/he';
import { AudioMeter } from './AudioMeter';
import '../styles/app-audio.css';

const t = he.live.listen;

export function ListenButton({ callSid }: { callSid: string }) {
  const client = useRef<ListenClient>(null);
  const [status, setStatus] = useState<ListenStatus>({
    phase: 'idle',
    tracks: { inbound: true, outbound: true },
  });
  client.current ??= new ListenClient(callSid, setStatus);
  useEffect(() => () => client.current?.stop(), []);
  const c = client.current;
  const on = status.phase === 'connecting' || status.phase === 'listening';
  return (
    <div className="listen-in" data-testid="listen-in" data-phase={status.phase}>
      <button
        className={`btn ${on ? 'btn-active' : ''}`}
        aria-pressed={on}
        onClick={() => (on ? c.stop() : void c.start())}
        data-testid="listen-toggle"
      >
        {on ? <HeadphoneOff size={16} /> : <Headphones size={16} />}
        {status.phase === 'connecting' ? t.connecting : on ? t.stop : t.start}
      </button>
      {status.phase === 'listening' && (
        <div className="listen-panel" role="group" aria-label={t.tracks}>
          {(['inbound', 'outbound'] as const).map((track) => (
            <label key={track} className="listen-track">
              <input
                type="checkbox"
                checked={status.tracks[track]}
                onChange={(e) => c.setTrack(track, e.target.checked)}
                data-testid={`listen-track-${track}`}
              />
              <AudioMeter
                label={track === 'inbound' ? t.caller : t.agent}
                level={() => c.levels()[track]}
                testId={`listen-meter-${track}`}
              />
            </label>
          ))}
        </div>
      )}
      {status.phase === 'error' && <span className="notice notice-error">{t.failed}</span>}
    </div>
  );
}
