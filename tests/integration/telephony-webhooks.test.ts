import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core';
import { startTelephonyRig, type TelephonyRig } from '../helpers/telephony';
import {
  AUTH_TOKEN,
  callParams,
  callSid,
  postTwilio,
  PUBLIC_HOST,
  recordingSid,
  streamTokenFrom,
  twilioSignature,
} from '../helpers/twilio';

let rig: TelephonyRig | undefined;
let bare: TestCore | undefined;
afterEach(async () => {
  await rig?.stop();
  await bare?.stop();
  rig = bare = undefined;
});

const ROUTES = [
  '/webhook/incoming_call',
  '/webhook/stream_ended',
  '/webhook/handle_recording',
  '/webhook/call_status',
] as const;

function paramsFor(route: (typeof ROUTES)[number], n: number, rigUrl: string): Record<string, string> {
  switch (route) {
    case '/webhook/handle_recording':
      return callParams(n, {
        RecordingUrl: `${rigUrl}/2010-04-01/Accounts/AC${'f'.repeat(32)}/Recordings/${recordingSid(n)}`,
        RecordingSid: recordingSid(n),
        RecordingDuration: '3',
      });
    case '/webhook/call_status':
      return callParams(n, { CallStatus: 'completed', CallDuration: '42' });
    default:
      return callParams(n);
  }
}

const dbState = (r: TelephonyRig) =>
  JSON.stringify({
    calls: r.t.core.db.$client.prepare('select * from calls order by id').all(),
    customers: r.t.core.db.$client.prepare('select * from customers order by id').all(),
    tasks: r.t.core.db.$client.prepare('select * from tasks order by id').all(),
    jobs: r.t.core.db.$client.prepare('select * from jobs order by id').all(),
  });

describe('signature checks on every voice webhook', () => {
  it.each(ROUTES)('%s: signed → answered; forged or missing → 403 and nothing written', async (route) => {
    rig = await startTelephonyRig();
    const url = rig.t.publicUrl;
    // A call to act on for the routes that follow incoming_call.
    if (route !== '/webhook/incoming_call')
      expect((await postTwilio(url, '/webhook/incoming_call', callParams(1))).status).toBe(200);

    const before = dbState(rig);
    const params = paramsFor(route, 1, rig.twilio.url);
    const forged = await postTwilio(url, route, params, { token: 'not-the-token' });
    expect(forged.status).toBe(403);
    const missing = await postTwilio(url, route, params, { token: null });
    expect(missing.status).toBe(403);
    // Signed for the local URL instead of the public one Twilio called.
    const local = await postTwilio(url, route, params, {
      signature: twilioSignature(AUTH_TOKEN, `${url}${route}`, params),
    });
    expect(local.status).toBe(403);
    // Signed correctly, then one parameter changed in transit.
    const tampered = await postTwilio(
      url,
      route,
      { ...params, From: '+972509999999' },
      { signature: twilioSignature(AUTH_TOKEN, `https://${PUBLIC_HOST}${route}`, params) },
    );
    expect(tampered.status).toBe(403);
    expect(dbState(rig)).toBe(before);
    expect(
      rig.t.logs().some((l) => l.msg === 'twilio signature rejected' && l.reason === 'invalid_signature'),
    ).toBe(true);
    expect(
      rig.t.logs().some((l) => l.msg === 'twilio signature rejected' && l.reason === 'missing_signature'),
    ).toBe(true);

    const ok = await postTwilio(url, route, params);
    if (route === '/webhook/call_status') {
      expect(ok.status).toBe(204);
      expect(ok.text).toBe('');
    } else {
      expect(ok.status).toBe(200);
      expect(ok.type).toContain('text/xml');
      expect(ok.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>/);
    }
    expect(dbState(rig)).not.toBe(before);
  });

  it('accepts unsigned requests only when TWILIO_SKIP_SIGNATURE_VALIDATION=true', async () => {
    bare = await startTestCore({
      PUBLIC_HOST,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_SKIP_SIGNATURE_VALIDATION: 'true',
    });
    const res = await postTwilio(bare.publicUrl, '/webhook/incoming_call', callParams(7), { token: null });
    expect(res.status).toBe(200);
    await bare.stop();
    bare = await startTestCore({ PUBLIC_HOST, TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect(
      (await postTwilio(bare.publicUrl, '/webhook/incoming_call', callParams(7), { token: null })).status,
    ).toBe(403);
  });

  it('refuses everything (403, ERROR logged) when no auth token or PUBLIC_HOST is configured', async () => {
    bare = await startTestCore({ PUBLIC_HOST });
    const res = await postTwilio(bare.publicUrl, '/webhook/incoming_call', callParams(8));
    expect(res.status).toBe(403);
    expect(bare.logs().some((l) => l.level === 'error' && l.reason === 'no_auth_token')).toBe(true);
    await bare.stop();
    bare = await startTestCore({ TWILIO_AUTH_TOKEN: AUTH_TOKEN });
    expect((await postTwilio(bare.publicUrl, '/webhook/incoming_call', callParams(8))).status).toBe(403);
    expect(bare.logs().some((l) => l.level === 'error' && l.reason === 'no_public_host')).toBe(true);
    expect((bare.core.db.$client.prepare('select count(*) n from calls').get() as { n: number }).n).toBe(0);
  });

  it('uses the auth token stored in Settings when the env has none', async () => {
    bare = await startTestCore({ PUBLIC_HOST });
    await bare.api('secrets.set', { name: 'twilio_auth_token', value: AUTH_TOKEN });
    expect((await postTwilio(bare.publicUrl, '/webhook/incoming_call', callParams(9))).status).toBe(200);
  });
});

describe('incoming_call', () => {
  it('answers <Connect><Stream> to the public media URL and logs the call with a new lead', async () => {
    rig = await startTelephonyRig();
    const res = await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    const token = streamTokenFrom(res.text)!;
    // The call's single-use stream token: 32 random bytes, only its SHA-256 kept on the row.
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="/webhook/stream_ended">' +
        `<Stream url="wss://${PUBLIC_HOST}/ws/twilio-media"><Parameter name="business_id" value="1"/>` +
        `<Parameter name="call_sid" value="${callSid(1)}"/><Parameter name="stream_token" value="${token}"/>` +
        '</Stream></Connect></Response>',
    );
    const call = rig.t.core.calls.getBySid(callSid(1))!;
    expect(call.streamTokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rig.t.logs())).not.toContain(token);
    expect(call).toMatchObject({
      direction: 'in',
      fromNumber: '+972501234567',
      toNumber: '+97233760000',
      status: 'in-progress',
      mode: 'stream',
    });
    const customer = rig.t.core.db.$client
      .prepare('select * from customers where id = ?')
      .get(call.customerId) as Record<string, unknown>;
    expect(customer).toMatchObject({ phone: '+972501234567', source: 'phone', status: 'lead' });

    // Twilio retries the webhook: still one call, one customer.
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    expect(rig.counts()).toMatchObject({ calls: 1, customers: 1 });
    // The same caller again: matched, not duplicated.
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(2));
    expect(rig.counts()).toMatchObject({ calls: 2, customers: 1 });
    expect(rig.t.core.calls.getBySid(callSid(2))!.customerId).toBe(call.customerId);
  });

  it('matches an existing customer and leaves anonymous callers without one', async () => {
    rig = await startTelephonyRig();
    rig.t.core.db.$client
      .prepare(
        "insert into customers (business_id, name, phone, source, status) values (1, 'דני כהן', '+972521112233', 'manual', 'customer')",
      )
      .run();
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(3, { From: '+972521112233' }));
    const call = rig.t.core.calls.getBySid(callSid(3))!;
    const list = await rig.t.api('calls.list', {});
    expect(list.body.data.items[0]).toMatchObject({ customerId: call.customerId, customerName: 'דני כהן' });
    expect(rig.counts().customers).toBe(1);

    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(4, { From: 'anonymous' }));
    expect(rig.t.core.calls.getBySid(callSid(4))).toMatchObject({
      customerId: null,
      fromNumber: 'anonymous',
    });
    expect(rig.counts().customers).toBe(1);
  });

  it('with enable_calls_stream off answers the recording TwiML directly', async () => {
    rig = await startTelephonyRig();
    await rig.t.api('business.setFeatures', { enable_calls_stream: false });
    const res = await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(5));
    expect(res.text).not.toContain('<Connect');
    expect(res.text).toContain('<Say language="he-IL"');
    expect(res.text).toContain(
      '<Record playBeep="false" timeout="4" maxLength="30" action="/webhook/handle_recording"/>',
    );
    expect(rig.t.core.calls.getBySid(callSid(5))!.mode).toBe('record');
  });
});

describe('stream_ended', () => {
  it('falls back to recording: Hebrew apology, <Record>, WARN stream_failover, mode=record', async () => {
    rig = await startTelephonyRig();
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    const res = await postTwilio(
      rig.t.publicUrl,
      '/webhook/stream_ended',
      callParams(1, { CallStatus: 'in-progress' }),
    );
    expect(res.text).toMatch(
      /<Say language="he-IL" voice="Google\.he-IL-Wavenet-A">[\u0590-\u05FF][^<]+<\/Say><Record playBeep="false" timeout="4" maxLength="30" action="\/webhook\/handle_recording"\/>/,
    );
    const warn = rig.t.logs().find((l) => l.msg === 'stream_failover -> recording');
    expect(warn).toMatchObject({ level: 'warn', call_sid: callSid(1), request_id: expect.any(String) });
    expect(rig.t.core.calls.getBySid(callSid(1))!.mode).toBe('record');
  });

  it('answers <Hangup/> when the agent ended the call on purpose', async () => {
    rig = await startTelephonyRig();
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    rig.t.core.calls.setEndedBy(callSid(1), 'goodbye');
    const res = await postTwilio(rig.t.publicUrl, '/webhook/stream_ended', callParams(1));
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect(rig.t.core.calls.getBySid(callSid(1))!.mode).toBe('stream');
  });

  it('answers <Hangup/> without a failover when the caller hung up during the stream', async () => {
    rig = await startTelephonyRig();
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    const res = await postTwilio(
      rig.t.publicUrl,
      '/webhook/stream_ended',
      callParams(1, { CallStatus: 'completed' }),
    );
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect(rig.t.core.calls.getBySid(callSid(1))!.mode).toBe('stream');
    expect(rig.t.logs().some((l) => l.msg === 'stream_failover -> recording')).toBe(false);
  });

  it('with enable_recording_fallback off says a Hebrew goodbye and hangs up', async () => {
    rig = await startTelephonyRig();
    await rig.t.api('business.setFeatures', { enable_recording_fallback: false });
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    const res = await postTwilio(rig.t.publicUrl, '/webhook/stream_ended', callParams(1));
    expect(res.text).toMatch(/<Say language="he-IL"[^>]*>[\u0590-\u05FF][^<]+<\/Say><Hangup\/><\/Response>$/);
    expect(res.text).not.toContain('<Record');
  });
});

describe('call_status', () => {
  it('moves the status forward, stores duration and end time; a late ringing does not reopen', async () => {
    rig = await startTelephonyRig();
    await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1));
    const res = await postTwilio(
      rig.t.publicUrl,
      '/webhook/call_status',
      callParams(1, { CallStatus: 'completed', CallDuration: '73' }),
    );
    expect(res.status).toBe(204);
    const late = await postTwilio(
      rig.t.publicUrl,
      '/webhook/call_status',
      callParams(1, { CallStatus: 'ringing' }),
    );
    expect(late.status).toBe(204);
    expect(rig.t.core.calls.getBySid(callSid(1))).toMatchObject({
      status: 'completed',
      durationSec: 73,
      endedAt: expect.any(Number),
    });
  });

  it('rejects an unknown status value with 400, writes nothing', async () => {
    rig = await startTelephonyRig();
    const before = rig.counts();
    const res = await postTwilio(
      rig.t.publicUrl,
      '/webhook/call_status',
      callParams(1, { CallStatus: 'exploded' }),
    );
    expect(res.status).toBe(400);
    expect(rig.counts()).toEqual(before);
  });
});

describe('parameter formats (merged-parameter forgery)', () => {
  const HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

  it('From=+972501234567To+972722222222 with To dropped keeps a valid signature but answers 400 hangup and writes nothing', async () => {
    rig = await startTelephonyRig();
    const { To: _to, ...rest } = callParams(1, { To: '+972722222222' });
    const merged = { ...rest, From: '+972501234567To+972722222222' };
    // Twilio's scheme concatenates sorted keys and values: both forms sign to the same string.
    const url = `https://${PUBLIC_HOST}/webhook/incoming_call`;
    expect(twilioSignature(AUTH_TOKEN, url, merged)).toBe(
      twilioSignature(AUTH_TOKEN, url, { ...rest, From: '+972501234567', To: '+972722222222' }),
    );
    const before = dbState(rig);
    const res = await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', merged);
    expect(res.status).toBe(400);
    expect(res.text).toBe(HANGUP);
    expect(dbState(rig)).toBe(before);
    expect(rig.counts()).toMatchObject({ calls: 0, customers: 0 });
    const warn = rig.t.logs().find((l) => l.msg === 'webhook parameters rejected');
    expect(warn).toMatchObject({ level: 'warn' });
    expect(String(warn!.issues)).toContain('From');
  });

  it('an AccountSid other than the configured account answers 400 on every route and writes nothing', async () => {
    rig = await startTelephonyRig();
    expect((await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', callParams(1))).status).toBe(200);
    const before = dbState(rig);
    for (const route of ROUTES) {
      const params = { ...paramsFor(route, 1, rig.twilio.url), AccountSid: `AC${'0'.repeat(32)}` };
      const res = await postTwilio(rig.t.publicUrl, route, params);
      expect(res.status, route).toBe(400);
      expect(res.text, route).toBe(HANGUP);
    }
    // And for a new call: no row.
    const fresh = await postTwilio(rig.t.publicUrl, '/webhook/incoming_call', {
      ...callParams(2),
      AccountSid: `AC${'0'.repeat(32)}`,
    });
    expect(fresh.status).toBe(400);
    expect(dbState(rig)).toBe(before);
    expect(
      rig.t
        .logs()
        .filter((l) => l.msg === 'webhook parameters rejected' && /AccountSid/.test(String(l.issues))),
    ).toHaveLength(ROUTES.length + 1);
  });

  it('accepts what Twilio sends (E.164, withheld caller IDs, client:, sip:) and refuses ids and addresses of any other shape', async () => {
    rig = await startTelephonyRig();
    const url = rig.t.publicUrl;
    const accepted: Array<Record<string, string>> = [
      { From: '+266696687' }, // ANONYMOUS on a keypad: how Twilio passes a withheld number as digits
      { From: '+7378742833' }, // RESTRICTED
      { From: 'anonymous' },
      { From: 'Restricted' },
      { From: '' }, // withheld: empty
      { From: 'client:owner_laptop' },
      { From: 'sip:alice@agent.sip.twilio.com', To: 'sip:+97233760000@agent.sip.twilio.com;transport=tls' },
      { From: '+12025550123', To: '+97233760000' },
    ];
    let n = 10;
    for (const extra of accepted) {
      const res = await postTwilio(url, '/webhook/incoming_call', callParams(++n, extra));
      expect(res.status, JSON.stringify(extra)).toBe(200);
    }
    const calls = rig.counts().calls;
    const refused: Array<Record<string, string>> = [
      { From: '+972501234567To+972722222222' },
      { To: '+97233760000From+972501234567' },
      { From: '972501234567' },
      { From: '+97250 1234567' },
      { From: '+1234' },
      { From: '+1234567890123456' },
      { From: 'client:' },
      { From: 'client:a b' },
      { From: 'sip:nohost' },
      { From: '<script>' },
      { From: 'anonymousTo+972722222222' },
      { CallSid: 'CA123' },
      { CallSid: `CA${'F'.repeat(32)}` },
      { CallSid: `CA${'0'.repeat(32)}To+972722222222` },
      { CallSid: `XX${'0'.repeat(32)}` },
      { AccountSid: 'ACxyz' },
      { AccountSid: `AC${'f'.repeat(32)}To+972722222222` },
      { Direction: 'inboundTo+972722222222' },
    ];
    for (const extra of refused) {
      const res = await postTwilio(url, '/webhook/incoming_call', callParams(++n, extra));
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
    // Twilio always sends From and To (a withheld caller: empty or the alpha string).
    const { To: _t, ...noTo } = callParams(++n);
    expect((await postTwilio(url, '/webhook/incoming_call', noTo)).status).toBe(400);
    const { AccountSid: _a, ...noAccount } = callParams(n + 1);
    expect((await postTwilio(url, '/webhook/incoming_call', noAccount)).status).toBe(400);
    expect(rig.counts().calls).toBe(calls);

    // RecordingSid: RE + 32 hex digits.
    const rec = callParams(11, {
      RecordingSid: 'RE123',
      RecordingUrl: `${rig.twilio.url}/2010-04-01/Accounts/AC${'f'.repeat(32)}/Recordings/RE123`,
    });
    const before = dbState(rig);
    expect((await postTwilio(url, '/webhook/handle_recording', rec)).status).toBe(400);
    expect(dbState(rig)).toBe(before);
  });
});

describe('calls API', () => {
  it('lists newest first with paging and filters; get/recording answer 404 for unknown ids', async () => {
    rig = await startTelephonyRig();
    for (let n = 1; n <= 5; n++) {
      await postTwilio(
        rig.t.publicUrl,
        '/webhook/incoming_call',
        callParams(n, { From: `+97250123450${n}` }),
      );
      await new Promise((r) => setTimeout(r, 3));
    }
    await postTwilio(rig.t.publicUrl, '/webhook/stream_ended', callParams(2));
    await postTwilio(
      rig.t.publicUrl,
      '/webhook/call_status',
      callParams(3, { CallStatus: 'completed', CallDuration: '5' }),
    );
    const page1 = await rig.t.api('calls.list', { page: 1, limit: 2 });
    expect(page1.body.data.total).toBe(5);
    expect(page1.body.data.items.map((c: { callSid: string }) => c.callSid)).toEqual([
      callSid(5),
      callSid(4),
    ]);
    const page3 = await rig.t.api('calls.list', { page: 3, limit: 2 });
    expect(page3.body.data.items.map((c: { callSid: string }) => c.callSid)).toEqual([callSid(1)]);
    expect(
      (await rig.t.api('calls.list', { mode: 'record' })).body.data.items.map(
        (c: { callSid: string }) => c.callSid,
      ),
    ).toEqual([callSid(2)]);
    expect((await rig.t.api('calls.list', { status: 'completed' })).body.data.total).toBe(1);
    const customerId = rig.t.core.calls.getBySid(callSid(4))!.customerId;
    expect(
      (await rig.t.api('calls.list', { customerId })).body.data.items.map(
        (c: { callSid: string }) => c.callSid,
      ),
    ).toEqual([callSid(4)]);
    expect((await rig.t.api('calls.list', { limit: 101 })).status).toBe(400);
    expect((await rig.t.api('calls.get', { id: 999 })).status).toBe(404);
    const first = rig.t.core.calls.getBySid(callSid(1))!;
    expect((await rig.t.api('calls.recording', { id: first.id })).status).toBe(404);
    expect((await rig.t.api('calls.get', { id: first.id })).body.data).toMatchObject({
      id: first.id,
      recording: null,
      turns: [],
      transcript: null,
    });
  });
});

describe('rate limit', () => {
  it('limits /webhook/* per source address', async () => {
    rig = await startTelephonyRig({ WEBHOOK_RATE_LIMIT_PER_MIN: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (
          await postTwilio(
            rig.t.publicUrl,
            '/webhook/call_status',
            callParams(1, { CallStatus: 'completed' }),
          )
        ).status,
      );
    expect(statuses.slice(0, 3)).toEqual([204, 204, 204]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect((await fetch(`${rig.t.publicUrl}/healthz`)).status).toBe(200);
  });
});
