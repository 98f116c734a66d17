import { existsSync, mkdirSync } from 'node:fs';
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
    resourcesDir: path.join(appRoot, 'resources'),
  };
  for (const dir of [p.dataDir, p.logsDir, p.filesDir, p.recordingsDir, p.ttsCacheDir, p.backupsDir]) {
    mkdirSync(dir, { recursive: true });
  }
  return p;
}
