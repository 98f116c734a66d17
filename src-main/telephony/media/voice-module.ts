/**
 * The realtime voice agent as a feature module: the /ws/twilio-media WebSocket (signature
 * checked on upgrade), one MediaStreamSession per call, the live monitor API and the voice
 * settings. Provider adapters are built from the keys (Settings over env) per call, so keys pasted in Settings
 * apply to the next call without a restart.
 */
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { ApiError, notFound } from '../../api/errors';
import type { EventBus } from '../../api/events';
import { GoogleSynthesizer, resolveGoogleCredentials } from '../../agent/google-tts';
import { OpenAIChatModel, OpenAISpeech, OpenAITranscriber } from '../../agent/openai-adapters';
import type { OpenAIClients } from '../../platform/openai';
import type { AppointmentCalendar, CallbackTasks, CustomerDirectory } from '../../core/ports';
import { OpenAIKeyProbe } from '../../agent/openai-probe';
import type { ChatModel, StreamingTranscriber, Synthesizer } from '../../agent/ports';
import { OpenAIRealtimeVoice } from '../../agent/realtime/openai-realtime';
import { OpenAIStreamingTranscriber } from '../../agent/realtime/transcription';
import type { RealtimeVoice } from '../../agent/realtime/port';
import { FILLER_TEXT, greetingText, goodbyeText, SHUTDOWN_TEXT } from '../../agent/prompt';
import { SpeechService } from '../../agent/speech';
import { AgentToolbox } from '../../agent/tools';
import type { BusinessService } from '../../business/business-service';
import { CONVERSATIONS, ConversationService } from '../../agent/conversation';
import { provide, serviceKey } from '../../core/registry';
import type { FeatureModule } from '../../core/module';
import type { Clock } from '../../platform/clock';
import type { Env } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import type { Notifier } from '../../platform/notifier';
import type { SecretsResolver } from '../../platform/secrets-resolver';
import type { SettingsStore } from '../../platform/settings';
import type { CallRepository } from '../call-repository';
import { verifyTwilioSignature } from '../../platform/twilio-signature';
import { createTwilioClient, resolveTwilioCredentials } from '../../platform/twilio-rest';
import { VadProvider } from '../audio/vad-provider';
import { afterCall } from './after-call';
import { LiveCallRegistry } from './live-calls';
import { realtimeEngineFactory } from './realtime-engine';
import { AppAudio, appAudioRoutes } from './app-audio';
import {
  MediaStreamSession,
  type AgentBrain,
  type CallControl,
  type MediaTransport,
  type SessionTiming,
} from './session';
import {
  VOICE_SETTINGS_KEY,
  voiceSettingsSchema,
  voiceSettingsStored,
  type VoiceSettings,
} from './voice-settings';

export const MEDIA_WS_PATH = '/ws/twilio-media';

export interface VoiceModuleDeps {
  /** The one OpenAI client factory (platform/openai.ts). */
  openai: OpenAIClients;
  env: Env;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  business: BusinessService;
  /** Every key, Settings over env, read at the moment of use. */
  keys: SecretsResolver;
  settings: SettingsStore;
  notifier: Notifier;
  calls: CallRepository;
  /** The CRM's ports (core/ports.ts): the agent's tools and after-call act through them. */
  customers: CustomerDirectory;
  callbacks: CallbackTasks;
  calendar: AppointmentCalendar;
  ttsCacheDir: string;
  resourcesDir: string;
  publicHost: () => string | undefined;
  /** Tests shorten pacing and timers. */
  timing?: Partial<SessionTiming>;
  /** OpenAI Realtime engine timers (tests shorten them). */
  realtimeTiming?: { connectTimeoutMs?: number; transcriptGraceMs?: number };
}

/** What the voice module offers the shell and tests (`core.services.require(VOICE_SERVICES)`). */
export interface VoiceServices {
  registry: LiveCallRegistry;
  speech: SpeechService;
  /** Test calls from the app and listen-in (local server / Electron IPC only). */
  appAudio: AppAudio;
  /** The calls' voice-activity detectors (the Silero model loads when the module starts). */
  vads: VadProvider;
}

export const VOICE_SERVICES = serviceKey<VoiceServices>('voice');

/** Builds an adapter once per configuration; a changed key or endpoint builds a new one. */
function memo<T>(): (key: string, make: () => T) => T {
  let k: string | undefined;
  let v: T | undefined;
  return (key, make) => {
    if (k !== key || v === undefined) {
      k = key;
      v = make();
    }
    return v;
  };
}

const VAD_LOAD_DELAY_MS = 1500;

export function voiceModule(deps: VoiceModuleDeps): FeatureModule {
  const { env } = deps;
  const log = deps.logger.child({ module: 'voice' });
  // One Silero model per process, loaded at start; calls use energy until (or unless) it loads.
  const vads = new VadProvider(log);
  let vadTimer: NodeJS.Timeout | undefined;
  // Read per frame on hot paths: cached, refreshed when changed through the API.
  let cachedSettings: VoiceSettings | undefined;
  const settings = (): VoiceSettings =>
    (cachedSettings ??= deps.settings.get(VOICE_SETTINGS_KEY, voiceSettingsStored));
  const openai = deps.openai;

  const brainMemo = memo<AgentBrain & { model: ChatModel }>();
  const brain = (): AgentBrain | null => {
    const id = openai.identity();
    const client = openai.client('chat');
    if (!id || !client) return null;
    return brainMemo(id, () => {
      return {
        transcriber: new OpenAITranscriber(client, () => settings().asrModel),
        model: new OpenAIChatModel(client, () => settings().llmModel),
      };
    });
  };

  const realtimeMemo = memo<RealtimeVoice>();
  const realtimeVoice = (): RealtimeVoice | null => {
    const id = openai.identity();
    const client = openai.client('realtime');
    if (!id || !client) return null;
    return realtimeMemo(id, () => new OpenAIRealtimeVoice(client));
  };

  const streamingAsrMemo = memo<StreamingTranscriber>();
  const streamingAsr = (): StreamingTranscriber | null => {
    const id = openai.identity();
    const client = openai.client('transcription');
    if (!id || !client) return null;
    return streamingAsrMemo(id, () => new OpenAIStreamingTranscriber(client));
  };

  const googleMemo = memo<GoogleSynthesizer>();
  const openaiTtsMemo = memo<OpenAISpeech>();
  const providers = (): Synthesizer[] => {
    const list: Synthesizer[] = [];
    const s = settings();
    const creds = resolveGoogleCredentials({
      ...env,
      secret: deps.keys.stored('google_service_account_json'),
    });
    if (creds || env.GOOGLE_TTS_ENDPOINT) {
      const k = `${JSON.stringify(creds ?? null)}|${env.GOOGLE_TTS_ENDPOINT ?? ''}|${s.ttsEncoding}`;
      list.push(
        googleMemo(
          k,
          () =>
            new GoogleSynthesizer({
              credentials: creds,
              endpoint: env.GOOGLE_TTS_ENDPOINT,
              encoding: s.ttsEncoding,
            }),
        ),
      );
    }
    const id = openai.identity();
    const client = openai.client('speech');
    if (id && client) {
      list.push(
        openaiTtsMemo(id, () => {
          return new OpenAISpeech(
            client,
            () => settings().openaiTtsModel,
            () => settings().openaiTtsVoice,
          );
        }),
      );
    }
    return list;
  };

  const openaiProbe = new OpenAIKeyProbe({ clients: openai, now: () => deps.clock.monotonic() });

  const speech = new SpeechService({
    providers,
    voice: () => settings().ttsVoice,
    cacheDir: deps.ttsCacheDir,
    phrasesDir: path.join(deps.resourcesDir, 'phrases'),
    log,
    monotonic: () => deps.clock.monotonic(),
  });

  const twilioMemo = memo<CallControl | null>();
  const control = (): CallControl | null => {
    const creds = resolveTwilioCredentials(env, deps.keys);
    return twilioMemo(`${creds.accountSid}|${creds.authToken}|${creds.apiBaseUrl}`, () => {
      if (!creds.accountSid || !creds.authToken) return null;
      const clientReady = createTwilioClient(creds, { timeoutMs: 8000 });
      const gone = (err: unknown) => {
        const e = err as { status?: number; code?: number };
        return e?.status === 404 || e?.code === 20404;
      };
      return {
        async hangup(callSid) {
          try {
            const client = (await clientReady)!;
            await client.calls(callSid).update({ status: 'completed' });
            return 'ok';
          } catch (err) {
            if (gone(err)) return 'already_ended';
            throw err;
          }
        },
        async redirect(callSid, twiml) {
          try {
            const client = (await clientReady)!;
            await client.calls(callSid).update({ twiml });
            return 'ok';
          } catch (err) {
            if (gone(err)) return 'already_ended';
            throw err;
          }
        },
      };
    });
  };

  const registry = new LiveCallRegistry(deps.bus, log, {
    heartbeatMs: env.MEDIA_HEARTBEAT_MS,
    idleTimeoutMs: env.MEDIA_IDLE_TIMEOUT_MS,
    now: () => deps.clock.monotonic(),
  });
  const toolbox = new AgentToolbox({
    clock: deps.clock,
    business: deps.business,
    customers: deps.customers,
    callbacks: deps.callbacks,
    calendar: deps.calendar,
  });
  const conversations = new ConversationService({
    model: () => brain()?.model ?? null,
    toolbox,
    business: () => deps.business.get(),
    clock: deps.clock,
    log: log.child({ part: 'conversation' }),
  });
  const realtime = realtimeEngineFactory({
    voice: realtimeVoice,
    calls: deps.calls,
    business: () => deps.business.get(),
    settings,
    speech,
    toolbox,
    clock: deps.clock,
    interruptMs: deps.timing?.interruptMs,
    burstEndMs: deps.timing?.burstEndMs,
    ...deps.realtimeTiming,
  });

  const verifyUpgrade = (req: IncomingMessage): boolean => {
    const creds = resolveTwilioCredentials(env, deps.keys);
    const check = verifyTwilioSignature({
      authToken: creds.authToken,
      publicHost: deps.publicHost(),
      path: req.url ?? MEDIA_WS_PATH,
      params: {},
      signature: req.headers['x-twilio-signature'],
      skip: env.TWILIO_SKIP_SIGNATURE_VALIDATION,
      scheme: 'wss',
    });
    if (!check.ok) log.warn({ reason: check.reason, url: check.url }, 'media stream refused: bad signature');
    return check.ok;
  };

  /** One session on a transport: the Twilio socket, or the app's test-call link. */
  const newSession = (
    transport: MediaTransport,
    extra: { test?: boolean; control?: () => CallControl | null } = {},
  ): MediaStreamSession =>
    new MediaStreamSession(transport, {
      log,
      clock: deps.clock,
      calls: deps.calls,
      business: () => deps.business.get(),
      settings,
      speech,
      brain,
      conversations,
      control: extra.control ?? control,
      hooks: registry.hooks,
      afterCall: (s) =>
        afterCall(
          {
            customers: deps.customers,
            calls: deps.calls,
            notifier: deps.notifier,
            log,
            model: () => brain()?.model ?? null,
          },
          s,
        ),
      timing: deps.timing,
      test: extra.test,
      vad: (cfg) => vads.create(settings().vad, cfg),
      realtime,
      streamingAsr,
    });

  const onConnection = (ws: WebSocket, req: IncomingMessage): void => {
    // Messages sent in one go (a pacing tick's frames and marks) leave in one write, not one
    // syscall each: the socket is corked until the end of the current tick.
    let corked = false;
    const uncork = () => {
      corked = false;
      req.socket.uncork();
    };
    const session = newSession({
      send: (text) => {
        if (ws.readyState !== ws.OPEN) return;
        if (!corked) {
          corked = true;
          req.socket.cork();
          process.nextTick(uncork);
        }
        ws.send(text);
      },
      close: (code, reason) => ws.close(code, reason),
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return session.handleMessage('');
      session.handleMessage(
        Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'),
      );
    });
    ws.on('close', (code) => session.handleClose(code));
    ws.on('error', (err) => log.warn({ err: err.message }, 'media socket error'));
  };

  const appAudio = new AppAudio({
    log,
    clock: deps.clock,
    bus: deps.bus,
    calls: deps.calls,
    registry,
    newSession,
    // Without an OpenAI key the agent cannot answer: the test call is refused, not logged as a call.
    testCallMissing: () => (openai.key() ? null : 'no_openai_key'),
  });

  /** Renders the greeting and goodbye ahead of the first call (and after the business changes). */
  const warm = () => {
    // The SDKs load lazily (fast start-up); load the configured ones now, so a first caller waits for none.
    if (openai.key()) void import('openai').catch(() => undefined);
    const twilioCreds = resolveTwilioCredentials(env, deps.keys);
    if (twilioCreds.accountSid && twilioCreds.authToken) void import('twilio').catch(() => undefined);
    if (!speech.hasProvider()) return;
    const b = deps.business.get();
    void speech.warm(greetingText(b), 'greeting');
    void speech.warm(goodbyeText(b), 'goodbye');
    void speech.warm(SHUTDOWN_TEXT, 'goodbye');
    // Said when turns run late, i.e. under load: never rendered then by every late call at once.
    void speech.warm(FILLER_TEXT, 'filler');
  };

  return {
    name: 'voice',
    provides: [
      provide(VOICE_SERVICES, { registry, speech, appAudio, vads }),
      provide(CONVERSATIONS, conversations),
    ],
    public: { name: 'voice', websockets: [{ path: MEDIA_WS_PATH, verifyUpgrade, onConnection }] },
    local: { websockets: appAudioRoutes(appAudio) },
    readiness: {
      openai: () => {
        const key = openai.key();
        return key ? openaiProbe.check(key) : 'disabled';
      },
      tts: () => (providers().length ? 'ok' : 'disabled'),
      vad: () => vads.readiness(settings().vad),
    },
    handlers: {
      'monitor.liveCalls': () => registry.list(),
      'monitor.hangup': async ({ callSid }) => {
        const s = registry.get(callSid);
        if (!s) throw notFound('live call');
        await s.hangupFromMonitor();
        return { ok: true as const };
      },
      'monitor.transfer': async ({ callSid }) => {
        const s = registry.get(callSid);
        if (!s) throw notFound('live call');
        return s.transferToOwner('owner_transfer');
      },
      'voice.getSettings': () => settings(),
      'voice.updateSettings': (input) => {
        const next = voiceSettingsSchema.safeParse({ ...settings(), ...input });
        if (!next.success) throw new ApiError('bad_input', 'invalid voice settings', next.error.issues);
        deps.settings.set(VOICE_SETTINGS_KEY, next.data);
        cachedSettings = next.data;
        return next.data;
      },
    },
    start() {
      registry.start();
      // Loading the runtime and creating the session hold the event loop for a few hundred ms:
      // not while the app's first requests are answered (calls before then get the energy VAD).
      vadTimer = setTimeout(() => void vads.load(), VAD_LOAD_DELAY_MS);
      vadTimer.unref();
      warm();
    },
    drain: () => registry.drain(SHUTDOWN_TEXT, 7000),
    async stop() {
      await registry.stop();
      clearTimeout(vadTimer);
      await vads.close();
    },
  };
}
