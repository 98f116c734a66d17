import { readFileSync } from 'node:fs';
import type { TextToSpeechClient } from '@google-cloud/text-to-speech';
import { toPhoneMulaw } from '../audio/convert';
import type { Synthesizer } from './ports';

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
  encoding: 'LINEAR16' | 'MULAW';
  speakingRate?: number;
}

/**
 * Google Cloud Text-to-Speech v1 through the official client in REST ("fallback") mode, one
 * request per sentence (Wavenet has no streaming synthesis). Both LINEAR16 and MULAW answers
 * are WAV files; toPhoneMulaw strips the header.
 */
export class GoogleSynthesizer implements Synthesizer {
  readonly name = 'google';
  private client: Promise<TextToSpeechClient> | undefined;

  constructor(private readonly opts: GoogleTtsOptions) {}

  /** The SDK is large: it is loaded on first use (or by warmUp), not at start-up. */
  private getClient(): Promise<TextToSpeechClient> {
    return (this.client ??= this.makeClient());
  }

  warmUp(): void {
    void this.getClient().catch(() => undefined);
  }

  private async makeClient(): Promise<TextToSpeechClient> {
    const [{ TextToSpeechClient }, { PassThroughClient }] = await Promise.all([
      import('@google-cloud/text-to-speech'),
      import('google-auth-library'),
    ]);
    const opts = this.opts;
    const base: ConstructorParameters<typeof TextToSpeechClient>[0] = { fallback: true };
    if (opts.endpoint) {
      const u = new URL(opts.endpoint);
      Object.assign(base!, {
        apiEndpoint: u.hostname,
        port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)),
        protocol: u.protocol.replace(':', ''),
      });
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

  async synthesize(text: string, opts: { voice: string; signal?: AbortSignal }): Promise<Buffer> {
    const languageCode = opts.voice.split('-').slice(0, 2).join('-') || 'he-IL';
    const client = await this.getClient();
    const request = () =>
      abortable(
        client.synthesizeSpeech(
          {
            input: { text },
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

  async close(): Promise<void> {
    if (!this.client) return;
    await (await this.client.catch(() => undefined))?.close().catch(() => undefined);
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
