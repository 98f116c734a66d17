import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-rest';
import { startTestCore, type TestCore } from './core';
import { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_HOST } from './twilio';

export interface TelephonyRig {
  t: TestCore;
  twilio: FakeTwilio;
  openai: FakeOpenAI;
  env: Record<string, string>;
  /** Row counts of the tables the webhooks write. */
  counts(): { calls: number; customers: number; tasks: number; jobs: number };
  restart(extraEnv?: Record<string, string>): Promise<TestCore>;
  stop(): Promise<void>;
}

/** A real core wired to a fake Twilio (REST + recordings) and a fake OpenAI, with PUBLIC_HOST set. */
export async function startTelephonyRig(extraEnv: Record<string, string> = {}): Promise<TelephonyRig> {
  const twilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const openai = await startFakeOpenAI({ apiKey: 'sk-test-fake' });
  const env: Record<string, string> = {
    PUBLIC_HOST,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_API_BASE_URL: twilio.url,
    OPENAI_API_KEY: 'sk-test-fake',
    OPENAI_BASE_URL: openai.url,
    RECORDING_DOWNLOAD_BACKOFF_MS: '20',
    RECORDING_DOWNLOAD_TIMEOUT_MS: '1000',
    WEBHOOK_RATE_LIMIT_PER_MIN: '100000',
    ...extraEnv,
  };
  let t = await startTestCore(env);
  const rig: TelephonyRig = {
    get t() {
      return t;
    },
    twilio,
    openai,
    env,
    counts() {
      const q = (table: string) =>
        (t.core.db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      return { calls: q('calls'), customers: q('customers'), tasks: q('tasks'), jobs: q('jobs') };
    },
    async restart(more = {}) {
      const dir = t.dataDir;
      await t.stop({ keepData: true });
      t = await startTestCore({ ...env, ...more }, dir);
      return t;
    },
    async stop() {
      await t.stop();
      await Promise.all([twilio.close(), openai.close()]);
    },
  };
  return rig;
}
