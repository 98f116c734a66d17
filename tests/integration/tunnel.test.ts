import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src-main/tunnel/tunnel-service';
import { startFakeTunnel, type FakeTunnel } from '../fakes/tunnel';
import { startTestCore, type TestCore } from '../helpers/core';
import { ACCOUNT_SID, AUTH_TOKEN, callParams, mediaUpgradeStatus, postTwilio } from '../helpers/twilio';
import { eventually as until } from '../helpers/wait';

let t: TestCore | undefined;
let tunnel: FakeTunnel | undefined;
afterEach(async () => {
  await t?.stop();
  await tunnel?.closeAll();
  t = tunnel = undefined;
});

const readyz = async (url: string) => (await (await fetch(`${url}/readyz`)).json()) as { tunnel: string };

async function startWithTunnel(env: Record<string, string> = {}) {
  tunnel = startFakeTunnel();
  t = await startTestCore(
    { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, ...env },
    undefined,
    { tunnel: { connector: tunnel, backoff: { initialMs: 40, maxMs: 400, jitter: () => 0.5 } } },
  );
  return { t, tunnel };
}

/** A Twilio webhook that arrives through the tunnel, signed for the tunnel's public URL. */
async function callThroughTunnel(port: number, n: number) {
  return postTwilio(`http://127.0.0.1:${port}`, '/webhook/incoming_call', callParams(n), {
    publicHost: `127.0.0.1:${port}`,
  });
}

describe('tunnel: the app opens its own public address', () => {
  it('is off without the ngrok key; with it, the URL is learned and every consumer follows at once', async () => {
    const { t, tunnel } = await startWithTunnel();
    expect((await t.api('tunnel.status')).body.data.tunnel.state).toBe('off');
    expect((await readyz(t.publicUrl)).tunnel).toBe('disabled');

    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'ngrok-key-1' });
    const port = await until('tunnel online', () => tunnel.livePort());
    const status = await until('online status', async () => {
      const s = (await t.api('tunnel.status')).body.data;
      return s.tunnel.state === 'online' ? s : undefined;
    });
    expect(tunnel.opens).toEqual([
      { authtoken: 'ngrok-key-1', forwardTo: t.publicUrl, domain: undefined, at: expect.any(Number) },
    ]);
    expect(status.publicAddress).toMatchObject({ host: `127.0.0.1:${port}`, source: 'tunnel' });
    expect((await readyz(t.publicUrl)).tunnel).toBe('ok');
    expect((await t.api('system.info')).body.data.publicUrl).toBe(`https://127.0.0.1:${port}`);

    const answer = await callThroughTunnel(port, 1);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain(`wss://127.0.0.1:${port}/ws/twilio-media`);
    expect(t.logs().some((l) => l.msg === 'public address changed' && l.source === 'tunnel')).toBe(true);
  });

  it('reconnects with backoff after a drop; a new URL replaces the old one in TwiML and signature checks', async () => {
    const { t, tunnel } = await startWithTunnel();
    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'ngrok-key-1' });
    const first = await until('first tunnel', () => tunnel.livePort());

    tunnel.failNext('network', 'network');
    await tunnel.drop();
    const second = await until('reconnected', () => tunnel.livePort());
    expect(second).not.toBe(first);
    // one open for the first tunnel, two refused, then the one that worked
    expect(tunnel.opens).toHaveLength(4);
    const fresh = await until('address follows', async () => {
      const r = await callThroughTunnel(second, 2);
      return r.status === 200 ? r : undefined;
    });
    expect(fresh.text).toContain(`wss://127.0.0.1:${second}/ws/twilio-media`);
    // A request signed for the old address no longer passes.
    const stale = await postTwilio(t.publicUrl, '/webhook/incoming_call', callParams(3), {
      publicHost: `127.0.0.1:${first}`,
    });
    expect(stale.status).toBe(403);
    // The media-stream upgrade follows too: signed for the new address it opens, for the old one not.
    expect(await mediaUpgradeStatus(t.publicUrl, `127.0.0.1:${second}`)).toBe(101);
    expect(await mediaUpgradeStatus(t.publicUrl, `127.0.0.1:${first}`)).toBe(403);
    const states = t.logs().filter((l) => l.msg === 'tunnel not connected; retrying');
    // capped exponential backoff (jitter fixed at the middle): 40, 80, 160 ms
    expect(states.map((l) => [l.attempt, l.retry_in_ms])).toEqual([
      [1, 40],
      [2, 80],
      [3, 160],
    ]);
  });

  it('a refused key stops retrying until the key changes; readyz says fail', async () => {
    const { t, tunnel } = await startWithTunnel();
    tunnel.failNext('auth');
    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'revoked' });
    const failed = await until('failed', async () => {
      const s = (await t.api('tunnel.status')).body.data.tunnel;
      return s.state === 'failed' ? s : undefined;
    });
    expect(failed).toMatchObject({ error: 'auth', url: null });
    expect((await readyz(t.publicUrl)).tunnel).toBe('fail');
    await new Promise((r) => setTimeout(r, 300));
    expect(tunnel.opens).toHaveLength(1);

    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'good-key' });
    await until('online with the new key', () => tunnel.livePort());
    expect(tunnel.opens.map((o) => o.authtoken)).toEqual(['revoked', 'good-key']);
  });

  it('the owner can ask for a reserved domain, turn the tunnel off, or name their own address', async () => {
    const { t, tunnel } = await startWithTunnel({ PUBLIC_HOST: 'env.example.test' });
    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'k' });
    await until('online', () => tunnel.livePort());
    const reserved = await t.api('tunnel.configure', { domain: 'https://shop.ngrok.app/' });
    expect(reserved.status).toBe(200);
    await until('reopened with the domain', () => tunnel.opens.find((o) => o.domain === 'shop.ngrok.app'));

    const off = await t.api('tunnel.configure', { enabled: false });
    expect(off.body.data.tunnel.state).toBe('off');
    expect(off.body.data.publicAddress).toMatchObject({ host: 'env.example.test', source: 'env' });
    expect(tunnel.livePort()).toBeUndefined();

    const own = await t.api('tunnel.configure', { ownAddress: 'calls.shop.co.il' });
    expect(own.body.data.publicAddress).toMatchObject({ host: 'calls.shop.co.il', source: 'settings' });
    expect((await t.api('tunnel.configure', { ownAddress: 'https://x.y/path?q' })).status).toBe(400);
    expect((await t.api('tunnel.status')).body.data.ownAddress).toBe('calls.shop.co.il');
  });
});

describe('rate limits behind the tunnel', () => {
  it("a caller's own X-Forwarded-For is ignored; once the tunnel is the public address, each client it forwards has its own limit", async () => {
    tunnel = startFakeTunnel();
    t = await startTestCore({ PUBLIC_RATE_LIMIT_PER_MIN: '3' }, undefined, { tunnel: { connector: tunnel } });
    const burst = async (base: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${base}/healthz`, { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
        statuses.push(res.status);
      }
      return statuses;
    };
    expect(await burst(t.publicUrl)).toEqual([200, 200, 200, 429, 429]);
    await t.api('secrets.set', { name: 'ngrok_authtoken', value: 'k' });
    const port = await until('tunnel', () => tunnel!.livePort());
    await until('public address is the tunnel', async () =>
      (await t!.api('tunnel.status')).body.data.publicAddress.source === 'tunnel' ? true : undefined,
    );
    expect(await burst(`http://127.0.0.1:${port}`)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('backoffDelay', () => {
  it('doubles from the first delay up to the cap, scaled by jitter between 0.75× and 1.25×', () => {
    const b = { initialMs: 1000, maxMs: 60_000, jitter: () => 0.5 };
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => backoffDelay(n, b))).toEqual([
      1000, 2000, 4000, 8000, 60000, 60000, 60000,
    ]);
    expect(backoffDelay(1, { ...b, jitter: () => 0 })).toBe(750);
    expect(backoffDelay(1, { ...b, jitter: () => 1 })).toBe(1250);
  });
});
