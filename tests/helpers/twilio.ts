import { createHmac } from 'node:crypto';

export const PUBLIC_HOST = 'agent.example.test';
export const AUTH_TOKEN = 'fake-twilio-auth-token';
export const ACCOUNT_SID = 'AC' + 'f'.repeat(32);

/** The signature Twilio sends: base64 HMAC-SHA1 of the full URL + each sorted key and value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export const callSid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
export const recordingSid = (n: number) => `RE${n.toString(16).padStart(32, '0')}`;

export interface PostOptions {
  /** Sign with this token (default AUTH_TOKEN); null = no signature header. */
  token?: string | null;
  /** Override the signature header entirely. */
  signature?: string;
  publicHost?: string;
}

/** POSTs a form the way Twilio does, signed against https://PUBLIC_HOST + path. */
export async function postTwilio(
  publicUrl: string,
  path: string,
  params: Record<string, string>,
  o: PostOptions = {},
) {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  };
  const token = o.token === undefined ? AUTH_TOKEN : o.token;
  if (o.signature !== undefined) headers['x-twilio-signature'] = o.signature;
  else if (token)
    headers['x-twilio-signature'] = twilioSignature(
      token,
      `https://${o.publicHost ?? PUBLIC_HOST}${path}`,
      params,
    );
  const started = performance.now();
  const res = await fetch(`${publicUrl}${path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    type: res.headers.get('content-type') ?? '',
    ms: performance.now() - started,
  };
}

export function callParams(n: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    CallSid: callSid(n),
    From: '+972501234567',
    To: '+97233760000',
    Direction: 'inbound',
    CallStatus: 'ringing',
    ApiVersion: '2010-04-01',
    ...extra,
  };
}
