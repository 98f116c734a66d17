/**
 * First-run set-up as a feature module: each key checked live, the public address reached
 * from outside, which wizard steps really work now, and the owner's skips. It reaches the
 * rest of the app only through what the core hands it (ports, not modules).
 */
import type { OpenAIClients } from '../platform/openai';
import { createHash } from 'node:crypto';
import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { PhoneSetup, TwilioNumber } from '../api/contract/phone';
import {
  SETUP_STEPS,
  type CheckedKey,
  type CheckResult,
  type DoctorReport,
  type SetupStatus,
  type SetupStep,
} from '../api/contract/setup';
import type { TunnelState } from '../api/contract/tunnel';
import type { BusinessService } from '../business/business-service';
import type { FeatureModule } from '../core/module';
import type { PaymentProviderStatus } from '../api/contract/payments';
import type { Db } from '../db/client';
import { calls, callTurns } from '../db/schema';
import type { Clock } from '../platform/clock';
import type { Env } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { PublicUrlService } from '../platform/public-url';
import type { SecretsResolver } from '../platform/secrets-resolver';
import type { SettingsStore } from '../platform/settings';
import { Doctor } from './doctor';
import { KeyChecks } from './key-checks';

export const SETUP_SETTING = 'setup_wizard';
const setupSetting = z
  .object({
    skipped: z.array(z.enum(SETUP_STEPS)).default([]),
    wizardSeen: z.boolean().default(false),
  })
  .default({ skipped: [], wizardSeen: false });

/** The engine name the app's own test call is recorded with (telephony/media/app-audio). */
const TEST_CALL_ENGINE = 'test';
/** How long status() trusts a remote check whose inputs did not change. */
const STATUS_TTL_MS = 30_000;

/** How the app reaches itself "from outside": `https://<host>` in production. */
export type PublicOrigin = (host: string) => string;
export const httpsOrigin: PublicOrigin = (host) => `https://${host}`;

export interface SetupModuleDeps {
  env: Env;
  /** The one OpenAI client factory (platform/openai.ts). */
  openai: OpenAIClients;
  db: Db;
  clock: Clock;
  logger: Logger;
  keys: SecretsResolver;
  settings: SettingsStore;
  business: BusinessService;
  publicUrl: PublicUrlService;
  /** Ports onto the tunnel and the number set-up (small functions, not their modules). */
  tunnelState: () => TunnelState | Promise<TunnelState>;
  phoneSetup: () => PhoneSetup | Promise<PhoneSetup>;
  phoneNumbers: () => Promise<TwilioNumber[]>;
  /** PayPal / Tranzila: switched on, keys, what is missing (the payments module's status). */
  paymentsStatus: () => Promise<PaymentProviderStatus>;
  /** Tests reach the fake tunnel's plain-TCP forwarder over http; the product uses https. */
  publicOrigin?: PublicOrigin;
  /** The public server on loopback, for the doctor (undefined before it listens). */
  loopback: () => string | undefined;
  resourcesDir: string;
  timeoutMs?: number;
}

export interface SetupModule extends FeatureModule {
  checks: KeyChecks;
  checkAddress(): Promise<CheckResult & { host: string | null }>;
  status(): Promise<SetupStatus>;
}

export function setupModule(deps: SetupModuleDeps): SetupModule {
  const log = deps.logger.child({ module: 'setup' });
  const now = () => deps.clock.now();
  const timeoutMs = deps.timeoutMs ?? 8000;
  const origin = deps.publicOrigin ?? httpsOrigin;
  const checks = new KeyChecks({
    env: deps.env,
    openai: deps.openai,
    keys: deps.keys,
    tunnelState: deps.tunnelState,
    now,
    timeoutMs,
  });

  const checkKey = async (key: CheckedKey): Promise<CheckResult> => {
    const r = await checks.check(key);
    // The problem only: never the key, and the service's words stay out of the log line.
    log.info({ check: key, ok: r.ok, problem: r.problem }, `key check ${key}: ${r.ok ? 'ok' : r.problem}`);
    return r;
  };

  const checkAddress = async (): Promise<CheckResult & { host: string | null }> => {
    const host = deps.publicUrl.host() ?? null;
    const done = (problem: CheckResult['problem'], detail: string | null = null) => {
      log.info({ check: 'address', ok: problem === null, problem, public_host: host }, 'address check');
      return { ok: problem === null, problem, detail, checkedAt: now(), host };
    };
    if (!host) return done('missing');
    try {
      const res = await fetch(`${origin(host)}/healthz`, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
        headers: { 'user-agent': 'AgentLocator-setup-check' },
      });
      const body = (await res.text()).slice(0, 200);
      if (res.ok && body.trim() === 'ok') return done(null);
      return done('other', `HTTP ${res.status}: ${body.replace(/\s+/g, ' ').slice(0, 120)}`);
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      return done('network', String(e.cause?.code ?? e.cause?.message ?? e.message ?? err).slice(0, 200));
    }
  };

  const testCallAnswered = (): boolean => {
    const row = deps.db
      .select({ id: callTurns.id })
      .from(callTurns)
      .innerJoin(calls, eq(calls.id, callTurns.callId))
      .where(and(eq(calls.engine, TEST_CALL_ENGINE), ne(callTurns.agentText, '')))
      .limit(1)
      .get();
    return !!row;
  };

  const numberReady = async (): Promise<boolean> => {
    const setup = await deps.phoneSetup();
    if (!setup.number || !setup.expected) return false;
    const numbers = await deps.phoneNumbers();
    return numbers.some((n) => n.sid === setup.number!.sid && n.pointsHere);
  };

  /**
   * The remote parts of `status()` (keys, address, number), remembered for STATUS_TTL_MS per
   * fingerprint of their inputs: the dashboard and every wizard step ask for the status, and
   * each answer would otherwise be three live requests (up to 8 s each with the network down).
   * A changed key, address or number changes the fingerprint; an explicit check refreshes it.
   */
  const remembered = new Map<string, { fp: string; at: number; ok: boolean }>();
  const recall = async (name: string, fp: string, fn: () => Promise<boolean>): Promise<boolean> => {
    const hit = remembered.get(name);
    if (hit && hit.fp === fp && now() - hit.at < STATUS_TTL_MS) return hit.ok;
    const ok = await safe(fn);
    remembered.set(name, { fp, at: now(), ok });
    return ok;
  };
  const keysPrint = () =>
    createHash('sha256')
      .update(
        [
          deps.keys.get('openai_api_key'),
          deps.keys.get('twilio_account_sid'),
          deps.keys.get('twilio_auth_token'),
        ]
          .map((v) => v ?? '')
          .join('\0'),
      )
      .digest('hex');

  const safe = async (fn: () => boolean | Promise<boolean>): Promise<boolean> => {
    try {
      return await fn();
    } catch {
      return false;
    }
  };

  const status = async (): Promise<SetupStatus> => {
    const stored = deps.settings.get(SETUP_SETTING, setupSetting);
    const b = deps.business.get();
    const host = deps.publicUrl.host() ?? '';
    const phone = await deps.phoneSetup();
    const numberPrint = JSON.stringify([phone.number?.sid, phone.expected, phone.history[0]?.at, host]);
    const [keysOk, addressOk, numberOk] = await Promise.all([
      recall('keys', keysPrint(), async () => {
        const [o, t] = await Promise.all([checks.check('openai'), checks.check('twilio')]);
        return o.ok && t.ok;
      }),
      recall('address', host, async () => (await checkAddress()).ok),
      recall('number', numberPrint, numberReady),
    ]);
    const done: Record<SetupStep, boolean> = {
      profile: !!b.name.trim() && !!b.phone.trim(),
      knowledge: !!b.knowledge.hours.trim() || !!b.knowledge.services.trim(),
      keys: keysOk,
      address: addressOk,
      number: numberOk,
      test_call: await safe(testCallAnswered),
    };
    const steps = SETUP_STEPS.map((id) => ({ id, done: done[id], skipped: stored.skipped.includes(id) }));
    return { steps, lineReady: steps.every((s) => s.done), wizardSeen: stored.wizardSeen };
  };

  const doctor = new Doctor({
    env: deps.env,
    db: deps.db,
    logger: deps.logger,
    keys: deps.keys,
    publicUrl: deps.publicUrl,
    features: () => deps.business.features(),
    checks,
    checkAddress,
    phoneSetup: deps.phoneSetup,
    phoneNumbers: deps.phoneNumbers,
    paymentsStatus: deps.paymentsStatus,
    loopback: deps.loopback,
    resourcesDir: deps.resourcesDir,
    now,
  });
  let running: Promise<DoctorReport> | undefined;

  return {
    name: 'setup',
    checks,
    checkAddress,
    status,
    handlers: {
      'setup.checkKey': (input) => {
        remembered.delete('keys');
        return checkKey(input.key);
      },
      'setup.checkAddress': () => {
        remembered.delete('address');
        return checkAddress();
      },
      'setup.status': () => status(),
      // One run at a time: a second caller gets the same report.
      'setup.doctor': () => (running ??= doctor.run().finally(() => (running = undefined))),
      'setup.mark': (input) => {
        const cur = deps.settings.get(SETUP_SETTING, setupSetting);
        const skipped = new Set(cur.skipped);
        if (input.skipped) {
          if (input.skipped.value) skipped.add(input.skipped.step);
          else skipped.delete(input.skipped.step);
        }
        deps.settings.set(SETUP_SETTING, {
          skipped: SETUP_STEPS.filter((s) => skipped.has(s)),
          wizardSeen: input.wizardSeen ?? cur.wizardSeen,
        });
        return status();
      },
    },
  };
}
