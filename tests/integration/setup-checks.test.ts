/**
 * The wizard's live checks against the loopback fakes: every key's ✅ and ❌ path, the public
 * address reached through a real forwarder, the step status and the owner's skips — and no
 * key value in any log line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTunnel, type FakeTunnel } from '../fakes/tunnel';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { startTestCore, type TestCore } from '../helpers/core';

const OPENAI_KEY = 'sk-setupcheck-0123456789abcdef';
let t: TestCore | undefined;
let openai: FakeOpenAI | undefined;
let google: FakeGoogleTts | undefined;
let twilio: FakeTwilio | undefined;
let tunnel: FakeTunnel | undefined;

afterEach(async () => {
  await t?.stop();
  await Promise.all([openai?.close(), google?.close(), twilio?.close(), tunnel?.closeAll()]);
  t = openai = google = twilio = tunnel = undefined;
});

async function start(env: Record<string, string> = {}) {
  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  google = await startFakeGoogleTts();
  twilio = await startFakeTwilio();
  tunnel = startFakeTunnel();
  t = await startTestCore(
    {
      OPENAI_BASE_URL: openai.url,
      GOOGLE_TTS_ENDPOINT: google.url,
      TWILIO_API_BASE_URL: twilio.url,
      ...env,
    },
    undefined,
    {
      tunnel: { connector: tunnel, backoff: { initialMs: 40, maxMs: 200, jitter: () => 0.5 } },
      setup: { publicOrigin: (h) => `http://${h}` },
    },
  );
  return t;
}

const check = async (key: string) => (await t!.api('setup.checkKey', { key })).body.data;
const until = async <T>(what: string, fn: () => Promise<T | undefined> | T | undefined): Promise<T> => {
  const end = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('setup checks against the fakes', () => {
  it('OpenAI: missing, invalid_format, refused, ok', async () => {
    await start();
    expect(await check('openai')).toMatchObject({ ok: false, problem: 'missing' });
    await t!.api('secrets.set', { name: 'openai_api_key', value: 'not-a-key' });
    expect(await check('openai')).toMatchObject({ ok: false, problem: 'invalid_format' });
    await t!.api('secrets.set', { name: 'openai_api_key', value: 'sk-wrong-key-000000000000' });
    const refused = await check('openai');
    expect(refused).toMatchObject({ ok: false, problem: 'refused' });
    expect(JSON.stringify(refused)).not.toContain('sk-wrong-key-000000000000');
    await t!.api('secrets.set', { name: 'openai_api_key', value: OPENAI_KEY });
    expect(await check('openai')).toMatchObject({ ok: true, problem: null });
    await openai!.close();
    expect(await check('openai')).toMatchObject({ ok: false, problem: 'network' });
    openai = undefined;
    const logs = JSON.stringify(t!.logs());
    expect(logs).not.toContain(OPENAI_KEY);
    expect(logs).not.toContain('sk-wrong-key-000000000000');
  });

  it('Twilio: missing, invalid_format, refused (wrong token), ok; the token never logged', async () => {
    await start();
    expect(await check('twilio')).toMatchObject({ ok: false, problem: 'missing' });
    await t!.api('secrets.set', { name: 'twilio_account_sid', value: 'AC123' });
    await t!.api('secrets.set', { name: 'twilio_auth_token', value: 'wrong-token-0123456789' });
    expect(await check('twilio')).toMatchObject({ ok: false, problem: 'invalid_format' });
    await t!.api('secrets.set', { name: 'twilio_account_sid', value: twilio!.accountSid });
    expect(await check('twilio')).toMatchObject({ ok: false, problem: 'refused' });
    await t!.api('secrets.set', { name: 'twilio_auth_token', value: twilio!.authToken });
    expect(await check('twilio')).toMatchObject({ ok: true, problem: null });
    expect(
      twilio!.requests.filter((r) => r.path === `/2010-04-01/Accounts/${twilio!.accountSid}.json`),
    ).toEqual([
      expect.objectContaining({ method: 'GET', authorized: false, status: 401 }),
      expect.objectContaining({ method: 'GET', authorized: true, status: 200 }),
    ]);
    const logs = JSON.stringify(t!.logs());
    expect(logs).not.toContain(twilio!.authToken);
    expect(logs).not.toContain('wrong-token-0123456789');
  });

  it('Google: ok through the endpoint, refused when the service says no, invalid_format for a bad JSON', async () => {
    await start();
    expect(await check('google')).toMatchObject({ ok: true, problem: null });
    expect(google!.requests.at(-1)).toMatchObject({ text: 'שלום', languageCode: 'he-IL' });
    google!.fail(403, 1);
    expect(await check('google')).toMatchObject({ ok: false, problem: 'refused' });
    await t!.api('secrets.set', { name: 'google_service_account_json', value: '{"type":"service_account"}' });
    expect(await check('google')).toMatchObject({ ok: false, problem: 'invalid_format' });
  });

  it('Google: missing without credentials or endpoint', async () => {
    openai = await startFakeOpenAI();
    t = await startTestCore({});
    expect(await check('google')).toMatchObject({ ok: false, problem: 'missing' });
  });

  it('ngrok and the address: missing → online (✅ reached through the forwarder) → refused key', async () => {
    await start();
    expect(await check('ngrok')).toMatchObject({ ok: false, problem: 'missing' });
    expect((await t!.api('setup.checkAddress')).body.data).toMatchObject({
      ok: false,
      problem: 'missing',
      host: null,
    });
    await t!.api('secrets.set', { name: 'ngrok_authtoken', value: 'ngrok-secret-token-1' });
    const port = await until('online', () => tunnel!.livePort());
    expect(await check('ngrok')).toMatchObject({ ok: true });
    const addr = (await t!.api('setup.checkAddress')).body.data;
    expect(addr).toMatchObject({ ok: true, problem: null, host: `127.0.0.1:${port}` });
    // The forwarder goes away but the address stays: the check really goes out and back in.
    await t!.api('tunnel.configure', { ownAddress: '127.0.0.1:9' });
    expect((await t!.api('setup.checkAddress')).body.data).toMatchObject({
      ok: false,
      problem: 'network',
      host: '127.0.0.1:9',
    });
    await t!.api('tunnel.configure', { ownAddress: null });
    tunnel!.failNext('auth');
    await t!.api('secrets.set', { name: 'ngrok_authtoken', value: 'ngrok-revoked-token-2' });
    await until('failed', async () => (await check('ngrok')).problem === 'refused');
    const logs = JSON.stringify(t!.logs());
    expect(logs).not.toContain('ngrok-secret-token-1');
    expect(logs).not.toContain('ngrok-revoked-token-2');
  });

  it('status asks the services once while nothing changed, and again when a key changes', async () => {
    await start();
    await t!.api('secrets.set', { name: 'openai_api_key', value: OPENAI_KEY });
    await t!.api('secrets.set', { name: 'twilio_account_sid', value: twilio!.accountSid });
    await t!.api('secrets.set', { name: 'twilio_auth_token', value: twilio!.authToken });
    const remote = () => openai!.requests.length + twilio!.requests.length;
    const keysDone = async () =>
      (await t!.api('setup.status')).body.data.steps.find((s: { id: string }) => s.id === 'keys').done;
    expect(await keysDone()).toBe(true);
    const after1 = remote();
    expect(after1).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(await keysDone()).toBe(true);
    expect(remote()).toBe(after1);
    // A changed key is checked again at once (and here refused).
    await t!.api('secrets.set', { name: 'twilio_auth_token', value: 'a-wrong-token-0123456789' });
    expect(await keysDone()).toBe(false);
    expect(twilio!.requests.at(-1)).toMatchObject({ authorized: false, status: 401 });
  });

  it('status follows what really works; mark remembers skips and wizardSeen', async () => {
    await start();
    const s0 = (await t!.api('setup.status')).body.data;
    expect(s0.steps.map((s: { id: string }) => s.id)).toEqual([
      'profile',
      'knowledge',
      'keys',
      'address',
      'number',
      'test_call',
    ]);
    expect(s0.steps.every((s: { done: boolean }) => !s.done)).toBe(true);
    expect(s0).toMatchObject({ lineReady: false, wizardSeen: false });
    await t!.api('business.updateProfile', { name: 'מספרת דנה', phone: '050-1234567' });
    await t!.api('business.updateKnowledge', { hours: 'א-ה 9-18' });
    await t!.api('secrets.set', { name: 'openai_api_key', value: OPENAI_KEY });
    await t!.api('secrets.set', { name: 'twilio_account_sid', value: twilio!.accountSid });
    await t!.api('secrets.set', { name: 'twilio_auth_token', value: twilio!.authToken });
    const s1 = (await t!.api('setup.status')).body.data;
    const done = Object.fromEntries(s1.steps.map((s: { id: string; done: boolean }) => [s.id, s.done]));
    expect(done).toEqual({
      profile: true,
      knowledge: true,
      keys: true,
      address: false,
      number: false,
      test_call: false,
    });
    const m = await t!.api('setup.mark', { skipped: { step: 'number', value: true }, wizardSeen: true });
    expect(m.body.data.wizardSeen).toBe(true);
    expect(m.body.data.steps.find((s: { id: string }) => s.id === 'number')).toMatchObject({
      skipped: true,
      done: false,
    });
    expect(m.body.data.lineReady).toBe(false);
    const un = await t!.api('setup.mark', { skipped: { step: 'number', value: false } });
    expect(un.body.data.steps.find((s: { id: string }) => s.id === 'number').skipped).toBe(false);
    expect(un.body.data.wizardSeen).toBe(true);
    expect((await t!.api('setup.mark', { skipped: { step: 'nope', value: true } })).status).toBe(400);
    // test_call: only the app's own test call with a turn the agent answered counts.
    const testCallDone = async () =>
      (await t!.api('setup.status')).body.data.steps.find((s: { id: string }) => s.id === 'test_call').done;
    const phoneCall = t!.core.calls.upsertIncoming({
      callSid: `CA${'1'.repeat(32)}`,
      direction: 'in',
      from: '+972501234567',
      to: 'x',
      customerId: null,
      status: 'completed',
      mode: 'stream',
    }).call;
    t!.core.calls.insertTurn({
      callId: phoneCall.id,
      callSid: phoneCall.callSid,
      businessId: 1,
      turnIndex: 0,
      callerText: 'היי',
      agentText: 'שלום',
    });
    const testCall = t!.core.calls.upsertIncoming({
      callSid: `TEST${'2'.repeat(28)}`,
      direction: 'in',
      from: 'test',
      to: 'app',
      customerId: null,
      status: 'completed',
      mode: 'stream',
      engine: 'test',
    }).call;
    t!.core.calls.insertTurn({
      callId: testCall.id,
      callSid: testCall.callSid,
      businessId: 1,
      turnIndex: 0,
      callerText: 'היי',
      agentText: '',
    });
    expect(await testCallDone()).toBe(false);
    t!.core.calls.insertTurn({
      callId: testCall.id,
      callSid: testCall.callSid,
      businessId: 1,
      turnIndex: 1,
      callerText: 'מה השעות?',
      agentText: 'א-ה 9-18',
    });
    expect(await testCallDone()).toBe(true);
  });
});
