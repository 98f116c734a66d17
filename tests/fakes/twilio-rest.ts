/**
 * A fake of Twilio's REST API on 127.0.0.1:0, reached by the twilio SDK through
 * TWILIO_API_BASE_URL: call updates/creates (`/2010-04-01/Accounts/{sid}/Calls…`) are
 * recorded; recordings are served as WAV at `/2010-04-01/Accounts/{sid}/Recordings/{sid}.wav`
 * with HTTP basic auth and programmable failures. The account's incoming phone numbers
 * (`/IncomingPhoneNumbers.json`, list / fetch / update) and the account itself
 * (`/Accounts/{sid}.json`) answer as Twilio's do, so number set-up and key checks run for real.
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
  close(): Promise<void>;
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

function notFound(path: string) {
  return {
    code: 20404,
    message: `The requested resource ${path} was not found`,
    more_info: 'https://www.twilio.com/docs/errors/20404',
    status: 404,
  };
}
