import type { Twilio } from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { Env } from './config';
import type { SecretsResolver } from './secrets-resolver';

export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

export interface TwilioCredentials {
  accountSid: string | undefined;
  authToken: string | undefined;
  /** TWILIO_API_BASE_URL, or https://api.twilio.com. */
  apiBaseUrl: string;
}

/** The account's credentials as they are now: Settings over env (one resolver for every secret). */
export function resolveTwilioCredentials(
  env: Pick<Env, 'TWILIO_API_BASE_URL'>,
  secrets: Pick<SecretsResolver, 'get'>,
): TwilioCredentials {
  return {
    accountSid: secrets.get('twilio_account_sid'),
    authToken: secrets.get('twilio_auth_token'),
    apiBaseUrl: (env.TWILIO_API_BASE_URL ?? TWILIO_API_ORIGIN).replace(/\/+$/, ''),
  };
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
