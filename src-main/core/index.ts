/**
 * Composition root: builds every service from config, starts and stops them. No Electron
 * here: the Electron shell and the headless entry both call createCore().
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contract, type MethodName, type MethodOutput } from '../api/contract';
import { readinessSchema, type Readiness } from '../api/contract/system';
import { createDispatcher, type Dispatch, type Handler, type Handlers } from '../api/dispatcher';
import { ApiError } from '../api/errors';
import { EventBus } from '../api/events';
import { BusinessService } from '../business/business-service';
import { businessModule } from '../business/module';
import { SqlAppointmentCalendar, SqlCallbackTasks, SqlCustomerDirectory } from '../crm/customer-directory';
import { crmModule } from '../crm/module';
import { closeDb, storageHealth, type Db } from '../db/client';
import { systemClock, type Clock } from '../platform/clock';
import type { AppConfig } from '../platform/config';
import { JobRunner } from '../platform/jobs';
import { closeLogger, createLogger, type Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import { resolvePaths, type AppPaths } from '../platform/paths';
import { KeyFileCipher, SecretsStore, type SecretCipher } from '../platform/secrets';
import { SecretsResolver } from '../platform/secrets-resolver';
import { PUBLIC_ADDRESS_SETTING, PublicUrlService, publicAddressSetting } from '../platform/public-url';
import { SettingsStore } from '../platform/settings';
import { OpenAIClients } from '../platform/openai';
import { AuditLog } from '../platform/audit';
import { FileAccess } from '../platform/files';
import { createLocalServer } from '../server/local';
import { createPublicServer } from '../server/public';
import { proxyTrust } from '../server/trust-proxy';
import { CallRepository } from '../telephony/call-repository';
import { telephonyModule } from '../telephony/module';
import { voiceModule } from '../telephony/media/voice-module';
import type { TunnelConnector } from '../tunnel/port';
import { tunnelModule } from '../tunnel/module';
import type { TunnelBackoff } from '../tunnel/tunnel-service';
import { setupModule, type PublicOrigin } from '../setup/module';
import { pdfModule } from '../pdf/module';
import { desktopModule } from '../desktop/module';
import { contractsModule } from '../contracts/module';
import { paymentsModule } from '../billing/providers/module';
import { whatsappModule } from '../whatsapp/module';
import { billingModule, createBilling } from '../billing/module';
import type { FeatureModule, ReadinessKey } from './module';
import { ServiceRegistry } from './registry';
import { readVersion } from './version';
import { backupModule } from '../backup/module';
import { openDbApplyingRestore } from '../backup/restore-apply';

export interface CoreOptions {
  config: AppConfig;
  mode: 'electron' | 'browser';
  clock?: Clock;
  logger?: Logger;
  /** Electron passes a safeStorage cipher; headless uses the 0600 key file. */
  cipher?: SecretCipher;
  notifier?: Notifier;
  appRoot?: string;
  /** Tests inject a local forwarder (and short backoff) in place of the ngrok SDK. */
  tunnel?: { connector?: TunnelConnector; backoff?: Partial<TunnelBackoff> };
  /** Tests reach the fake tunnel over plain http (the product checks https://<host>/healthz). */
  setup?: { publicOrigin?: PublicOrigin };
  /** Restart the app on a restored backup (headless: in-process; Electron: relaunch). */
  onRestartRequested?: () => void;
}

export interface Core {
  readonly paths: AppPaths;
  readonly db: Db;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly dispatch: Dispatch;
  readonly business: BusinessService;
  readonly secrets: SecretsStore;
  /** The one lookup for every key: Settings over env. */
  readonly keys: SecretsResolver;
  /** The one live public address (Settings, tunnel or PUBLIC_HOST), read at the moment of use. */
  readonly publicUrl: PublicUrlService;
  readonly settings: SettingsStore;
  /** The hash-chained audit log billing, contracts and secrets changes write to. */
  readonly audit: AuditLog;
  /** Data-folder files handed to the renderer by id (GET /files/<id>, app://agentlocator/files/<id>). */
  readonly files: FileAccess;
  readonly notifier: Notifier;
  readonly clock: Clock;
  /** The feature modules (lifecycle, readiness, timeline sources). */
  readonly modules: readonly FeatureModule[];
  /** What the modules offer the shell and tests, by typed key (core/registry.ts). */
  readonly services: ServiceRegistry;
  /** Durable background jobs (recording downloads …), resumed after a restart. */
  readonly jobs: JobRunner;
  /** The call log (telephony); the voice agent records turns and endings through it. */
  readonly calls: CallRepository;
  /** Starts the public server (webhooks, media WebSocket, health); resolves to its URL. */
  startPublic(): Promise<string>;
  /** Starts browser mode's local server on 127.0.0.1; resolves to its URL with the token. */
  startLocal(): Promise<{ url: string; token: string; port: number }>;
  readiness(): Promise<Readiness>;
  stop(): Promise<void>;
}

/** The longest a shutdown waits for live calls to say goodbye. */
const DRAIN_MS = 8000;

export async function createCore(opts: CoreOptions): Promise<Core> {
  const { env } = opts.config;
  const clock = opts.clock ?? systemClock;
  const paths = resolvePaths(opts.config.dataDir, opts.appRoot);
  const logger =
    opts.logger ?? createLogger({ level: env.LOG_LEVEL, logsDir: paths.logsDir, stdout: env.LOG_TO_STDOUT });
  const log = logger.child({ module: 'core' });
  let db: Db;
  try {
    // A restore checked and staged before the restart replaces the data first (backup/).
    db = openDbApplyingRestore(paths, log, clock.now());
  } catch (err) {
    // A DatabaseDamagedError goes to the recovery core (core/recovery.ts), which logs it once.
    if (!opts.logger) await closeLogger(logger);
    throw err;
  }
  const bus = new EventBus();
  storageHealth(db).onChange((s) => {
    if (s.full) log.error('storage full: writes are failing; the owner is warned');
    else log.info('storage writes succeed again');
    bus.emit('system.storage', s);
  });
  const cipher = opts.cipher ?? new KeyFileCipher(path.join(paths.dataDir, 'secret.key'));
  const secrets = new SecretsStore(db, cipher);
  const keys = new SecretsResolver(secrets, env, log);
  const settings = new SettingsStore(db, clock);
  const audit = new AuditLog(db.$client, clock, paths.dataDir);
  const publicUrl = new PublicUrlService({
    envHost: env.PUBLIC_HOST,
    fixedHost: () => settings.get(PUBLIC_ADDRESS_SETTING, publicAddressSetting).host,
    now: () => clock.now(),
    log,
  });
  const business = new BusinessService(db, clock);
  const notifier: Notifier = opts.notifier ?? {
    notify: (n) => {
      log.info({ title: n.title }, 'notification');
      bus.emit('system.notification', n);
    },
  };

  const version = readVersion(paths.appRoot, env);
  let publicServer: FastifyInstance | undefined;
  let localServer: FastifyInstance | undefined;
  let publicPort = env.PORT;

  const jobs = new JobRunner({ db, clock, logger });
  const calls = new CallRepository(db, clock, (c) => bus.emit('call.updated', c));
  const customerDirectory = new SqlCustomerDirectory(db, clock);
  const callbackTasks = new SqlCallbackTasks(db, clock);
  const calendar = new SqlAppointmentCalendar(db, clock);
  const openai = new OpenAIClients({ keys, baseURL: env.OPENAI_BASE_URL });

  const files = new FileAccess(paths.filesDir);
  const billing = createBilling({
    ...{ db, clock, logger, settings, business, audit },
    customers: customerDirectory,
    dataDir: paths.dataDir,
    fontsDir: path.join(paths.resourcesDir, 'fonts'),
    files: () => files,
  });
  const modules: FeatureModule[] = [
    businessModule(business, bus),
    billingModule(billing),
    crmModule({
      ...{ db, clock, logger, bus, notifier },
      timelineSources: () => modules.flatMap((m) => m.timeline ?? []),
      customerMerged: (intoId, fromId) => {
        for (const m of modules) m.customerMerged?.(intoId, fromId);
      },
      audit: (e) => void audit.append(e),
    }),
    telephonyModule({
      env,
      openai,
      db,
      clock,
      logger,
      business,
      keys,
      settings,
      notifier,
      jobs,
      calls,
      customers: customerDirectory,
      callbacks: callbackTasks,
      recordingsDir: paths.recordingsDir,
      publicHost: () => publicUrl.host(),
      publicUrl,
      bus,
    }),
    voiceModule({
      env,
      openai,
      clock,
      logger,
      bus,
      business,
      keys,
      settings,
      notifier,
      calls,
      customers: customerDirectory,
      callbacks: callbackTasks,
      calendar,
      ttsCacheDir: paths.ttsCacheDir,
      resourcesDir: paths.resourcesDir,
      publicHost: () => publicUrl.host(),
    }),
    tunnelModule({
      keys,
      settings,
      publicUrl,
      bus,
      clock,
      logger,
      forwardTo: () => (publicServer ? `http://${loopbackHost(env.HOST)}:${publicPort}` : undefined),
      serverAddr: env.NGROK_SERVER_ADDR,
      ...opts.tunnel,
    }),
    setupModule({
      ...{ env, openai, db, clock, logger, keys, settings, business, publicUrl, ...opts.setup },
      tunnelState: async () => (await internal('tunnel.status')).tunnel,
      phoneSetup: () => internal('phone.setup'),
      phoneNumbers: () => internal('phone.numbers'),
      paymentsStatus: () => internal('payments.providerStatus'),
      loopback: () => (publicServer ? `http://${loopbackHost(env.HOST)}:${publicPort}` : undefined),
      resourcesDir: paths.resourcesDir,
    }),
    desktopModule({ settings, bus }),
    pdfModule({ logger, fontsDir: path.join(paths.resourcesDir, 'fonts') }),
    whatsappModule({
      ...{ env, db, clock, logger, bus, notifier, settings, keys, publicUrl, business },
      dataDir: paths.dataDir,
      customers: {
        findOrCreateByPhone: (e164) => customerDirectory.findOrCreateByPhone(e164, 'whatsapp'),
        nameOf: (id) => customerDirectory.nameOf(id),
        namesOf: (ids) => {
          const list = ids.map(Number).filter(Number.isInteger).join(',');
          if (!list) return new Map();
          const rows = db.$client.prepare(`select id, name from customers where id in (${list})`).all();
          return new Map((rows as Array<{ id: number; name: string }>).map((r) => [r.id, r.name]));
        },
        phoneOf: async (id) => {
          const r = await dispatch(
            'crm.customers.get',
            { id },
            { transport: 'internal', requestId: 'wa-phone' },
          );
          return r.ok ? (r.data as MethodOutput<'crm.customers.get'>).phone : undefined;
        },
        search: async (q) => {
          const r = await dispatch(
            'crm.customers.list',
            { q, limit: 100 },
            { transport: 'internal', requestId: 'wa-search' },
          );
          return r.ok ? (r.data as MethodOutput<'crm.customers.list'>).items.map((c) => c.id) : [];
        },
      },
    }),
    paymentsModule({
      ...{ env, db, clock, logger, bus, keys, settings },
      features: () => business.features(),
      businessName: () => business.get().name,
      publicHost: () => publicUrl.host(),
      ledger: billing.payments.ledger(),
    }),
    backupModule({
      ...{ paths, clock, logger, bus, version, cipher, secrets },
      sqlite: db.$client,
      requestRestart: opts.onRestartRequested,
    }),
    contractsModule({
      ...{ clock, logger, bus, audit },
      sqlite: db.$client,
      parties: customerDirectory,
      business: () => {
        const b = business.get();
        return {
          name: b.name,
          vatId: b.vatId,
          address: [b.address, b.city].filter(Boolean).join(', '),
          phone: b.phone,
        };
      },
      files: () => files,
      publicHost: () => publicUrl.host() ?? null,
      enabled: () => business.features().contracts_enabled && business.features().signature_enabled,
      resourcesDir: paths.resourcesDir,
      signPageDir: paths.signDir,
    }),
  ];
  /** Another module's handler, for the set-up ports (called at request time, after `handlers`). */
  const internal = <M extends 'tunnel.status' | 'phone.setup' | 'phone.numbers' | 'payments.providerStatus'>(
    m: M,
  ) =>
    Promise.resolve(
      (handlers[m] as Handler<M>)({} as never, { transport: 'internal', requestId: `setup-${m}` }),
    ) as Promise<MethodOutput<M>>;

  const readiness = async (): Promise<Readiness> => {
    const run = async (key: ReadinessKey): Promise<Readiness['db']> => {
      const fn = modules.find((m) => m.readiness?.[key])?.readiness?.[key];
      if (!fn) return 'disabled';
      try {
        return await Promise.race([
          Promise.resolve(fn()),
          new Promise<'fail'>((resolve) => setTimeout(() => resolve('fail'), 1500).unref()),
        ]);
      } catch {
        return 'fail';
      }
    };
    let dbState: Readiness['db'];
    try {
      db.$client.prepare('select 1').get();
      dbState = 'ok';
    } catch {
      dbState = 'fail';
    }
    // The probes the contract lists, answered by whichever module registered each (no names here).
    const out: Record<string, unknown> = { db: dbState };
    await Promise.all(
      Object.entries(readinessSchema.shape).map(async ([k, schema]) => {
        if (k === 'db') return;
        const inner = schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
        if (!inner) out[k] = await run(k as ReadinessKey);
        else {
          const group = await Promise.all(inner.map(async (ik) => [ik, await run(ik as ReadinessKey)]));
          out[k] = Object.fromEntries(group);
        }
      }),
    );
    return readinessSchema.parse(out);
  };

  const systemHandlers: Pick<
    Handlers,
    'system.info' | 'system.startFresh' | 'secrets.status' | 'secrets.set' | 'audit.history' | 'audit.verify'
  > = {
    'system.startFresh': () => {
      throw new ApiError('conflict', 'the database is not damaged: nothing to start fresh from');
    },
    'system.info': async () => ({
      version,
      mode: opts.mode,
      publicUrl: publicUrl.url() ?? null,
      publicPort,
      dataDir: paths.dataDir,
      readiness: await readiness(),
      storage: storageHealth(db).status(),
    }),
    'secrets.status': () => secrets.list(),
    'audit.history': (input) => audit.history(input.entityType, input.entityId),
    'audit.verify': (input) => audit.verify(input.entity),
    'secrets.set': (input) => {
      const set = input.value != null && input.value !== '';
      db.$client.transaction(() => {
        secrets.set(input.name, input.value);
        // By name only, never the value.
        audit.append({
          entityType: 'secret',
          entityId: 0,
          event: set ? 'secret.changed' : 'secret.cleared',
          data: { name: input.name },
        });
      })();
      keys.changed(input.name);
      for (const m of modules) m.secretChanged?.(input.name);
      // By name only: `secret` is a redacted log key, so the name would read "[Redacted]".
      log.info({ secret_name: input.name, set }, `secret ${input.name} ${set ? 'changed' : 'cleared'}`);
      return secrets.list();
    },
  };

  const handlers = Object.assign({}, systemHandlers, ...modules.map((m) => m.handlers ?? {})) as Handlers;
  const missing = (Object.keys(contract) as MethodName[]).filter((m) => typeof handlers[m] !== 'function');
  if (missing.length) throw new Error(`API methods without a handler: ${missing.join(', ')}`);
  const dispatch = createDispatcher({ handlers, features: () => business.features(), logger });

  const core: Core = {
    paths,
    db,
    logger,
    bus,
    dispatch,
    business,
    secrets,
    keys,
    publicUrl,
    settings,
    audit,
    files,
    notifier,
    clock,
    jobs,
    calls,
    modules,
    services: new ServiceRegistry(modules.flatMap((m) => m.provides ?? [])),
    async startPublic() {
      publicServer = await createPublicServer({
        logger,
        version,
        readiness,
        webhookRateLimitPerMin: env.WEBHOOK_RATE_LIMIT_PER_MIN,
        publicRateLimitPerMin: env.PUBLIC_RATE_LIMIT_PER_MIN,
        trustProxy: proxyTrust(env.TRUST_PROXY, () => publicUrl.state().source === 'tunnel'),
        modules: modules.flatMap((m) => (m.public ? [m.public] : [])),
      });
      await publicServer.listen({ port: env.PORT, host: env.HOST });
      const addr = publicServer.server.address();
      publicPort = typeof addr === 'object' && addr ? addr.port : env.PORT;
      for (const m of modules) await m.start?.();
      jobs.start();
      return `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${publicPort}`;
    },
    async startLocal() {
      const token = env.AGENTLOCATOR_LOCAL_TOKEN ?? randomBytes(24).toString('base64url');
      localServer = await createLocalServer({
        logger,
        dispatch,
        bus,
        token,
        rendererDir: paths.rendererDir,
        files,
        websockets: modules.flatMap((m) => m.local?.websockets ?? []),
      });
      await localServer.listen({ port: env.LOCAL_PORT, host: '127.0.0.1' });
      const addr = localServer.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : env.LOCAL_PORT;
      return { url: `http://127.0.0.1:${port}/?token=${token}`, token, port };
    },
    readiness,
    async stop() {
      // Live calls first, while webhooks and the media socket still answer: each caller hears a
      // short goodbye and is hung up. Then no new work: servers, jobs (an interrupted job stays
      // pending and resumes at the next start), modules; the database is checkpointed and closed.
      const drained = Promise.allSettled(modules.map((m) => m.drain?.()));
      await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_MS).unref())]);
      await Promise.allSettled([publicServer?.close(), localServer?.close()]);
      await jobs.stop();
      for (const m of [...modules].reverse()) {
        try {
          await m.stop?.();
        } catch (err) {
          log.error({ err, module: m.name }, 'module stop failed');
        }
      }
      closeDb(db);
      log.info('stopped');
      if (!opts.logger) await closeLogger(logger);
    },
  };
  return core;
}

/** Where a local forwarder reaches a server bound to `host` (all interfaces → loopback). */
function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
