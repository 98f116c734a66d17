/**
 * A real core with the voice agent wired to local fakes: OpenAI (transcription, streamed chat,
 * speech), Google TTS (REST) and Twilio REST; plus a Twilio Media Streams client factory that
 * places a call like Twilio does: the signed incoming_call webhook, then the signed upgrade whose
 * `start` carries the call's single-use stream token from the TwiML.
 */
import { eq } from 'drizzle-orm';
import { calls, callTurns } from '../../src-main/db/schema';
import { computeTwilioSignature } from '../../src-main/platform/twilio-signature';
import { VOICE_SERVICES, type VoiceServices } from '../../src-main/telephony/media/voice-module';
import { startFakeGoogleTts, type FakeGoogleTts, type FakeGoogleTtsOptions } from '../fakes/google-tts';
import { MediaStreamClient, type MediaStreamClientOptions } from '../fakes/media-stream-client';
import { startFakeOpenAI, type FakeOpenAI, type RecordedOpenAiRequest } from '../fakes/openai';
import { startFakeRealtime, type FakeRealtime } from '../fakes/openai-realtime';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { startTestCore, type TestCore } from './core';
import { callParams, openTwilioStream, postTwilio, randomCallSid, streamTokenFrom } from './twilio';

export const PUBLIC_HOST = 'voice.agentlocator.test';
export const MEDIA_URL = `wss://${PUBLIC_HOST}/ws/twilio-media`;

export interface VoiceRig {
  t: TestCore;
  openai: FakeOpenAI;
  google: FakeGoogleTts;
  twilio: FakeTwilio;
  voice: VoiceServices;
  /** With `realtime: true`: the Realtime fake in front of `openai` (transcription sessions). */
  realtime?: FakeRealtime;
  wsUrl: string;
  /** What the caller is saying now: every transcription (speculative or final) answers this. */
  caller: { text: string };
  /**
   * A phone call as Twilio places it: the signed incoming_call webhook (`incoming`: its form
   * fields), then the signed media stream whose `start` carries the call's stream token.
   */
  connect(
    opts?: Partial<MediaStreamClientOptions> & {
      signature?: string | null;
      incoming?: Record<string, string>;
    },
  ): Promise<MediaStreamClient>;
  /** Only the signed upgrade (no webhook, no token unless given): what an attacker can do. */
  connectRaw(
    opts?: Partial<MediaStreamClientOptions> & { signature?: string | null },
  ): Promise<MediaStreamClient>;
  /** The signed incoming_call webhook for a call; its TwiML and the stream token in it. */
  incomingCall(
    params?: Record<string, string>,
  ): Promise<{ status: number; text: string; callSid: string; token: string | undefined }>;
  stop(): Promise<void>;
}

export interface VoiceRigOptions {
  env?: Record<string, string>;
  /** Leave out the OpenAI key (degraded mode). */
  noOpenAI?: boolean;
  /** Leave out Google TTS. */
  noGoogle?: boolean;
  google?: FakeGoogleTtsOptions;
  asrDelayMs?: number;
  /**
   * Put the Realtime fake in front of the OpenAI fake (OPENAI_BASE_URL points at it; plain HTTP
   * is proxied): live transcription sessions transcribe to `caller.text`.
   */
  realtime?: { transcriptDelayMs?: number };
}

/** The summary request (JSON mode) gets a JSON answer; everything else follows the script. */
export function isSummaryRequest(req: RecordedOpenAiRequest): boolean {
  return (
    !req.body.stream && (req.body.response_format as { type?: string } | undefined)?.type === 'json_object'
  );
}

export async function startVoiceRig(o: VoiceRigOptions = {}): Promise<VoiceRig> {
  const [openai, google, twilio] = await Promise.all([
    startFakeOpenAI(),
    startFakeGoogleTts(o.google),
    startFakeTwilio(),
  ]);
  const caller = { text: '' };
  openai.setDefaultTranscription(() => ({ text: caller.text, delayMs: o.asrDelayMs ?? 0 }));
  const realtime = o.realtime ? await startFakeRealtime({ upstream: openai.origin }) : undefined;
  if (realtime) {
    realtime.transcription.text = () => caller.text;
    realtime.transcription.delayMs = o.realtime?.transcriptDelayMs ?? 150;
  }
  const env: Record<string, string> = {
    PUBLIC_HOST,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
    ...(o.noOpenAI
      ? {}
      : { OPENAI_API_KEY: 'sk-test-voice', OPENAI_BASE_URL: realtime ? realtime.url : openai.url }),
    ...(o.noGoogle ? {} : { GOOGLE_TTS_ENDPOINT: google.url }),
    LOG_LEVEL: 'debug',
    WEBHOOK_RATE_LIMIT_PER_MIN: '100000',
    ...o.env,
  };
  const t = await startTestCore(env);
  const voice = t.core.services.require(VOICE_SERVICES);
  // Calls get the energy VAD until the Silero model has loaded: tests run on the default, Silero.
  await voice.vads.load();
  const wsUrl = `${t.publicUrl.replace('http', 'ws')}/ws/twilio-media`;
  return {
    t,
    openai,
    google,
    twilio,
    voice,
    realtime,
    wsUrl,
    caller,
    async connect(opts = {}) {
      const { signature, incoming, ...client } = opts;
      return openTwilioStream({
        publicUrl: t.publicUrl,
        publicHost: PUBLIC_HOST,
        authToken: twilio.authToken,
        params: { AccountSid: twilio.accountSid, ...incoming },
        signature,
        client,
      });
    },
    async connectRaw(opts = {}) {
      const { signature: sig, ...client } = opts;
      const signature = sig === undefined ? computeTwilioSignature(twilio.authToken, MEDIA_URL, {}) : sig;
      return MediaStreamClient.connect({
        url: wsUrl,
        headers: signature ? { 'x-twilio-signature': signature } : {},
        ...client,
      });
    },
    async incomingCall(params = {}) {
      const callSid = params.CallSid ?? randomCallSid();
      const res = await postTwilio(
        t.publicUrl,
        '/webhook/incoming_call',
        { ...callParams(0), AccountSid: twilio.accountSid, ...params, CallSid: callSid },
        { token: twilio.authToken, publicHost: PUBLIC_HOST },
      );
      return { status: res.status, text: res.text, callSid, token: streamTokenFrom(res.text) };
    },
    async stop() {
      await voice.registry.settled();
      await t.stop();
      await Promise.all([openai.close(), google.close(), twilio.close(), realtime?.close()]);
    },
  };
}

/** Polls until `pred` holds; fails the test with `what` after `timeoutMs`. */
export async function until(
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 8000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The call's turn rows, in order. */
export const turnRows = (r: VoiceRig, callSid: string) =>
  r.t.core.db
    .select()
    .from(callTurns)
    .where(eq(callTurns.callSid, callSid))
    .all()
    .sort((a, b) => a.turnIndex - b.turnIndex);

export const callRow = (r: VoiceRig, callSid: string) =>
  r.t.core.db.select().from(calls).where(eq(calls.callSid, callSid)).get();
