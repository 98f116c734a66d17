import { createHmac, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { MediaStreamClient, type MediaStreamClientOptions } from '../fakes/media-stream-client';

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

/** A real-shaped random CallSid (`CA` + 32 hex digits). */
export function randomCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

/** The single-use stream token incoming_call put in `<Stream><Parameter name="stream_token">`. */
export function streamTokenFrom(twiml: string): string | undefined {
  return /<Parameter name="stream_token" value="([^"]+)"\/>/.exec(twiml)?.[1];
}

export interface TwilioStreamOptions {
  /** The core's public server, http://127.0.0.1:PORT. */
  publicUrl: string;
  publicHost?: string;
  authToken?: string;
  /** Form fields of the incoming_call webhook (CallSid, From …) over callParams' defaults. */
  params?: Record<string, string>;
  /** Leave out the upgrade signature (null) or send this one instead. */
  signature?: string | null;
  client?: Partial<MediaStreamClientOptions>;
}

/**
 * A phone call as Twilio places it: the signed incoming_call webhook, then the media stream
 * (upgrade signed over the wss:// URL) whose `start` carries the call's stream token from the
 * TwiML. The client is connected, not started: call `start()`.
 */
export async function openTwilioStream(o: TwilioStreamOptions): Promise<MediaStreamClient> {
  const host = o.publicHost ?? PUBLIC_HOST;
  const token = o.authToken ?? AUTH_TOKEN;
  const sid = o.params?.CallSid ?? o.client?.callSid ?? randomCallSid();
  const params = { ...callParams(0), CallStatus: 'ringing', ...o.params, CallSid: sid };
  const res = await postTwilio(o.publicUrl, '/webhook/incoming_call', params, { token, publicHost: host });
  const streamToken = streamTokenFrom(res.text);
  if (res.status !== 200 || !streamToken)
    throw new Error(`incoming_call gave no stream: ${res.status} ${res.text.slice(0, 200)}`);
  const signature =
    o.signature === undefined ? twilioSignature(token, `wss://${host}/ws/twilio-media`, {}) : o.signature;
  return MediaStreamClient.connect({
    url: `${o.publicUrl.replace(/^http/, 'ws')}/ws/twilio-media`,
    headers: signature ? { 'x-twilio-signature': signature } : {},
    ...o.client,
    callSid: sid,
    customParameters: { stream_token: streamToken, ...o.client?.customParameters },
  });
}

/** Opens the media WebSocket with its upgrade signed for `host`; resolves to the upgrade's HTTP status. */
export function mediaUpgradeStatus(
  publicUrl: string,
  host = PUBLIC_HOST,
  authToken = AUTH_TOKEN,
): Promise<number> {
  const signature = twilioSignature(authToken, `wss://${host}/ws/twilio-media`, {});
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${publicUrl.replace(/^http/, 'ws')}/ws/twilio-media`, {
      headers: { 'x-twilio-signature': signature },
    });
    ws.on('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    ws.on('error', reject);
  });
}
