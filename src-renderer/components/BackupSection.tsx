/**
 * Settings → backups: back up now (with progress), the last backup, the folder (a path: a second
 * disk or a synced folder), the automatic daily backup and how many to keep, the list of backups
 * with restore (a clear confirmation of what is replaced; the keys' password when included), and
 * a restore from any backup file by its path.
 */
import { DatabaseBackup, History, KeyRound } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { BackupProgress, BackupSummary } from '../../src-main/api/contract/backup';
import { ApiCallError, api } from '../api';
import { useEvent, useQuery } from '../api/hooks';
import { he } from '../i18n/he';
import { formatDateTime, formatNumber } from '../lib/format';
import { plural } from '../lib/plural';
import { ProgressBar } from './ProgressBar';
import { errorMessage } from './States';
import '../styles/backup.css';

const t = he.backup;
const keyName = (n: string) => (he.settings.secrets as Record<string, string>)[n] ?? n;
/** Fills {name} placeholders. */
const fill = (s: string, v: Record<string, string | number>) =>
  s.replace(/\{(\w+)\}/g, (_m, k: string) => String(v[k] ?? ''));
/** Megabytes, isolated left-to-right inside a Hebrew line (else it reads "MB 2.1"). */
const mb = (bytes: number) => `\u2066${formatNumber(bytes / 2 ** 20, 1)} MB\u2069`;

/** A refused backup or restore in the owner's words (the API names the reason). */
function backupError(err: unknown): string {
  if (err instanceof ApiCallError) {
    const reason = err.body.error.replace(/^backup_/, '');
    const words = (t.refused as Record<string, string>)[reason];
    if (words) return words;
    if (err.body.code === 'bad_input' && err.body.details) return t.refused.invalid;
  }
  return errorMessage(err);
}

export function BackupSection() {
  const list = useQuery(() => api.call('backup.list'), []);
  const settings = useQuery(() => api.call('backup.settings.get'), []);
  const [progress, setProgress] = useState<BackupProgress>();
  const [busy, setBusy] = useState<'backup' | 'restore' | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [withKeys, setWithKeys] = useState(false);
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [restoring, setRestoring] = useState<BackupSummary | null>(null);
  const [filePath, setFilePath] = useState('');

  useEvent('backup.progress', (p) => setProgress(p));

  const backupNow = async () => {
    setError('');
    setDone('');
    if (withKeys && password.length < 8) return setError(t.passwordShort);
    if (withKeys && password !== password2) return setError(t.passwordMismatch);
    setBusy('backup');
    try {
      const s = await api.call('backup.create', withKeys ? { password } : {});
      setDone(fill(t.doneBackup, { when: formatDateTime(s.createdAt), size: mb(s.size) }));
      setPassword('');
      setPassword2('');
      list.reload();
    } catch (err) {
      setError(backupError(err));
    } finally {
      setBusy(null);
    }
  };

  const openFile = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      setRestoring(await api.call('backup.inspect', { path: filePath.trim() }));
    } catch (err) {
      setError(backupError(err));
    }
  };

  const running = busy ?? list.data?.running ?? null;
  const pct = progress && progress.phase !== 'done' && progress.phase !== 'failed' ? progress.percent : null;
  const last = list.data?.last;

  return (
    <section className="card" id="backups" data-testid="backups">
      <h2>{t.title}</h2>
      <p className="hint">{t.hint}</p>

      {list.data?.restored && list.data.restored.keysToReenter.length > 0 && (
        <div className="notice notice-warn" role="status" data-testid="backup-keys-reenter">
          <KeyRound size={16} /> {t.keysToReenter}{' '}
          <strong>{list.data.restored.keysToReenter.map(keyName).join(', ')}</strong>
          {' — '}
          <a href="#/settings?section=keys">{t.toKeys}</a>
        </div>
      )}
      {list.data?.lastError && (
        <div className="notice notice-error" role="alert">
          {fill(t.autoFailed, { when: formatDateTime(list.data.lastError.at) })}
        </div>
      )}

      <div className="list-row" style={{ gap: 12, flexWrap: 'wrap' }}>
        <span data-testid="backup-last">
          {last
            ? fill(t.last, { when: formatDateTime(last.createdAt), size: mb(last.size) })
            : list.loading
              ? he.common.loading
              : t.none}
        </span>
      </div>

      <div className="form-actions" style={{ marginTop: 8, flexWrap: 'wrap', gap: 12 }}>
        <button
          className="btn btn-primary"
          onClick={() => void backupNow()}
          disabled={running !== null}
          data-testid="backup-now"
        >
          <DatabaseBackup size={16} />
          {busy === 'backup' ? t.running : t.now}
        </button>
        <label className="conn-toggle">
          <input
            type="checkbox"
            checked={withKeys}
            onChange={(e) => setWithKeys(e.target.checked)}
            data-testid="backup-with-keys"
          />
          {t.withKeys}
        </label>
      </div>
      {withKeys && (
        <div className="grid grid-2" style={{ marginTop: 8 }}>
          <div className="field">
            <label htmlFor="b-pw">{t.password}</label>
            <input
              id="b-pw"
              className="input"
              type="password"
              dir="ltr"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="b-pw2">{t.password2}</label>
            <input
              id="b-pw2"
              className="input"
              type="password"
              dir="ltr"
              autoComplete="new-password"
              value={password2}
              onChange={(e) => setPassword2(e.target.value)}
            />
          </div>
          <p className="hint" style={{ gridColumn: '1 / -1' }}>
            {t.passwordHint}
          </p>
        </div>
      )}
      {!withKeys && <p className="hint">{t.withoutKeysHint}</p>}

      {pct !== null && running && (
        <div className="backup-progress">
          <ProgressBar percent={pct}>
            {t.phases[progress!.phase]} · {Math.round(pct)}%
          </ProgressBar>
        </div>
      )}
      {error && (
        <p className="notice notice-error" role="alert" data-testid="backup-error">
          {error}
        </p>
      )}
      {done && (
        <p className="notice notice-ok" role="status" data-testid="backup-done">
          {done}
        </p>
      )}

      {settings.data && <BackupSettingsForm initial={settings.data} onSaved={() => list.reload()} />}

      <h3 style={{ marginTop: 20 }}>
        <History size={16} /> {t.listTitle}
      </h3>
      {list.data && list.data.backups.length === 0 && <p className="hint">{t.none}</p>}
      {list.data && list.data.backups.length > 0 && (
        <div className="backup-list" data-testid="backup-list">
          {list.data.backups.map((b) => (
            <div className="list-row" key={b.path} style={{ gap: 12 }}>
              <span style={{ minWidth: 150 }}>{formatDateTime(b.createdAt)}</span>
              <span className="badge">{b.kind === 'auto' ? t.auto : t.manual}</span>
              <span className="muted">{mb(b.size)}</span>
              <span className="muted">{plural(b.counts.customers ?? 0, t.customers)}</span>
              <span className={`badge ${b.keys.included ? 'badge-ok' : ''}`}>
                {b.keys.included ? t.keysIn : t.keysOut}
              </span>
              {!b.schemaSupported && <span className="badge badge-fail">{t.newer}</span>}
              <button
                className="btn btn-sm"
                style={{ marginInlineStart: 'auto' }}
                disabled={running !== null || !b.schemaSupported}
                onClick={() => setRestoring(b)}
              >
                {t.restore}
              </button>
            </div>
          ))}
        </div>
      )}

      <form onSubmit={(e) => void openFile(e)} className="form-actions" style={{ marginTop: 12, gap: 8 }}>
        <input
          className="input"
          dir="ltr"
          style={{ flex: 1 }}
          aria-label={t.fromFile}
          placeholder={t.fromFilePlaceholder}
          value={filePath}
          onChange={(e) => setFilePath(e.target.value)}
        />
        <button className="btn" type="submit" disabled={!filePath.trim() || running !== null}>
          {t.fromFile}
        </button>
      </form>

      {restoring && (
        <RestoreConfirm
          backup={restoring}
          onClose={() => setRestoring(null)}
          onBusy={(b) => setBusy(b ? 'restore' : null)}
        />
      )}
    </section>
  );
}

function BackupSettingsForm({
  initial,
  onSaved,
}: {
  initial: {
    folder: string;
    defaultFolder: boolean;
    automatic: boolean;
    keepDaily: number;
    keepWeekly: number;
  };
  onSaved: () => void;
}) {
  const [s, setS] = useState(initial);
  const [folder, setFolder] = useState(initial.folder);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const save = async (patch: Parameters<typeof api.call<'backup.settings.set'>>[1]) => {
    setMsg(undefined);
    try {
      const next = await api.call('backup.settings.set', patch);
      setS(next);
      setFolder(next.folder);
      setMsg({ ok: true, text: he.common.saved });
      onSaved();
    } catch (err) {
      setMsg({ ok: false, text: backupError(err) });
    }
  };
  return (
    <div className="backup-settings" style={{ marginTop: 16 }}>
      <div className="flag-row">
        <span>{t.automatic}</span>
        <span style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
          <span className="muted" style={{ fontSize: 'var(--text-xs)' }}>
            {s.automatic
              ? fill(t.automaticOn, {
                  daily: plural(s.keepDaily, t.dailyCount),
                  weekly: plural(s.keepWeekly, t.weeklyCount),
                })
              : t.automaticOff}
          </span>
          <button
            type="button"
            role="switch"
            className="switch"
            aria-checked={s.automatic}
            aria-label={t.automatic}
            data-testid="backup-automatic"
            onClick={() => void save({ automatic: !s.automatic })}
          />
        </span>
      </div>
      <div className="grid grid-2" style={{ marginTop: 8 }}>
        <div className="field">
          <label htmlFor="b-daily">{t.keepDaily}</label>
          <input
            id="b-daily"
            className="input"
            type="number"
            min={1}
            max={60}
            value={s.keepDaily}
            onChange={(e) => setS({ ...s, keepDaily: Number(e.target.value) })}
            onBlur={() => void save({ keepDaily: s.keepDaily })}
          />
        </div>
        <div className="field">
          <label htmlFor="b-weekly">{t.keepWeekly}</label>
          <input
            id="b-weekly"
            className="input"
            type="number"
            min={0}
            max={52}
            value={s.keepWeekly}
            onChange={(e) => setS({ ...s, keepWeekly: Number(e.target.value) })}
            onBlur={() => void save({ keepWeekly: s.keepWeekly })}
          />
        </div>
      </div>
      <form
        className="field"
        style={{ marginTop: 8 }}
        onSubmit={(e) => {
          e.preventDefault();
          void save({ folder: folder.trim() || null });
        }}
      >
        <label htmlFor="b-folder">{t.folder}</label>
        <div style={{ display: 'flex', gap: 8 }}>
          <input
            id="b-folder"
            className="input"
            dir="ltr"
            style={{ flex: 1 }}
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            data-testid="backup-folder"
          />
          <button className="btn" type="submit" disabled={folder.trim() === s.folder}>
            {he.common.save}
          </button>
          {!s.defaultFolder && (
            <button className="btn btn-ghost" type="button" onClick={() => void save({ folder: null })}>
              {t.folderDefault}
            </button>
          )}
        </div>
        <span className="hint">{s.defaultFolder ? t.folderHintDefault : t.folderHint}</span>
      </form>
      {msg && (
        <p className={`notice ${msg.ok ? 'notice-ok' : 'notice-error'}`} role="status">
          {msg.text}
        </p>
      )}
    </div>
  );
}

function RestoreConfirm({
  backup,
  onClose,
  onBusy,
}: {
  backup: BackupSummary;
  onClose: () => void;
  onBusy: (b: boolean) => void;
}) {
  const [password, setPassword] = useState('');
  const [withoutKeys, setWithoutKeys] = useState(false);
  const [state, setState] = useState<'idle' | 'working' | 'restarting' | 'later'>('idle');
  const [error, setError] = useState('');
  const [reenter, setReenter] = useState<string[]>([]);
  const restore = async () => {
    setError('');
    setState('working');
    onBusy(true);
    try {
      const r = await api.call('backup.restore', {
        path: backup.path,
        ...(backup.keys.included && !withoutKeys ? { password } : {}),
        ...(backup.keys.included && withoutKeys ? { withoutKeys: true } : {}),
      });
      setReenter(r.keysToReenter);
      if (!r.restarting) {
        setState('later');
        return;
      }
      setState('restarting');
      // The app restarts on the restored data (same address); wait for it, then reload.
      await new Promise((res) => setTimeout(res, 1500));
      for (let i = 0; i < 120; i++) {
        try {
          await api.call('system.info');
          break;
        } catch {
          await new Promise((res) => setTimeout(res, 500));
        }
      }
      window.location.hash = '#/settings?section=backups';
      window.location.reload();
    } catch (err) {
      setError(backupError(err));
      setState('idle');
    } finally {
      onBusy(false);
    }
  };
  return (
    <div
      className="backup-confirm notice notice-warn"
      role="dialog"
      aria-label={t.confirmTitle}
      data-testid="restore-confirm"
    >
      <h3>{t.confirmTitle}</h3>
      <p>
        {fill(t.confirmWhat, {
          when: formatDateTime(backup.createdAt),
          customers: plural(backup.counts.customers ?? 0, t.customers),
          files: plural(backup.files.count, t.files),
        })}
      </p>
      <p>{t.confirmReplaced}</p>
      <p>{t.confirmKept}</p>
      {backup.keys.included ? (
        <>
          {!withoutKeys && (
            <div className="field">
              <label htmlFor="r-pw">{t.restorePassword}</label>
              <input
                id="r-pw"
                className="input"
                type="password"
                dir="ltr"
                autoComplete="off"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
          )}
          <label className="conn-toggle">
            <input type="checkbox" checked={withoutKeys} onChange={(e) => setWithoutKeys(e.target.checked)} />
            {t.restoreWithoutKeys}
          </label>
        </>
      ) : (
        backup.keys.names.length > 0 && (
          <p>
            <KeyRound size={14} /> {t.confirmNoKeys}{' '}
            <strong>{backup.keys.names.map(keyName).join(', ')}</strong>
          </p>
        )
      )}
      {error && (
        <p className="notice notice-error" role="alert" data-testid="restore-error">
          {error}
        </p>
      )}
      {state === 'later' && (
        <p className="notice notice-ok" role="status">
          {t.restartToFinish}
          {reenter.length > 0 && ` ${t.keysToReenter} ${reenter.map(keyName).join(', ')}`}
        </p>
      )}
      {state === 'restarting' && <p role="status">{t.restarting}</p>}
      <div className="form-actions">
        <button
          className="btn btn-danger"
          disabled={state !== 'idle' || (backup.keys.included && !withoutKeys && !password)}
          onClick={() => void restore()}
          data-testid="restore-confirm-go"
        >
          {state === 'working' ? t.checking : t.confirmGo}
        </button>
        <button
          className="btn btn-ghost"
          onClick={onClose}
          disabled={state === 'working' || state === 'restarting'}
        >
          {he.common.cancel}
        </button>
      </div>
    </div>
  );
}
