/**
 * Twilio WhatsApp webhooks on the public server:
 * - `/webhook/whatsapp/inbound`: a customer's message (Body, NumMedia, MediaUrl0…,
 *   MediaContentType0…, ProfileName, WaId) → stored (media downloaded with the account's
 *   credentials into wa-media/) → empty TwiML.
 * - `/webhook/whatsapp/status`: MessageStatus (+ ErrorCode) → the message moves forward only → 204.
 * Both check X-Twilio-Signature against the public URL (403 otherwise), check every field's
 * shape (a merged parameter keeps a valid signature) and never answer 5xx.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../platform/logger';
import { verifyTwilioSignature } from '../../platform/twilio-signature';
import type { TwilioWhatsAppProvider } from './provider';

export const WA_WEBHOOK_PATHS = {
  inbound: '/webhook/whatsapp/inbound',
  status: '/webhook/whatsapp/status',
} as const;

export interface WaWebhookDeps {
  provider: () => TwilioWhatsAppProvider;
  authToken: () => string | undefined;
  accountSid: () => string | undefined;
  publicHost: () => string | undefined;
  skipSignatureValidation: boolean;
}

const XML = 'text/xml; charset=utf-8';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const messageSid = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/, 'not a MessageSid');
const accountSid = z.string().regex(/^AC[0-9a-f]{32}$/, 'not an AccountSid');
const waAddress = z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/, 'not a whatsapp:+E.164 address');
const MAX_MEDIA = 10;

const inboundSchema = z
  .object({
    MessageSid: messageSid,
    AccountSid: accountSid,
    From: waAddress,
    To: waAddress,
    Body: z.string().max(8192).optional(),
    NumMedia: z
      .string()
      .regex(/^\d{1,2}$/)
      .optional(),
    ProfileName: z.string().max(200).optional(),
    WaId: z
      .string()
      .regex(/^\d{6,15}$/)
      .optional(),
  })
  .passthrough();

const statusSchema = z
  .object({
    MessageSid: messageSid,
    AccountSid: accountSid,
    MessageStatus: z.enum([
      'accepted',
      'scheduled',
      'queued',
      'sending',
      'sent',
      'delivered',
      'read',
      'failed',
      'undelivered',
      'receiving',
      'received',
      'canceled',
    ]),
    To: waAddress.optional(),
    From: waAddress.optional(),
    ErrorCode: z
      .string()
      .regex(/^\d{1,6}$/)
      .optional(),
    ErrorMessage: z.string().max(500).optional(),
  })
  .passthrough();

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function registerWhatsAppWebhooks(app: FastifyInstance, deps: WaWebhookDeps, logger: Logger): void {
  const log = logger.child({ module: 'whatsapp-webhook' });

  const verify = async (req: FastifyRequest, reply: FastifyReply) => {
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!contentType.startsWith('application/x-www-form-urlencoded'))
      return reply.code(415).type('text/plain').send('unsupported media type');
    const check = verifyTwilioSignature({
      authToken: deps.authToken(),
      publicHost: deps.publicHost(),
      path: req.url,
      params: isRecord(req.body) ? req.body : {},
      signature: req.headers['x-twilio-signature'],
      skip: deps.skipSignatureValidation,
    });
    if (!check.ok) {
      log.warn({ reason: check.reason, path: req.url.split('?')[0] }, 'twilio signature rejected');
      return reply.code(403).type('text/plain').send('forbidden');
    }
  };

  const wrongAccount = (sid: string) => {
    const mine = deps.accountSid();
    return !!mine && sid !== mine;
  };

  app.post(WA_WEBHOOK_PATHS.inbound, { preHandler: verify }, async (req, reply) => {
    const body = isRecord(req.body) ? req.body : {};
    const parsed = inboundSchema.safeParse(body);
    if (!parsed.success || wrongAccount(parsed.data.AccountSid)) {
      log.warn(
        {
          issues: parsed.success ? 'AccountSid' : parsed.error.issues.map((i) => i.path.join('.')).join(','),
        },
        'whatsapp inbound rejected',
      );
      return reply.code(400).type(XML).send(EMPTY_TWIML);
    }
    const p = parsed.data;
    const n = Math.min(MAX_MEDIA, Number(p.NumMedia ?? '0'));
    const media: Array<{ url: string; contentType: string }> = [];
    for (let i = 0; i < n; i++) {
      const url = body[`MediaUrl${i}`];
      const ct = body[`MediaContentType${i}`];
      if (
        typeof url === 'string' &&
        url.length < 2000 &&
        typeof ct === 'string' &&
        /^[\w.+-]+\/[\w.+-]+$/.test(ct)
      )
        media.push({ url, contentType: ct.toLowerCase() });
    }
    try {
      await deps.provider().handleInbound({ ...p, media });
    } catch (err) {
      log.error({ err, message_sid: p.MessageSid }, 'whatsapp inbound not stored');
    }
    return reply.code(200).type(XML).send(EMPTY_TWIML);
  });

  app.post(WA_WEBHOOK_PATHS.status, { preHandler: verify }, async (req, reply) => {
    const body = isRecord(req.body) ? req.body : {};
    const parsed = statusSchema.safeParse(body);
    if (!parsed.success || wrongAccount(parsed.data.AccountSid)) {
      log.warn('whatsapp status callback rejected');
      return reply.code(400).send();
    }
    const q = req.query as Record<string, unknown> | undefined;
    const cid = typeof q?.cid === 'string' && /^[A-Za-z0-9]{8,40}$/.test(q.cid) ? q.cid : null;
    try {
      await deps.provider().handleStatus({ ...parsed.data, cid });
    } catch (err) {
      log.error({ err, message_sid: parsed.data.MessageSid }, 'whatsapp status not applied');
    }
    return reply.code(204).send();
  });
}
