/**
 * What `npm run backup` and `npm run restore` share: the data folder (--data-dir, else
 * AGENTLOCATOR_DATA_DIR, else the OS app-data folder), the password (AGENTLOCATOR_BACKUP_PASSWORD
 * or --password-file FILE, never an argument: it would show in `ps`), and how a refusal ends
 * (a clear line and a non-zero exit; nothing changed).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BackupRefused } from '../src-main/backup/archive';
import type { BackupProgress } from '../src-main/api/contract/backup';
import { loadConfig } from '../src-main/platform/config';
import { resolvePaths, type AppPaths } from '../src-main/platform/paths';
import { readVersion } from '../src-main/core/version';
import { createLogger, type Logger } from '../src-main/platform/logger';

export const EXIT = { ok: 0, refused: 1, usage: 2, appRunning: 3, failed: 4 } as const;

export function setup(dataDirArg: string | undefined): {
  paths: AppPaths;
  logger: Logger;
  version: ReturnType<typeof readVersion>;
} {
  const config = loadConfig(
    dataDirArg ? { ...process.env, AGENTLOCATOR_DATA_DIR: path.resolve(dataDirArg) } : process.env,
  );
  const paths = resolvePaths(config.dataDir);
  // The app's own log file records what the command did; the terminal gets plain lines.
  const logger = createLogger({ level: 'info', logsDir: paths.logsDir, stdout: false });
  return { paths, logger, version: readVersion(paths.appRoot, config.env) };
}

export function password(file: string | undefined): string | undefined {
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  return process.env.AGENTLOCATOR_BACKUP_PASSWORD || undefined;
}

export function keyFile(paths: AppPaths): string | null {
  const f = path.join(paths.dataDir, 'secret.key');
  return existsSync(f) ? f : null;
}

/** One stderr line per 10 % (and the phase changes). */
export function progressPrinter(): (p: BackupProgress) => void {
  let last = -10;
  let phase = '';
  return (p) => {
    if (p.phase === 'failed') return;
    if (p.phase === phase && p.percent - last < 10 && p.phase !== 'done') return;
    last = p.percent;
    phase = p.phase;
    process.stderr.write(`  ${p.op} ${p.phase} ${Math.round(p.percent)}%\n`);
  };
}

export function fail(err: unknown): number {
  if (err instanceof BackupRefused) {
    process.stderr.write(`refused: ${err.message}\nnothing was changed.\n`);
    return err.reason === 'app_running' ? EXIT.appRunning : EXIT.refused;
  }
  process.stderr.write(`failed: ${err instanceof Error ? err.message : String(err)}\nnothing was changed.\n`);
  return EXIT.failed;
}
