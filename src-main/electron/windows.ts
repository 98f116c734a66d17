import path from 'node:path';
import { BrowserWindow, screen, shell } from 'electron';
import { ELECTRON_CSP } from '../server/csp';
import { APP_INDEX_URL } from './app-protocol';
import { chooseSigningDisplay, signingContractId } from './signing-display';
import { isAppUrl } from './trust';

export interface WindowOptions {
  preload: string;
  devServerUrl?: string;
  iconPath?: string;
}

/**
 * Locks a window down: no new windows (external links go to the browser; the in-office signing
 * screen opens in its own window, below), no navigation away.
 */
function harden(win: BrowserWindow, opts: WindowOptions): void {
  const { devServerUrl } = opts;
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    else if (isAppUrl(url, { devServerUrl }) && signingContractId(url) !== null)
      openSigningWindow(win, url, opts);
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

/** Every window of ours: the sandboxed preload only, no Node, web security on. */
const lockedDown = (preload: string) => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
  spellcheck: false,
});

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
    webPreferences: lockedDown(opts.preload),
  });
  harden(win, opts);
  win.once('ready-to-show', () => win.show());
  load(win, opts);
  return win;
}

/**
 * The in-office signing screen: its own full-screen window, on a second display facing the
 * customer when there is one. It shows the signing route only: leaving it (the owner's "back",
 * any other route) closes the window, so nothing of the CRM is reachable from it.
 */
function openSigningWindow(owner: BrowserWindow, url: string, opts: WindowOptions): void {
  const ownerDisplay = screen.getDisplayMatching(owner.getBounds());
  const display = chooseSigningDisplay(screen.getAllDisplays(), ownerDisplay.id) ?? ownerDisplay;
  const { x, y, width, height } = display.bounds;
  const win = new BrowserWindow({
    x,
    y,
    width,
    height,
    fullscreen: true,
    autoHideMenuBar: true,
    show: false,
    title: 'AgentLocator',
    icon: opts.iconPath,
    backgroundColor: '#ffffff',
    webPreferences: lockedDown(opts.preload),
  });
  harden(win, opts);
  win.webContents.on('did-navigate-in-page', (_e, next) => {
    if (signingContractId(next) === null) win.close();
  });
  // Back to the owner's window (its contract page follows `contracts.changed`).
  win.once('closed', () => !owner.isDestroyed() && owner.focus());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(url);
}

export const rendererPaths = (outMainDir: string) => ({
  preload: path.join(outMainDir, '../preload/index.cjs'),
  /** The built renderer, served as app://agentlocator/ (see session.ts). */
  rendererDir: path.join(outMainDir, '../renderer'),
});
