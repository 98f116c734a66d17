import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  callParams,
  mediaUpgradeStatus,
  postTwilio,
  PUBLIC_HOST,
} from '../helpers/twilio';

let t: TestCore | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('secrets precedence: a key entered in Settings overrides the environment', () => {
  it('rotating the Twilio auth token in Settings moves webhooks and the media upgrade to it at once', async () => {
    t = await startTestCore({
      PUBLIC_HOST,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    });
    const url = t.publicUrl;
    expect(
      (await postTwilio(url, '/webhook/call_status', callParams(1, { CallStatus: 'completed' }))).status,
    ).toBe(204);
    expect(await mediaUpgradeStatus(url, PUBLIC_HOST, AUTH_TOKEN)).toBe(101);

    const rotated = 'rotated-after-a-leak-0123456789abcdef';
    const set = await t.api('secrets.set', { name: 'twilio_auth_token', value: rotated });
    expect(set.status).toBe(200);

    // The leaked (environment) token no longer opens anything; the new one does, with no restart.
    const old = await postTwilio(url, '/webhook/incoming_call', callParams(2), { token: AUTH_TOKEN });
    expect(old.status).toBe(403);
    const fresh = await postTwilio(url, '/webhook/incoming_call', callParams(3), { token: rotated });
    expect(fresh.status).toBe(200);
    expect(fresh.text).toContain('<Stream');
    expect(await mediaUpgradeStatus(url, PUBLIC_HOST, AUTH_TOKEN)).toBe(403);
    expect(await mediaUpgradeStatus(url, PUBLIC_HOST, rotated)).toBe(101);
    expect(
      t.core.db.$client.prepare('select count(*) n from calls where call_sid = ?').get(callParams(2).CallSid),
    ).toEqual({ n: 0 });

    // Clearing the Settings value falls back to the environment again.
    await t.api('secrets.set', { name: 'twilio_auth_token', value: null });
    expect(
      (await postTwilio(url, '/webhook/call_status', callParams(4, { CallStatus: 'completed' }))).status,
    ).toBe(204);
    expect(await mediaUpgradeStatus(url, PUBLIC_HOST, rotated)).toBe(403);

    // The change is logged by name, never by value.
    const changes = t.logs().filter((l) => String(l.msg).startsWith('secret twilio_auth_token'));
    expect(changes.map((l) => [l.secret_name, l.set])).toEqual([
      ['twilio_auth_token', true],
      ['twilio_auth_token', false],
    ]);
    expect(JSON.stringify(t.logs())).not.toContain(rotated);
  });
});
