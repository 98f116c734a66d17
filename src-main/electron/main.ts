/**
 * The Electron shell: windows, tray, IPC, safeStorage and native notifications around the core.
 * Everything else lives in the core, which runs the same way headless.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, Notification, powerMonitor, session } from 'electron';
import type { Core } from '../core';
import { isRecovery, openCoreOrRecovery, type RecoveryCore } from '../core/recovery';
import { loadConfig } from '../platform/config';
import { KeyFileCipher } from '../platform/secrets';
import { registerAudioIpc } from './audio-ipc';
import { registerIpc } from './ipc';
import { TestCallMicGate } from './permissions';
import { safeStorageCipher, safeStorageUsable } from './secrets';
import { guardPermissions, registerAppScheme, serveApp } from './session';
import { AppTray } from './tray';
import { lineStateOf, type LineState } from './tray-model';
import { startUpdater } from './updater';
import { desktopSettings } from '../desktop/module';
import type { SetupStatus } from '../api/contract/setup';
import { createMainWindow, rendererPaths } from './windows';

const outMainDir = path.dirname(fileURLToPath(import.meta.url));
// A packaged app never loads a page named by the environment.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const origin = { devServerUrl };
const micGate = new TestCallMicGate();
/** Passed by the login item (Windows): start in the tray. */
const HIDDEN_ARG = '--hidden';

registerAppScheme(); // before ready

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | RecoveryCore | undefined;
  let mainWindow: BrowserWindow | undefined;
  let quitting = false;

  const showWindow = (): BrowserWindow => {
    if (!mainWindow || mainWindow.isDestroyed()) {
      mainWindow = createMainWindow({ ...rendererPaths(outMainDir), devServerUrl, iconPath: iconFile() });
      mainWindow.on('close', (e) => {
        // Closing the window keeps the line answered from the tray.
        if (!quitting) {
          e.preventDefault();
          mainWindow?.hide();
        }
      });
    }
    return mainWindow;
  };
  const iconFile = () => path.join(app.getAppPath(), 'resources', 'icons', 'icon.png');

  app.on('second-instance', () => {
    const w = showWindow();
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  });

  app.on('before-quit', () => {
    quitting = true;
  });

  app.whenReady().then(async () => {
    // Data-folder files (PDFs, recordings) by FileAccess id, once the core is up.
    serveApp(session.defaultSession, rendererPaths(outMainDir).rendererDir, () =>
      core && 'files' in core ? core.files : undefined,
    );
    guardPermissions(session.defaultSession, origin, micGate);
    const config = loadConfig({ AGENTLOCATOR_DATA_DIR: app.getPath('userData'), ...process.env });
    // A damaged database opens the window on the recovery screen; starting fresh relaunches.
    core = await openCoreOrRecovery({
      onStartFresh: () =>
        setImmediate(() => {
          app.relaunch();
          app.quit();
        }),
      // A restored backup is swapped in at the next start: relaunch (quitting says goodbye to calls).
      onRestartRequested: () =>
        setImmediate(() => {
          app.relaunch();
          app.quit();
        }),
      config,
      mode: 'electron',
      appRoot: app.getAppPath(),
      cipher: safeStorageUsable()
        ? safeStorageCipher
        : new KeyFileCipher(path.join(config.dataDir, 'secret.key')),
      notifier: {
        notify: (n) => {
          const note = new Notification({ title: n.title, body: n.body });
          note.on('click', () => showWindow().show());
          note.show();
        },
      },
    });
    registerIpc(core, () => BrowserWindow.getAllWindows(), origin);
    if (!isRecovery(core)) registerAudioIpc(core, origin, micGate);
    await core.startPublic();
    const running = core;
    const tray = new AppTray(iconFile(), (action) => {
      if (action === 'open') showWindow().show();
      else if (action === 'quit') app.quit();
      else if (!isRecovery(running)) {
        const next = !desktopSettings(running.settings).openAtLogin;
        void running.dispatch(
          'desktop.settings.set',
          { openAtLogin: next },
          { transport: 'internal', requestId: 'tray' },
        );
      }
    });
    if (isRecovery(running)) tray.update({ line: 'recovery' });
    else {
      const core = running;
      const applyDesktop = () => {
        const d = desktopSettings(core.settings);
        if (app.isPackaged) app.setLoginItemSettings({ openAtLogin: d.openAtLogin, args: [HIDDEN_ARG] });
        tray.update({ openAtLogin: d.openAtLogin });
      };
      applyDesktop();

      // The line's state: now, when the address or number changes, and every minute.
      const refreshLine = async () => {
        const r = await core.dispatch('setup.status', {}, { transport: 'internal', requestId: 'tray' });
        const line: LineState = lineStateOf(r.ok ? (r.data as SetupStatus) : null);
        tray.update({ line: r.ok ? line : 'not_connected' });
      };
      void refreshLine();
      core.bus.subscribe((e) => {
        if (e.name === 'desktop.settings') applyDesktop();
        if (e.name === 'tunnel.state' || e.name === 'phone.setup') void refreshLine();
      });
      setInterval(() => void refreshLine(), 60_000).unref();
      // After sleep, sockets that looked open are usually dead (WhatsApp Web): modules reconnect.
      powerMonitor.on('resume', () => {
        for (const m of core.modules) {
          try {
            m.systemResumed?.();
          } catch (err) {
            core.logger.warn({ err, module: m.name }, 'system resume hook failed');
          }
        }
      });
      startUpdater({ feedUrl: () => desktopSettings(core.settings).updateFeedUrl, logger: core.logger });
    }
    // Started at login: stay in the tray; otherwise open the window.
    const atLogin = process.argv.includes(HIDDEN_ARG) || app.getLoginItemSettings().wasOpenedAtLogin;
    if (!atLogin) showWindow();
  });

  app.on('window-all-closed', () => {
    /* stay in the tray */
  });

  app.on('will-quit', (e) => {
    if (!core) return;
    e.preventDefault();
    const c = core;
    core = undefined;
    void c.stop().finally(() => app.exit(0));
  });
}
