/**
 * The WhatsApp feature module (SPEC §2): owns wa_contacts / wa_messages, the providers
 * (Baileys, Twilio), the outbox worker, the Twilio webhooks and the signed media route, the
 * API handlers, the 'whatsapp' readiness probe and the customer-timeline source. It reaches the
 * CRM only through the WaCustomers port the core hands it.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { z } from 'zod';
import type { Handlers } from '../api/dispatcher';
import { waMediaKindOf } from '../api/contract/whatsapp';
import { ApiError } from '../api/errors';
import type { EventBus } from '../api/events';
import type { BusinessService } from '../business/business-service';
import type { FeatureModule } from '../core/module';
import { provide, serviceKey } from '../core/registry';
import type { Db } from '../db/client';
import type { Clock } from '../platform/clock';
import type { Env } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import { toE164 } from '../platform/phone';
import type { PublicUrlService } from '../platform/public-url';
import type { SecretsResolver } from '../platform/secrets-resolver';
import type { SettingsStore } from '../platform/settings';
import { sqlTimelineSource } from '../platform/timeline';
import { isAllowedRecordingUrl, resolveTwilioCredentials } from '../platform/twilio-rest';
import { createBaileysProvider } from './baileys/baileys-provider';
import { FileMediaSink } from './media';
import { MEDIA_ROUTE, MediaUrlSigner } from './media-url';
import type { ProviderContext, ProviderName, WhatsAppProvider } from './provider';
import { WhatsAppService, type WaCustomers, type WhatsAppServiceDeps } from './service';
import { WaStore } from './store';
import { TwilioWhatsAppProvider } from './twilio/provider';
import { registerWhatsAppWebhooks } from './twilio/webhooks';

export interface WhatsAppModuleDeps {
  env: Env;
  db: Db;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  notifier: Notifier;
  settings: SettingsStore;
  keys: SecretsResolver;
  publicUrl: PublicUrlService;
  business: BusinessService;
  customers: WaCustomers;
  dataDir: string;
  /** The Baileys provider factory (whatsapp/baileys); absent → only Twilio. */
  baileys?: (ctx: ProviderContext) => WhatsAppProvider;
  /** Tests: a fast outbox. */
  outbox?: WhatsAppServiceDeps['outbox'];
}

const MEDIA_KEY_SETTING = 'whatsapp_media_url_key';

/** What the WhatsApp module offers the shell, benchmarks and tests (`core.services.require(WHATSAPP)`). */
export const WHATSAPP = serviceKey<{ service: WhatsAppService; store: WaStore }>('whatsapp');

export function whatsappModule(deps: WhatsAppModuleDeps): FeatureModule {
  const log = deps.logger.child({ module: 'whatsapp' });
  const store = new WaStore(deps.db.$client);
  const media = new FileMediaSink(deps.dataDir, () => deps.clock.now());
  const credentials = () => resolveTwilioCredentials(deps.env, deps.keys);
  const mediaKey = () => {
    const k = deps.settings.get(
      MEDIA_KEY_SETTING,
      z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    );
    if (k) return Buffer.from(k, 'hex');
    const fresh = randomBytes(32).toString('hex');
    deps.settings.set(MEDIA_KEY_SETTING, fresh);
    return Buffer.from(fresh, 'hex');
  };
  const signer = new MediaUrlSigner(mediaKey, () => deps.clock.now());
  // eslint-disable-next-line prefer-const -- assigned below; the Twilio provider reads it lazily
  let service: WhatsAppService;

  const twilio = new TwilioWhatsAppProvider({
    credentials,
    from: () => (service ? service.twilioFrom() : null),
    publicBase: () => deps.publicUrl.url(),
    mediaUrl: (clientId) => {
      const base = deps.publicUrl.url();
      return base ? `${base}${MEDIA_ROUTE}/${signer.token(clientId)}` : null;
    },
    isAllowedMediaUrl: (url) => isAllowedRecordingUrl(url, credentials().apiBaseUrl),
    media,
    clock: deps.clock,
    log: log.child({ provider: 'twilio' }),
  });
  const ctx: ProviderContext = {
    clock: deps.clock,
    log: log.child({ provider: 'baileys' }),
    media,
    lookupMessage: async (peerJid, id) => {
      const row = deps.db.$client
        .prepare(`select body from wa_messages where provider = 'baileys' and provider_message_id = ?`)
        .get(id) as { body: string } | undefined;
      return row ? { text: row.body } : null;
    },
  };
  const providers: Partial<Record<ProviderName, WhatsAppProvider>> = { twilio };
  // Baileys (WhatsApp Web) is built here but imports its package only on its first start().
  const makeBaileys = deps.baileys ?? ((c: ProviderContext) => createBaileysProvider(c, { db: deps.db }));
  providers.baileys = makeBaileys(ctx);

  const twilioConfigured = () => {
    const c = credentials();
    return !!c.accountSid && !!c.authToken;
  };
  service = new WhatsAppService({
    store,
    clock: deps.clock,
    log,
    bus: deps.bus,
    notifier: deps.notifier,
    settings: deps.settings,
    customers: deps.customers,
    providers,
    defaultProvider: deps.env.WHATSAPP_PROVIDER,
    envTwilioFrom: toE164(deps.env.TWILIO_WHATSAPP_FROM) ?? undefined,
    media,
    twilioConfigured,
    // Baileys connects to WhatsApp on start: only once it was linked (auth rows exist) or when
    // the owner asks for a QR; Twilio is a REST client and always "starts".
    shouldAutostart: (name) =>
      name === 'twilio' || !!(deps.db.$client.prepare('select 1 from wa_auth limit 1').get() as unknown),
    outbox: {
      ...(deps.env.WHATSAPP_SEND_GAP_MS
        ? { gapMs: deps.env.WHATSAPP_SEND_GAP_MS.split('-').map(Number) as [number, number] }
        : {}),
      ...deps.outbox,
    },
  });

  const features = () => deps.business.features();
  const handlers: Partial<Handlers> = {
    'whatsapp.provider.get': () => service.providerInfo(),
    'whatsapp.provider.set': (i) => service.setProvider(i.provider),
    'whatsapp.status': () => ({ connection: service.connection(), outbox: service.outboxCounts() }),
    'whatsapp.qr': async (i) => {
      // Baileys stopped after 440 (the session was opened elsewhere): asking for the QR/connection
      // again is the owner taking it back.
      const c = service.connection();
      if (c.provider === 'baileys' && c.state === 'replaced') await providers.baileys?.start();
      return service.qr(i?.pairingPhone);
    },
    'whatsapp.logout': () => service.logout(),
    'whatsapp.send': async (i) => ({ message: await service.send(i, { kind: 'text', text: i.text }) }),
    'whatsapp.sendMedia': async (i) => {
      const bytes = Buffer.from(i.file.base64, 'base64');
      const kind = waMediaKindOf(i.file.mime);
      if (!kind)
        throw new ApiError(
          'bad_input',
          'unsupported file type',
          { reason: 'media_unsupported' },
          'media_unsupported',
        );
      return {
        message: await service.send(i, {
          kind: 'media',
          mediaKind: kind,
          name: i.file.name,
          mime: i.file.mime,
          bytes,
          caption: i.caption ?? '',
        }),
      };
    },
    'whatsapp.sendTemplate': async (i) => ({
      message: await service.send(i, { kind: 'template', contentSid: i.contentSid, variables: i.variables }),
    }),
    'whatsapp.templates': async () => ({ items: await service.listTemplates() }),
    'whatsapp.conversations': (i) => service.conversations(i ?? { page: 1, limit: 30 }),
    'whatsapp.messages': (i) => service.messages(i),
    'whatsapp.markRead': (i) => service.markRead(i.customerId, i.upToId),
    'whatsapp.media': (i) => service.media(i.messageId),
    'whatsapp.retry': (i) => ({ message: service.retry(i.messageId) }),
    'whatsapp.settings.get': () => service.settingsView(features().ai_whatsapp_autoreply),
    'whatsapp.settings.set': (i) => {
      const { autoReply, ...rest } = i;
      service.updateSettings(rest);
      if (autoReply !== undefined) deps.business.setFeatures({ ai_whatsapp_autoreply: autoReply });
      if (rest.twilioFrom !== undefined) twilio.refresh();
      return service.settingsView(features().ai_whatsapp_autoreply);
    },
  };

  return {
    name: 'whatsapp',
    provides: [provide(WHATSAPP, { service, store })],
    handlers,
    public: {
      name: 'whatsapp',
      routes: (app) => {
        registerWhatsAppWebhooks(
          app,
          {
            provider: () => twilio,
            authToken: () => credentials().authToken,
            accountSid: () => credentials().accountSid,
            publicHost: () => deps.publicUrl.host(),
            skipSignatureValidation: deps.env.TWILIO_SKIP_SIGNATURE_VALIDATION,
          },
          log,
        );
        app.get<{ Params: { token: string } }>(`${MEDIA_ROUTE}/:token`, async (req, reply) => {
          const clientId = signer.verify(req.params.token);
          const row = clientId ? store.messageByClientId(clientId) : undefined;
          if (!row?.media_path || !row.media_mime) return reply.code(404).send();
          try {
            const abs = media.absolute(row.media_path);
            const size = statSync(abs).size;
            return reply
              .header('content-type', row.media_mime)
              .header('content-length', String(size))
              .header('cache-control', 'private, max-age=600')
              .send(createReadStream(abs));
          } catch {
            return reply.code(404).send();
          }
        });
      },
    },
    readiness: {
      whatsapp: () => {
        const s = service.connection().state;
        if (s === 'open') return 'ok';
        if (s === 'not_configured' || s === 'stopped') return 'disabled';
        return 'fail';
      },
    },
    timeline: [
      sqlTimelineSource(deps.db.$client, {
        kind: 'whatsapp',
        rank: 5,
        capability: 'whatsapp',
        table: 'wa_messages',
        time: 'created_at',
        select:
          'id, created_at as at, direction, status, body as text, type as subtype, null as amount, null as number, null as duration, null as due',
      }),
    ],
    secretChanged: (name) => {
      if (name === 'twilio_account_sid' || name === 'twilio_auth_token') twilio.refresh();
    },
    // Baileys only: a fresh socket after the computer wakes (a no-op unless it is running).
    systemResumed: () => (providers.baileys as { resume?: () => void } | undefined)?.resume?.(),
    start: () => service.start(),
    stop: () => service.stop(),
  };
}
