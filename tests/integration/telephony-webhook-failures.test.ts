/**
 * A voice webhook whose handler throws must still answer the caller: fallback TwiML (never 5xx,
 * never an empty <Response/> that hangs up), an ERROR line with the request id and CallSid, and
 * a process that keeps serving. The failures are real: a trigger in the running core's database
 * aborts the write the handler makes, as a full disk, a locked or damaged table would.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createPublicServer } from '../../src-main/server/public';
import { createLogger } from '../../src-main/platform/logger';
import { startTelephonyRig, type TelephonyRig } from '../helpers/telephony';
import {
  AUTH_TOKEN,
  callParams,
  callSid,
  PUBLIC_HOST,
  recordingSid,
  twilioSignature,
} from '../helpers/twilio';

let rig: TelephonyRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Response>';
/** The recording fallback: a Hebrew apology, then <Record> posting to handle_recording. */
const RECORDING_TWIML =
  /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Say language="he-IL"[^>]*>[\u0590-\u05FF][^<]+<\/Say><Record playBeep="false" timeout="4" maxLength="30" action="\/webhook\/handle_recording"\/><Hangup\/><\/Response>$/;
/** A Hebrew line, then <Hangup/> (the thanks after a message, or the goodbye). */
const SAY_THEN_HANGUP = (words: RegExp) =>
  new RegExp(
    `^<\\?xml version="1\\.0" encoding="UTF-8"\\?><Response><Say language="he-IL"[^>]*>[^<]*${words.source}[^<]*</Say><Hangup/></Response>$`,
  );
const THANKS_TWIML = SAY_THEN_HANGUP(/ההודעה התקבלה/);
const GOODBYE_TWIML = SAY_THEN_HANGUP(/תודה שהתקשרתם/);

/** POSTs a form signed the way Twilio signs it; returns the answer with its x-request-id. */
async function signedPost(base: string, path: string, params: Record<string, string>) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-twilio-signature': twilioSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${path}`, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    requestId: res.headers.get('x-request-id'),
    text: await res.text(),
  };
}

/** Makes every `op` on `table` fail inside the running core's own database connection. */
function breakWrites(r: TelephonyRig, op: 'INSERT' | 'UPDATE', table: string): () => void {
  const name = `test_fail_${op.toLowerCase()}_${table}`;
  r.t.core.db.$client.exec(
    `CREATE TRIGGER ${name} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, 'injected ${op} failure on ${table}'); END;`,
  );
  return () => r.t.core.db.$client.exec(`DROP TRIGGER ${name}`);
}

/** The ERROR line the route wrote for this request. */
function failureLine(r: TelephonyRig, requestId: string | null) {
  return r.t.logs().find((l) => l.msg === 'webhook failed; answering fallback' && l.request_id === requestId);
}

async function expectAlive(r: TelephonyRig) {
  const health = await fetch(`${r.t.publicUrl}/healthz`);
  expect(health.status).toBe(200);
  expect((await r.t.api('calls.list', {})).status).toBe(200);
}

const recordingParams = (r: TelephonyRig, n: number) =>
  callParams(n, {
    CallStatus: 'in-progress',
    RecordingUrl: `${r.twilio.url}/2010-04-01/Accounts/AC${'f'.repeat(32)}/Recordings/${recordingSid(n)}`,
    RecordingSid: recordingSid(n),
    RecordingDuration: '3',
  });

describe('a voice webhook that throws inside its handler still answers the caller', () => {
  it.each([
    ['calls', 'the call row'],
    ['customers', 'the new lead'],
  ])(
    'incoming_call: insert into %s fails (%s) → 200 recording fallback, ERROR with request id and CallSid, nothing half-written',
    async (table) => {
      rig = await startTelephonyRig();
      const restore = breakWrites(rig, 'INSERT', table);
      const res = await signedPost(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
      expect(res.status).toBe(200);
      expect(res.type).toContain('text/xml');
      expect(res.text).toMatch(RECORDING_TWIML);
      const line = failureLine(rig, res.requestId);
      expect(line).toMatchObject({
        level: 'error',
        call_sid: callSid(1),
        path: '/webhook/incoming_call',
        err: { message: expect.stringContaining(`injected INSERT failure on ${table}`) },
      });
      // One transaction: the lead and the call are written together or not at all.
      expect(rig.counts()).toMatchObject({ calls: 0, customers: 0 });
      expect(rig.t.logs().some((l) => l.msg === 'new caller saved as a lead')).toBe(false);

      // The process keeps serving; once the table accepts writes the same call streams.
      restore();
      await expectAlive(rig);
      const again = await signedPost(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
      expect(again.status).toBe(200);
      expect(again.text).toContain('<Connect action="/webhook/stream_ended">');
      expect(rig.counts()).toMatchObject({ calls: 1, customers: 1 });
    },
  );

  it('stream_ended: the switch to recording fails → 200 recording fallback (flag on), goodbye (flag off)', async () => {
    rig = await startTelephonyRig();
    const url = rig.t.publicUrl;
    expect((await signedPost(url, '/webhook/incoming_call', callParams(1))).status).toBe(200);

    // Flag on: the handler reaches setMode('record'), whose UPDATE fails.
    let restore = breakWrites(rig, 'UPDATE', 'calls');
    const on = await signedPost(url, '/webhook/stream_ended', callParams(1, { CallStatus: 'in-progress' }));
    restore();
    expect(on.status).toBe(200);
    expect(on.type).toContain('text/xml');
    expect(on.text).toMatch(RECORDING_TWIML);
    expect(failureLine(rig, on.requestId)).toMatchObject({
      level: 'error',
      call_sid: callSid(1),
      path: '/webhook/stream_ended',
      err: { message: expect.stringContaining('injected UPDATE failure on calls') },
    });

    // Flag off: a call the core has no row for; creating it fails.
    expect((await rig.t.api('business.setFeatures', { enable_recording_fallback: false })).status).toBe(200);
    restore = breakWrites(rig, 'INSERT', 'calls');
    const off = await signedPost(url, '/webhook/stream_ended', callParams(2, { CallStatus: 'in-progress' }));
    restore();
    expect(off.status).toBe(200);
    expect(off.text).toMatch(GOODBYE_TWIML);
    expect(off.text).not.toContain('<Record');
    expect(failureLine(rig, off.requestId)).toMatchObject({ level: 'error', call_sid: callSid(2) });
    expect(rig.t.core.calls.getBySid(callSid(2))).toBeFalsy();
    await expectAlive(rig);
  });

  it('handle_recording: queueing the download fails → 200 thanks, ERROR, the recording is not marked pending', async () => {
    rig = await startTelephonyRig();
    const url = rig.t.publicUrl;
    expect((await signedPost(url, '/webhook/incoming_call', callParams(1))).status).toBe(200);
    const restore = breakWrites(rig, 'INSERT', 'jobs');
    const res = await signedPost(url, '/webhook/handle_recording', recordingParams(rig, 1));
    restore();
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/xml');
    expect(res.text).toMatch(THANKS_TWIML);
    expect(failureLine(rig, res.requestId)).toMatchObject({
      level: 'error',
      call_sid: callSid(1),
      path: '/webhook/handle_recording',
      err: { message: expect.stringContaining('injected INSERT failure on jobs') },
    });
    // Nothing claims a download is on its way when none was queued.
    expect(rig.t.core.calls.getBySid(callSid(1))).toMatchObject({
      recordingStatus: null,
      recordingSid: null,
    });
    expect(rig.counts().jobs).toBe(0);
    expect(rig.t.logs().some((l) => l.msg === 'recording queued')).toBe(false);

    // Twilio's retry of the same webhook, once writes work again, queues it.
    const retry = await signedPost(url, '/webhook/handle_recording', recordingParams(rig, 1));
    expect(retry.text).toMatch(THANKS_TWIML);
    expect(rig.t.core.calls.getBySid(callSid(1))).toMatchObject({ recordingSid: recordingSid(1) });
    expect(rig.counts().jobs).toBe(1);
    await expectAlive(rig);
  });

  it('call_status: storing the status fails → 204, ERROR with request id and CallSid', async () => {
    rig = await startTelephonyRig();
    const url = rig.t.publicUrl;
    expect((await signedPost(url, '/webhook/incoming_call', callParams(1))).status).toBe(200);
    const restore = breakWrites(rig, 'UPDATE', 'calls');
    const res = await signedPost(
      url,
      '/webhook/call_status',
      callParams(1, { CallStatus: 'completed', CallDuration: '12' }),
    );
    restore();
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(failureLine(rig, res.requestId)).toMatchObject({
      level: 'error',
      call_sid: callSid(1),
      path: '/webhook/call_status',
      err: { message: expect.stringContaining('injected UPDATE failure on calls') },
    });
    expect(rig.t.core.calls.getBySid(callSid(1))!.status).toBe('in-progress');
    await expectAlive(rig);
  });
});

describe("the public server's error handler for a /webhook/* route", () => {
  it('answers 200 with valid TwiML and logs ERROR with the request id; other routes get 500 JSON', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    });
    const opts = {
      logger: createLogger({ level: 'info', stdout: false, extra: sink }),
      version: { app: 'agentlocator', version: '0.0.0-test', commit: 'test', build_time: 'test' },
      readiness: async () => {
        const off = 'disabled' as const;
        return {
          db: 'ok' as const,
          openai: off,
          tts: off,
          whatsapp: off,
          tunnel: off,
          payments: { paypal: off, tranzila: off },
        };
      },
      webhookRateLimitPerMin: 1000,
      publicRateLimitPerMin: 1000,
      trustProxy: () => false,
      modules: [
        {
          name: 'exploding',
          routes: (app: FastifyInstance) => {
            app.post('/webhook/throws', () => {
              throw new Error('handler threw');
            });
            app.post('/webhook/rejects', async () => {
              await Promise.resolve();
              throw new Error('handler rejected');
            });
            app.post(
              '/webhook/prehandler',
              {
                preHandler: async () => {
                  throw new Error('preHandler threw');
                },
              },
              async () => 'unreachable',
            );
            app.post('/other', () => {
              throw new Error('not a webhook');
            });
          },
        },
        {
          name: 'with-fallback',
          routes: (app: FastifyInstance) => {
            app.post('/webhook/voice', () => {
              throw new Error('voice handler threw');
            });
          },
          webhookFallback: (path: string) =>
            path === '/webhook/voice'
              ? '<?xml version="1.0" encoding="UTF-8"?><Response><Record/></Response>'
              : undefined,
        },
      ],
    };
    const app = await createPublicServer(opts);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const addr = app.server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      for (const [path, message] of [
        ['/webhook/throws', 'handler threw'],
        ['/webhook/rejects', 'handler rejected'],
        ['/webhook/prehandler', 'preHandler threw'],
      ] as const) {
        const res = await signedPost(base, path, callParams(1));
        expect(res.status, path).toBe(200);
        expect(res.type).toContain('text/xml');
        expect(res.text.startsWith(XML_HEAD), res.text).toBe(true);
        expect(res.text.endsWith('</Response>')).toBe(true);
        const line = lines.find((l) => l.msg === 'public handler failed' && l.request_id === res.requestId);
        expect(line, path).toMatchObject({ level: 'error', err: { message } });
      }
      // The module that owns the path answers with its own fallback (the caller is still handled).
      const owned = await signedPost(base, '/webhook/voice?x=1', callParams(1));
      expect(owned.status).toBe(200);
      expect(owned.text).toContain('<Record/>');
      const other = await signedPost(base, '/other', callParams(1));
      expect(other.status).toBe(500);
      expect(JSON.parse(other.text)).toEqual({ error: 'internal' });
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
