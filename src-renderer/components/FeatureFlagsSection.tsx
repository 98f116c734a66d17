import { useState } from 'react';
import { FEATURE_FLAGS, isFlagBuilt, type FeatureFlag } from '../../src-main/api/contract/business';
import { api } from '../api';
import { useApp } from '../app-context';
import { he } from '../i18n/he';
import { errorMessage } from './States';

const t = he.crm.flags;

/** Settings → feature flags. A flag that is off hides its pages and its API answers 403. */
export function FeatureFlagsSection() {
  const { business } = useApp();
  const [busy, setBusy] = useState<FeatureFlag | null>(null);
  const [error, setError] = useState('');
  if (!business) return null;
  const toggle = async (flag: FeatureFlag) => {
    setBusy(flag);
    setError('');
    try {
      await api.call('business.setFeatures', { [flag]: !business.features[flag] });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="card" data-testid="feature-flags">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>
      {error && <div className="notice notice-error">{error}</div>}
      {FEATURE_FLAGS.map((flag) => {
        // A capability that is not built yet is shown as such, and its switch stays off and fixed.
        const built = isFlagBuilt(flag);
        const on = built && business.features[flag];
        return (
          <div className="flag-row" key={flag} data-built={built}>
            <span>{t.names[flag] ?? flag}</span>
            <span style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
              {built ? (
                <span className="muted" style={{ fontSize: 'var(--text-xs)' }}>
                  {on ? t.on : t.off}
                </span>
              ) : (
                <span className="soon muted" id={`flag-soon-${flag}`} data-testid={`flag-soon-${flag}`}>
                  {t.notBuilt}
                </span>
              )}
              <button
                type="button"
                role="switch"
                className="switch"
                aria-checked={on}
                aria-label={t.names[flag] ?? flag}
                aria-describedby={built ? undefined : `flag-soon-${flag}`}
                data-testid={`flag-${flag}`}
                disabled={!built || busy === flag}
                title={built ? undefined : he.common.notBuilt}
                onClick={() => void toggle(flag)}
              />
            </span>
          </div>
        );
      })}
    </section>
  );
}
