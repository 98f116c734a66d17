/**
 * Updates through electron-updater from a configurable feed (Settings, else the address the
 * installer was built with). When one is downloaded the owner is asked, in Hebrew, to restart;
 * a restart goes through the normal quit path, so live calls hear their goodbye first.
 */
import { app, dialog } from 'electron';
import electronUpdater from 'electron-updater';
import type { Logger } from '../platform/logger';
import { he } from '../../src-renderer/i18n/he';

const CHECK_EVERY_MS = 6 * 3600_000;

export function startUpdater(opts: { feedUrl: () => string; logger: Logger }): { check(): void } {
  const log = opts.logger.child({ module: 'updater' });
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = null;
  let asked = false;
  autoUpdater.on('error', (err) => log.warn({ err }, 'update check failed'));
  autoUpdater.on('update-downloaded', (info) => {
    log.info({ version: info.version }, 'update downloaded');
    if (asked) return;
    asked = true;
    const t = he.desktop.update;
    void dialog
      .showMessageBox({
        type: 'info',
        title: t.title,
        message: t.message,
        detail: t.detail,
        buttons: [t.restart, t.later],
        defaultId: 0,
        cancelId: 1,
      })
      .then(({ response }) => {
        if (response === 0) autoUpdater.quitAndInstall();
      });
  });
  const check = () => {
    if (!app.isPackaged) return;
    const url = opts.feedUrl();
    if (url) autoUpdater.setFeedURL({ provider: 'generic', url });
    autoUpdater.checkForUpdates().catch((err: unknown) => log.warn({ err }, 'update check failed'));
  };
  check();
  setInterval(check, CHECK_EVERY_MS).unref();
  return { check };
}
