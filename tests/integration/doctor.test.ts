/**
 * The doctor against a running core wired to the loopback fakes (OpenAI, Google TTS, Twilio
 * REST, a real local tunnel forwarder): all ✅; then one piece broken at a time → the right ❌,
 * and `npx tsx scripts/doctor.ts` exits non-zero. The doctor's own calls leave nothing behind.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, callTurns, customers, jobs, tasks } from '../../src-main/db/schema';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTunnel, type FakeTunnel } from '../fakes/tunnel';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
let openai: FakeOpenAI;
let google: FakeGoogleTts;
let twilio: FakeTwilio;
let tunnel: FakeTunnel;
const OPENAI_KEY = 'sk-doctor-test-0123456789';

interface Check {
  id: string;
  ok: boolean;
  detail: string | null;
  note: string | null;
  hint: string | null;
}

const until = async <T>(what: string, fn: () => Promise<T | undefined> | T | undefined): Promise<T> => {
  const end = Date.now() + 20_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

async function doctor(): Promise<{ ok: boolean; checks: Check[] }> {
  const r = await t.api('setup.doctor');
  expect(r.status).toBe(200);
  return r.body.data;
}
const byId = (checks: Check[]) =>
  new Proxy({} as Record<string, Check>, {
    get: (_t, id) => {
      const c = checks.find((x) => x.id === id);
      if (!c) throw new Error(`no check ${String(id)}`);
      return c;
    },
  }) as Record<CheckId, Check>;
type CheckId =
  | 'healthz'
  | 'readyz'
  | 'incoming_call'
  | 'stream_ended'
  | 'media_turn'
  | 'recording'
  | 'payments'
  | 'public_url'
  | 'number'
  | 'key_openai'
  | 'key_google'
  | 'key_twilio'
  | 'key_ngrok';
const failed = (checks: Check[]) => checks.filter((c) => !c.ok).map((c) => c.id);

function runCli(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/doctor.ts'],
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, out: `${stdout}${stderr}` });
      },
    );
  });
}
const appUrl = () => `${t.localUrl}/?token=${t.token}`;

beforeAll(async () => {
  [openai, google, twilio] = await Promise.all([
    startFakeOpenAI({ apiKey: OPENAI_KEY }),
    startFakeGoogleTts(),
    startFakeTwilio(),
  ]);
  openai.setDefaultTranscription(() => ({ text: 'שלום, אני רוצה לקבוע תור למחר' }));
  tunnel = startFakeTunnel();
  t = await startTestCore(
    {
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.url,
      GOOGLE_TTS_ENDPOINT: google.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WEBHOOK_RATE_LIMIT_PER_MIN: '100000',
    },
    undefined,
    {
      tunnel: { connector: tunnel, backoff: { initialMs: 40, maxMs: 200, jitter: () => 0.5 } },
      setup: { publicOrigin: (h) => `http://${h}` },
    },
  );
  await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'ngrok-doctor-token' });
  await until('tunnel online', () => tunnel.livePort());
  const n = twilio.addNumber('+97233760000');
  expect((await t.api('phone.pick', { sid: n.sid })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await Promise.all([openai?.close(), google?.close(), twilio?.close(), tunnel?.closeAll()]);
});

describe('doctor', () => {
  it('all ✅ against the fakes; its calls leave no trace; the CLI exits 0', async () => {
    const before = t.core.db.select().from(customers).all().length;
    const report = await doctor();
    expect(failed(report.checks)).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual([
      'healthz',
      'readyz',
      'incoming_call',
      'stream_ended',
      'media_turn',
      'recording',
      'payments',
      'public_url',
      'number',
      'key_openai',
      'key_google',
      'key_twilio',
      'key_ngrok',
    ]);
    expect(byId(report.checks).payments).toMatchObject({ ok: true, note: 'not switched on' });
    // The simulated turn really went through the agent (ASR → LLM → TTS) and wrote turn_metrics.
    const metrics = t.logs().filter((l) => l.event === 'turn_metrics');
    expect(metrics.length).toBeGreaterThan(0);
    expect(String(metrics.at(-1)!.call_sid)).toMatch(/^CAd0c/);
    // Nothing visible left: no call rows, turns, jobs or new customers; no notification.
    await new Promise((r) => setTimeout(r, 500));
    expect(t.core.db.select().from(calls).all()).toEqual([]);
    expect(t.core.db.select().from(callTurns).all()).toEqual([]);
    expect(
      t.core.db
        .select()
        .from(jobs)
        .all()
        .filter((j) => j.payload.includes('CAd0c')),
    ).toEqual([]);
    expect(t.core.db.select().from(customers).all().length).toBe(before);
    expect(t.logs().filter((l) => l.msg === 'notification')).toEqual([]);

    const cli = await runCli({ AGENTLOCATOR_URL: appUrl() });
    writeFileSync(
      '/work/notes/doctor-output.txt',
      `$ npm run doctor -- "<app url>"   (all fakes up)\n${cli.out}`,
    );
    expect(cli.out).not.toContain('❌');
    expect(cli.out.match(/✅/g)?.length).toBe(13);
    expect(cli.code).toBe(0);
  }, 120_000);

  it('a refused OpenAI key → ❌ key_openai with its hint, the key never in the report; restored → ✅', async () => {
    await t.api('secrets.set', { name: 'openai_api_key', value: 'sk-revoked-000000000000' });
    const report = await doctor();
    const c = byId(report.checks);
    expect(c.key_openai).toMatchObject({ ok: false, detail: expect.stringContaining('refused') });
    expect(c.key_openai.hint).toContain('OpenAI');
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).not.toContain('sk-revoked-000000000000');
    await t.api('secrets.set', { name: 'openai_api_key', value: '' });
    expect(byId((await doctor()).checks).key_openai.ok).toBe(true);
  }, 120_000);

  it("the number's voice URL changed at Twilio → ❌ number only", async () => {
    twilio.numbers[0]!.voice_url = 'https://old-host.example.com/voice';
    const report = await doctor();
    expect(failed(report.checks)).toEqual(['number']);
    expect(byId(report.checks).number.detail).toContain('old-host.example.com');
    await t.api('phone.pick', { sid: twilio.numbers[0]!.sid });
    expect(failed((await doctor()).checks)).toEqual([]);
  }, 120_000);

  it('the public address not reachable from outside → ❌ public_url', async () => {
    await t.api('tunnel.configure', { ownAddress: '127.0.0.1:9' });
    const report = await doctor();
    expect(byId(report.checks).public_url).toMatchObject({
      ok: false,
      detail: expect.stringContaining('network'),
    });
    await t.api('tunnel.configure', { ownAddress: null });
    await until('tunnel address back', async () => byId((await doctor()).checks).public_url.ok);
  }, 120_000);

  it('a wrong Twilio token → ❌ key_twilio; the CLI exits 1 with the Hebrew hint, never the token', async () => {
    await t.api('secrets.set', { name: 'twilio_auth_token', value: 'wrong-token-0123456789abcdef' });
    const cli = await runCli({ AGENTLOCATOR_URL: appUrl() });
    expect(cli.out).toContain('❌ פרטי Twilio');
    expect(cli.out).toContain('העתיקו את Account SID');
    expect(cli.out).not.toContain('wrong-token-0123456789abcdef');
    expect(cli.code).toBe(1);
    expect(JSON.stringify(t.logs())).not.toContain('wrong-token-0123456789abcdef');
    // No call-back task or notification came of the doctor's calls.
    expect(t.core.db.select().from(tasks).all()).toEqual([]);
    expect(t.logs().filter((l) => l.msg === 'notification')).toEqual([]);
    writeFileSync(
      '/work/notes/doctor-output.txt',
      `\n$ npm run doctor   (a wrong Twilio auth token in Settings)\n${cli.out}`,
      { flag: 'a' },
    );
    await t.api('secrets.set', { name: 'twilio_auth_token', value: '' });
    expect(failed((await doctor()).checks)).toEqual([]);
  }, 120_000);

  it('no public address at all → ❌ incoming_call, public_url, number; the CLI exits 1', async () => {
    await t.api('tunnel.configure', { enabled: false });
    await until(
      'address gone',
      async () => (await t.api('tunnel.status')).body.data.publicAddress.host === null,
    );
    const cli = await runCli({ AGENTLOCATOR_URL: appUrl() });
    expect(cli.code).toBe(1);
    expect(cli.out).toContain('❌ שיחה נכנסת מקבלת את הסוכן');
    expect(cli.out).toContain('❌ הכתובת הציבורית מגיעה לאפליקציה מבחוץ');
    expect(cli.out).toContain('❌ המספר ב-Twilio מכוון לכתובת הנוכחית');
    expect(cli.out).toContain('✅ השרת עונה');
    writeFileSync(
      '/work/notes/doctor-output.txt',
      `\n$ npm run doctor   (tunnel turned off, no address)\n${cli.out}`,
      {
        flag: 'a',
      },
    );
    await t.api('tunnel.configure', { enabled: true });
    await until('tunnel back', () => tunnel.livePort());
    await until('all ok again', async () => failed((await doctor()).checks).length === 0);
  }, 120_000);

  it('no app to talk to → exit 2', async () => {
    const cli = await runCli({ AGENTLOCATOR_URL: 'http://127.0.0.1:9/?token=nothing-listens-here' });
    expect(cli.code).toBe(2);
    const none = await runCli({ AGENTLOCATOR_URL: '', AGENTLOCATOR_LOCAL_TOKEN: '' });
    expect(none.code).toBe(2);
  }, 60_000);
});
