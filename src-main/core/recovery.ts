/**
 * Recovery mode: the database could not be opened (corrupt, not a database, or its migration
 * fails on it). Instead of dying, the app starts a minimal core: the public server keeps taking
 * calls as voice messages (Twilio keeps the recording; the log keeps its address), the API answers
 * `system.info` (with `recovery`) and `system.startFresh`, and everything else answers
 * `database_unavailable`. The damaged file stays exactly where it is until the owner chooses to
 * start fresh; then it is renamed aside (never copied or modified) and the app restarts on a new
 * empty database.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contract, type MethodName } from '../api/contract';
import type { Features } from '../api/contract/business';
import type { Readiness, RecoveryInfo } from '../api/contract/system';
import { createDispatcher, type Dispatch, type Handlers } from '../api/dispatcher';
import type { Envelope } from '../api/envelope';
import { EventBus } from '../api/events';
import { ApiError } from '../api/errors';
import { DatabaseDamagedError } from '../db/client';
import { systemClock } from '../platform/clock';
import type { Env } from '../platform/config';
import { closeLogger, createLogger, type Logger } from '../platform/logger';
import { resolvePaths, type AppPaths } from '../platform/paths';
import { createLocalServer } from '../server/local';
import { proxyTrust } from '../server/trust-proxy';
import { createPublicServer, type PublicModule } from '../server/public';
import { verifyTwilioSignature } from '../platform/twilio-signature';
import { emptyTwiml, recordingTwiml, thanksTwiml, WEBHOOK_PATHS } from '../telephony/twiml';
import { createCore, type Core, type CoreOptions } from '.';
import { readVersion } from './version';
import { holdAppLock } from '../backup/app-lock';
import { backupHandlers } from '../backup/module';
import { BackupService } from '../backup/service';
import { KeyFileCipher } from '../platform/secrets';

export interface RecoveryCore {
  readonly kind: 'recovery';
  readonly recovery: RecoveryInfo;
  readonly paths: AppPaths;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly dispatch: Dispatch;
  startPublic(): Promise<string>;
  startLocal(): Promise<{ url: string; token: string; port: number }>;
  readiness(): Promise<Readiness>;
  stop(): Promise<void>;
}

export interface RecoveryOptions extends CoreOptions {
  damage: DatabaseDamagedError;
  /**
   * Called (synchronously) once `system.startFresh` has moved the damaged files aside: restart on
   * the new empty database after this answer has gone out (in-process for headless,
   * `app.relaunch()` under Electron). Defer the restart, e.g. with setImmediate.
   */
  onStartFresh(): void;
}

export const isRecovery = (c: Core | RecoveryCore): c is RecoveryCore => 'kind' in c && c.kind === 'recovery';

/** The core, or the recovery core when the database is damaged. Other start-up failures throw. */
export async function openCoreOrRecovery(
  opts: CoreOptions & Pick<RecoveryOptions, 'onStartFresh'>,
): Promise<Core | RecoveryCore> {
  try {
    return await createCore(opts);
  } catch (err) {
    if (!(err instanceof DatabaseDamagedError)) throw err;
    return createRecoveryCore({ ...opts, damage: err });
  }
}

/**
 * Renames the database and its -wal/-shm/-journal to `<db>.damaged-<time>[-wal|-shm|-journal]` in
 * the data folder (the side files first, so a new database never picks up a stale WAL).
 * Returns the new paths, the database first.
 */
export function moveDamagedAside(dbFile: string, now: number): string[] {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let base = `${dbFile}.damaged-${stamp}`;
  for (let n = 2; existsSync(base); n++) base = `${dbFile}.damaged-${stamp}-${n}`;
  const kept: string[] = [];
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (!existsSync(dbFile + suffix)) continue;
    renameSync(dbFile + suffix, base + suffix);
    kept.push(base + suffix);
  }
  if (existsSync(dbFile)) {
    renameSync(dbFile, base);
    kept.unshift(base);
  }
  // Customer data: owner-only, like the live database (the mode only; the bytes stay as they were).
  if (process.platform !== 'win32')
    for (const f of kept) {
      try {
        chmodSync(f, 0o600);
      } catch {
        // Best effort.
      }
    }
  return kept;
}

export function createRecoveryCore(opts: RecoveryOptions): RecoveryCore {
  const { env } = opts.config;
  const clock = opts.clock ?? systemClock;
  const paths = resolvePaths(opts.config.dataDir, opts.appRoot);
  const logger =
    opts.logger ?? createLogger({ level: env.LOG_LEVEL, logsDir: paths.logsDir, stdout: env.LOG_TO_STDOUT });
  const log = logger.child({ module: 'recovery' });
  const bus = new EventBus();
  const version = readVersion(paths.appRoot, env);
  const recovery: RecoveryInfo = {
    reason: 'database_damaged',
    damagedFile: opts.damage.file,
    code: opts.damage.sqliteCode,
  };
  // The one ERROR line: SQLite's code and words, no stack.
  log.error(
    {
      code: opts.damage.sqliteCode,
      stage: opts.damage.stage,
      file: opts.damage.file,
      detail: opts.damage.detail,
    },
    'database damaged: recovery mode (calls go to voice messages; the file is kept as it is)',
  );

  let publicServer: FastifyInstance | undefined;
  let localServer: FastifyInstance | undefined;
  let publicPort = env.PORT;
  let restarting = false;

  const readiness = async (): Promise<Readiness> => ({
    db: 'fail',
    openai: 'disabled',
    tts: 'disabled',
    whatsapp: 'disabled',
    tunnel: 'disabled',
    payments: { paypal: 'disabled', tranzila: 'disabled' },
  });

  const unavailable = () =>
    new ApiError(
      'database_unavailable',
      'the database is damaged; the app is in recovery mode (system.startFresh starts on an empty one)',
    );
  const handlers = Object.fromEntries(
    (Object.keys(contract) as MethodName[]).map((m) => [
      m,
      () => {
        throw unavailable();
      },
    ]),
  ) as unknown as Handlers;
  handlers['system.info'] = async () => ({
    version,
    mode: opts.mode,
    publicUrl: env.PUBLIC_HOST ? `https://${env.PUBLIC_HOST}` : null,
    publicPort,
    dataDir: paths.dataDir,
    readiness: await readiness(),
    recovery,
  });
  // The latest good backup (the backup settings live in a file, not in the damaged database).
  const backups = new BackupService({
    paths,
    sqlite: null,
    secrets: null,
    cipher: opts.cipher ?? new KeyFileCipher(path.join(paths.dataDir, 'secret.key')),
    clock,
    logger,
    version,
    onProgress: (p) => bus.emit('backup.progress', p),
  });
  const releaseLock = holdAppLock(paths.dataDir);
  const restoreHandlers = backupHandlers(backups, () => {
    // The staged restore replaces the damaged file (kept aside) when the core starts again.
    if (restarting) return;
    restarting = true;
    log.warn('backup checked and staged: restarting on it (the damaged database is kept aside)');
    opts.onStartFresh();
  });
  handlers['backup.list'] = restoreHandlers['backup.list'];
  handlers['backup.inspect'] = restoreHandlers['backup.inspect'];
  handlers['backup.settings.get'] = restoreHandlers['backup.settings.get'];
  handlers['backup.restore'] = (input, ctx) => {
    if (restarting) throw new ApiError('conflict', 'already starting on a new database');
    return restoreHandlers['backup.restore'](input, ctx);
  };
  handlers['system.startFresh'] = () => {
    if (restarting) throw new ApiError('conflict', 'already starting on a new database');
    restarting = true;
    let keptAs: string[];
    try {
      keptAs = moveDamagedAside(opts.damage.file, clock.now());
    } catch (err) {
      restarting = false;
      log.error({ err, file: opts.damage.file }, 'could not move the damaged database aside');
      throw new ApiError('internal', 'could not move the damaged database aside');
    }
    log.warn({ kept_as: keptAs }, 'damaged database moved aside; restarting on a new empty database');
    opts.onStartFresh();
    return { keptAs, restarting: true as const };
  };
  const allFeatures = new Proxy({} as Features, { get: () => true });
  const inner = createDispatcher({ handlers, features: () => allFeatures, logger });
  const open = new Set<string>([
    'system.info',
    'system.startFresh',
    'backup.list',
    'backup.inspect',
    'backup.settings.get',
    'backup.restore',
  ]);
  const dispatch: Dispatch = async (method, input, ctx): Promise<Envelope<unknown>> => {
    // Anything but the two recovery methods: database_unavailable, whatever the input.
    if (open.has(method) || !(method in contract)) return inner(method, input, ctx);
    const e = unavailable();
    return { ok: false, error: e.toBody(), status: e.status };
  };

  return {
    kind: 'recovery',
    recovery,
    paths,
    logger,
    bus,
    dispatch,
    readiness,
    async startPublic() {
      publicServer = await createPublicServer({
        logger,
        version,
        readiness,
        webhookRateLimitPerMin: env.WEBHOOK_RATE_LIMIT_PER_MIN,
        publicRateLimitPerMin: env.PUBLIC_RATE_LIMIT_PER_MIN,
        trustProxy: proxyTrust(env.TRUST_PROXY),
        modules: [recoveryWebhooks(env, logger)],
      });
      await publicServer.listen({ port: env.PORT, host: env.HOST });
      const addr = publicServer.server.address();
      publicPort = typeof addr === 'object' && addr ? addr.port : env.PORT;
      return `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${publicPort}`;
    },
    async startLocal() {
      const token = env.AGENTLOCATOR_LOCAL_TOKEN ?? randomBytes(24).toString('base64url');
      localServer = await createLocalServer({ logger, dispatch, bus, token, rendererDir: paths.rendererDir });
      await localServer.listen({ port: env.LOCAL_PORT, host: '127.0.0.1' });
      const addr = localServer.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : env.LOCAL_PORT;
      return { url: `http://127.0.0.1:${port}/?token=${token}`, token, port };
    },
    async stop() {
      await Promise.allSettled([publicServer?.close(), localServer?.close()]);
      publicServer = localServer = undefined;
      releaseLock();
      log.info('recovery core stopped');
      if (!opts.logger) await closeLogger(logger);
    },
  };
}

/**
 * The voice webhooks without a database: signed with TWILIO_AUTH_TOKEN from the environment (the
 * stored secrets are in the damaged file), every caller is asked for a voice message, and the
 * recording's address is written to the log (Twilio keeps the recording). Never 5xx.
 */
function recoveryWebhooks(env: Env, logger: Logger): PublicModule {
  const XML = 'text/xml; charset=utf-8';
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined);
  return {
    name: 'telephony-recovery',
    routes(app) {
      const post = (
        route: string,
        answer: (p: Record<string, unknown>, log: Logger) => { twiml?: string; status?: number },
      ) =>
        app.post(route, async (req: FastifyRequest, reply: FastifyReply) => {
          const log = logger.child({
            module: 'telephony',
            recovery: true,
            call_sid: str(bodyOf(req).CallSid, 64),
          });
          if (
            !String(req.headers['content-type'] ?? '')
              .toLowerCase()
              .startsWith('application/x-www-form-urlencoded')
          )
            return reply.code(415).type('text/plain').send('unsupported media type');
          const check = verifyTwilioSignature({
            authToken: env.TWILIO_AUTH_TOKEN,
            publicHost: env.PUBLIC_HOST,
            path: req.url,
            params: bodyOf(req),
            signature: req.headers['x-twilio-signature'],
            skip: env.TWILIO_SKIP_SIGNATURE_VALIDATION,
          });
          if (!check.ok) {
            const misconfigured = check.reason === 'no_auth_token' || check.reason === 'no_public_host';
            log[misconfigured ? 'error' : 'warn'](
              { reason: check.reason, path: route },
              'twilio signature rejected (recovery mode: only TWILIO_AUTH_TOKEN from the environment)',
            );
            return reply.code(403).type('text/plain').send('forbidden');
          }
          let out: { twiml?: string; status?: number };
          try {
            out = answer(bodyOf(req), log);
          } catch (err) {
            log.error({ err, path: route }, 'recovery webhook failed; answering empty TwiML');
            out = { twiml: emptyTwiml() };
          }
          if (out.twiml === undefined) return reply.code(out.status ?? 204).send();
          return reply.code(200).type(XML).send(out.twiml);
        });

      post(WEBHOOK_PATHS.incomingCall, (_p, log) => {
        log.warn('incoming call in recovery mode: asking for a voice message');
        return { twiml: recordingTwiml() };
      });
      post(WEBHOOK_PATHS.streamEnded, () => ({ twiml: recordingTwiml() }));
      post(WEBHOOK_PATHS.handleRecording, (p, log) => {
        // Not saved anywhere but here: this line is how the message is found again.
        log.error(
          {
            recording_url: str(p.RecordingUrl, 2000),
            recording_sid: str(p.RecordingSid, 64),
            recording_duration_s: str(p.RecordingDuration, 16),
            from: str(p.From, 64),
            to: str(p.To, 64),
          },
          'voice message not saved (database damaged): Twilio keeps the recording at recording_url',
        );
        return { twiml: thanksTwiml() };
      });
      post(WEBHOOK_PATHS.callStatus, () => ({ status: 204 }));
    },
  };
}

function bodyOf(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

export interface CoreHostOptions extends CoreOptions {
  /** Also serve browser mode's local server (renderer + API). */
  local: boolean;
}

/** What runs the app in one process: the core or the recovery core, with an in-process restart. */
export interface CoreHost {
  /** The core serving now. */
  current(): Core | RecoveryCore;
  publicUrl(): string;
  local(): { url: string; token: string; port: number } | undefined;
  /** Resolves when the current restart (after system.startFresh or backup.restore) has finished. */
  restarted(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the core (or the recovery core) and its servers. After `system.startFresh` the recovery
 * core stops and a normal core starts on the same ports with the same local token, so the open
 * page reloads straight into the empty app. Used by headless; Electron relaunches instead.
 */
export async function startCoreHost(opts: CoreHostOptions): Promise<CoreHost> {
  let current: Core | RecoveryCore;
  let publicUrl = '';
  let local: { url: string; token: string; port: number } | undefined;
  let restart: Promise<void> = Promise.resolve();
  // One logger for the process, across the restart.
  const { env: e0 } = opts.config;
  const given = opts.logger;
  const logger =
    given ??
    createLogger({
      level: e0.LOG_LEVEL,
      logsDir: resolvePaths(opts.config.dataDir, opts.appRoot).logsDir,
      stdout: e0.LOG_TO_STDOUT,
    });
  opts = { ...opts, logger };

  const start = async (o: CoreOptions) => {
    const restartSoon = () => {
      // After the startFresh / backup.restore answer has gone out.
      restart = new Promise<void>((resolve) => setImmediate(resolve))
        .then(restartFresh)
        .catch((err: unknown) => logger.error({ err }, 'restart on a new database failed'));
    };
    current = await openCoreOrRecovery({ ...o, onStartFresh: restartSoon, onRestartRequested: restartSoon });
    publicUrl = await current.startPublic();
    if (opts.local) local = await current.startLocal();
  };

  const restartFresh = async () => {
    const prev = current;
    await prev.stop();
    const port = Number(new URL(publicUrl).port);
    const env: Env = {
      ...opts.config.env,
      PORT: port,
      ...(local ? { LOCAL_PORT: local.port, AGENTLOCATOR_LOCAL_TOKEN: local.token } : {}),
    };
    await start({ ...opts, config: { ...opts.config, env } });
  };

  await start(opts);
  return {
    current: () => current,
    publicUrl: () => publicUrl,
    local: () => local,
    restarted: () => restart,
    async stop() {
      await restart.catch(() => undefined);
      await current.stop();
      if (!given) await closeLogger(logger);
    },
  };
}
