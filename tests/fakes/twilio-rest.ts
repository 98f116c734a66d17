/**
 * A fake of Twilio's REST API on 127.0.0.1:0, reached by the twilio SDK through
 * TWILIO_API_BASE_URL: call updates/creates (`/2010-04-01/Accounts/{sid}/Calls…`) are
 * recorded; recordings are served as WAV at `/2010-04-01/Accounts/{sid}/Recordings/{sid}.wav`
 * with HTTP basic auth and programmable failures. The account's incoming phone numbers
 * (`/IncomingPhoneNumbers.json`, list / fetch / update) and the account itself
 * (`/Accounts/{sid}.json`) answer as Twilio's do, so number set-up and key checks run for real.
 * WhatsApp: the Messages API (`/Messages.json` create and list, newest first, To/From filters),
 * inbound media at `/Messages/{MM…}/Media/{ME…}` (basic auth) and Content templates
 * (`content.twilio.com/v1/ContentAndApprovals`), with programmable send failures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLoopback, readBody, sendJson } from './http';

export interface CallUpdate {
  callSid: string;
  params: Record<string, string>;
  at: number;
}

export interface RecordingFailure {
  /** Fail this many times, then serve the file; 'always' never serves it. */
  times: number | 'always';
  /** Status of a failed answer (default 500); 0 = drop the connection. */
  status?: number;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

export interface FakeTwilio {
  /** Base URL for TWILIO_API_BASE_URL. */
  url: string;
  accountSid: string;
  authToken: string;
  callUpdates: CallUpdate[];
  callCreates: Array<{ sid: string; params: Record<string, string>; at: number }>;
  /** Every request: method, path, whether auth was right, status answered. */
  requests: Array<{ method: string; path: string; authorized: boolean; status: number }>;
  /** The RecordingUrl Twilio would send (no extension). */
  recordingUrl(recordingSid: string): string;
  addRecording(recordingSid: string, wav: Buffer): void;
  failRecording(recordingSid: string, failure: RecordingFailure): void;
  recordingHits(recordingSid: string): number;
  /** Calls that answer 404 / code 20404 on update (e.g. already ended). */
  markCallMissing(callSid: string): void;
  /** Delay before every answer. */
  setDelay(ms: number): void;
  /** The account's incoming numbers (state as Twilio keeps it; updates change it). */
  numbers: IncomingNumber[];
  addNumber(phoneNumber: string, fields?: Partial<IncomingNumber>): IncomingNumber;
  /** Every POST to an incoming number: which number, the form fields sent. */
  numberUpdates: Array<{ sid: string; params: Record<string, string>; at: number }>;
  /** Messages created through the Messages API (WhatsApp sends), oldest first. */
  messages: FakeMessage[];
  /** Decide per create: undefined = accept; a failure = answer it (the message is not created). */
  failMessages(fn: ((params: Record<string, string>) => MessageFailure | undefined) | null): void;
  /** Inbound media Twilio would host; returns its MediaUrl. */
  addMedia(messageSid: string, contentType: string, bytes: Buffer): string;
  mediaHits: number;
  /** Content templates (ContentAndApprovals). */
  templates: FakeTemplate[];
  close(): Promise<void>;
}

export interface FakeMessage {
  sid: string;
  params: Record<string, string>;
  /** All MediaUrl values (repeated form key). */
  mediaUrls: string[];
  at: number;
}

export interface MessageFailure {
  status: number;
  code: number;
  message?: string;
  /** Create the message, then fail the answer (the client cannot tell it was accepted). */
  acceptThenFail?: boolean;
  /** Accept the message and never answer. */
  hang?: boolean;
}

export interface FakeTemplate {
  sid: string;
  friendly_name: string;
  language: string;
  body: string;
  variables: Record<string, string>;
  status: 'approved' | 'pending' | 'rejected' | 'unsubmitted';
}

export interface IncomingNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
  voice_url: string;
  voice_method: string;
  status_callback: string;
  status_callback_method: string;
  sms_url: string;
  sms_method: string;
}

/** Form field of an update → the resource's field, as Twilio maps them. */
const NUMBER_FIELDS: Record<string, keyof IncomingNumber> = {
  VoiceUrl: 'voice_url',
  VoiceMethod: 'voice_method',
  StatusCallback: 'status_callback',
  StatusCallbackMethod: 'status_callback_method',
  SmsUrl: 'sms_url',
  SmsMethod: 'sms_method',
  FriendlyName: 'friendly_name',
};

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
}

const CALL_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Calls\/([A-Za-z0-9]+)\.json$/;
const CALLS_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Calls\.json$/;
const NUMBERS_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/IncomingPhoneNumbers\.json$/;
const NUMBER_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\.json$/;
const RECORDING_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Recordings\/([A-Za-z0-9]+)\.wav$/;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Messages\.json$/;
const MEDIA_PATH =
  /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Messages\/([A-Za-z0-9]+)\/Media\/([A-Za-z0-9]+)$/;

export async function startFakeTwilio(opts: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = opts.accountSid ?? 'AC' + 'f'.repeat(32);
  const authToken = opts.authToken ?? 'fake-twilio-auth-token';
  const recordings = new Map<string, Buffer>();
  const failures = new Map<string, RecordingFailure & { failed: number }>();
  const hits = new Map<string, number>();
  const missing = new Set<string>();
  const callUpdates: CallUpdate[] = [];
  const callCreates: FakeTwilio['callCreates'] = [];
  const requests: FakeTwilio['requests'] = [];
  const hanging = new Set<ServerResponse>();
  let delayMs = 0;
  let seq = 0;
  const numbers: IncomingNumber[] = [];
  const numberUpdates: FakeTwilio['numberUpdates'] = [];
  const messages: FakeMessage[] = [];
  let messageFailure: ((params: Record<string, string>) => MessageFailure | undefined) | null = null;
  const media = new Map<string, { contentType: string; bytes: Buffer }>();
  let mediaHits = 0;
  const templates: FakeTemplate[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { code: 20500, message: 'fake failure', status: 500 });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    const authorized = req.headers.authorization === expected;
    const log = (status: number) =>
      requests.push({ method: req.method ?? '', path: url.pathname, authorized, status });

    if (!authorized) {
      log(401);
      res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return sendJson(res, 401, {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }

    const rec = RECORDING_PATH.exec(url.pathname);
    if (rec && req.method === 'GET') {
      const [, acc, recSid] = rec as unknown as [string, string, string];
      hits.set(recSid, (hits.get(recSid) ?? 0) + 1);
      const f = failures.get(recSid);
      if (acc !== accountSid) {
        log(404);
        return sendJson(res, 404, notFound(url.pathname));
      }
      if (f && (f.times === 'always' || f.failed < f.times)) {
        f.failed++;
        if (f.hang) {
          log(0);
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        if (f.status === 0) {
          log(0);
          req.socket.destroy();
          return;
        }
        log(f.status ?? 500);
        return sendJson(res, f.status ?? 500, {
          code: 20500,
          message: 'Internal Server Error',
          status: f.status ?? 500,
        });
      }
      const wav = recordings.get(recSid);
      if (!wav) {
        log(404);
        return sendJson(res, 404, notFound(url.pathname));
      }
      log(200);
      res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': String(wav.length) });
      return void res.end(wav);
    }

    const msgs = MESSAGES_PATH.exec(url.pathname);
    if (msgs && req.method === 'POST') {
      const form = new URLSearchParams(body.toString('utf8'));
      const params = Object.fromEntries(form);
      const f = messageFailure?.(params);
      if (f && !f.acceptThenFail && !f.hang) {
        log(f.status);
        return sendJson(res, f.status, {
          code: f.code,
          message: f.message ?? `error ${f.code}`,
          status: f.status,
        });
      }
      const sid = `${form.getAll('MediaUrl').length ? 'MM' : 'SM'}${(++seq).toString(16).padStart(32, '0')}`;
      const m: FakeMessage = { sid, params, mediaUrls: form.getAll('MediaUrl'), at: Date.now() };
      messages.push(m);
      if (f?.hang) {
        log(0);
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (f?.acceptThenFail) {
        log(f.status);
        return sendJson(res, f.status, { code: f.code, message: f.message ?? 'error', status: f.status });
      }
      log(201);
      return sendJson(res, 201, messageResource(m, accountSid));
    }
    if (msgs && req.method === 'GET') {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const items = messages
        .filter((m) => (!to || m.params.To === to) && (!from || m.params.From === from))
        .reverse()
        .slice(0, Number(url.searchParams.get('PageSize') ?? 50))
        .map((m) => messageResource(m, accountSid));
      log(200);
      return sendJson(res, 200, {
        messages: items,
        page: 0,
        page_size: items.length,
        next_page_uri: null,
        uri: url.pathname,
      });
    }

    const med = MEDIA_PATH.exec(url.pathname);
    if (med && req.method === 'GET') {
      const item = media.get(`${med[2]}/${med[3]}`);
      mediaHits++;
      if (!item || med[1] !== accountSid) {
        log(404);
        return sendJson(res, 404, notFound(url.pathname));
      }
      log(200);
      res.writeHead(200, { 'content-type': item.contentType, 'content-length': String(item.bytes.length) });
      return void res.end(item.bytes);
    }

    if (url.pathname === '/v1/ContentAndApprovals' && req.method === 'GET') {
      log(200);
      return sendJson(res, 200, {
        contents: templates.map((t) => ({
          sid: t.sid,
          account_sid: accountSid,
          friendly_name: t.friendly_name,
          language: t.language,
          variables: t.variables,
          types: { 'twilio/text': { body: t.body } },
          approval_requests: { name: t.friendly_name, category: 'UTILITY', status: t.status },
          date_created: new Date().toISOString(),
          date_updated: new Date().toISOString(),
        })),
        meta: {
          page: 0,
          page_size: 50,
          first_page_url: `${url.origin}/v1/ContentAndApprovals?PageSize=50&Page=0`,
          previous_page_url: null,
          url: `${url.origin}/v1/ContentAndApprovals?PageSize=50&Page=0`,
          next_page_url: null,
          key: 'contents',
        },
      });
    }

    const call = CALL_PATH.exec(url.pathname);
    if (call && req.method === 'POST') {
      const [, , callSid] = call as unknown as [string, string, string];
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      if (missing.has(callSid)) {
        log(404);
        return sendJson(res, 404, notFound(url.pathname));
      }
      callUpdates.push({ callSid, params, at: Date.now() });
      log(200);
      return sendJson(res, 200, callResource(callSid, accountSid, params.Status ?? 'in-progress', params));
    }

    const calls = CALLS_PATH.exec(url.pathname);
    if (calls && req.method === 'POST') {
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const sid = `CA${(++seq).toString(16).padStart(32, '0')}`;
      callCreates.push({ sid, params, at: Date.now() });
      log(201);
      return sendJson(res, 201, callResource(sid, accountSid, 'queued', params));
    }

    const account = ACCOUNT_PATH.exec(url.pathname);
    if (account && req.method === 'GET') {
      if (account[1] !== accountSid) {
        log(404);
        return sendJson(res, 404, notFound(url.pathname));
      }
      log(200);
      return sendJson(res, 200, {
        sid: accountSid,
        friendly_name: 'AgentLocator test account',
        status: 'active',
        type: 'Full',
      });
    }

    const list = NUMBERS_PATH.exec(url.pathname);
    if (list && req.method === 'GET') {
      const wanted = url.searchParams.get('PhoneNumber');
      const items = numbers.filter((n) => !wanted || n.phone_number === wanted).map(numberResource);
      log(200);
      return sendJson(res, 200, {
        incoming_phone_numbers: items,
        page: 0,
        page_size: Number(url.searchParams.get('PageSize') ?? 50),
        next_page_uri: null,
        uri: url.pathname,
      });
    }

    const one = NUMBER_PATH.exec(url.pathname);
    if (one) {
      const n = numbers.find((x) => x.sid === one[2]);
      if (!n) {
        log(404);
        return sendJson(res, 404, notFound(url.pathname));
      }
      if (req.method === 'POST') {
        const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
        numberUpdates.push({ sid: n.sid, params, at: Date.now() });
        for (const [k, v] of Object.entries(params)) {
          const field = NUMBER_FIELDS[k];
          if (field) n[field] = v;
        }
      }
      log(200);
      return sendJson(res, 200, numberResource(n));
    }

    log(404);
    sendJson(res, 404, notFound(url.pathname));
  }

  function numberResource(n: IncomingNumber) {
    return {
      ...n,
      account_sid: accountSid,
      capabilities: { voice: true, sms: true, mms: false, fax: false },
      uri: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
    };
  }

  const base = await listenLoopback(server);
  return {
    url: base,
    accountSid,
    authToken,
    callUpdates,
    callCreates,
    requests,
    recordingUrl: (recordingSid) => `${base}/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`,
    addRecording: (sid, wav) => void recordings.set(sid, wav),
    failRecording: (sid, f) => void failures.set(sid, { ...f, failed: 0 }),
    recordingHits: (sid) => hits.get(sid) ?? 0,
    markCallMissing: (sid) => void missing.add(sid),
    setDelay: (ms) => void (delayMs = ms),
    numbers,
    numberUpdates,
    messages,
    failMessages: (fn) => void (messageFailure = fn),
    addMedia(messageSid, contentType, bytes) {
      const mediaSid = `ME${(media.size + 1).toString(16).padStart(32, '0')}`;
      media.set(`${messageSid}/${mediaSid}`, { contentType, bytes });
      return `${base}/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${mediaSid}`;
    },
    get mediaHits() {
      return mediaHits;
    },
    templates,
    addNumber(phoneNumber, fields = {}) {
      const n: IncomingNumber = {
        sid: `PN${(numbers.length + 1).toString(16).padStart(32, '0')}`,
        phone_number: phoneNumber,
        friendly_name: phoneNumber,
        voice_url: 'https://demo.twilio.com/welcome/voice/',
        voice_method: 'POST',
        status_callback: '',
        status_callback_method: 'POST',
        sms_url: '',
        sms_method: 'POST',
        ...fields,
      };
      numbers.push(n);
      return n;
    },
    close: () => {
      for (const r of hanging) r.destroy();
      return closeServer(server);
    },
  };
}

function callResource(sid: string, accountSid: string, status: string, params: Record<string, string>) {
  return {
    sid,
    account_sid: accountSid,
    status,
    to: params.To ?? '+972500000000',
    from: params.From ?? '+972300000000',
    direction: 'inbound',
    date_updated: new Date().toUTCString(),
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
  };
}

function messageResource(m: FakeMessage, accountSid: string) {
  return {
    sid: m.sid,
    account_sid: accountSid,
    to: m.params.To ?? null,
    from: m.params.From ?? null,
    body: m.params.Body ?? '',
    status: 'queued',
    num_media: String(m.mediaUrls.length),
    direction: 'outbound-api',
    date_created: new Date(m.at).toUTCString(),
    date_updated: new Date(m.at).toUTCString(),
    date_sent: null,
    error_code: null,
    error_message: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
  };
}

function notFound(path: string) {
  return {
    code: 20404,
    message: `The requested resource ${path} was not found`,
    more_info: 'https://www.twilio.com/docs/errors/20404',
    status: 404,
  };
}
