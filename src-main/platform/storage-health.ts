/**
 * Is the disk refusing writes? One tracker per database: set when a write fails for lack of
 * space or a disk I/O error, cleared by the next write that commits while free space is OK.
 * The owner sees it (system.info `storage`, `system.storage` event); the API answers
 * `storage_full` instead of pretending a change was saved.
 */
import { statfsSync } from 'node:fs';

export interface StorageStatus {
  /** True while writes are failing for lack of space (or a disk I/O error). */
  full: boolean;
  /** When the first failure of this episode was seen (epoch ms), null while OK. */
  since: number | null;
}

/** Below this much free space a successful write does not clear the warning yet. */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * True for an error that means "the disk did not take the write": SQLite's SQLITE_FULL and
 * SQLITE_IOERR* codes, and the file system's ENOSPC/EDQUOT. Follows `cause` (drizzle wraps).
 */
export function isStorageFailure(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) return true;
      if (code === 'ENOSPC' || code === 'EDQUOT') return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The machine-readable code of a storage failure, for a log line (never a message or a path). */
export function storageErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && isStorageFailure({ code })) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class StorageHealth {
  private failedAt: number | null = null;
  private readonly listeners = new Set<(s: StorageStatus) => void>();

  constructor(
    /** A folder on the disk being watched (free space is checked there); null skips the check. */
    private readonly dir: string | null,
    private readonly now: () => number = Date.now,
  ) {}

  status(): StorageStatus {
    return { full: this.failedAt !== null, since: this.failedAt };
  }

  /** A write failed; `err` is checked, anything that is not a storage failure is ignored. */
  failed(err: unknown): void {
    if (this.failedAt !== null || !isStorageFailure(err)) return;
    this.failedAt = this.now();
    this.emit();
  }

  /** A write committed: clears the warning once free space is OK again. */
  succeeded(): void {
    if (this.failedAt === null) return;
    if (this.dir && freeBytes(this.dir) < MIN_FREE_BYTES) return;
    this.failedAt = null;
    this.emit();
  }

  onChange(listener: (s: StorageStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const s = this.status();
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {
        // A listener's failure must not turn a successful write into an error.
      }
    }
  }
}

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
