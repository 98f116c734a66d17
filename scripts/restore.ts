/**
 * `npm run restore -- FILE [--password-file FILE | --without-keys] [--data-dir DIR]`
 * Restores a backup into the data folder. Refused while the app runs on that folder. The backup
 * is checked completely first (manifest, every part's SHA-256, integrity_check, schema not newer
 * than this app, the keys' password from AGENTLOCATOR_BACKUP_PASSWORD or --password-file); only
 * then is the current data moved aside (`before-restore-<time>/` in the data folder, removed a
 * week after the app has started on the restored data) and the backup put in its place, and the
 * database opened once to prove it. Exit 0 restored; 1 refused (nothing changed); 2 usage;
 * 3 the app is running; 4 failed.
 */
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { appRunningOn, holdAppLock } from '../src-main/backup/app-lock';
import { BackupRefused } from '../src-main/backup/archive';
import { openDbApplyingRestore } from '../src-main/backup/restore-apply';
import { BackupService } from '../src-main/backup/service';
import { closeDb } from '../src-main/db/client';
import { closeLogger } from '../src-main/platform/logger';
import { systemClock } from '../src-main/platform/clock';
import { KeyFileCipher } from '../src-main/platform/secrets';
import path from 'node:path';
import { EXIT, fail, password, progressPrinter, setup } from './backup-cli';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'password-file': { type: 'string' },
        'without-keys': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    (values.help ? process.stdout : process.stderr).write(
      'usage: npm run restore -- FILE [--password-file FILE | --without-keys] [--data-dir DIR]\n',
    );
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const file = path.resolve(positionals[0]!);
  const { paths, logger, version } = setup(values['data-dir']);
  const running = appRunningOn(paths.dataDir);
  if (running) {
    process.stderr.write(
      `refused: the app is running on ${paths.dataDir} (process ${running}). Close it first, or restore from the app (Settings → Backups).\nnothing was changed.\n`,
    );
    await closeLogger(logger);
    return EXIT.appRunning;
  }
  const release = holdAppLock(paths.dataDir);
  let current: Database.Database | null = null;
  try {
    // The current keys are kept when the backup brings none (same machine key file).
    try {
      current = new Database(paths.dbFile, { readonly: true, fileMustExist: true });
      current.prepare('select 1 from secrets limit 1').all();
    } catch {
      current?.close();
      current = null;
    }
    const service = new BackupService({
      paths,
      sqlite: current,
      secrets: null,
      cipher: new KeyFileCipher(path.join(paths.dataDir, 'secret.key')),
      clock: systemClock,
      logger,
      version,
      onProgress: progressPrinter(),
    });
    const staged = await service.stageRestore(file, {
      password: password(values['password-file']),
      withoutKeys: values['without-keys'],
    });
    current?.close();
    current = null;
    const db = openDbApplyingRestore(paths, logger, systemClock.now());
    closeDb(db);
    const done = service.restored();
    if (!done || done.from !== file || (done as { failed?: boolean }).failed)
      throw new BackupRefused(
        'the restored database did not open; the previous data is back in place',
        'damaged_database',
      );
    process.stdout.write(
      `restored: ${file}\n  backup of ${new Date(staged.createdAt).toISOString()}, ${staged.summary.counts.customers ?? 0} customers, ${staged.summary.files.count} files\n` +
        `  the previous data is kept in ${done.keptAside} (removed a week after the app has started on the restored data)\n` +
        (staged.keysRestored.length ? `  keys restored: ${staged.keysRestored.join(', ')}\n` : '') +
        (staged.keysToReenter.length
          ? `  enter these keys again in Settings (they were not in the backup): ${staged.keysToReenter.join(', ')}\n`
          : ''),
    );
    return EXIT.ok;
  } catch (err) {
    return fail(err);
  } finally {
    current?.close();
    release();
    await closeLogger(logger);
  }
}

process.exitCode = await main();
