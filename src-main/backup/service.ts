/**
 * Backups and restores of one data folder. A backup: SQLite's online backup API on a worker
 * thread's own connection, all pages in one step (one read snapshot: consistent while calls keep
 * writing in WAL mode, and the app's thread never waits on the copy's writes or fsync), the copy's
 * machine-encrypted keys removed there too, then manifest + database +
 * the files folder (recordings, documents, media — not the TTS cache, which is outside it) into
 * one .tar.gz. A restore is checked completely before anything is replaced — manifest, every
 * part's SHA-256, integrity_check, schema not newer than the app, the keys' password — and only
 * then staged as `restore-staged/` in the data folder; the swap happens at the next start
 * (restore-apply.ts), with the current data kept aside.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { BackupProgress, BackupSettings, BackupSummary } from '../api/contract/backup';
import { SECRET_KEYS, type VersionInfo } from '../api/contract/system';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { AppPaths } from '../platform/paths';
import type { SecretCipher, SecretName, SecretsStore } from '../platform/secrets';
import {
  BackupRefused,
  entryBuffer,
  freeBytes,
  fsyncFile,
  hashFile,
  listFiles,
  readArchive,
  saveEntry,
  writeArchive,
  type PackPart,
} from './archive';
import { openKeys, sealKeys, WrongPasswordError } from './key-seal';
import { DB_PART, FILES_PREFIX, KEYS_PART, type Manifest } from './manifest';
import { backupsToKeep } from './retention';
import { appMigrations, schemaOf, schemaSupported } from './schema-version';
import { checkRestored, prepareCopy, snapshotCopy } from './sqlite-worker';

export const SETTINGS_FILE = 'backup-settings.json';
export const STATE_FILE = 'backup-state.json';
export const STAGED_DIR = 'restore-staged';
export const STAGED_INFO = 'restore.json';
export const RESTORED_FILE = 'restore-done.json';
export const KEPT_PREFIX = 'before-restore-';
const NAME_RE = /^agentlocator-backup-(\d{8}-\d{6})(?:-\d+)?-(manual|auto)\.tar\.gz$/;
const DAY = 86_400_000;
/** An automatic backup is due when the newest one is older than this. */
export const AUTO_INTERVAL_MS = DAY - 30 * 60_000;

export interface StagedInfo {
  from: string;
  stagedAt: number;
  createdAt: number;
  keysRestored: SecretName[];
  keysToReenter: SecretName[];
  /** Where the current data goes when the restore is applied. */
  keptAside: string;
}

export interface RestoredInfo extends StagedInfo {
  appliedAt: number;
  startedAt?: number;
}

export interface BackupServiceDeps {
  paths: AppPaths;
  /** The live connection (the app's own): null in recovery mode, where no database is open. */
  sqlite: Database.Database | null;
  /** The app's keys (null in recovery mode). */
  secrets: SecretsStore | null;
  /** This machine's key encryption, for the keys a restore brings back. */
  cipher: SecretCipher;
  clock: Clock;
  logger: Logger;
  version: VersionInfo;
  onProgress?: (p: BackupProgress) => void;
}

interface Settings {
  folder: string | null;
  automatic: boolean;
  keepDaily: number;
  keepWeekly: number;
}
const DEFAULT_SETTINGS: Settings = { folder: null, automatic: true, keepDaily: 7, keepWeekly: 4 };

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
}

const stampOf = (ms: number) =>
  new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export class BackupService {
  private running: 'backup' | 'restore' | null = null;
  private readonly log: Logger;
  private readonly summaries = new Map<string, { mtimeMs: number; size: number; summary: BackupSummary }>();

  constructor(private readonly deps: BackupServiceDeps) {
    this.log = deps.logger.child({ module: 'backup' });
  }

  // ---- settings -------------------------------------------------------------------------------

  /** Kept in a file (not the database), so recovery mode finds the backups of a damaged database. */
  private rawSettings(): Settings {
    const raw = readJson<Partial<Settings>>(path.join(this.deps.paths.dataDir, SETTINGS_FILE)) ?? {};
    return {
      folder: typeof raw.folder === 'string' && raw.folder ? raw.folder : null,
      automatic: typeof raw.automatic === 'boolean' ? raw.automatic : DEFAULT_SETTINGS.automatic,
      keepDaily: Number.isInteger(raw.keepDaily) ? raw.keepDaily! : DEFAULT_SETTINGS.keepDaily,
      keepWeekly: Number.isInteger(raw.keepWeekly) ? raw.keepWeekly! : DEFAULT_SETTINGS.keepWeekly,
    };
  }

  settings(): BackupSettings {
    const s = this.rawSettings();
    return {
      folder: s.folder ?? this.deps.paths.backupsDir,
      defaultFolder: s.folder == null,
      automatic: s.automatic,
      keepDaily: s.keepDaily,
      keepWeekly: s.keepWeekly,
    };
  }

  folder(): string {
    return this.settings().folder;
  }

  async setSettings(patch: Partial<Settings>): Promise<BackupSettings> {
    const next = { ...this.rawSettings() };
    if (patch.folder !== undefined) {
      if (patch.folder === null) next.folder = null;
      else {
        const folder = path.resolve(patch.folder);
        if (!path.isAbsolute(patch.folder))
          throw new BackupRefused(
            'the backup folder must be a full path (e.g. /media/disk/backups)',
            'not_a_backup',
          );
        if (isInside(folder, this.deps.paths.filesDir))
          throw new BackupRefused(
            'the backup folder cannot be inside the files folder it backs up',
            'not_a_backup',
          );
        try {
          await mkdir(folder, { recursive: true, mode: 0o700 });
          const probe = path.join(folder, `.agentlocator-write-test-${process.pid}`);
          writeFileSync(probe, 'ok', { mode: 0o600 });
          rmSync(probe, { force: true });
        } catch {
          throw new BackupRefused(`cannot write to the folder ${folder}`, 'no_space');
        }
        next.folder = folder === path.resolve(this.deps.paths.backupsDir) ? null : folder;
      }
    }
    if (patch.automatic !== undefined) next.automatic = patch.automatic;
    if (patch.keepDaily !== undefined) next.keepDaily = patch.keepDaily;
    if (patch.keepWeekly !== undefined) next.keepWeekly = patch.keepWeekly;
    writeJson(path.join(this.deps.paths.dataDir, SETTINGS_FILE), next);
    return this.settings();
  }

  busy(): 'backup' | 'restore' | null {
    return this.running;
  }

  lastError(): { at: number; message: string } | null {
    return (
      readJson<{ lastError?: { at: number; message: string } | null }>(
        path.join(this.deps.paths.dataDir, STATE_FILE),
      )?.lastError ?? null
    );
  }

  private setLastError(e: { at: number; message: string } | null): void {
    try {
      writeJson(path.join(this.deps.paths.dataDir, STATE_FILE), { lastError: e });
    } catch {
      // A full disk: the log has it.
    }
  }

  restored(): RestoredInfo | null {
    return readJson<RestoredInfo>(path.join(this.deps.paths.dataDir, RESTORED_FILE));
  }

  // ---- progress -------------------------------------------------------------------------------

  private progress(op: 'backup' | 'restore') {
    let lastPct = -1;
    let lastAt = 0;
    return (phase: BackupProgress['phase'], percent: number, error?: string) => {
      const pct = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
      const now = this.deps.clock.monotonic();
      const final = phase === 'done' || phase === 'failed';
      if (!final && pct - lastPct < 1 && now - lastAt < 250) return;
      lastPct = pct;
      lastAt = now;
      this.deps.onProgress?.({
        op,
        phase,
        percent: pct,
        at: this.deps.clock.now(),
        ...(error ? { error } : {}),
      });
    };
  }

  // ---- backup ---------------------------------------------------------------------------------

  /** Backs up now. `out` overrides the folder (the command line's --out FILE). */
  async create(opts: { kind: 'manual' | 'auto'; password?: string; out?: string }): Promise<BackupSummary> {
    const { sqlite, paths, clock } = this.deps;
    if (!sqlite) throw new BackupRefused('no database is open: nothing to back up', 'busy');
    if (this.running) throw new BackupRefused(`a ${this.running} is already running`, 'busy');
    this.running = 'backup';
    const report = this.progress('backup');
    const createdAt = clock.now();
    const work = path.join(paths.backupsDir, `.work-${stampOf(createdAt)}-${process.pid}`);
    let partial: string | undefined;
    try {
      report('database', 0);
      const folder = opts.out ? path.dirname(path.resolve(opts.out)) : this.folder();
      await mkdir(folder, { recursive: true, mode: 0o700 });
      let name = opts.out
        ? path.basename(opts.out)
        : `agentlocator-backup-${stampOf(createdAt)}-${opts.kind}.tar.gz`;
      for (let n = 2; !opts.out && existsSync(path.join(folder, name)); n++)
        name = `agentlocator-backup-${stampOf(createdAt)}-${n}-${opts.kind}.tar.gz`;
      const dest = path.join(folder, name);

      // Keys first (cheap, and a key this machine cannot read is refused before any work).
      const keyNames = SECRET_KEYS.filter((n) => this.deps.secrets?.has(n));
      let keysBlob: Buffer | undefined;
      if (opts.password) {
        const values: Record<string, string> = {};
        const unreadable: string[] = [];
        for (const n of keyNames) {
          try {
            const v = this.deps.secrets!.get(n);
            if (v !== undefined) values[n] = v;
          } catch {
            unreadable.push(n);
          }
        }
        if (unreadable.length)
          throw new BackupRefused(
            `these keys cannot be read on this computer, so they cannot be included: ${unreadable.join(', ')}`,
            'keys_unreadable',
          );
        keysBlob = await sealKeys(values, opts.password);
      }

      await mkdir(work, { recursive: true, mode: 0o700 });
      const copy = path.join(work, 'agentlocator.db');
      // The copy is made off this thread (its page writes and final fsync took up to 200 ms of
      // the event loop on the app's own connection); an in-memory database has no file to read.
      const source = sqlite.name;
      let prepared;
      if (source && source !== ':memory:' && existsSync(source)) {
        prepared = await snapshotCopy(source, copy);
      } else {
        await onlineBackup(sqlite, copy, clock, (f) => report('database', f * 35));
        prepared = await prepareCopy(copy);
      }
      report('prepare', 35);
      const known = appMigrations(paths.migrationsDir);
      const schema = schemaOf(prepared.migrations, known);

      const files = await listFiles(paths.filesDir);
      let sizes = 0;
      const fileStats = await Promise.all(
        files.map(async (rel) => {
          const s = await stat(path.join(paths.filesDir, ...rel.split('/')));
          sizes += s.size;
          return s.size;
        }),
      );
      const dbSize = (await stat(copy)).size;
      const total = dbSize + sizes;
      let seen = 0;
      const hashed = (n: number) => {
        seen += n;
        report('files', 40 + (seen / Math.max(1, total)) * 15);
      };
      const parts: PackPart[] = [];
      if (keysBlob) {
        parts.push({ path: KEYS_PART, source: keysBlob, size: keysBlob.length, sha256: sha256Of(keysBlob) });
      }
      const dbHash = await hashFile(copy, hashed);
      parts.push({ path: DB_PART, source: copy, size: dbHash.size, sha256: dbHash.sha256 });
      for (let i = 0; i < files.length; i++) {
        const rel = files[i]!;
        const abs = path.join(paths.filesDir, ...rel.split('/'));
        try {
          const h = await hashFile(abs, hashed);
          parts.push({ path: FILES_PREFIX + rel, source: abs, size: h.size, sha256: h.sha256 });
        } catch (err) {
          // Removed since it was listed (a replaced file): it is simply not in this backup.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          sizes -= fileStats[i]!;
        }
      }
      const manifest: Manifest = {
        format: 'agentlocator-backup',
        formatVersion: 1,
        app: {
          name: this.deps.version.app,
          version: this.deps.version.version,
          commit: this.deps.version.commit,
        },
        createdAt,
        kind: opts.kind,
        schema,
        counts: prepared.counts,
        parts: parts.map((p) => ({ path: p.path, size: p.size, sha256: p.sha256 })),
        keys: {
          included: keysBlob !== undefined,
          names: prepared.secretNames.filter((n): n is SecretName =>
            (SECRET_KEYS as readonly string[]).includes(n),
          ),
        },
      };
      const space = await freeBytes(folder);
      if (space !== null && space < total * 1.05 + 10 * 1024 * 1024)
        throw new BackupRefused(`not enough free space in ${folder} for the backup`, 'no_space');

      partial = `${dest}.partial`;
      let packed = 0;
      await writeArchive(partial, manifest, parts, {
        mtime: new Date(createdAt),
        onBytes: (n) => {
          packed += n;
          report('files', 55 + (packed / Math.max(1, total)) * 44);
        },
      });
      await fsyncFile(partial);
      await rename(partial, dest);
      partial = undefined;
      report('done', 100);
      const summary = await this.summaryOf(dest);
      this.log.info(
        {
          file: dest,
          bytes: summary.size,
          kind: opts.kind,
          keys_included: manifest.keys.included,
          files: files.length,
        },
        'backup written',
      );
      if (opts.kind === 'auto') {
        this.setLastError(null);
        await this.applyRetention().catch((err: unknown) =>
          this.log.warn({ err }, 'backup retention failed'),
        );
      }
      return summary;
    } catch (err) {
      report('failed', 100, err instanceof Error ? err.message : String(err));
      if (opts.kind === 'auto')
        this.setLastError({ at: clock.now(), message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      this.running = null;
      await rm(work, { recursive: true, force: true }).catch(() => undefined);
      if (partial) await rm(partial, { force: true }).catch(() => undefined);
    }
  }

  /** An automatic backup when one is due (automatic on, the newest older than ~a day). */
  async runDue(): Promise<BackupSummary | null> {
    if (!this.rawSettings().automatic || this.running || !this.deps.sqlite) return null;
    const backups = await this.list();
    const newest = backups.find((b) => b.kind === 'auto');
    if (newest && this.deps.clock.now() - newest.createdAt < AUTO_INTERVAL_MS) return null;
    return this.create({ kind: 'auto' });
  }

  /** Removes automatic backups beyond `keepDaily` days and `keepWeekly` weeks. */
  async applyRetention(): Promise<string[]> {
    const s = this.rawSettings();
    const autos = (await this.list()).filter((b) => b.kind === 'auto');
    const keep = backupsToKeep(autos, { daily: s.keepDaily, weekly: s.keepWeekly });
    const removed: string[] = [];
    for (const b of autos) {
      if (keep.has(b)) continue;
      await rm(b.path, { force: true });
      this.summaries.delete(b.path);
      removed.push(b.name);
    }
    if (removed.length) this.log.info({ removed }, 'old automatic backups removed');
    return removed;
  }

  // ---- list / inspect -------------------------------------------------------------------------

  /** The backups in the backup folder, newest first (files that are not backups are skipped). */
  async list(): Promise<BackupSummary[]> {
    const folder = this.folder();
    let names: string[];
    try {
      names = (await readdir(folder)).filter((n) => NAME_RE.test(n));
    } catch {
      return [];
    }
    const out: BackupSummary[] = [];
    for (const n of names) {
      try {
        out.push(await this.summaryOf(path.join(folder, n)));
      } catch (err) {
        this.log.warn({ file: n, err: (err as Error).message }, 'unreadable file in the backup folder');
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** What a backup file says about itself (the manifest only: a few kilobytes are read). */
  async inspect(file: string): Promise<BackupSummary> {
    return this.summaryOf(path.resolve(file));
  }

  private async summaryOf(file: string): Promise<BackupSummary> {
    let st;
    try {
      st = statSync(file);
    } catch {
      throw new BackupRefused(`no such backup file: ${file}`, 'not_a_backup');
    }
    if (!st.isFile()) throw new BackupRefused(`not a backup file: ${file}`, 'not_a_backup');
    const cached = this.summaries.get(file);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.summary;
    const m = await readArchive(file, { onManifest: () => undefined });
    const summary = this.summarize(file, st.size, m);
    this.summaries.set(file, { mtimeMs: st.mtimeMs, size: st.size, summary });
    return summary;
  }

  private summarize(file: string, size: number, m: Manifest): BackupSummary {
    const files = m.parts.filter((p) => p.path.startsWith(FILES_PREFIX));
    return {
      name: path.basename(file),
      path: file,
      size,
      createdAt: m.createdAt,
      kind: m.kind,
      appVersion: m.app.version,
      schema: m.schema.last,
      schemaSupported: schemaSupported(m.schema.when, appMigrations(this.deps.paths.migrationsDir)),
      counts: m.counts,
      files: { count: files.length, bytes: files.reduce((s, p) => s + p.size, 0) },
      keys: { included: m.keys.included, names: m.keys.names },
    };
  }

  // ---- restore --------------------------------------------------------------------------------

  /**
   * Checks a backup completely and stages it in the data folder (`restore-staged/`), ready to
   * replace the current data at the next start. Nothing current is touched; any refusal leaves no
   * trace. Keys: restored from the backup with its password; otherwise the ones this app has now
   * are kept; the rest must be entered again (listed).
   */
  async stageRestore(
    file: string,
    opts: { password?: string; withoutKeys?: boolean },
  ): Promise<StagedInfo & { summary: BackupSummary }> {
    if (this.running) throw new BackupRefused(`a ${this.running} is already running`, 'busy');
    this.running = 'restore';
    const report = this.progress('restore');
    const { paths, clock } = this.deps;
    const src = path.resolve(file);
    const tmp = path.join(paths.dataDir, `.restore-staging-${stampOf(clock.now())}-${process.pid}`);
    try {
      report('verify', 0);
      let size: number;
      try {
        const st = statSync(src);
        if (!st.isFile()) throw new Error('not a file');
        size = st.size;
      } catch {
        throw new BackupRefused(`no such backup file: ${src}`, 'not_a_backup');
      }
      const known = appMigrations(paths.migrationsDir);
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true, mode: 0o700 });
      const expected = new Map<string, { size: number; sha256: string }>();
      const seen = new Set<string>();
      let keysBlob: Buffer | undefined;
      let read = 0;
      const manifest = await readArchive(src, {
        onBytes: (n) => {
          read += n;
          report('verify', (read / Math.max(1, size)) * 80);
        },
        onManifest: async (m) => {
          if (!schemaSupported(m.schema.when, known))
            throw new BackupRefused(
              `this backup comes from a newer version of the app (database ${m.schema.last}, app ${m.app.version}): update the app first`,
              'newer_schema',
            );
          if (m.keys.included && !opts.password && !opts.withoutKeys)
            throw new BackupRefused(
              'this backup includes keys protected with a password: enter the password, or restore without the keys',
              'password_required',
            );
          for (const p of m.parts) expected.set(p.path, { size: p.size, sha256: p.sha256 });
          if (!expected.has(DB_PART)) throw new BackupRefused('the backup has no database', 'not_a_backup');
          const need = m.parts.reduce((s, p) => s + p.size, 0);
          const space = await freeBytes(paths.dataDir);
          if (space !== null && space < need * 1.05 + 50 * 1024 * 1024)
            throw new BackupRefused(
              `not enough free space in the data folder to restore (${Math.ceil(need / 2 ** 20)} MB needed)`,
              'no_space',
            );
        },
        onEntry: async (e) => {
          const want = expected.get(e.name);
          if (!want || seen.has(e.name) || e.type !== 'file')
            throw new BackupRefused(
              `the backup contains something it should not (${e.name.slice(0, 200)})`,
              'tampered',
            );
          seen.add(e.name);
          let got: { sha256: string; size: number };
          if (e.name === KEYS_PART) {
            keysBlob = await entryBuffer(e.stream, 1024 * 1024);
            got = { sha256: sha256Of(keysBlob), size: keysBlob.length };
          } else {
            const dest =
              e.name === DB_PART
                ? path.join(tmp, 'agentlocator.db')
                : path.join(tmp, 'files', ...e.name.slice(FILES_PREFIX.length).split('/'));
            got = await saveEntry(e.stream, dest);
          }
          if (got.size !== want.size || got.sha256 !== want.sha256)
            throw new BackupRefused(
              `the backup was changed or damaged: ${e.name.slice(0, 200)} does not match its checksum`,
              'tampered',
            );
        },
      });
      const missing = [...expected.keys()].filter((p) => !seen.has(p));
      if (missing.length)
        throw new BackupRefused(
          `the backup is incomplete: ${missing.length} part(s) missing (${missing[0]!.slice(0, 200)})`,
          'truncated',
        );

      // Keys: the backup's own (password), else the ones this app has now (same machine key).
      report('stage', 82);
      let restoredValues: Record<string, string> = {};
      if (manifest.keys.included && keysBlob && opts.password && !opts.withoutKeys) {
        try {
          restoredValues = await openKeys(keysBlob, opts.password);
        } catch (err) {
          if (err instanceof WrongPasswordError)
            throw new BackupRefused(
              'wrong password: the keys in this backup cannot be opened with it',
              'wrong_password',
            );
          throw err;
        }
      }
      const now = clock.now();
      const rows: Array<{ name: string; ciphertext: Buffer; updatedAt: number }> = [];
      const keysRestored: SecretName[] = [];
      for (const [n, v] of Object.entries(restoredValues)) {
        if (!(SECRET_KEYS as readonly string[]).includes(n)) continue;
        rows.push({ name: n, ciphertext: this.deps.cipher.encrypt(v), updatedAt: now });
        keysRestored.push(n as SecretName);
      }
      const carried = new Set<string>();
      if (this.deps.sqlite) {
        const current = this.deps.sqlite
          .prepare('select name, ciphertext, updated_at as updatedAt from secrets')
          .all() as Array<{ name: string; ciphertext: Buffer; updatedAt: number }>;
        for (const r of current) {
          if (keysRestored.includes(r.name as SecretName)) continue;
          rows.push(r);
          carried.add(r.name);
        }
      }
      const keysToReenter = manifest.keys.names.filter((n) => !keysRestored.includes(n) && !carried.has(n));

      report('stage', 85);
      const check = await checkRestored(path.join(tmp, 'agentlocator.db'), rows);
      if (check.problems.length)
        throw new BackupRefused(
          `the database in the backup is damaged (integrity check: ${check.problems[0]!.slice(0, 200)})`,
          'damaged_database',
        );
      const dbSchema = schemaOf(check.migrations, known);
      if (!schemaSupported(dbSchema.when, known))
        throw new BackupRefused(
          `this backup's database comes from a newer version of the app (${dbSchema.last}): update the app first`,
          'newer_schema',
        );

      const info: StagedInfo = {
        from: src,
        stagedAt: now,
        createdAt: manifest.createdAt,
        keysRestored,
        keysToReenter,
        keptAside: path.join(paths.dataDir, `${KEPT_PREFIX}${stampOf(now)}`),
      };
      writeJson(path.join(tmp, STAGED_INFO), info);
      const staged = path.join(paths.dataDir, STAGED_DIR);
      await rm(staged, { recursive: true, force: true });
      await rename(tmp, staged);
      report('done', 100);
      this.log.warn(
        { from: src, keys_restored: keysRestored, keys_to_reenter: keysToReenter },
        'restore checked and staged: it replaces the data at the next start',
      );
      return { ...info, summary: this.summarize(src, size, manifest) };
    } catch (err) {
      report('failed', 100, err instanceof Error ? err.message : String(err));
      if (err instanceof BackupRefused)
        this.log.warn({ from: src, reason: err.reason, why: err.message }, 'restore refused');
      throw err;
    } finally {
      this.running = null;
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

const sha256Of = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');

const isInside = (child: string, parent: string) => {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * SQLite's online backup on the live connection, in steps sized to ~8 ms each so the event loop
 * keeps turning (better-sqlite3 runs one step per setImmediate). Writes made through the same
 * connection while it runs go into the copy as well, so it is consistent at the moment it ends.
 */
export async function onlineBackup(
  sqlite: Database.Database,
  dest: string,
  clock: Clock,
  onFraction: (f: number) => void,
  stepBudgetMs = 8,
): Promise<void> {
  let pages = 64;
  let last = clock.monotonic();
  await sqlite.backup(dest, {
    progress: ({ totalPages, remainingPages }) => {
      const now = clock.monotonic();
      const took = now - last;
      last = now;
      // Grow while steps are quick, shrink when one ran long (a loaded machine).
      if (took < stepBudgetMs / 2) pages = Math.min(pages * 2, 16_384);
      else if (took > stepBudgetMs) pages = Math.max(16, Math.floor(pages / 2));
      onFraction(totalPages ? 1 - remainingPages / totalPages : 1);
      return pages;
    },
  });
}
