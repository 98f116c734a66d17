/**
 * One cheap authenticated request per key, each answering ok / why not in the words of
 * `CheckResult.problem`. Key values are never logged and are scrubbed from the service's
 * own words before those are returned.
 */
import type { OpenAIClients } from '../platform/openai';
import type { CheckedKey, CheckResult } from '../api/contract/setup';
import type { TunnelState } from '../api/contract/tunnel';
import { GoogleSynthesizer, resolveGoogleCredentials } from '../agent/google-tts';
import type { Env } from '../platform/config';
import type { SecretsResolver } from '../platform/secrets-resolver';
import { createTwilioClient, resolveTwilioCredentials } from '../platform/twilio-rest';

export interface KeyCheckDeps {
  env: Env;
  openai: OpenAIClients;
  keys: Pick<SecretsResolver, 'get' | 'stored'>;
  tunnelState: () => TunnelState | Promise<TunnelState>;
  now: () => number;
  timeoutMs?: number;
}

type Problem = NonNullable<CheckResult['problem']>;

export const TWILIO_SID_RE = /^AC[0-9a-f]{32}$/i;

/** The service's message without any secret in it, short. */
export function scrub(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('***');
  return out.replace(/\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}/g, '$1***').slice(0, 300);
}

function httpStatus(err: unknown): number | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } } | null;
  const s = e?.status ?? e?.statusCode ?? e?.response?.status;
  return typeof s === 'number' ? s : undefined;
}

function isNetwork(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | null;
  const text = `${String(e?.code ?? '')} ${String(e?.name ?? '')} ${String(e?.message ?? '')} ${String(
    (e?.cause as { code?: unknown } | undefined)?.code ?? '',
  )}`;
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up|timed? ?out|Connection error|APIConnection|fetch failed|UNAVAILABLE/i.test(
    text,
  );
}

export class KeyChecks {
  constructor(private readonly deps: KeyCheckDeps) {}

  private result(problem: Problem | null, detail: string | null = null): CheckResult {
    return { ok: problem === null, problem, detail, checkedAt: this.deps.now() };
  }

  async check(key: CheckedKey): Promise<CheckResult> {
    switch (key) {
      case 'openai':
        return this.openai();
      case 'google':
        return this.google();
      case 'twilio':
        return this.twilio();
      case 'ngrok':
        return this.ngrok();
    }
  }

  /** Is any value entered for this key (Settings or env)? */
  configured(key: CheckedKey): boolean {
    const { env, keys } = this.deps;
    switch (key) {
      case 'openai':
        return !!keys.get('openai_api_key');
      case 'google':
        return (
          !!keys.stored('google_service_account_json') ||
          !!env.GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON ||
          !!env.GOOGLE_TTS_SA_JSON ||
          !!env.GOOGLE_APPLICATION_CREDENTIALS ||
          !!env.GOOGLE_TTS_ENDPOINT
        );
      case 'twilio':
        return !!keys.get('twilio_account_sid') || !!keys.get('twilio_auth_token');
      case 'ngrok':
        return !!keys.get('ngrok_authtoken');
    }
  }

  private async openai(): Promise<CheckResult> {
    const apiKey = this.deps.keys.get('openai_api_key');
    if (!apiKey) return this.result('missing');
    if (!/^sk-[A-Za-z0-9_-]{10,}$/.test(apiKey))
      return this.result('invalid_format', 'an OpenAI key starts with sk-');
    try {
      const client = await this.deps.openai.forKey(apiKey, 'check', { timeoutMs: this.deps.timeoutMs })();
      await client.models.list();
      return this.result(null);
    } catch (err) {
      const status = httpStatus(err);
      const detail = scrub(String((err as Error)?.message ?? err), [apiKey]);
      if (status === 401 || status === 403) return this.result('refused', detail);
      if (status === undefined && isNetwork(err)) return this.result('network', detail);
      return this.result('other', detail);
    }
  }

  private async google(): Promise<CheckResult> {
    const { env, keys } = this.deps;
    const secret = keys.stored('google_service_account_json');
    const creds = resolveGoogleCredentials({
      GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON: env.GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON,
      GOOGLE_TTS_SA_JSON: env.GOOGLE_TTS_SA_JSON,
      GOOGLE_APPLICATION_CREDENTIALS: env.GOOGLE_APPLICATION_CREDENTIALS,
      secret,
    });
    if (secret && creds?.from !== 'settings') {
      return this.result('invalid_format', 'a service-account JSON needs client_email and private_key');
    }
    if (!creds && !env.GOOGLE_TTS_ENDPOINT) {
      const envGiven =
        env.GOOGLE_CLOUD_SERVICE_ACCOUNT_JSON || env.GOOGLE_TTS_SA_JSON || env.GOOGLE_APPLICATION_CREDENTIALS;
      return envGiven
        ? this.result('invalid_format', 'a service-account JSON needs client_email and private_key')
        : this.result('missing');
    }
    const privateKey = creds?.kind === 'service_account' ? creds.account.private_key : undefined;
    const tts = new GoogleSynthesizer({
      credentials: creds,
      endpoint: env.GOOGLE_TTS_ENDPOINT,
      encoding: 'MULAW',
    });
    try {
      await tts.synthesize('שלום', { voice: 'he-IL-Wavenet-A' });
      return this.result(null);
    } catch (err) {
      const e = err as { code?: unknown; status?: unknown; message?: unknown };
      const detail = scrub(String(e?.message ?? err), [privateKey, secret]);
      // gax in REST mode: gRPC codes (7 PERMISSION_DENIED, 16 UNAUTHENTICATED) or the HTTP status.
      if (e?.code === 7 || e?.code === 16 || e?.status === 401 || e?.status === 403) {
        return this.result('refused', detail);
      }
      if (/invalid_grant|invalid_client|unauthorized_client|PEM|DECODER|private key/i.test(detail)) {
        return this.result('refused', detail);
      }
      if (e?.code === 14 || isNetwork(err)) return this.result('network', detail);
      return this.result('other', detail);
    } finally {
      await tts.close();
    }
  }

  private async twilio(): Promise<CheckResult> {
    const creds = resolveTwilioCredentials(this.deps.env, this.deps.keys);
    if (!creds.accountSid || !creds.authToken) return this.result('missing');
    if (!TWILIO_SID_RE.test(creds.accountSid)) {
      return this.result('invalid_format', 'an Account SID is AC followed by 32 hex characters');
    }
    if (creds.authToken.length < 16 || /\s/.test(creds.authToken)) {
      return this.result('invalid_format', 'an auth token is 32 characters');
    }
    try {
      const client = await createTwilioClient(creds, { timeoutMs: this.deps.timeoutMs ?? 8000 });
      if (!client) return this.result('missing');
      await client.api.v2010.accounts(creds.accountSid).fetch();
      return this.result(null);
    } catch (err) {
      const status = httpStatus(err);
      const detail = scrub(String((err as Error)?.message ?? err), [creds.authToken]);
      if (status === 401 || status === 403 || status === 404) return this.result('refused', detail);
      if (status === undefined && isNetwork(err)) return this.result('network', detail);
      if (status === undefined) return this.result('network', detail);
      return this.result('other', detail);
    }
  }

  private async ngrok(): Promise<CheckResult> {
    const s = await this.deps.tunnelState();
    const token = this.deps.keys.get('ngrok_authtoken');
    const detail = s.detail ? scrub(s.detail, [token]) : null;
    if (s.state === 'online') return this.result(null);
    if (!token) return this.result('missing');
    if (s.state === 'off') return this.result('missing', 'the tunnel is turned off');
    if (s.state === 'failed') return this.result(s.error === 'auth' ? 'refused' : 'other', detail ?? s.error);
    return this.result('network', detail ?? s.state);
  }
}
