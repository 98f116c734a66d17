/**
 * Click-to-call (SPEC §1 "Outbound"): the owner calls a customer from the customer page through
 * Twilio REST `calls.create`. Two ways:
 * - bridge: Twilio rings the owner's phone first; when the owner answers they hear a short Hebrew
 *   line and Twilio dials the customer from the business number (`<Dial callerId>`).
 * - agent: Twilio calls the customer; when they answer, Twilio fetches `/webhook/incoming_call`
 *   (Direction=outbound-api), which answers the agent's `<Connect><Stream>` like any call.
 * Every precondition is checked before Twilio is asked, so a refused call creates nothing there.
 */
import { and, eq } from 'drizzle-orm';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { z } from 'zod';
import type { DialMode, DialProblem } from '../api/contract/calls';
import { ApiError, notFound } from '../api/errors';
import { BUSINESS_ID } from '../business/business-service';
import type { Db } from '../db/client';
import { customers } from '../db/schema';
import type { Logger } from '../platform/logger';
import { isStarCode, toE164 } from '../platform/phone';
import type { SettingsStore } from '../platform/settings';
import type { CallRepository, CallRow } from './call-repository';
import { normalizePublicHost } from '../platform/twilio-signature';
import { createTwilioClient, type TwilioCredentials } from '../platform/twilio-rest';
import { WEBHOOK_PATHS } from './twiml';

/**
 * Settings key of the business's Twilio number (E.164), the `From` of every outbound call. The
 * number set-up (telephony/number-setup.ts) is to write it; until then its picked number
 * (`phone_number_setup.phoneNumber`) is used when this key is empty.
 */
export const TWILIO_NUMBER_SETTING = 'twilio_number';
const PHONE_SETUP_SETTING = 'phone_number_setup';

const e164Setting = z
  .string()
  .transform((v) => toE164(v))
  .nullable()
  .catch(null)
  .default(null);
const pickedNumber = z
  .object({ phoneNumber: z.string().optional() })
  .transform((v) => toE164(v.phoneNumber))
  .nullable()
  .catch(null)
  .default(null);

/** The business's Twilio number as E.164, or null when none is set. */
export function businessTwilioNumber(settings: SettingsStore): string | null {
  return (
    settings.get(TWILIO_NUMBER_SETTING, e164Setting) ??
    settings.get(PHONE_SETUP_SETTING, pickedNumber) ??
    null
  );
}

/** Twilio's own Hebrew voice, as for the other fixed lines (twiml.ts). */
const SAY = { language: 'he-IL', voice: 'Google.he-IL-Wavenet-A' } as const;

/** What the owner hears before the customer is dialled. */
export function bridgeLine(customerName: string): string {
  const name = customerName.trim();
  return name ? `מתקשרים ל${name}` : 'מתקשרים ללקוח';
}

/** The owner's leg: a short Hebrew line, then `<Dial callerId=business><Number>customer</Number></Dial>`. */
export function bridgeTwiml(opts: { customerName: string; customerPhone: string; callerId: string }): string {
  const r = new VoiceResponse();
  r.say(SAY, bridgeLine(opts.customerName.slice(0, 80)));
  r.dial({ callerId: opts.callerId }).number(opts.customerPhone);
  return r.toString();
}

export const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

export interface OutboundDeps {
  db: Db;
  calls: CallRepository;
  settings: SettingsStore;
  credentials: () => TwilioCredentials;
  ownerPhone: () => string;
  /** The agent answers through the media stream: off → the agent option is refused. */
  streamEnabled: () => boolean;
  publicHost: () => string | undefined;
  log: Logger;
}

interface Plan {
  customer: { id: number; name: string; phone: string };
  from: string;
  ownerPhone: string | null;
  host: string;
}

const PROBLEM_MESSAGES: Record<DialProblem, string> = {
  customer_phone_missing: 'the customer has no valid phone number',
  customer_phone_not_dialable: 'a star code (*2700) can only be dialled from an Israeli phone line',
  twilio_not_configured: 'Twilio keys (account SID and auth token) are missing',
  twilio_number_missing: "the business's Twilio number is not set",
  owner_phone_missing: "the owner's phone is missing in the business profile",
  line_not_connected: 'the line is not connected yet: there is no public address',
  agent_disabled: 'the phone agent is off (enable_calls_stream)',
};

/** Problems that stop only one of the two ways. */
const ONLY: Partial<Record<DialProblem, DialMode>> = {
  owner_phone_missing: 'bridge',
  agent_disabled: 'agent',
};
const blocks = (p: DialProblem, mode: DialMode) => (ONLY[p] ?? mode) === mode;

export class OutboundCalls {
  constructor(private readonly deps: OutboundDeps) {}

  /** The first reason each mode cannot call this customer now (null = ready). */
  check(customerId: number): Record<DialMode, DialProblem | null> {
    const { problems } = this.plan(customerId);
    return {
      bridge: problems.find((p) => blocks(p, 'bridge')) ?? null,
      agent: problems.find((p) => blocks(p, 'agent')) ?? null,
    };
  }

  /** Places the call; refuses with the first missing piece before anything is sent to Twilio. */
  async dial(customerId: number, mode: DialMode): Promise<CallRow> {
    const r = this.plan(customerId);
    const problem = r.problems.find((p) => blocks(p, mode));
    if (problem || !r.plan) {
      const code = problem ?? 'customer_phone_missing';
      throw new ApiError('conflict', PROBLEM_MESSAGES[code], undefined, code);
    }
    const { customer, from, host, ownerPhone } = r.plan;
    const client = await createTwilioClient(this.deps.credentials(), { timeoutMs: 15_000 });
    if (!client)
      throw new ApiError(
        'conflict',
        PROBLEM_MESSAGES.twilio_not_configured,
        undefined,
        'twilio_not_configured',
      );
    const base = `https://${host}`;
    const common = {
      from,
      statusCallback: `${base}${WEBHOOK_PATHS.callStatus}`,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: [...STATUS_EVENTS],
    };
    const log = this.deps.log.child({ customer_id: customer.id, mode });
    let sid: string;
    try {
      const created =
        mode === 'bridge'
          ? await client.calls.create({
              ...common,
              to: ownerPhone!,
              twiml: bridgeTwiml({
                customerName: customer.name,
                customerPhone: customer.phone,
                callerId: from,
              }),
            })
          : await client.calls.create({
              ...common,
              to: customer.phone,
              url: `${base}${WEBHOOK_PATHS.incomingCall}`,
              method: 'POST',
            });
      sid = created.sid;
    } catch (err) {
      const e = err as { status?: number; code?: number; message?: string };
      const auth = e?.status === 401 || e?.code === 20003;
      log.error(
        { twilio_status: e?.status, twilio_code: e?.code, err: String(e?.message ?? err).slice(0, 300) },
        'outbound call refused by Twilio',
      );
      throw new ApiError(
        'unavailable',
        auth
          ? 'Twilio refused the account keys'
          : `Twilio did not place the call: ${String(e?.message ?? err).slice(0, 200)}`,
        { twilioCode: e?.code ?? null, twilioStatus: e?.status ?? null },
        auth ? 'twilio_auth_failed' : 'twilio_call_failed',
      );
    }
    // The row may already exist if Twilio's first callback beat the create answer: keep it.
    const { call } = this.deps.calls.upsertIncoming({
      callSid: sid,
      direction: 'out',
      from,
      // The call log shows whom the owner called (the bridge's Twilio leg rings the owner first).
      to: customer.phone,
      customerId: customer.id,
      status: 'queued',
      mode: 'stream',
      engine: mode === 'bridge' ? 'bridge' : undefined,
    });
    log.info({ call_id: call.id, call_sid: sid }, 'outbound call placed');
    return call;
  }

  private plan(customerId: number): { problems: DialProblem[]; plan?: Plan } {
    const row = this.deps.db
      .select({ id: customers.id, name: customers.name, phone: customers.phone })
      .from(customers)
      .where(and(eq(customers.id, customerId), eq(customers.businessId, BUSINESS_ID)))
      .get();
    if (!row) throw notFound('customer');
    const phone = toE164(row.phone);
    const creds = this.deps.credentials();
    const from = businessTwilioNumber(this.deps.settings);
    const ownerPhone = toE164(this.deps.ownerPhone());
    const rawHost = this.deps.publicHost();
    const host = normalizePublicHost(rawHost) ?? '';
    // In the order the owner should fix them.
    const problems = (
      [
        [!phone && !isStarCode(row.phone), 'customer_phone_missing'],
        [isStarCode(row.phone), 'customer_phone_not_dialable'],
        [!creds.accountSid || !creds.authToken, 'twilio_not_configured'],
        [!from, 'twilio_number_missing'],
        [!ownerPhone, 'owner_phone_missing'],
        [!host, 'line_not_connected'],
        [!this.deps.streamEnabled(), 'agent_disabled'],
      ] as const
    )
      .filter(([missing]) => missing)
      .map(([, code]) => code);
    if (!phone || !from || !host) return { problems };
    return { problems, plan: { customer: { id: row.id, name: row.name, phone }, from, ownerPhone, host } };
  }
}
