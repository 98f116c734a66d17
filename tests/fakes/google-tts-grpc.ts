/**
 * A fake of Google Cloud Text-to-Speech v1 `StreamingSynthesize` (bidirectional gRPC) on
 * 127.0.0.1:0, built from the official client's own protos (the wire protocol the SDK speaks in
 * gRPC mode). Like the real service: the first request carries only `streaming_config`, every
 * later one only `input`; only Chirp 3 HD voices stream, `text` only (no SSML), encodings PCM,
 * MULAW, ALAW or OGG_OPUS (this fake renders PCM and MULAW, headerless). Each input is rendered
 * `delayMs` after it arrives (in order, like one synthesis queue) and sent back in 100 ms chunks;
 * (`chunkBytes`; odd sizes split samples, as the network may); the call ends once the client has half-closed and all of it was sent. The audio is the same
 * deterministic tone per text as the REST fake's (renderTone).
 */
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { renderTone } from './google-tts';

export interface StreamingInput {
  text: string;
  at: number;
}

export interface StreamingCall {
  voice: string;
  languageCode: string;
  encoding: string;
  sampleRate: number;
  speakingRate: number;
  inputs: StreamingInput[];
  /** performance.now() of each audio message sent. */
  sentAt: number[];
  halfClosedAt?: number;
  cancelled: boolean;
}

export interface FakeGoogleTtsGrpc {
  /** For GOOGLE_TTS_ENDPOINT: http://127.0.0.1:<port> (plaintext gRPC). */
  url: string;
  calls: StreamingCall[];
  /** Delay from an input's arrival (or the previous input's audio) to its first audio (ms). */
  setDelay(ms: number): void;
  /** Fail the next n calls with this gRPC status at their first input. */
  fail(code: grpc.status, times?: number): void;
  /** The PCM16 8 kHz audio this fake streams for a text. */
  renderPcm(text: string): Buffer;
  close(): Promise<void>;
}

const CHUNK_BYTES_PCM = 1600; // 100 ms of 8 kHz PCM16

interface Req {
  streamingConfig?: {
    voice?: { name?: string; languageCode?: string };
    streamingAudioConfig?: { audioEncoding?: string; sampleRateHertz?: number; speakingRate?: number };
  };
  input?: { text?: string; markup?: string };
}

function ulaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  s += BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  return ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
}

function loadService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const json = require('@google-cloud/text-to-speech/build/protos/protos.json') as Parameters<
    typeof protoLoader.fromJSON
  >[0];
  const def = protoLoader.fromJSON(json, { enums: String, defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    google: { cloud: { texttospeech: { v1: { TextToSpeech: { service: grpc.ServiceDefinition } } } } };
  };
  return pkg.google.cloud.texttospeech.v1.TextToSpeech.service;
}

export async function startFakeGoogleTtsGrpc(
  opts: { delayMs?: number; msPerChar?: number; chunkBytes?: number } = {},
): Promise<FakeGoogleTtsGrpc> {
  const calls: StreamingCall[] = [];
  let delayMs = opts.delayMs ?? 0;
  let failCode: grpc.status = grpc.status.UNAVAILABLE;
  let failTimes = 0;
  const msPerChar = opts.msPerChar ?? 20;
  const renderPcm = (text: string) => renderTone(text, msPerChar);
  const server = new grpc.Server();
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: 'this fake streams only' });

  server.addService(loadService(), {
    ListVoices: unimplemented,
    SynthesizeSpeech: unimplemented,
    StreamingSynthesize: (call: grpc.ServerDuplexStream<Req, { audioContent: Buffer }>) => {
      let rec: StreamingCall | undefined;
      let queue = Promise.resolve();
      let failed = false;
      const fail = (code: grpc.status, details: string) => {
        if (failed) return;
        failed = true;
        call.emit('error', { code, details });
      };
      call.on('cancelled', () => {
        if (rec) rec.cancelled = true;
      });
      call.on('data', (req: Req) => {
        if (failed) return;
        if (!rec) {
          const cfg = req.streamingConfig;
          if (!cfg || req.input)
            return fail(grpc.status.INVALID_ARGUMENT, 'the first request must carry streaming_config only');
          const voice = cfg.voice?.name ?? '';
          const a = cfg.streamingAudioConfig ?? {};
          rec = {
            voice,
            languageCode: cfg.voice?.languageCode ?? '',
            encoding: a.audioEncoding ?? '',
            sampleRate: a.sampleRateHertz ?? 0,
            speakingRate: a.speakingRate ?? 0,
            inputs: [],
            sentAt: [],
            cancelled: false,
          };
          calls.push(rec);
          if (!/-Chirp3-HD-/.test(voice))
            return fail(grpc.status.INVALID_ARGUMENT, `voice ${voice} does not support streaming`);
          if (!['PCM', 'MULAW'].includes(rec.encoding))
            return fail(grpc.status.INVALID_ARGUMENT, `this fake streams PCM or MULAW, not ${rec.encoding}`);
          if (rec.sampleRate !== 8000)
            return fail(grpc.status.INVALID_ARGUMENT, 'this fake renders 8000 Hz only');
          return;
        }
        if (req.streamingConfig || typeof req.input?.text !== 'string')
          return fail(grpc.status.INVALID_ARGUMENT, 'later requests must carry input.text only');
        if (failTimes > 0) {
          failTimes--;
          return fail(failCode, 'scripted failure');
        }
        const text = req.input.text;
        const r = rec;
        r.inputs.push({ text, at: performance.now() });
        const arrived = performance.now();
        queue = queue.then(async () => {
          const wait = Math.max(0, delayMs - (performance.now() - arrived));
          if (wait) await sleep(wait);
          const pcm = renderPcm(text);
          const audio =
            r.encoding === 'PCM'
              ? pcm
              : Buffer.from(Array.from({ length: pcm.length / 2 }, (_, i) => ulaw(pcm.readInt16LE(i * 2))));
          const chunk = opts.chunkBytes ?? CHUNK_BYTES_PCM;
          const step = r.encoding === 'PCM' ? chunk : Math.ceil(chunk / 2);
          for (let i = 0; i < audio.length && !failed && !r.cancelled; i += step) {
            call.write({ audioContent: audio.subarray(i, i + step) });
            r.sentAt.push(performance.now());
          }
        });
      });
      call.on('end', () => {
        if (rec) rec.halfClosedAt = performance.now();
        void queue.then(() => {
          if (!failed) call.end();
        });
      });
    },
  });

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setDelay: (ms) => void (delayMs = ms),
    fail: (code, times = Infinity) => {
      failCode = code;
      failTimes = times;
    },
    renderPcm,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.forceShutdown();
    },
  };
}
