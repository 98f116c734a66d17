/**
 * `agentlocator.lock` in the data folder names the process running the app on it. The restore
 * command refuses while that process is alive (a stale file from a crash is ignored).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'agentlocator.lock';

export function holdAppLock(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const token = randomBytes(8).toString('hex');
  try {
    writeFileSync(file, JSON.stringify({ pid: process.pid, token, since: Date.now() }), { mode: 0o600 });
  } catch {
    // A read-only or full disk: the app still runs; the restore command checks the pid it can read.
  }
  return () => {
    try {
      const held = JSON.parse(readFileSync(file, 'utf8')) as { token?: string };
      if (held.token === token) rmSync(file, { force: true });
    } catch {
      // Already gone.
    }
  };
}

/** The pid of a live process holding the data folder, or null. */
export function appRunningOn(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number((JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as { pid?: unknown }).pid);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, another user's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
