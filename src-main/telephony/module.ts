import { readFileSync, statSync } from 'node:fs';
import type { OpenAIClients } from '../platform/openai';
import { sqlTimelineSource } from '../platform/timeline';
import path from 'node:path';
import { z } from 'zod';
import { MAX_RECORDING_BYTES } from '../api/contract/calls';
import { ApiError, notFound } from '../api/errors';
import type { BusinessService } from '../business/business-service';
import type { FeatureModule } from '../core/module';
import type { CallbackTasks, CustomerDirectory } from '../core/ports';
import type { Db } from '../db/client';
import type { Clock } from '../platform/clock';
import type { Env } from '../platform/config';
import type { JobRunner } from '../platform/jobs';
import type { Logger } from '../platform/logger';
import type { Notifier } from '../platform/notifier';
import type { SecretsResolver } from '../platform/secrets-resolver';
import type { PublicUrlService } from '../platform/public-url';
import type { SettingsStore } from '../platform/settings';
import type { EventBus } from '../api/events';
import type { CallRepository, CallRow } from './call-repository';
import { registerRecordingJob } from './recording-job';
import { NumberSetup } from './number-setup';
import { OutboundCalls } from './outbound';
import { OpenAiRecordingTranscriber, type RecordingTranscriber } from './recording-transcriber';
import { resolveTwilioCredentials } from '../platform/twilio-rest';
import { goodbyeTwiml, recordingTwiml, thanksTwiml, WEBHOOK_PATHS } from './twiml';
import { registerTelephonyWebhooks } from './webhooks';

/** Settings key of the model used to transcribe voice messages. */
export const TRANSCRIBE_MODEL_SETTING = 'telephony.recording_transcribe_model';
export const DEFAULT_TRANSCRIBE_MODEL = 'gpt-4o-transcribe';

export interface TelephonyModuleDeps {
  env: Env;
  /** The one OpenAI client factory (platform/openai.ts). */
  openai: OpenAIClients;
  db: Db;
  clock: Clock;
  logger: Logger;
  business: BusinessService;
  /** Every key, Settings over env, read at the moment of use. */
  keys: SecretsResolver;
  settings: SettingsStore;
  notifier: Notifier;
  jobs: JobRunner;
  calls: CallRepository;
  customers: CustomerDirectory;
  callbacks: CallbackTasks;
  recordingsDir: string;
  /** The one live public address (read at the moment of use). */
  publicHost: () => string | undefined;
  /** The same address, followed: the Twilio number is re-pointed when it changes. */
  publicUrl: PublicUrlService;
  bus: EventBus;
}

/** Twilio Voice: the webhooks, the voice-message pipeline and the call-history API. */
export function telephonyModule(deps: TelephonyModuleDeps): FeatureModule {
  const { env } = deps;
  const credentials = () => resolveTwilioCredentials(env, deps.keys);
  const transcriber = (): RecordingTranscriber | null => {
    const client = deps.openai.client('recording');
    if (!client) return null;
    const model = deps.settings.get(
      TRANSCRIBE_MODEL_SETTING,
      z.string().min(1).max(100).default(DEFAULT_TRANSCRIBE_MODEL),
    );
    return new OpenAiRecordingTranscriber({ client, model });
  };

  registerRecordingJob(deps.jobs, {
    calls: deps.calls,
    callbacks: deps.callbacks,
    notifier: deps.notifier,
    logger: deps.logger,
    recordingsDir: deps.recordingsDir,
    credentials,
    transcriber,
    download: {
      timeoutMs: env.RECORDING_DOWNLOAD_TIMEOUT_MS,
      retries: env.RECORDING_DOWNLOAD_RETRIES,
      backoffMs: env.RECORDING_DOWNLOAD_BACKOFF_MS,
    },
    now: () => deps.clock.now(),
  });

  const outbound = new OutboundCalls({
    db: deps.db,
    calls: deps.calls,
    settings: deps.settings,
    credentials,
    ownerPhone: () => deps.business.get().ownerPhone,
    streamEnabled: () => deps.business.features().enable_calls_stream,
    publicHost: deps.publicHost,
    log: deps.logger.child({ module: 'telephony' }),
  });

  const numberSetup = new NumberSetup({
    credentials,
    settings: deps.settings,
    publicUrl: deps.publicUrl,
    clock: deps.clock,
    log: deps.logger.child({ module: 'telephony' }),
    onChange: (s) => deps.bus.emit('phone.setup', s),
  });

  const recordingFile = (row: CallRow): string | null => {
    if (!row.recordingPath) return null;
    const file = path.resolve(deps.recordingsDir, row.recordingPath);
    // Only files inside the recordings folder are ever served.
    if (path.dirname(file) !== path.resolve(deps.recordingsDir)) return null;
    return file;
  };
  const recordingBytes = (row: CallRow): number | null => {
    const file = recordingFile(row);
    if (!file) return null;
    try {
      return statSync(file).size;
    } catch {
      return null;
    }
  };

  return {
    name: 'telephony',
    timeline: [
      sqlTimelineSource(deps.db.$client, {
        kind: 'call',
        rank: 6,
        capability: 'calls',
        table: 'calls',
        time: 'started_at',
        select:
          "id, started_at as at, direction, status, coalesce(summary, '') as text, case when engine = 'bridge' then 'bridge' else mode end as subtype, null as amount, null as number, duration_sec as duration, null as due",
      }),
    ],
    start() {
      // The address may have changed while the app was closed.
      numberSetup.apply('manual').catch(() => undefined);
    },
    stop() {
      numberSetup.stop();
    },
    public: {
      name: 'telephony',
      webhookFallback: (path) => {
        let recordingOn = true;
        try {
          recordingOn = deps.business.features().enable_recording_fallback;
        } catch {
          /* the flags can't be read: a voice message is the safest answer */
        }
        if (path === WEBHOOK_PATHS.incomingCall) return recordingTwiml();
        if (path === WEBHOOK_PATHS.streamEnded) return recordingOn ? recordingTwiml() : goodbyeTwiml();
        if (path === WEBHOOK_PATHS.handleRecording) return thanksTwiml();
        return undefined;
      },
      routes: (app) =>
        registerTelephonyWebhooks(app, {
          db: deps.db,
          calls: deps.calls,
          customers: deps.customers,
          jobs: deps.jobs,
          businessId: deps.business.get().id,
          features: () => deps.business.features(),
          publicHost: deps.publicHost,
          credentials,
          skipSignatureValidation: env.TWILIO_SKIP_SIGNATURE_VALIDATION,
          logger: deps.logger,
          now: () => deps.clock.now(),
        }),
    },
    handlers: {
      'phone.numbers': () => numberSetup.numbers(),
      'phone.setup': () => numberSetup.status(),
      'phone.pick': (input) => numberSetup.pick(input.sid),
      'phone.configure': (input) => {
        if (input.forget) return numberSetup.forget();
        return input.auto === undefined ? numberSetup.status() : numberSetup.setAuto(input.auto);
      },
      'phone.undo': () => numberSetup.undo(),
      'calls.list': (input) => {
        const { items, total } = deps.calls.list(input);
        return { items, total, page: input.page, limit: input.limit };
      },
      'calls.get': (input) => {
        const detail = deps.calls.detail(input.id, recordingBytes);
        if (!detail) throw notFound('call');
        return detail;
      },
      'calls.recording': (input) => {
        const row = deps.calls.getById(input.id);
        if (!row) throw notFound('call');
        const file = recordingFile(row);
        const bytes = row ? recordingBytes(row) : null;
        if (!file || bytes == null) throw notFound('recording');
        if (bytes > MAX_RECORDING_BYTES) throw new ApiError('too_large', 'recording too large to play here');
        const mime = 'audio/wav';
        return { mime, bytes, dataUrl: `data:${mime};base64,${readFileSync(file).toString('base64')}` };
      },
      'calls.dialCheck': (input) => outbound.check(input.customerId),
      'calls.dial': async (input) => deps.calls.summary(await outbound.dial(input.customerId, input.mode)),
    },
  };
}
