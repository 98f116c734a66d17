/**
 * Click-to-call (issue 9, SPEC §1 "Outbound") against the local fake Twilio REST API: the exact
 * `calls.create` request for each way (bridge through the owner's phone, or the agent), the call
 * row and the customer timeline; every missing piece refused with its code before Twilio is asked.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TWILIO_NUMBER_SETTING } from '../../src-main/telephony/outbound';
import { startTestCore, type TestCore } from '../helpers/core';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST, postTwilio } from '../helpers/twilio';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { closeServer, listenLoopback, readBody } from '../fakes/http';

const BUSINESS_NUMBER = '+97233760000';
const OWNER = '+972501112222';
const CUSTOMER = '+972527654321';

/**
 * Between the core and the fake: keeps every request body as sent (the fake's `callCreates`
 * folds repeated form fields such as StatusCallbackEvent into the last one).
 */
async function recordingProxy(target: string): Promise<{ url: string; forms: string[]; server: Server }> {
  const forms: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method === 'POST') forms.push(body.toString('utf8'));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const up = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' ? undefined : body,
      });
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await up.arrayBuffer()));
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  return { url: await listenLoopback(server), forms, server };
}

let fake: FakeTwilio;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let t: TestCore;

beforeEach(async () => {
  fake = await startFakeTwilio();
  proxy = await recordingProxy(fake.url);
});
afterEach(async () => {
  await t?.stop();
  await closeServer(proxy.server);
  await fake.close();
});

const ready = async (env: Record<string, string> = {}) => {
  t = await startTestCore({
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: proxy.url,
    PUBLIC_HOST,
    ...env,
  });
  t.core.settings.set(TWILIO_NUMBER_SETTING, BUSINESS_NUMBER);
  expect((await t.api('business.updateProfile', { ownerPhone: '050-111-2222' })).status).toBe(200);
  const c = await t.api('crm.customers.create', { name: 'דנה לוי', phone: '052-7654321' });
  expect(c.status).toBe(200);
  return c.body.data.id as number;
};

describe('click-to-call', () => {
  it('bridge: rings the owner from the business number, then <Dial>s the customer; call row and timeline', async () => {
    const id = await ready();
    const res = await t.api('calls.dial', { customerId: id, mode: 'bridge' });
    expect(res.status).toBe(200);

    expect(fake.callCreates).toHaveLength(1);
    const { sid, params } = fake.callCreates[0]!;
    expect(params.To).toBe(OWNER);
    expect(params.From).toBe(BUSINESS_NUMBER);
    expect(params.Url).toBeUndefined();
    expect(params.StatusCallback).toBe(`https://${PUBLIC_HOST}/webhook/call_status`);
    expect(params.StatusCallbackMethod).toBe('POST');
    expect(params.Twiml).toContain(
      '<Say language="he-IL" voice="Google.he-IL-Wavenet-A">מתקשרים לדנה לוי</Say>',
    );
    expect(params.Twiml).toContain(`<Dial callerId="${BUSINESS_NUMBER}"><Number>${CUSTOMER}</Number></Dial>`);
    // The Say comes before the Dial: the owner hears whom they are calling first.
    expect(params.Twiml!.indexOf('<Say')).toBeLessThan(params.Twiml!.indexOf('<Dial'));
    const form = new URLSearchParams(proxy.forms.at(-1));
    expect(form.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);

    expect(res.body.data).toMatchObject({
      callSid: sid,
      direction: 'out',
      customerId: id,
      from: BUSINESS_NUMBER,
      to: CUSTOMER,
      status: 'queued',
      customerName: 'דנה לוי',
    });
    const calls = await t.api('calls.list', { customerId: id });
    expect(calls.body.data.items.map((c: { callSid: string }) => c.callSid)).toEqual([sid]);

    const tl = await t.api('crm.timeline', { customerId: id, limit: 10 });
    const item = tl.body.data.items.find((i: { kind: string }) => i.kind === 'call');
    expect(item).toMatchObject({ id: res.body.data.id, direction: 'out', subtype: 'bridge' });

    // Twilio's status callbacks move the same row forward.
    const status = await postTwilio(t.publicUrl, '/webhook/call_status', {
      CallSid: sid,
      AccountSid: ACCOUNT_SID,
      From: BUSINESS_NUMBER,
      To: OWNER,
      Direction: 'outbound-api',
      CallStatus: 'completed',
      CallDuration: '42',
    });
    expect(status.status).toBe(204);
    const after = await t.api('calls.get', { id: res.body.data.id });
    expect(after.body.data).toMatchObject({
      status: 'completed',
      durationSec: 42,
      direction: 'out',
      customerId: id,
      to: CUSTOMER,
    });
  });

  it("agent: calls the customer, Twilio's url fetch answers the agent's <Connect><Stream>", async () => {
    const id = await ready();
    const res = await t.api('calls.dial', { customerId: id, mode: 'agent' });
    expect(res.status).toBe(200);
    expect(fake.callCreates).toHaveLength(1);
    const { sid, params } = fake.callCreates[0]!;
    expect(params).toMatchObject({
      To: CUSTOMER,
      From: BUSINESS_NUMBER,
      Url: `https://${PUBLIC_HOST}/webhook/incoming_call`,
      Method: 'POST',
      StatusCallback: `https://${PUBLIC_HOST}/webhook/call_status`,
    });
    expect(params.Twiml).toBeUndefined();
    expect(new URLSearchParams(proxy.forms.at(-1)).getAll('StatusCallbackEvent')).toEqual([
      'initiated',
      'ringing',
      'answered',
      'completed',
    ]);
    expect(res.body.data).toMatchObject({ callSid: sid, direction: 'out', customerId: id, mode: 'stream' });

    // The customer answers: Twilio fetches the url with the outbound call's parameters.
    const twiml = await postTwilio(t.publicUrl, '/webhook/incoming_call', {
      CallSid: sid,
      AccountSid: ACCOUNT_SID,
      From: BUSINESS_NUMBER,
      To: CUSTOMER,
      Direction: 'outbound-api',
      CallStatus: 'in-progress',
    });
    expect(twiml.status).toBe(200);
    expect(twiml.text).toContain('<Connect action="/webhook/stream_ended">');
    expect(twiml.text).toContain(`<Stream url="wss://${PUBLIC_HOST}/ws/twilio-media">`);
    const list = await t.api('calls.list', { customerId: id });
    expect(list.body.data.total).toBe(1);
    expect(list.body.data.items[0]).toMatchObject({ callSid: sid, direction: 'out', status: 'in-progress' });
    const tl = await t.api('crm.timeline', { customerId: id, limit: 10 });
    expect(tl.body.data.items.filter((i: { kind: string }) => i.kind === 'call')).toMatchObject([
      { direction: 'out', subtype: 'stream' },
    ]);
  });

  it('refuses each missing piece with its code, in order, and asks Twilio nothing', async () => {
    t = await startTestCore({ TWILIO_API_BASE_URL: proxy.url });
    const noPhone = (await t.api('crm.customers.create', { name: 'בלי טלפון', email: 'a@b.co' })).body.data
      .id;
    const id = (await t.api('crm.customers.create', { name: 'דנה', phone: '052-7654321' })).body.data.id;
    const expectRefused = async (mode: 'bridge' | 'agent', code: string, customerId = id) => {
      const r = await t.api('calls.dial', { customerId, mode });
      expect({ mode, status: r.status, error: r.body.error }).toEqual({ mode, status: 409, error: code });
      expect(typeof r.body.message).toBe('string');
    };
    const check = async (customerId = id) => (await t.api('calls.dialCheck', { customerId })).body.data;

    await expectRefused('bridge', 'customer_phone_missing', noPhone);
    await expectRefused('agent', 'customer_phone_missing', noPhone);
    await expectRefused('bridge', 'twilio_not_configured');
    await expectRefused('agent', 'twilio_not_configured');
    expect(await check()).toEqual({ bridge: 'twilio_not_configured', agent: 'twilio_not_configured' });

    // Keys from Settings (over env), read at the moment of the call.
    await t.api('secrets.set', { name: 'twilio_account_sid', value: ACCOUNT_SID });
    await expectRefused('bridge', 'twilio_not_configured');
    await t.api('secrets.set', { name: 'twilio_auth_token', value: AUTH_TOKEN });
    await expectRefused('bridge', 'twilio_number_missing');
    t.core.settings.set(TWILIO_NUMBER_SETTING, 'not a number');
    await expectRefused('agent', 'twilio_number_missing');
    t.core.settings.set(TWILIO_NUMBER_SETTING, '03-3760000');

    await expectRefused('bridge', 'owner_phone_missing');
    await expectRefused('agent', 'line_not_connected');
    expect(await check()).toEqual({ bridge: 'owner_phone_missing', agent: 'line_not_connected' });
    await t.api('business.updateProfile', { ownerPhone: '050-1112222' });
    await expectRefused('bridge', 'line_not_connected');

    // The owner names their own address, as the wizard and Settings do.
    expect((await t.api('tunnel.configure', { ownAddress: PUBLIC_HOST })).status).toBe(200);
    await t.api('business.setFeatures', { enable_calls_stream: false });
    await expectRefused('agent', 'agent_disabled');
    expect(await check()).toEqual({ bridge: null, agent: 'agent_disabled' });
    expect(await check(noPhone)).toEqual({
      bridge: 'customer_phone_missing',
      agent: 'customer_phone_missing',
    });

    const missing = await t.api('calls.dial', { customerId: 999_999, mode: 'bridge' });
    expect(missing.status).toBe(404);
    const bad = await t.api('calls.dial', { customerId: id, mode: 'conference' });
    expect(bad.status).toBe(400);

    expect(fake.callCreates).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect((await t.api('calls.list', {})).body.data.total).toBe(0);

    // Everything in place: the same call goes through.
    const ok = await t.api('calls.dial', { customerId: id, mode: 'bridge' });
    expect(ok.status).toBe(200);
    expect(fake.callCreates.map((c) => [c.params.To, c.params.From])).toEqual([[OWNER, BUSINESS_NUMBER]]);
  });

  it('Twilio refusing the call is reported and writes no call row', async () => {
    const id = await ready({ TWILIO_AUTH_TOKEN: 'wrong-token' });
    const res = await t.api('calls.dial', { customerId: id, mode: 'bridge' });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('twilio_auth_failed');
    expect(fake.requests.map((r) => r.status)).toEqual([401]);
    expect((await t.api('calls.list', {})).body.data.total).toBe(0);
    // The token never reaches the log.
    expect(JSON.stringify(t.logs())).not.toContain('wrong-token');
  });
});
