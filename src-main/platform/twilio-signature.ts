import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks.js';

export interface VerifyTwilioSignatureInput {
  /** The account's auth token; missing → the request cannot be trusted. */
  authToken: string | undefined;
  /** The public host Twilio calls (PUBLIC_HOST), with or without `https://`. */
  publicHost: string | undefined;
  /** Path and query exactly as requested, e.g. `/webhook/incoming_call` or `/ws/twilio-media`. */
  path: string;
  /** Form parameters of the POST ({} for a GET or a WebSocket upgrade). */
  params: Record<string, unknown>;
  /** The X-Twilio-Signature header. */
  signature: string | string[] | undefined;
  /** TWILIO_SKIP_SIGNATURE_VALIDATION — only when explicitly configured. */
  skip?: boolean;
  /** `https` for webhooks, `wss` for the media WebSocket. */
  scheme?: 'https' | 'wss';
}

export type SignatureCheck =
  | { ok: true; skipped: boolean; url: string }
  | {
      ok: false;
      reason: 'missing_signature' | 'invalid_signature' | 'no_auth_token' | 'no_public_host';
      url: string;
    };

/** `example.ngrok.app`, `https://example.ngrok.app/` → `example.ngrok.app`. */
export function normalizePublicHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '');
  return h || undefined;
}

/**
 * Checks X-Twilio-Signature with the twilio library against the URL Twilio called:
 * `https://PUBLIC_HOST + path` (never the local address the tunnel forwarded to).
 * Shared by the voice webhooks, the WhatsApp webhooks and the media WebSocket upgrade.
 */
export function verifyTwilioSignature(input: VerifyTwilioSignatureInput): SignatureCheck {
  const host = normalizePublicHost(input.publicHost);
  const path = input.path.startsWith('/') ? input.path : `/${input.path}`;
  const url = host ? `${input.scheme ?? 'https'}://${host}${path}` : path;
  if (input.skip === true) return { ok: true, skipped: true, url };
  if (!host) return { ok: false, reason: 'no_public_host', url };
  if (!input.authToken) return { ok: false, reason: 'no_auth_token', url };
  const header = Array.isArray(input.signature) ? input.signature[0] : input.signature;
  if (!header) return { ok: false, reason: 'missing_signature', url };
  if (header.length > 200) return { ok: false, reason: 'invalid_signature', url };
  const params = stringParams(input.params);
  let valid: boolean;
  try {
    valid = validateRequest(input.authToken, header, url, params);
  } catch {
    valid = false;
  }
  return valid ? { ok: true, skipped: false, url } : { ok: false, reason: 'invalid_signature', url };
}

/** Twilio signs string values; a repeated form key arrives as an array and is signed per value. */
function stringParams(params: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (Array.isArray(v)) out[k] = v.map((x) => String(x));
    else if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

/** The signature Twilio would send for these params (tests, the doctor's self-check). */
export function computeTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  return getExpectedTwilioSignature(authToken, url, params);
}
