/**
 * The one place OpenAI clients are made: the key from the one secrets lookup (Settings, else
 * OPENAI_API_KEY — read at the moment of use, so a rotated key applies to the next request),
 * OPENAI_BASE_URL (tests point it at a fake on 127.0.0.1), and a timeout and retry policy per use.
 * The SDK itself is loaded on a client's first request (fast start-up).
 */
import type OpenAI from 'openai';
import type { SecretsResolver } from './secrets-resolver';

/** An OpenAI client made on first use: the SDK is not loaded until a call needs it. */
export type OpenAIHandle = () => Promise<OpenAI>;

/** What a client is for; each use has its own timeout. Retries: none (the callers own them). */
export type OpenAIUse = 'chat' | 'speech' | 'realtime' | 'transcription' | 'recording' | 'check';

const TIMEOUT_MS: Record<OpenAIUse, number> = {
  chat: 15_000,
  speech: 10_000,
  realtime: 15_000,
  transcription: 15_000,
  // A voice message's transcription job (the job runner retries with backoff).
  recording: 30_000,
  // One cheap `GET /models` to see whether a key is accepted.
  check: 8_000,
};

export interface OpenAIClientOptions {
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
}

function makeClient(o: OpenAIClientOptions): OpenAIHandle {
  let client: Promise<OpenAI> | undefined;
  return () =>
    (client ??= import('openai').then(
      ({ default: OpenAISdk }) =>
        new OpenAISdk({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: 0 }),
      (err: unknown) => {
        client = undefined;
        throw err;
      },
    ));
}

export class OpenAIClients {
  private readonly made = new Map<string, OpenAIHandle>();

  constructor(private readonly deps: { keys: Pick<SecretsResolver, 'get'>; baseURL?: string }) {}

  /** The configured key, or undefined (never logged). */
  key(): string | undefined {
    return this.deps.keys.get('openai_api_key') || undefined;
  }

  /**
   * Changes whenever the key or the endpoint does: callers that keep adapters built on a client
   * rebuild them when it changes. null without a key.
   */
  identity(): string | null {
    const key = this.key();
    return key ? `${key}|${this.deps.baseURL ?? ''}` : null;
  }

  /** The client for this use with the configured key (one per key and use), or null without one. */
  client(use: OpenAIUse, o?: { timeoutMs?: number }): OpenAIHandle | null {
    const key = this.key();
    return key ? this.forKey(key, use, o) : null;
  }

  /** A client for a given key (the key being checked). */
  forKey(apiKey: string, use: OpenAIUse, o?: { timeoutMs?: number }): OpenAIHandle {
    const timeoutMs = o?.timeoutMs ?? TIMEOUT_MS[use];
    const id = `${apiKey}|${this.deps.baseURL ?? ''}|${timeoutMs}`;
    let c = this.made.get(id);
    if (!c) {
      // Keys are few (a rotation adds one); drop the old ones so a rotated key is not kept.
      for (const k of this.made.keys()) if (!k.startsWith(`${apiKey}|`)) this.made.delete(k);
      c = makeClient({ apiKey, baseURL: this.deps.baseURL, timeoutMs });
      this.made.set(id, c);
    }
    return c;
  }
}

/** A client outside the app's key lookup (tests, benchmarks). */
export const openAIClient = (o: OpenAIClientOptions): OpenAIHandle => makeClient(o);
