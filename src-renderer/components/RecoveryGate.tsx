import { DatabaseBackup, DatabaseZap, PhoneCall } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import type { BackupSummary } from '../../src-main/api/contract/backup';
import type { RecoveryInfo } from '../../src-main/api/contract/system';
import { ApiCallError, api } from '../api';
import { formatDateTime } from '../lib/format';
import { he } from '../i18n/he';
import '../styles/recovery.css';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The database could not be opened (`system.info` says `recovery`): one full page instead of the
 * app. The app renders meanwhile, so a normal start waits for nothing.
 */
export function RecoveryGate({ children }: { children: ReactNode }) {
  const [recovery, setRecovery] = useState<RecoveryInfo>();
  useEffect(() => {
    let live = true;
    api
      .call('system.info')
      .then((info) => live && setRecovery(info.recovery))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!recovery) return children;
  return <RecoveryPage recovery={recovery} />;
}

/** Waits for the core to come back on a good database, then opens the app. */
async function reloadWhenRecovered(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    await sleep(500);
    try {
      const info = await api.call('system.info');
      if (!info.recovery) break;
    } catch {
      // Not listening yet.
    }
  }
  window.location.hash = '#/';
  window.location.reload();
}

export function RecoveryPage({ recovery }: { recovery: RecoveryInfo }) {
  const [state, setState] = useState<'idle' | 'restarting' | 'failed'>('idle');
  const [latest, setLatest] = useState<BackupSummary | null>();
  const [password, setPassword] = useState('');
  const [restoreError, setRestoreError] = useState('');
  useEffect(() => {
    api
      .call('backup.list')
      .then((l) => setLatest(l.backups.find((b) => b.schemaSupported) ?? null))
      .catch(() => setLatest(null));
  }, []);

  const restoreLatest = async () => {
    if (!latest || !window.confirm(he.recovery.restoreConfirm)) return;
    setRestoreError('');
    setState('restarting');
    try {
      await api.call('backup.restore', {
        path: latest.path,
        ...(latest.keys.included ? (password ? { password } : { withoutKeys: true }) : {}),
      });
    } catch (err) {
      setState('idle');
      setRestoreError(err instanceof ApiCallError ? err.body.message : he.recovery.failed);
      return;
    }
    await reloadWhenRecovered();
  };

  const startFresh = async () => {
    if (!window.confirm(he.recovery.confirm)) return;
    setState('restarting');
    try {
      await api.call('system.startFresh');
    } catch {
      setState('failed');
      return;
    }
    // The core restarts on the new database (Electron relaunches the whole app); wait for it.
    await reloadWhenRecovered();
  };

  return (
    <main className="recovery-page" data-testid="recovery-page" role="alert">
      <DatabaseZap className="icon" size={48} />
      <h1>{he.recovery.title}</h1>
      <p>{he.recovery.what}</p>
      <p className="recovery-calls">
        <PhoneCall size={18} /> {he.recovery.calls}
      </p>
      <section className="recovery-kept">
        <h2>{he.recovery.keptTitle}</h2>
        <p>{he.recovery.kept}</p>
        <bdi dir="ltr" className="recovery-file" data-testid="recovery-file">
          {recovery.damagedFile}
        </bdi>
        <p>{he.recovery.keptAfter}</p>
      </section>
      <div className="recovery-actions">
        <button
          className="btn btn-primary"
          data-testid="recovery-start-fresh"
          disabled={state === 'restarting'}
          onClick={() => void startFresh()}
        >
          {state === 'restarting' ? he.recovery.restarting : he.recovery.startFresh}
        </button>
        {latest && (
          <button
            className="btn"
            data-testid="recovery-restore-latest"
            disabled={state === 'restarting'}
            onClick={() => void restoreLatest()}
          >
            <DatabaseBackup size={16} /> {he.recovery.restoreLatest} ({formatDateTime(latest.createdAt)})
          </button>
        )}
        {latest === null && (
          <button className="btn" disabled aria-disabled="true" title={he.recovery.noBackup}>
            <DatabaseBackup size={16} /> {he.recovery.restoreBackup} — {he.recovery.noBackup}
          </button>
        )}
      </div>
      {latest?.keys.included && (
        <div className="field recovery-password">
          <label htmlFor="rec-pw">{he.recovery.restorePassword}</label>
          <input
            id="rec-pw"
            className="input"
            type="password"
            dir="ltr"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
      )}
      {restoreError && (
        <p className="recovery-error" role="alert">
          {restoreError}
        </p>
      )}
      <p className="recovery-hint">{he.recovery.startFreshHint}</p>
      {state === 'failed' && (
        <p className="recovery-error" role="status">
          {he.recovery.failed}
        </p>
      )}
    </main>
  );
}
