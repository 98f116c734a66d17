import path from 'node:path';
import { BrowserWindow, shell } from 'electron';
import { isAppUrl } from './trust';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface WindowOptions {
  preload: string;
  rendererFile: string;
  devServerUrl?: string;
  iconPath?: string;
}

/** Locks a window down: no new windows (external links go to the browser), no navigation away. */
function harden(win: BrowserWindow, { rendererFile, devServerUrl }: WindowOptions): void {
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, { rendererFile, devServerUrl })) event.preventDefault();
  });
  win.webContents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}

function load(win: BrowserWindow, opts: WindowOptions): void {
  if (opts.devServerUrl) void win.loadURL(opts.devServerUrl);
  else void win.loadFile(opts.rendererFile);
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
  rendererFile: path.join(outMainDir, '../renderer/index.html'),
});
