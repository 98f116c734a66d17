import { afterEach, describe, expect, it } from 'vitest';
import {
  createTwilioClient,
  isAllowedRecordingUrl,
  resolveTwilioCredentials,
} from '../../src-main/platform/twilio-rest';
import { loadConfig } from '../../src-main/platform/config';
import { SecretsResolver } from '../../src-main/platform/secrets-resolver';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';

const envOf = (vars: Record<string, string>) =>
  loadConfig({ AGENTLOCATOR_DATA_DIR: '/nonexistent', ...vars }).env;

let fake: FakeTwilio | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const noSecrets = { get: () => undefined };

describe('Twilio REST client on a configurable base URL', () => {
  it('sends calls(sid).update through the SDK to TWILIO_API_BASE_URL with basic auth', async () => {
    fake = await startFakeTwilio();
    const env = envOf({
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_BASE_URL: fake.url,
    });
    const creds = resolveTwilioCredentials(env, new SecretsResolver(noSecrets, env));
    const client = (await createTwilioClient(creds))!;
    const call = await client.calls('CA00000000000000000000000000000001').update({ status: 'completed' });
    expect(call.status).toBe('completed');
    expect(fake.callUpdates).toEqual([
      {
        callSid: 'CA00000000000000000000000000000001',
        params: { Status: 'completed' },
        at: expect.any(Number),
      },
    ]);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', authorized: true });

    await client
      .calls('CA00000000000000000000000000000002')
      .update({ twiml: '<Response><Dial>+972501234567</Dial></Response>' });
    expect(fake.callUpdates[1]!.params.Twiml).toContain('<Dial>');
  });

  it('surfaces 404 as a RestException with code 20404', async () => {
    fake = await startFakeTwilio();
    fake.markCallMissing('CA00000000000000000000000000000009');
    const client = (await createTwilioClient({
      accountSid: fake.accountSid,
      authToken: fake.authToken,
      apiBaseUrl: fake.url,
    }))!;
    await expect(
      client.calls('CA00000000000000000000000000000009').update({ status: 'completed' }),
    ).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('is null without credentials; a key stored in Settings wins over the environment', async () => {
    expect(
      await createTwilioClient({
        accountSid: undefined,
        authToken: 'x',
        apiBaseUrl: 'https://api.twilio.com',
      }),
    ).toBeNull();
    const stored = { get: (n: string) => (n === 'twilio_auth_token' ? 'from-settings' : 'ACsettings') };
    const bare = envOf({});
    expect(resolveTwilioCredentials(bare, new SecretsResolver(stored, bare))).toEqual({
      accountSid: 'ACsettings',
      authToken: 'from-settings',
      apiBaseUrl: 'https://api.twilio.com',
    });
    const withEnv = envOf({ TWILIO_AUTH_TOKEN: 'env', TWILIO_ACCOUNT_SID: 'ACenv' });
    expect(resolveTwilioCredentials(withEnv, new SecretsResolver(stored, withEnv)).authToken).toBe(
      'from-settings',
    );
    expect(resolveTwilioCredentials(withEnv, new SecretsResolver(noSecrets, withEnv))).toMatchObject({
      accountSid: 'ACenv',
      authToken: 'env',
    });
  });

  it('allows recordings only from Twilio API hosts or the configured base', () => {
    const base = 'http://127.0.0.1:4010';
    expect(
      isAllowedRecordingUrl(
        'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',
        'https://api.twilio.com',
      ),
    ).toBe(true);
    expect(
      isAllowedRecordingUrl('https://api.dublin.ie1.twilio.com/2010-04-01/x', 'https://api.twilio.com'),
    ).toBe(true);
    expect(isAllowedRecordingUrl(`${base}/2010-04-01/Accounts/AC1/Recordings/RE1`, base)).toBe(true);
    for (const bad of [
      'http://api.twilio.com/x',
      'https://api.twilio.com.evil.example/x',
      'https://evil.example/x',
      'http://169.254.169.254/',
      'https://user:pw@api.twilio.com/x',
      'not a url',
      'http://127.0.0.1:4011/x',
    ]) {
      expect(isAllowedRecordingUrl(bad, base), bad).toBe(false);
    }
  });
});
