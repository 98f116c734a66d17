import type { Twilio } from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { Env } from '../platform/config';
import type { SecretsStore } from '../platform/secrets';

export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

export interface TwilioCredentials {
  accountSid: string | undefined;
  authToken: string | undefined;
  /** TWILIO_API_BASE_URL, or https://api.twilio.com. */
  apiBaseUrl: string;
}

/** Env wins over the keys the owner stored in Settings (tests and headless servers set env). */
export function resolveTwilioCredentials(
  env: Pick<Env, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_API_BASE_URL'>,
  secrets: Pick<SecretsStore, 'get'>,
): TwilioCredentials {
  return {
    accountSid: env.TWILIO_ACCOUNT_SID || safeGet(secrets, 'twilio_account_sid'),
    authToken: env.TWILIO_AUTH_TOKEN || safeGet(secrets, 'twilio_auth_token'),
    apiBaseUrl: (env.TWILIO_API_BASE_URL ?? TWILIO_API_ORIGIN).replace(/\/+$/, ''),
  };
}

function safeGet(
  secrets: Pick<SecretsStore, 'get'>,
  name: 'twilio_account_sid' | 'twilio_auth_token',
): string | undefined {
  try {
    return secrets.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A Twilio REST client for the account; null when the SID or token is missing. With a
 * non-default base URL every request goes there instead of api.twilio.com (a local fake in
 * tests, a proxy): the SDK's own RequestClient re-pointed, paths, auth and form encoding untouched.
 * The SDK is loaded on first use, not at start-up.
 */
export async function createTwilioClient(
  creds: TwilioCredentials,
  opts: { timeoutMs?: number } = {},
): Promise<Twilio | null> {
  if (!creds.accountSid || !creds.authToken) return null;
  const { default: twilio } = await import('twilio');
  const timeout = opts.timeoutMs ?? 10_000;
  if (creds.apiBaseUrl === TWILIO_API_ORIGIN) return twilio(creds.accountSid, creds.authToken, { timeout });
  const base = new URL(creds.apiBaseUrl);
  class RebasedRequestClient extends twilio.RequestClient {
    override request<TData>(o: RequestClient.RequestOptions<TData>) {
      const uri = new URL(o.uri);
      if (uri.hostname.endsWith('.twilio.com')) {
        uri.protocol = base.protocol;
        uri.host = base.host;
        const prefix = base.pathname.replace(/\/+$/, '');
        if (prefix) uri.pathname = `${prefix}${uri.pathname}`;
      }
      return super.request<TData>({ ...o, uri: uri.toString() });
    }
  }
  return twilio(creds.accountSid, creds.authToken, {
    timeout,
    httpClient: new RebasedRequestClient({ timeout }),
  });
}

/**
 * May a recording be fetched from this URL with the account's credentials? Only from
 * Twilio's own API hosts or the configured API base — never wherever a form field points.
 */
export function isAllowedRecordingUrl(url: string, apiBaseUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  const base = new URL(apiBaseUrl);
  if (u.origin === base.origin) return true;
  return (
    u.protocol === 'https:' &&
    (u.hostname === 'api.twilio.com' || /^api\.[a-z0-9-]+(\.[a-z0-9-]+)?\.twilio\.com$/.test(u.hostname))
  );
}
