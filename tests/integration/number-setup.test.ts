import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTunnel, type FakeTunnel } from '../fakes/tunnel';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { startTestCore, type TestCore } from '../helpers/core';
import { ACCOUNT_SID, AUTH_TOKEN } from '../helpers/twilio';
import { eventually as until } from '../helpers/wait';

let t: TestCore | undefined;
let twilio: FakeTwilio | undefined;
let tunnel: FakeTunnel | undefined;
afterEach(async () => {
  await t?.stop();
  await twilio?.close();
  await tunnel?.closeAll();
  t = twilio = tunnel = undefined;
});

const webhooks = (host: string) => ({
  VoiceUrl: `https://${host}/webhook/incoming_call`,
  VoiceMethod: 'POST',
  StatusCallback: `https://${host}/webhook/call_status`,
  StatusCallbackMethod: 'POST',
});

async function rig(env: Record<string, string> = {}) {
  twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  tunnel = startFakeTunnel();
  const ours = twilio.addNumber('+97233760000', { friendly_name: 'המספרה' });
  const other = twilio.addNumber('+97233761111', { voice_url: 'https://other-app.example/voice' });
  t = await startTestCore(
    {
      PUBLIC_HOST: 'first.example.test',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilio.url,
      ...env,
    },
    undefined,
    { tunnel: { connector: tunnel, backoff: { initialMs: 40, maxMs: 400, jitter: () => 0.5 } } },
  );
  return { t, twilio, tunnel, ours, other };
}

/** The REST requests the app sent about incoming numbers, as "METHOD path". */
const numberRequests = (tw: FakeTwilio) =>
  tw.requests
    .filter((r) => r.path.includes('/IncomingPhoneNumbers'))
    .map((r) => `${r.method} ${r.path.replace(/^\/2010-04-01\/Accounts\/AC[0-9a-f]+/, '')}`);

describe('Twilio number auto-configuration', () => {
  it('lists the numbers, points the picked one here, and never touches the other', async () => {
    const { t, twilio, ours, other } = await rig();
    const list = await t.api('phone.numbers');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({
        sid: ours.sid,
        phoneNumber: '+97233760000',
        picked: false,
        pointsHere: false,
      }),
      expect.objectContaining({
        sid: other.sid,
        voiceUrl: 'https://other-app.example/voice',
        pointsHere: false,
      }),
    ]);

    const picked = await t.api('phone.pick', { sid: ours.sid });
    expect(picked.status).toBe(200);
    expect(twilio.numberUpdates).toEqual([
      { sid: ours.sid, params: webhooks('first.example.test'), at: expect.any(Number) },
    ]);
    expect(numberRequests(twilio)).toEqual([
      'GET /IncomingPhoneNumbers.json',
      `GET /IncomingPhoneNumbers/${ours.sid}.json`,
      `GET /IncomingPhoneNumbers/${ours.sid}.json`,
      `POST /IncomingPhoneNumbers/${ours.sid}.json`,
    ]);
    expect(picked.body.data).toMatchObject({
      number: { sid: ours.sid, phoneNumber: '+97233760000' },
      auto: true,
      expected: {
        voiceUrl: 'https://first.example.test/webhook/incoming_call',
        statusCallback: 'https://first.example.test/webhook/call_status',
      },
      history: [
        {
          reason: 'picked',
          before: { voiceUrl: 'https://demo.twilio.com/welcome/voice/', statusCallback: '' },
          after: { voiceUrl: 'https://first.example.test/webhook/incoming_call' },
        },
      ],
      lastError: null,
    });
    expect((await t.api('phone.numbers')).body.data[0]).toMatchObject({ picked: true, pointsHere: true });
    expect(other.voice_url).toBe('https://other-app.example/voice');

    // Picking again when it already points here changes nothing at Twilio.
    await t.api('phone.pick', { sid: ours.sid });
    expect(twilio.numberUpdates).toHaveLength(1);
  });

  it('follows the public address: a new tunnel URL re-points the number at once; undo puts the old values back', async () => {
    const { t, twilio, tunnel, ours } = await rig();
    await t.api('phone.pick', { sid: ours.sid });
    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'k' });
    const port = await until('tunnel', () => tunnel.livePort());
    const host = `127.0.0.1:${port}`;
    await until('re-pointed', () => twilio.numberUpdates.find((u) => u.params.VoiceUrl?.includes(host)));
    expect(twilio.numberUpdates.map((u) => u.params)).toEqual([
      webhooks('first.example.test'),
      webhooks(host),
    ]);
    const setup = (await t.api('phone.setup')).body.data;
    expect(setup.history.map((h: { reason: string }) => h.reason)).toEqual([
      'public_address_changed',
      'picked',
    ]);
    expect(setup.history[0].before.voiceUrl).toBe('https://first.example.test/webhook/incoming_call');
    expect(t.logs().some((l) => l.msg === 'twilio number pointed at the public address')).toBe(true);

    const undone = await t.api('phone.undo');
    expect(undone.status).toBe(200);
    expect(undone.body.data.auto).toBe(false);
    expect(twilio.numberUpdates.at(-1)!.params).toEqual(webhooks('first.example.test'));
    expect(ours.voice_url).toBe('https://first.example.test/webhook/incoming_call');

    // Not following any more: the tunnel going away changes nothing at Twilio.
    const before = twilio.numberUpdates.length;
    await t.api('tunnel.configure', { enabled: false });
    await new Promise((r) => setTimeout(r, 800));
    expect(twilio.numberUpdates).toHaveLength(before);
  });

  it('says what is wrong: no keys, a refused key, a malformed or unknown number — and changes nothing', async () => {
    const bare = await startTestCore({ PUBLIC_HOST: 'x.example.test' });
    try {
      const none = await bare.api('phone.numbers');
      expect(none.status).toBe(409);
      expect(none.body.error).toBe('twilio_not_configured');
    } finally {
      await bare.stop();
    }

    const { t, twilio } = await rig({ TWILIO_AUTH_TOKEN: 'wrong-token' });
    const refused = await t.api('phone.numbers');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('twilio_auth');
    expect((await t.api('phone.pick', { sid: 'PN123' })).status).toBe(400);
    await t.api('secrets.set', { name: 'twilio_auth_token', value: AUTH_TOKEN });
    const unknown = await t.api('phone.pick', { sid: `PN${'9'.repeat(32)}` });
    expect(unknown.status).toBe(404);
    expect(twilio.numberUpdates).toEqual([]);
    expect((await t.api('phone.setup')).body.data.number).toBeNull();
  });
});
