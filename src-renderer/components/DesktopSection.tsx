import { useState } from 'react';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { he } from '../i18n/he';
import { errorMessage } from './States';

const t = he.desktop.settings;

/** Settings → the desktop app: start with the computer (only the installed app has one). */
export function DesktopSection() {
  const info = useQuery(() => api.call('system.info'), []);
  const settings = useQuery(() => api.call('desktop.settings.get'), []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (info.data?.mode !== 'electron' || !settings.data) return null;
  const on = settings.data.openAtLogin;
  const toggle = async () => {
    setBusy(true);
    setError('');
    try {
      settings.setData(await api.call('desktop.settings.set', { openAtLogin: !on }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" data-testid="desktop-settings">
      <h2>{t.title}</h2>
      {error && <div className="notice notice-error">{error}</div>}
      <div className="flag-row">
        <span>
          {t.openAtLogin}
          <span className="hint" style={{ display: 'block' }}>
            {t.openAtLoginHint}
          </span>
        </span>
        <button
          type="button"
          role="switch"
          className="switch"
          aria-checked={on}
          aria-label={t.openAtLogin}
          disabled={busy}
          onClick={() => void toggle()}
        />
      </div>
    </section>
  );
}
