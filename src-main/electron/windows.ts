import path from 'node:path';
import { BrowserWindow, shell } from 'electron';
import { ELECTRON_CSP } from '../server/csp';
import { APP_INDEX_URL } from './app-protocol';
import { isAppUrl } from './trust';

export interface WindowOptions {
  preload: string;
  devServerUrl?: string;
  iconPath?: string;
}

/** Locks a window down: no new windows (external links go to the browser), no navigation away. */
function harden(win: BrowserWindow, { devServerUrl }: WindowOptions): void {
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, { devServerUrl })) event.preventDefault();
  });
  // The app:// handler sends this header itself; this covers the dev server in development.
  win.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] },
    });
  });
}

function load(win: BrowserWindow, opts: WindowOptions): void {
  void win.loadURL(opts.devServerUrl ?? APP_INDEX_URL);
}

export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'AgentLocator',
    icon: opts.iconPath,
    backgroundColor: '#f5f7fa',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  harden(win, opts);
  win.once('ready-to-show', () => win.show());
  load(win, opts);
  return win;
}

export const rendererPaths = (outMainDir: string) => ({
  preload: path.join(outMainDir, '../preload/index.cjs'),
  /** The built renderer, served as app://agentlocator/ (see session.ts). */
  rendererDir: path.join(outMainDir, '../renderer'),
});
