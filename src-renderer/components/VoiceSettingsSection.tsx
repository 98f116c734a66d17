import { useState } from 'react';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { he } from '../i18n/he';
import { ErrorState, Loading, errorMessage } from './States';

const t = he.voiceSettings;
type Engine = 'pipeline' | 'realtime';
const ENGINES: Engine[] = ['pipeline', 'realtime'];
type AsrMode = 'batch' | 'speculative' | 'streaming';
const ASR_MODES: AsrMode[] = ['speculative', 'streaming', 'batch'];
const VOICES = ['marin', 'cedar', 'alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse'];

/**
 * Settings → the phone agent's engine: the pipeline (default, with how the caller is transcribed)
 * or OpenAI Realtime, with its model and voice.
 */
export function VoiceSettingsSection() {
  const q = useQuery(() => api.call('voice.getSettings'), []);
  const [model, setModel] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);

  const update = async (patch: {
    engine?: Engine;
    realtimeModel?: string;
    realtimeVoice?: string;
    asrMode?: AsrMode;
  }) => {
    setBusy(true);
    setError('');
    setSaved(false);
    try {
      q.setData(await api.call('voice.updateSettings', patch));
      setModel(null);
      setSaved(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const s = q.data;
  return (
    <section className="card" data-testid="voice-settings">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>
      {q.loading && !s && <Loading />}
      {q.error !== undefined && <ErrorState error={q.error} onRetry={q.reload} />}
      {error && <div className="notice notice-error">{error}</div>}
      {s && (
        <>
          <label className="field">
            <span>{t.engine}</span>
            <select
              className="select"
              value={s.engine}
              disabled={busy}
              data-testid="voice-engine"
              onChange={(e) => void update({ engine: e.target.value as Engine })}
            >
              {ENGINES.map((e) => (
                <option key={e} value={e}>
                  {t.engines[e]}
                </option>
              ))}
            </select>
          </label>
          <p className="hint">{t.engineHints[s.engine]}</p>
          {s.engine === 'pipeline' && (
            <>
              <label className="field">
                <span>{t.asrMode}</span>
                <select
                  className="select"
                  value={s.asrMode}
                  disabled={busy}
                  data-testid="voice-asr-mode"
                  onChange={(e) => void update({ asrMode: e.target.value as AsrMode })}
                >
                  {ASR_MODES.map((m) => (
                    <option key={m} value={m}>
                      {t.asrModes[m]}
                    </option>
                  ))}
                </select>
              </label>
              <p className="hint">{t.asrModeHints[s.asrMode]}</p>
            </>
          )}
          {s.engine === 'realtime' && (
            <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'flex-end' }}>
              <label className="field">
                <span>{t.realtimeModel}</span>
                <input
                  className="input"
                  dir="ltr"
                  value={model ?? s.realtimeModel}
                  disabled={busy}
                  data-testid="voice-realtime-model"
                  onChange={(e) => setModel(e.target.value)}
                  onBlur={() => {
                    const m = (model ?? '').trim();
                    if (m && m !== s.realtimeModel) void update({ realtimeModel: m });
                  }}
                />
              </label>
              <label className="field">
                <span>{t.realtimeVoice}</span>
                <select
                  className="select"
                  dir="ltr"
                  value={s.realtimeVoice}
                  disabled={busy}
                  data-testid="voice-realtime-voice"
                  onChange={(e) => void update({ realtimeVoice: e.target.value })}
                >
                  {[...new Set([s.realtimeVoice, ...VOICES])].map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
          {saved && <p className="hint">{t.saved}</p>}
        </>
      )}
    </section>
  );
}
