import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { TextToSpeechClient } from '@google-cloud/text-to-speech';
import { toPhoneMulaw } from '../audio/convert';
import { mulawEncode } from '../audio/mulaw';
import { pcm16FromBuffer } from '../audio/pcm';
import type { SynthesisStream, Synthesizer } from './ports';

/** Voices Google synthesizes over StreamingSynthesize (Chirp 3 HD); Wavenet, Standard and Neural2 do not. */
export const streamsVoice = (voice: string): boolean => /-Chirp3-HD-/i.test(voice);
/** Voices that take SSML: Wavenet, Standard, Neural2, Studio… — not Chirp (3) HD. */
export const ssmlVoice = (voice: string): boolean => !/-Chirp3?-HD-/i.test(voice);

export interface ServiceAccount {
  client_email: string;
  private_key: string;
  project_id?: string;
}

export type GoogleCredentialSource =
  | { kind: 'service_account'; from: string; account: ServiceAccount }
  | { kind: 'key_file'; from: string; path: string };

function parseServiceAccount(text: string): ServiceAccount | undefined {
  const attempt = (s: string): ServiceAccount | undefined => {
    try {
      const v = JSON.parse(s) as Partial<ServiceAccount>;
      return typeof v.client_email === 'string' && typeof v.private_key === 'string'
        ? (v as ServiceAccount)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return trimmed.startsWith('{')
    ? attempt(trimmed)
    : attempt(Buffer.from(trimmed, 'base64').toString('utf8'));
}

/**
 * Google credentials, in the documented order: the service account pasted in Settings (it
 * overrides the environment, like every secret), then GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON (raw
 * or base64), GOOGLE_TTS_SA_JSON, GOOGLE_APPLICATION_CREDENTIALS (a path).
 */
export function resolveGoogleCredentials(src: {
  GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON?: string;
  GOOGLE_TTS_SA_JSON?: string;
  GOOGLE_APPLICATION_CREDENTIALS?: string;
  secret?: string;
}): GoogleCredentialSource | undefined {
  const stored = src.secret ? parseServiceAccount(src.secret) : undefined;
  if (stored) return { kind: 'service_account', from: 'settings', account: stored };
  for (const key of ['GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON', 'GOOGLE_TTS_SA_JSON'] as const) {
    const account = src[key] ? parseServiceAccount(src[key]) : undefined;
    if (account) return { kind: 'service_account', from: key, account };
  }
  if (src.GOOGLE_APPLICATION_CREDENTIALS) {
    try {
      readFileSync(src.GOOGLE_APPLICATION_CREDENTIALS);
      return {
        kind: 'key_file',
        from: 'GOOGLE_APPLICATION_CREDENTIALS',
        path: src.GOOGLE_APPLICATION_CREDENTIALS,
      };
    } catch {
      /* unreadable path: no credentials from it */
    }
  }
  return undefined;
}

export interface GoogleTtsOptions {
  credentials?: GoogleCredentialSource;
  /** A custom endpoint (tests, private service connect), e.g. http://127.0.0.1:4010. */
  endpoint?: string;
  /** A custom endpoint for gRPC streaming synthesis (default: `endpoint`); http: is plaintext. */
  streamEndpoint?: string;
  encoding: 'LINEAR16' | 'MULAW';
  speakingRate?: number;
}

/**
 * Google Cloud Text-to-Speech v1 through the official client. One request per sentence in REST
 * ("fallback") mode for every voice (both LINEAR16 and MULAW answers are WAV files; toPhoneMulaw
 * strips the header); and for Chirp 3 HD voices one bidirectional gRPC StreamingSynthesize call
 * per utterance (stream()): pieces in as the answer is cut, headerless PCM chunks out, turned into
 * μ-law as they arrive.
 */
export class GoogleSynthesizer implements Synthesizer {
  readonly name = 'google';
  private client: Promise<TextToSpeechClient> | undefined;
  private grpcClient: Promise<TextToSpeechClient> | undefined;

  constructor(private readonly opts: GoogleTtsOptions) {}

  /** The SDK is large: it is loaded on first use (or by warmUp), not at start-up. */
  private getClient(): Promise<TextToSpeechClient> {
    return (this.client ??= this.makeClient(false));
  }

  private getGrpcClient(): Promise<TextToSpeechClient> {
    return (this.grpcClient ??= this.makeClient(true));
  }

  warmUp(voice?: string): void {
    void this.getClient().catch(() => undefined);
    if (voice && streamsVoice(voice)) void this.getGrpcClient().catch(() => undefined);
  }

  private async makeClient(grpcMode: boolean): Promise<TextToSpeechClient> {
    const [{ TextToSpeechClient }, { PassThroughClient }] = await Promise.all([
      import('@google-cloud/text-to-speech'),
      import('google-auth-library'),
    ]);
    const opts = this.opts;
    const base: ConstructorParameters<typeof TextToSpeechClient>[0] = { fallback: !grpcMode };
    const endpoint = grpcMode ? (opts.streamEndpoint ?? opts.endpoint) : opts.endpoint;
    if (endpoint) {
      const u = new URL(endpoint);
      Object.assign(base!, {
        apiEndpoint: u.hostname,
        port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)),
        protocol: u.protocol.replace(':', ''),
      });
      // Plaintext gRPC to a local emulator or test fake (http:), no auth.
      if (grpcMode && u.protocol === 'http:') {
        const grpc = await import('@grpc/grpc-js');
        Object.assign(base!, { sslCreds: grpc.credentials.createInsecure() });
      }
    }
    const c = opts.credentials;
    if (c?.kind === 'service_account') {
      Object.assign(base!, {
        credentials: { client_email: c.account.client_email, private_key: c.account.private_key },
        projectId: c.account.project_id,
      });
    } else if (c?.kind === 'key_file') {
      Object.assign(base!, { keyFilename: c.path });
    } else {
      // A custom endpoint without credentials (a local emulator or test fake): no auth header.
      Object.assign(base!, { authClient: new PassThroughClient() });
    }
    return new TextToSpeechClient(base);
  }

  acceptsSsml(voice: string): boolean {
    return ssmlVoice(voice);
  }

  async synthesize(
    text: string,
    opts: { voice: string; signal?: AbortSignal; ssml?: string },
  ): Promise<Buffer> {
    const languageCode = opts.voice.split('-').slice(0, 2).join('-') || 'he-IL';
    const client = await this.getClient();
    const request = () =>
      abortable(
        client.synthesizeSpeech(
          {
            input: opts.ssml && ssmlVoice(opts.voice) ? { ssml: opts.ssml } : { text },
            voice: { languageCode, name: opts.voice },
            audioConfig: {
              audioEncoding: this.opts.encoding,
              sampleRateHertz: 8000,
              speakingRate: this.opts.speakingRate ?? 1.05,
            },
          },
          { timeout: 8000, maxRetries: 0 },
        ),
        opts.signal,
      );
    let res;
    try {
      [res] = await request();
    } catch (err) {
      // A kept-alive connection the server had just closed: the request never reached it, send it once more.
      if (opts.signal?.aborted || !isConnectionReset(err)) throw err;
      [res] = await request();
    }
    const audio = res.audioContent;
    if (!audio || audio.length === 0) throw new Error('google tts returned no audio');
    const bytes = typeof audio === 'string' ? Buffer.from(audio, 'base64') : Buffer.from(audio);
    return toPhoneMulaw(bytes, {
      encoding: this.opts.encoding === 'MULAW' ? 'mulaw' : 'pcm16',
      sampleRate: 8000,
    });
  }

  streamsVoice(voice: string): boolean {
    return streamsVoice(voice);
  }

  /** A StreamingSynthesize session for a Chirp 3 HD voice; undefined for other voices. */
  stream(opts: { voice: string; signal?: AbortSignal }): SynthesisStream | undefined {
    if (!streamsVoice(opts.voice)) return undefined;
    const languageCode = opts.voice.split('-').slice(0, 2).join('-') || 'he-IL';
    const out = new Readable({ objectMode: true, read() {} });
    out.on('error', () => undefined); // a reader gets it from the iterator; no reader is no crash
    const pending: Array<{ input: { text: string } }> = [];
    let ended = false;
    let call: ReturnType<TextToSpeechClient['streamingSynthesize']> | undefined;
    let carry: Buffer | undefined; // an odd byte split from its sample by chunking
    const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
    const onAbort = () => {
      call?.cancel();
      out.destroy(abortError());
    };
    if (opts.signal?.aborted) out.destroy(abortError());
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => opts.signal?.removeEventListener('abort', onAbort);
    this.getGrpcClient().then(
      (client) => {
        if (out.destroyed) return;
        call = client.streamingSynthesize({ maxRetries: 0 });
        call.on('data', (r: { audioContent?: Uint8Array | string | null }) => {
          const a = r.audioContent;
          if (!a || a.length === 0) return;
          let bytes = typeof a === 'string' ? Buffer.from(a, 'base64') : Buffer.from(a);
          if (carry) bytes = Buffer.concat([carry, bytes]);
          carry = bytes.length % 2 ? bytes.subarray(bytes.length - 1) : undefined;
          const samples = pcm16FromBuffer(bytes);
          if (samples.length) out.push(mulawEncode(samples));
        });
        call.on('error', (err: Error) => {
          done();
          out.destroy(opts.signal?.aborted ? abortError() : err);
        });
        call.on('end', () => {
          done();
          out.push(null);
        });
        call.write({
          streamingConfig: {
            voice: { languageCode, name: opts.voice },
            streamingAudioConfig: {
              audioEncoding: 'PCM',
              sampleRateHertz: 8000,
              speakingRate: this.opts.speakingRate ?? 1.05,
            },
          },
        });
        for (const req of pending.splice(0)) call.write(req);
        if (ended) call.end();
      },
      (err: unknown) => {
        done();
        out.destroy(err instanceof Error ? err : new Error(String(err)));
      },
    );
    return {
      push: (text) => {
        if (ended || !text.trim()) return;
        const req = { input: { text } };
        if (call) call.write(req);
        else pending.push(req);
      },
      end: () => {
        if (ended) return;
        ended = true;
        call?.end();
      },
      cancel: () => {
        done();
        call?.cancel();
        out.destroy(new Error('streaming synthesis given up'));
      },
      audio: out,
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.client, this.grpcClient].map(async (c) => {
        if (c) await (await c.catch(() => undefined))?.close().catch(() => undefined);
      }),
    );
  }
}

function isConnectionReset(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === 'ECONNRESET' ||
    e?.code === 'EPIPE' ||
    /socket hang up|ECONNRESET/i.test(String(e?.message ?? ''))
  );
}

/** The gax promise has a cancel(); abort rejects at once either way. */
function abortable<T>(p: Promise<T> & { cancel?: () => void }, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.cancel?.();
    p.catch(() => undefined);
    return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.cancel?.();
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
