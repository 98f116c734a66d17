/**
 * `npm run backup -- [--out FILE] [--with-keys [--password-file FILE]] [--data-dir DIR]`
 * One backup of the data folder (database + files) into FILE, or into the backup folder set in
 * the app. Safe while the app runs (SQLite's online backup). --with-keys includes the keys,
 * sealed with the password from AGENTLOCATOR_BACKUP_PASSWORD or --password-file. Exit 0 when
 * written; 1 refused; 2 usage; 4 failed — a refused or failed backup leaves no file behind.
 */
import { parseArgs } from 'node:util';
import { BackupService } from '../src-main/backup/service';
import { BackupRefused } from '../src-main/backup/archive';
import { closeDb, openDb } from '../src-main/db/client';
import { closeLogger } from '../src-main/platform/logger';
import { systemClock } from '../src-main/platform/clock';
import { KeyFileCipher, SecretsStore, type SecretCipher } from '../src-main/platform/secrets';
import { EXIT, fail, keyFile, password, progressPrinter, setup } from './backup-cli';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string' },
        'with-keys': { type: 'boolean', default: false },
        'password-file': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write(
      'usage: npm run backup -- [--out FILE] [--with-keys [--password-file FILE]] [--data-dir DIR]\n' +
        '  --with-keys: the password comes from AGENTLOCATOR_BACKUP_PASSWORD or --password-file\n',
    );
    return EXIT.ok;
  }
  const pw = values['with-keys'] ? password(values['password-file']) : undefined;
  if (values['with-keys'] && (!pw || pw.length < 8)) {
    process.stderr.write(
      '--with-keys needs a password of at least 8 characters (AGENTLOCATOR_BACKUP_PASSWORD or --password-file)\n',
    );
    return EXIT.usage;
  }
  const { paths, logger, version } = setup(values['data-dir']);
  let db;
  try {
    try {
      db = openDb({ file: paths.dbFile, migrationsDir: paths.migrationsDir });
    } catch (err) {
      throw new BackupRefused(
        `the database cannot be opened (${err instanceof Error ? err.message : String(err)})`,
        'damaged_database',
      );
    }
    const kf = keyFile(paths);
    if (pw && !kf)
      throw new BackupRefused(
        'the keys of this data folder are protected by the desktop app: include them from the app (Settings → Backups)',
        'keys_unreadable',
      );
    const cipher: SecretCipher = kf
      ? new KeyFileCipher(kf)
      : {
          kind: 'none',
          encrypt: () => {
            throw new Error('no key file');
          },
          decrypt: () => {
            throw new Error('no key file');
          },
        };
    const service = new BackupService({
      paths,
      sqlite: db.$client,
      secrets: new SecretsStore(db, cipher),
      cipher,
      clock: systemClock,
      logger,
      version,
      onProgress: progressPrinter(),
    });
    const s = await service.create({ kind: 'manual', password: pw, out: values.out });
    process.stdout.write(
      `backup written: ${s.path}\n  ${(s.size / 2 ** 20).toFixed(1)} MB, ${s.counts.customers ?? 0} customers, ${s.files.count} files, schema ${s.schema}\n` +
        (s.keys.included
          ? `  keys included (protected with your password): ${s.keys.names.join(', ') || 'none set'}\n`
          : s.keys.names.length
            ? `  keys NOT included; after a restore elsewhere enter again: ${s.keys.names.join(', ')}\n`
            : ''),
    );
    return EXIT.ok;
  } catch (err) {
    return fail(err);
  } finally {
    if (db) closeDb(db);
    await closeLogger(logger);
  }
}

process.exitCode = await main();
