/**
 * Call audio between the core and the app (not request/response methods, so not in the method
 * table): a test call with the computer's microphone and speakers, and listen-in on a live call.
 * Browser mode carries them over WebSockets on the local 127.0.0.1 server (`?token=` as for
 * /api/events, never the public server); Electron over a MessagePort from the main process.
 *
 * Test call — a Twilio-Media-Streams-like JSON protocol, so the session code is the same as for
 * a phone call. Audio is G.711 μ-law, 8 kHz mono, 20 ms (160 bytes) per frame, base64.
 *   app → core: {event:"start"} once the microphone runs; {event:"media", media:{payload}};
 *               {event:"mark", mark:{name}} echoed when the audio before it has played;
 *               {event:"stop"} to hang up.
 *   core → app: {event:"started", callSid, callId}; {event:"media", media:{payload}};
 *               {event:"mark", mark:{name}}; {event:"clear"} (drop queued audio now);
 *               {event:"ended", reason}.
 * Listen-in — core → app only:
 *   {event:"start", callSid, test}; {event:"media", track:"inbound"|"outbound", payload};
 *   {event:"clear", track:"outbound"}; {event:"stop", reason}.
 */
import { z } from 'zod';

export const TEST_CALL_PATH = '/api/test-call';
export const LISTEN_PATH_PREFIX = '/api/listen/';
export const AUDIO_SAMPLE_RATE = 8000;
export const AUDIO_FRAME_BYTES = 160;
export const AUDIO_FRAME_MS = 20;

export const listenTrackSchema = z.enum(['inbound', 'outbound']);
export type ListenTrack = z.infer<typeof listenTrackSchema>;

/** What the core sends on a test-call link. */
export const testCallServerMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('started'), callSid: z.string(), callId: z.number().int().nullable() }),
  z.object({ event: z.literal('media'), media: z.object({ payload: z.string() }) }).loose(),
  z.object({ event: z.literal('mark'), mark: z.object({ name: z.string() }) }).loose(),
  z.object({ event: z.literal('clear') }).loose(),
  z.object({ event: z.literal('ended'), reason: z.string() }),
]);
export type TestCallServerMessage = z.infer<typeof testCallServerMessageSchema>;

/** What the core sends on a listen-in link. */
export const listenServerMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('start'), callSid: z.string(), test: z.boolean() }),
  z.object({ event: z.literal('media'), track: listenTrackSchema, payload: z.string() }),
  z.object({ event: z.literal('clear'), track: listenTrackSchema }),
  z.object({ event: z.literal('stop'), reason: z.string() }),
]);
export type ListenServerMessage = z.infer<typeof listenServerMessageSchema>;

/** Why a test call or listen-in ended (shown to the owner). */
export const audioEndReasons = [
  'hangup',
  'transfer',
  'ended',
  'not_found',
  'busy',
  'idle_timeout',
  'unavailable',
  /** A test call refused before it started: no OpenAI key. */
  'no_openai_key',
] as const;

/**
 * Under Electron the preload exposes `window.agentlocatorAudio`: `open(path)` returns an id,
 * and the main process answers with a MessagePort posted to the window as
 * `{ [AUDIO_PORT_MESSAGE]: id }` (the same messages as the WebSockets carry).
 */
export interface AppAudioBridge {
  open(path: string): string;
}
export const AUDIO_PORT_MESSAGE = 'agentlocatorAudioPort';
export const IPC_AUDIO_OPEN = 'agentlocator:audio-open';
export const IPC_AUDIO_PORT = 'agentlocator:audio-port';
