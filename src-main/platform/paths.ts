import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'AgentLocator';

/** The folder holding package.json: the source tree in development, the app folder when packaged. */
export function findAppRoot(start = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'resources'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** The OS application-data folder, the same one Electron's app.getPath('userData') uses. */
export function defaultDataDir(): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}

export interface AppPaths {
  appRoot: string;
  dataDir: string;
  dbFile: string;
  logsDir: string;
  filesDir: string;
  recordingsDir: string;
  ttsCacheDir: string;
  backupsDir: string;
  migrationsDir: string;
  rendererDir: string;
  /** The remote signing page's own bundle (vite.sign.config.ts), served by the public server. */
  signDir: string;
  resourcesDir: string;
}

export function resolvePaths(dataDir: string, appRoot = findAppRoot()): AppPaths {
  const p: AppPaths = {
    appRoot,
    dataDir,
    dbFile: path.join(dataDir, 'agentlocator.db'),
    logsDir: path.join(dataDir, 'logs'),
    filesDir: path.join(dataDir, 'files'),
    recordingsDir: path.join(dataDir, 'files', 'recordings'),
    ttsCacheDir: path.join(dataDir, 'cache', 'tts'),
    backupsDir: path.join(dataDir, 'backups'),
    migrationsDir: path.join(appRoot, 'src-main', 'db', 'migrations'),
    rendererDir: path.join(appRoot, 'out', 'renderer'),
    signDir: path.join(appRoot, 'out', 'sign'),
    resourcesDir: path.join(appRoot, 'resources'),
  };
  for (const dir of [p.dataDir, p.logsDir, p.filesDir, p.recordingsDir, p.ttsCacheDir, p.backupsDir]) {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  }
  tightenOnce(p);
  return p;
}

/** Written after the one full sweep of an older install; later starts check the folders only. */
const TIGHTENED_MARKER = '.permissions-0700';

/**
 * An older install left folders 0755 and files 0644: the first start of this version sweeps the
 * whole data folder once (about 20 µs per file on a loaded machine), then leaves a marker. Every
 * start still puts the folders themselves back to 0700; the files this version writes are 0600.
 */
function tightenOnce(p: AppPaths): void {
  if (process.platform === 'win32') return;
  const marker = path.join(p.dataDir, TIGHTENED_MARKER);
  if (existsSync(marker)) {
    for (const dir of [p.dataDir, p.logsDir, p.filesDir, p.recordingsDir, p.ttsCacheDir, p.backupsDir]) {
      tightenTree(dir, 1);
    }
    return;
  }
  tightenTree(p.dataDir);
  try {
    writeFileSync(marker, 'folders 0700, files 0600\n', { mode: FILE_MODE });
  } catch {
    // Read-only or full disk: the sweep runs again next start.
  }
}

/** The data folder holds customer data and call recordings: the owner's only (POSIX). */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/**
 * Folders 0700 and files 0600 under `root` (an older install made them 0755/0644). Only modes
 * with group/other bits are changed; symlinks are not followed. Does nothing on Windows, where
 * the profile folder's ACL already keeps other users out.
 */
export function tightenTree(root: string, maxEntries = 200_000): void {
  if (process.platform === 'win32') return;
  let left = maxEntries;
  const visit = (p: string, depth: number) => {
    if (left-- <= 0) return;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    const dir = st.isDirectory();
    if (!dir && !st.isFile()) return;
    if ((st.mode & 0o077) !== 0) {
      try {
        chmodSync(p, dir ? DIR_MODE : FILE_MODE);
      } catch {
        // Not ours to change (another user's file): left as it is.
      }
    }
    if (!dir || depth > 8) return;
    let names: string[];
    try {
      names = readdirSync(p);
    } catch {
      return;
    }
    for (const n of names) visit(path.join(p, n), depth + 1);
  };
  visit(root, 0);
}
