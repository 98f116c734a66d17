import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | undefined;
let openai: FakeOpenAI | undefined;
afterEach(async () => {
  await t?.stop();
  await openai?.close();
  t = openai = undefined;
});

const readyz = async (url: string) => (await (await fetch(`${url}/readyz`)).json()) as { openai: string };

/** /readyz caps each probe at 1.5 s; the first one also loads the SDK, so ask until it has settled. */
async function settledOpenai(url: string, want: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await readyz(url)).openai;
    if (last === want) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

describe('/readyz probes the OpenAI key', () => {
  it('disabled without a key, ok with an accepted key, fail with a refused one — one request per key', async () => {
    openai = await startFakeOpenAI({ apiKey: 'sk-accepted' });
    t = await startTestCore({ OPENAI_BASE_URL: openai.url });
    expect((await readyz(t.publicUrl)).openai).toBe('disabled');

    await t.api('secrets.set', { name: 'openai_api_key', value: 'sk-accepted' });
    expect(await settledOpenai(t.publicUrl, 'ok')).toBe('ok');
    expect((await readyz(t.publicUrl)).openai).toBe('ok');
    const probes = () => openai!.requests.filter((r) => r.path === '/v1/models');
    expect(probes()).toHaveLength(1);
    expect(probes()[0]!.headers.authorization).toBe('Bearer sk-accepted');

    await t.api('secrets.set', { name: 'openai_api_key', value: 'sk-revoked' });
    expect(await settledOpenai(t.publicUrl, 'fail')).toBe('fail');
    // (the fake records only authorized requests: the refused probe is not in `requests`)
    await t.api('secrets.set', { name: 'openai_api_key', value: 'sk-accepted' });
    expect(await settledOpenai(t.publicUrl, 'ok')).toBe('ok');
    expect(probes()).toHaveLength(2);
  });
});

describe('X-Forwarded-For is believed only from a configured proxy', () => {
  const burst = async (url: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/healthz`, { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } });
      statuses.push(res.status);
    }
    return statuses;
  };

  it('without TRUST_PROXY a client cannot pick a new address per request to dodge the rate limit', async () => {
    t = await startTestCore({ PUBLIC_RATE_LIMIT_PER_MIN: '3' });
    expect(await burst(t.publicUrl)).toEqual([200, 200, 200, 429, 429]);
  });

  it('with TRUST_PROXY naming the proxy, each forwarded client has its own limit', async () => {
    t = await startTestCore({ PUBLIC_RATE_LIMIT_PER_MIN: '3', TRUST_PROXY: '127.0.0.1' });
    expect(await burst(t.publicUrl)).toEqual([200, 200, 200, 200, 200]);
  });

  it('refuses a TRUST_PROXY that is not an address', async () => {
    await expect(startTestCore({ TRUST_PROXY: 'everyone' })).rejects.toThrow(/TRUST_PROXY/);
  });
});
