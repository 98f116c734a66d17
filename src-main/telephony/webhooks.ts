/**
 * Twilio Voice webhooks on the public server. Every route: form-encoded POST, signature
 * checked against the public URL before anything is read or written, answers in
 * milliseconds (slow work goes to the job runner), never 5xx.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Features } from '../api/contract/business';
import { CALL_STATUSES } from '../api/contract/calls';
import type { CustomerDirectory } from '../core/ports';
import type { Db } from '../db/client';
import type { JobRunner } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import { isStorageFailure, storageErrorCode } from '../platform/storage-health';
import { toE164 } from '../platform/phone';
import { TERMINAL_STATUSES, type CallRepository, type CallRow, type CallStatus } from './call-repository';
import { RECORDING_JOB, type RecordingJobPayload } from './recording-job';
import { verifyTwilioSignature } from '../platform/twilio-signature';
import { isAllowedRecordingUrl, type TwilioCredentials } from '../platform/twilio-rest';
import { goodbyeTwiml, hangupTwiml, recordingTwiml, streamTwiml, thanksTwiml, WEBHOOK_PATHS } from './twiml';

export interface TelephonyWebhookDeps {
  db: Db;
  calls: CallRepository;
  customers: CustomerDirectory;
  jobs: JobRunner;
  businessId: number;
  features: () => Features;
  publicHost: () => string | undefined;
  credentials: () => TwilioCredentials;
  skipSignatureValidation: boolean;
  logger: Logger;
  now: () => number;
}

/*
 * Strict shapes for what Twilio sends. Twilio's signature concatenates sorted keys and values, so
 * dropping `To` and sending `From=+972501234567To+972722222222` keeps a valid signature (a merged
 * parameter): only the value formats can tell, so every id and address is checked exactly.
 */
const callSidField = z.string().regex(/^CA[0-9a-f]{32}$/, 'not a CallSid');
const accountSidField = z.string().regex(/^AC[0-9a-f]{32}$/, 'not an AccountSid');
const recordingSidField = z.string().regex(/^RE[0-9a-f]{32}$/, 'not a RecordingSid');
/** E.164: `+`, then 7–15 digits (Twilio also sends a withheld number this way: +266696687 = ANONYMOUS). */
const E164 = /^\+[1-9][0-9]{6,14}$/;
/** A Twilio Client identity or a SIP URI (calls from the Voice SDK or a SIP domain). */
const CLIENT = /^client:[A-Za-z0-9_.@+-]{1,128}$/;
const SIP = /^sips?:[A-Za-z0-9_.!~*'()&=+$,;?/%-]{1,64}@[A-Za-z0-9.:[\];=_%-]{1,190}$/;
/** Withheld caller ID as Twilio passes it (the alpha string, or empty). */
const WITHHELD = /^(anonymous|restricted|unknown|blocked|unavailable|private)$/i;
const addressField = z
  .string()
  .max(256)
  .refine((v) => v === '' || E164.test(v) || CLIENT.test(v) || SIP.test(v) || WITHHELD.test(v), {
    message: 'not a phone number, client: or sip: address',
  });
const baseParams = z.object({
  CallSid: callSidField,
  AccountSid: accountSidField,
  From: addressField,
  To: addressField,
  Direction: z
    .enum(['inbound', 'outbound-api', 'outbound-dial', 'trunking-originating', 'trunking-terminating'])
    .optional(),
  CallStatus: z.enum(CALL_STATUSES).optional(),
});
const recordingParams = baseParams.extend({
  RecordingUrl: z.string().max(2000).optional(),
  RecordingSid: recordingSidField.optional(),
  RecordingDuration: z.string().max(16).optional(),
});
const statusParams = baseParams.extend({
  CallStatus: z.enum(CALL_STATUSES),
  CallDuration: z
    .string()
    .regex(/^\d{1,7}$/)
    .optional(),
});
type BaseParams = z.infer<typeof baseParams>;

const XML = 'text/xml; charset=utf-8';

/** A webhook's answer: TwiML (200 unless said otherwise) or an empty status (204). */
interface Answer {
  status?: number;
  twiml?: string;
}

class BadParams extends Error {}

export function registerTelephonyWebhooks(app: FastifyInstance, deps: TelephonyWebhookDeps): void {
  /** Log lines that claim a write, said only after the request's handler returned. */
  const afterCommit: Array<() => void> = [];
  const verify = async (req: FastifyRequest, reply: FastifyReply) => {
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return reply.code(415).type('text/plain').send('unsupported media type');
    }
    const params = isRecord(req.body) ? req.body : {};
    const check = verifyTwilioSignature({
      authToken: deps.credentials().authToken,
      publicHost: deps.publicHost(),
      path: req.url,
      params,
      signature: req.headers['x-twilio-signature'],
      skip: deps.skipSignatureValidation,
    });
    if (!check.ok) {
      const misconfigured = check.reason === 'no_auth_token' || check.reason === 'no_public_host';
      req.log[misconfigured ? 'error' : 'warn'](
        { module: 'telephony', reason: check.reason, path: req.url.split('?')[0] },
        'twilio signature rejected',
      );
      return reply.code(403).type('text/plain').send('forbidden');
    }
  };

  /** Runs one webhook; any failure is logged with request id and CallSid and answered with `fallback`. */
  const route = <S extends z.ZodType<BaseParams>>(
    path: string,
    schema: S,
    handle: (p: z.output<S>, log: Logger) => Answer,
    fallback: () => Answer,
  ) => {
    app.post(path, { preHandler: verify }, async (req, reply) => {
      const body = isRecord(req.body) ? req.body : {};
      const callSid = typeof body.CallSid === 'string' ? body.CallSid.slice(0, 64) : undefined;
      const log = (req.log as Logger).child({
        module: 'telephony',
        call_sid: callSid,
        business_id: deps.businessId,
      });
      let out: Answer;
      try {
        const parsed = schema.safeParse(body);
        if (!parsed.success)
          throw new BadParams(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const account = deps.credentials().accountSid;
        if (account && parsed.data.AccountSid !== account)
          throw new BadParams('AccountSid: not the configured account');
        out = handle(parsed.data, log);
        // Handlers are synchronous: returning means every transaction they ran has committed.
        for (const say of afterCommit.splice(0)) say();
      } catch (err) {
        afterCommit.length = 0;
        if (err instanceof BadParams) {
          log.warn({ path, issues: err.message.slice(0, 300) }, 'webhook parameters rejected');
          return reply.code(400).type(XML).send(hangupTwiml());
        }
        if (isStorageFailure(err))
          log.error(
            { path, code: storageErrorCode(err), request_id: req.id },
            'storage full or failing: webhook not saved; answering fallback',
          );
        else log.error({ err, path, request_id: req.id }, 'webhook failed; answering fallback');
        out = fallback();
      }
      if (out.twiml === undefined) return reply.code(out.status ?? 204).send();
      return reply
        .code(out.status ?? 200)
        .type(XML)
        .send(out.twiml);
    });
  };

  /** The call row for this CallSid, created (with its customer, in one transaction) when missing. */
  const ensureCall = (p: BaseParams, defaults: { status: CallStatus; mode: CallRow['mode'] }, log: Logger) =>
    deps.db.$client.transaction(() => {
      const existing = deps.calls.getBySid(p.CallSid);
      if (existing) return { call: existing, created: false };
      return upsertCall(p, defaults, log);
    })();

  const upsertCall = (p: BaseParams, s: { status: CallStatus; mode: CallRow['mode'] }, log: Logger) => {
    const direction = p.Direction?.startsWith('outbound') ? 'out' : 'in';
    const peer = direction === 'in' ? p.From : p.To;
    const e164 = toE164(peer);
    const customer = e164 ? deps.customers.findOrCreateByPhone(e164, 'phone') : null;
    // Said once the handler's transaction has committed: a rolled-back lead was never saved.
    if (customer?.created)
      afterCommit.push(() => log.info({ customer_id: customer.id }, 'new caller saved as a lead'));
    return deps.calls.upsertIncoming({
      callSid: p.CallSid,
      direction,
      from: toE164(p.From) ?? (p.From ?? '').slice(0, 64),
      to: toE164(p.To) ?? (p.To ?? '').slice(0, 64),
      customerId: customer?.id ?? null,
      status: s.status,
      mode: s.mode,
      answeredAt: s.status === 'in-progress' ? deps.now() : null,
    });
  };

  route(
    WEBHOOK_PATHS.incomingCall,
    baseParams,
    (p, log) => {
      const features = deps.features();
      const host = deps.publicHost();
      const stream = features.enable_calls_stream && !!host;
      if (features.enable_calls_stream && !host)
        log.error('PUBLIC_HOST unknown: cannot stream, sending the caller to recording');
      const res = deps.db.$client.transaction(() => {
        const existing = deps.calls.getBySid(p.CallSid);
        // Twilio retries incoming_call only when no answer arrived, so never after its stream
        // started or the call ended: such a request is a replay and changes nothing.
        if (existing && (existing.streamStartedAt != null || isOver(existing))) return undefined;
        const r = upsertCall(p, { status: 'in-progress', mode: stream ? 'stream' : 'record' }, log);
        return { ...r, token: stream ? deps.calls.issueStreamToken(p.CallSid) : undefined };
      })();
      if (!res) {
        log.warn('incoming_call repeated after the stream started or the call ended; ignored');
        return { twiml: hangupTwiml() };
      }
      const { call, created, token } = res;
      log.info({ call_id: call.id, created, mode: call.mode, customer_id: call.customerId }, 'incoming call');
      return {
        twiml:
          stream && token
            ? streamTwiml({
                publicHost: host!,
                businessId: deps.businessId,
                callSid: p.CallSid,
                streamToken: token,
              })
            : recordingTwiml(),
      };
    },
    () => ({ twiml: recordingTwiml() }),
  );

  route(
    WEBHOOK_PATHS.streamEnded,
    baseParams,
    (p, log) => {
      const { call } = ensureCall(p, { status: 'in-progress', mode: 'stream' }, log);
      if (call.endedBy) {
        log.info({ ended_by: call.endedBy }, 'stream ended on purpose; hanging up');
        return { twiml: hangupTwiml() };
      }
      // The caller hung up during the stream: nothing to fall back to.
      if (p.CallStatus && TERMINAL_STATUSES.has(p.CallStatus)) {
        log.info({ call_status: p.CallStatus }, 'stream ended because the call ended');
        return { twiml: hangupTwiml() };
      }
      if (deps.features().enable_recording_fallback) {
        log.warn({ call_sid: p.CallSid }, 'stream_failover -> recording');
        deps.calls.setMode(p.CallSid, 'record');
        return { twiml: recordingTwiml() };
      }
      log.info('stream ended; recording fallback is off: goodbye');
      return { twiml: goodbyeTwiml() };
    },
    () => ({ twiml: deps.features().enable_recording_fallback ? recordingTwiml() : goodbyeTwiml() }),
  );

  route(
    WEBHOOK_PATHS.handleRecording,
    recordingParams,
    (p, log) => {
      const url = p.RecordingUrl?.trim();
      const creds = deps.credentials();
      deps.db.$client.transaction(() => {
        const { call } = ensureCall(p, { status: 'in-progress', mode: 'record' }, log);
        if (call.recordingSid && call.recordingSid === p.RecordingSid && call.recordingStatus) {
          log.info('recording already queued (webhook retried)');
          return;
        }
        if (!url || !isAllowedRecordingUrl(url, creds.apiBaseUrl)) {
          log.warn(
            { recording_host: safeHost(url) },
            'recording URL missing or not a Twilio URL; not downloading',
          );
          deps.calls.update(p.CallSid, {
            mode: 'record',
            recordingSid: p.RecordingSid ?? null,
            recordingStatus: 'failed',
            error: 'recording_url_rejected',
          });
          return;
        }
        deps.calls.update(p.CallSid, {
          mode: 'record',
          recordingUrl: url,
          recordingSid: p.RecordingSid ?? null,
          recordingStatus: 'pending',
          error: null,
        });
        const payload: RecordingJobPayload = {
          callSid: p.CallSid,
          recordingUrl: url,
          recordingSid: p.RecordingSid ?? null,
        };
        const jobId = deps.jobs.enqueue(RECORDING_JOB, payload);
        log.info(
          { job_id: jobId, recording_sid: p.RecordingSid, duration_s: p.RecordingDuration },
          'recording queued',
        );
      })();
      return { twiml: thanksTwiml() };
    },
    () => ({ twiml: thanksTwiml() }),
  );

  route(
    WEBHOOK_PATHS.callStatus,
    statusParams,
    (p, log) => {
      deps.db.$client.transaction(() => {
        ensureCall(p, { status: p.CallStatus, mode: 'stream' }, log);
        const durationSec = p.CallDuration != null ? Number(p.CallDuration) : null;
        const call = deps.calls.applyStatus(p.CallSid, { status: p.CallStatus, durationSec });
        log.info(
          { status: p.CallStatus, stored_status: call?.status, duration_s: durationSec },
          'call status',
        );
      })();
      return { status: 204 };
    },
    () => ({ status: 204 }),
  );
}

function isOver(call: CallRow): boolean {
  return call.endedAt != null || TERMINAL_STATUSES.has(call.status);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function safeHost(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
