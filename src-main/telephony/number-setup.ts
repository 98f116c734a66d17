/**
 * Points the business's Twilio number at this app: its voice URL (`/webhook/incoming_call`,
 * POST) and status callback (`/webhook/call_status`) follow the one live public address, again
 * whenever it changes. Only the number the owner picked is ever touched; every change is kept
 * with the values it replaced, so the owner can undo it.
 */
import { z } from 'zod';
import type { PhoneSetup, TwilioNumber } from '../api/contract/phone';
import { ApiError } from '../api/errors';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { PublicUrlService } from '../platform/public-url';
import type { SettingsStore } from '../platform/settings';
import { WEBHOOK_PATHS } from './twiml';
import { createTwilioClient, type TwilioCredentials } from '../platform/twilio-rest';

export const PHONE_SETUP_SETTING = 'phone_number_setup';
const MAX_HISTORY = 20;

const webhookValues = z.object({
  voiceUrl: z.string(),
  voiceMethod: z.string(),
  statusCallback: z.string(),
  statusCallbackMethod: z.string(),
});
type WebhookValues = z.infer<typeof webhookValues>;

const change = z.object({
  at: z.number().int(),
  reason: z.enum(['picked', 'public_address_changed', 'retry', 'undo', 'manual']),
  before: webhookValues,
  after: webhookValues,
});

const stored = z
  .object({
    sid: z.string().optional(),
    phoneNumber: z.string().optional(),
    /** Re-point the number automatically when the public address changes. */
    auto: z.boolean().default(true),
    history: z.array(change).max(MAX_HISTORY).default([]),
    lastError: z
      .object({ at: z.number().int(), code: z.string(), message: z.string() })
      .nullable()
      .default(null),
  })
  .default({ auto: true, history: [], lastError: null });
type Stored = z.infer<typeof stored>;

export interface NumberSetupDeps {
  credentials: () => TwilioCredentials;
  settings: SettingsStore;
  publicUrl: PublicUrlService;
  clock: Clock;
  log: Logger;
  onChange?: (s: PhoneSetup) => void;
  /** Wait after an address change before re-pointing (several changes in a row → one update). */
  debounceMs?: number;
  retry?: { initialMs: number; maxMs: number; attempts: number };
}

interface NumberResource {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceUrl: string;
  voiceMethod: string;
  statusCallback: string;
  statusCallbackMethod: string;
}

/** Twilio's answer → the owner-facing reason. */
function restError(err: unknown): { code: string; message: string } {
  const e = err as { status?: number; code?: number; message?: string };
  const message = String(e?.message ?? err).slice(0, 300);
  if (e?.status === 401 || e?.code === 20003) return { code: 'twilio_auth', message };
  if (e?.status === 404 || e?.code === 20404) return { code: 'number_not_found', message };
  if (typeof e?.status === 'number') return { code: 'twilio_error', message };
  return { code: 'network', message };
}

export class NumberSetup {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private retries = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: NumberSetupDeps) {
    this.unsubscribe = deps.publicUrl.subscribe(() => this.schedule('public_address_changed'));
  }

  /** The account's incoming numbers, each with whether it already points here. */
  async numbers(): Promise<TwilioNumber[]> {
    const client = await this.client();
    let list: NumberResource[];
    try {
      list = (await client.incomingPhoneNumbers.list({ limit: 100 })) as NumberResource[];
    } catch (err) {
      const e = restError(err);
      throw new ApiError('unavailable', e.message, undefined, e.code);
    }
    const want = this.wanted();
    const picked = this.read().sid;
    return list.map((n) => ({
      sid: n.sid,
      phoneNumber: n.phoneNumber,
      friendlyName: n.friendlyName,
      voiceUrl: n.voiceUrl || null,
      picked: n.sid === picked,
      pointsHere: !!want && n.voiceUrl === want.voiceUrl && n.statusCallback === want.statusCallback,
    }));
  }

  status(): PhoneSetup {
    const s = this.read();
    const want = this.wanted();
    return {
      number: s.sid && s.phoneNumber ? { sid: s.sid, phoneNumber: s.phoneNumber } : null,
      auto: s.auto,
      expected: want ? { voiceUrl: want.voiceUrl, statusCallback: want.statusCallback } : null,
      history: [...s.history].reverse(),
      lastError: s.lastError,
    };
  }

  /** The owner picks a number (by its Twilio id): it is pointed here at once. */
  async pick(sid: string): Promise<PhoneSetup> {
    const client = await this.client();
    let n: NumberResource;
    try {
      n = (await client.incomingPhoneNumbers(sid).fetch()) as NumberResource;
    } catch (err) {
      const e = restError(err);
      throw new ApiError(
        e.code === 'number_not_found' ? 'not_found' : 'unavailable',
        e.message,
        undefined,
        e.code,
      );
    }
    this.write({ ...this.read(), sid: n.sid, phoneNumber: n.phoneNumber, lastError: null });
    this.deps.log.info({ number_sid: n.sid, phone: n.phoneNumber }, 'twilio number picked');
    await this.apply('picked');
    return this.status();
  }

  /** Forget the pick (the number keeps its current settings at Twilio). */
  forget(): PhoneSetup {
    const s = this.read();
    this.write({ auto: s.auto, history: s.history, lastError: null });
    return this.status();
  }

  setAuto(auto: boolean): PhoneSetup {
    this.write({ ...this.read(), auto });
    if (auto) this.schedule('manual');
    return this.status();
  }

  /** Puts back the values the last change replaced, and stops following the address. */
  async undo(): Promise<PhoneSetup> {
    const s = this.read();
    const last = s.history.at(-1);
    if (!s.sid || !last) throw new ApiError('conflict', 'nothing to undo', undefined, 'nothing_to_undo');
    const client = await this.client();
    const current = await this.fetchValues(client, s.sid);
    await this.update(client, s.sid, last.before);
    this.write({
      ...s,
      auto: false,
      history: [
        ...s.history,
        { at: this.deps.clock.now(), reason: 'undo' as const, before: current, after: last.before },
      ].slice(-MAX_HISTORY),
      lastError: null,
    });
    this.deps.log.info({ number_sid: s.sid }, 'twilio number restored to its previous settings');
    this.changed();
    return this.status();
  }

  /** Points the picked number at the current public address if it doesn't already. */
  apply(reason: z.infer<typeof change>['reason']): Promise<void> {
    const run = this.running.then(() => this.applyNow(reason));
    this.running = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(reason: 'public_address_changed' | 'retry' | 'manual', delay?: number): void {
    const s = this.read();
    if (!s.sid || !s.auto) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.apply(reason).catch(() => undefined);
      },
      delay ?? this.deps.debounceMs ?? 500,
    );
    this.timer.unref();
  }

  private async applyNow(reason: z.infer<typeof change>['reason']): Promise<void> {
    const s = this.read();
    const want = this.wanted();
    if (!s.sid || !want) return;
    try {
      const client = await this.client();
      const before = await this.fetchValues(client, s.sid);
      const same =
        before.voiceUrl === want.voiceUrl &&
        before.voiceMethod.toUpperCase() === 'POST' &&
        before.statusCallback === want.statusCallback &&
        before.statusCallbackMethod.toUpperCase() === 'POST';
      if (!same) {
        await this.update(client, s.sid, want);
        const fresh = this.read();
        this.write({
          ...fresh,
          history: [...fresh.history, { at: this.deps.clock.now(), reason, before, after: want }].slice(
            -MAX_HISTORY,
          ),
          lastError: null,
        });
        this.deps.log.info(
          { number_sid: s.sid, reason, voice_url: want.voiceUrl, previous_voice_url: before.voiceUrl },
          'twilio number pointed at the public address',
        );
      } else if (s.lastError) {
        this.write({ ...this.read(), lastError: null });
      }
      this.retries = 0;
      this.changed();
    } catch (err) {
      const e = err instanceof ApiError ? { code: err.code, message: err.message } : restError(err);
      this.write({ ...this.read(), lastError: { at: this.deps.clock.now(), ...e } });
      this.deps.log.error(
        { number_sid: s.sid, reason, code: e.code, err: e.message },
        'twilio number update failed',
      );
      this.changed();
      const r = this.deps.retry ?? { initialMs: 5000, maxMs: 300_000, attempts: 6 };
      if (e.code !== 'twilio_auth' && this.retries < r.attempts) {
        this.retries++;
        this.schedule('retry', Math.min(r.maxMs, r.initialMs * 2 ** (this.retries - 1)));
      }
      throw err;
    }
  }

  private wanted(): WebhookValues | undefined {
    const base = this.deps.publicUrl.url();
    if (!base) return undefined;
    return {
      voiceUrl: `${base}${WEBHOOK_PATHS.incomingCall}`,
      voiceMethod: 'POST',
      statusCallback: `${base}${WEBHOOK_PATHS.callStatus}`,
      statusCallbackMethod: 'POST',
    };
  }

  private async client() {
    const client = await createTwilioClient(this.deps.credentials(), { timeoutMs: 10_000 });
    if (!client)
      throw new ApiError('conflict', 'Twilio keys are missing', undefined, 'twilio_not_configured');
    return client;
  }

  private async fetchValues(
    client: NonNullable<Awaited<ReturnType<typeof createTwilioClient>>>,
    sid: string,
  ): Promise<WebhookValues> {
    const n = (await client.incomingPhoneNumbers(sid).fetch()) as NumberResource;
    return {
      voiceUrl: n.voiceUrl ?? '',
      voiceMethod: n.voiceMethod ?? 'POST',
      statusCallback: n.statusCallback ?? '',
      statusCallbackMethod: n.statusCallbackMethod ?? 'POST',
    };
  }

  private async update(
    client: NonNullable<Awaited<ReturnType<typeof createTwilioClient>>>,
    sid: string,
    v: WebhookValues,
  ): Promise<void> {
    await client.incomingPhoneNumbers(sid).update({
      voiceUrl: v.voiceUrl,
      voiceMethod: v.voiceMethod as 'POST',
      statusCallback: v.statusCallback,
      statusCallbackMethod: v.statusCallbackMethod as 'POST',
    });
  }

  private read(): Stored {
    return this.deps.settings.get(PHONE_SETUP_SETTING, stored);
  }

  private write(s: Stored): void {
    this.deps.settings.set(PHONE_SETUP_SETTING, s);
  }

  private changed(): void {
    try {
      this.deps.onChange?.(this.status());
    } catch (err) {
      this.deps.log.warn({ err }, 'phone setup listener failed');
    }
  }
}
