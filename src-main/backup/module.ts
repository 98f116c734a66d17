/**
 * Backups as a feature module: the backup.* API, the automatic daily backup (a timer that asks
 * the injected Clock whether one is due; a missed day is made at the next check), the app lock
 * the restore command respects, and the end of a restore (restore-apply.ts) once the app runs.
 */
import type Database from 'better-sqlite3';
import type { MethodOutput } from '../api/contract';
import type { BackupProgress } from '../api/contract/backup';
import type { VersionInfo } from '../api/contract/system';
import type { Handlers } from '../api/dispatcher';
import { ApiError } from '../api/errors';
import type { EventBus } from '../api/events';
import type { FeatureModule } from '../core/module';
import { provide, serviceKey } from '../core/registry';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { AppPaths } from '../platform/paths';
import type { SecretCipher, SecretsStore } from '../platform/secrets';
import { holdAppLock } from './app-lock';
import { BackupRefused } from './archive';
import { restoreStarted } from './restore-apply';
import { BackupService } from './service';

export interface BackupModuleDeps {
  paths: AppPaths;
  sqlite: Database.Database | null;
  secrets: SecretsStore | null;
  cipher: SecretCipher;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  version: VersionInfo;
  /** Restart the app on the staged restore (in-process for headless, relaunch under Electron). */
  requestRestart?: () => void;
  /** When the first automatic-backup check runs after start, and how often after (ms). */
  schedule?: { firstMs?: number; everyMs?: number };
}

/** A refused backup or restore as an API error: the reason is the machine-readable error name. */
export function refusal(err: unknown): unknown {
  if (!(err instanceof BackupRefused)) return err;
  const code =
    err.reason === 'busy' || err.reason === 'app_running'
      ? 'conflict'
      : err.reason === 'no_space'
        ? 'storage_full'
        : 'bad_input';
  return new ApiError(code, err.message, { reason: err.reason }, `backup_${err.reason}`);
}

const guard =
  <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
  async (...a: A): Promise<R> => {
    try {
      return await fn(...a);
    } catch (err) {
      throw refusal(err);
    }
  };

/** The backup.* handlers over one service (the normal core and the recovery core share them). */
export function backupHandlers(
  service: BackupService,
  restart: (() => void) | undefined,
  track: <T>(p: Promise<T>) => Promise<T> = (p) => p,
): Pick<
  Handlers,
  | 'backup.create'
  | 'backup.list'
  | 'backup.settings.get'
  | 'backup.settings.set'
  | 'backup.inspect'
  | 'backup.restore'
> {
  return {
    'backup.create': guard(async (input) =>
      track(service.create({ kind: 'manual', password: input?.password })),
    ),
    'backup.list': guard(async (): Promise<MethodOutput<'backup.list'>> => {
      const backups = await service.list();
      const r = service.restored();
      return {
        folder: service.folder(),
        backups,
        last: backups[0] ?? null,
        running: service.busy(),
        lastError: service.lastError(),
        restored: r ? { at: r.appliedAt, from: r.from, keysToReenter: r.keysToReenter } : null,
      };
    }),
    'backup.settings.get': async () => service.settings(),
    'backup.settings.set': guard(async (input) => service.setSettings(input)),
    'backup.inspect': guard(async (input) => service.inspect(input.path)),
    'backup.restore': guard(async (input) => {
      const staged = await track(
        service.stageRestore(input.path, { password: input.password, withoutKeys: input.withoutKeys }),
      );
      // After this answer has gone out.
      if (restart) setImmediate(restart);
      return {
        from: staged.summary,
        restarting: restart !== undefined,
        keysRestored: staged.keysRestored,
        keysToReenter: staged.keysToReenter,
        keptAside: staged.keptAside,
      };
    }),
  };
}

/** What the backup module offers the shell and tests (`core.services.require(BACKUP_SERVICES)`). */
export interface BackupServices {
  readonly service: BackupService;
  /** The automatic check, as the timer runs it (tests call it with a moved clock). */
  checkDue(): Promise<void>;
}

export const BACKUP_SERVICES = serviceKey<BackupServices>('backup');

export function backupModule(deps: BackupModuleDeps): FeatureModule {
  const log = deps.logger.child({ module: 'backup' });
  const service = new BackupService({
    ...deps,
    onProgress: (p: BackupProgress) => deps.bus.emit('backup.progress', p),
  });
  const release = holdAppLock(deps.paths.dataDir);
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return p;
  };
  let stopped = false;
  const checkDue = async () => {
    if (stopped) return;
    await track(service.runDue()).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'automatic backup failed');
    });
  };
  return {
    name: 'backup',
    provides: [provide(BACKUP_SERVICES, { service, checkDue })],
    handlers: backupHandlers(service, deps.requestRestart, track),
    start() {
      try {
        const removed = restoreStarted(deps.paths, deps.clock.now());
        if (removed.length) log.info({ removed }, 'data kept aside by an earlier restore removed');
      } catch (err) {
        log.warn({ err }, 'could not tidy data kept aside by a restore');
      }
      const every = deps.schedule?.everyMs ?? 15 * 60_000;
      const first = deps.schedule?.firstMs ?? 2 * 60_000;
      const tick = () => {
        void checkDue().finally(() => {
          if (!stopped) timer = setTimeout(tick, every).unref();
        });
      };
      timer = setTimeout(tick, first).unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // A backup in progress reads the database: let it finish (bounded) before it closes.
      await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 60_000).unref())]);
      release();
    },
  };
}
