import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src-main/platform/logger';
import { normalizeHost, PublicUrlService, type PublicUrlState } from '../../src-main/platform/public-url';

const log = createLogger({ level: 'silent', stdout: false });

describe('normalizeHost', () => {
  it.each([
    ['shop.ngrok.app', 'shop.ngrok.app'],
    ['https://shop.ngrok.app/', 'shop.ngrok.app'],
    ['  HTTPS://Shop.Example.co.il  ', 'shop.example.co.il'],
    ['wss://a.b:8443', 'a.b:8443'],
  ])('%s → %s', (input, host) => expect(normalizeHost(input)).toBe(host));

  it.each(['', '   ', 'https://a.b/path', 'https://u:p@a.b', 'https://a.b/?x=1', 'http://', 'a b c'])(
    'refuses %j',
    (input) => expect(normalizeHost(input)).toBeUndefined(),
  );
});

describe('PublicUrlService', () => {
  it('prefers the address from Settings, then the tunnel, then PUBLIC_HOST, and tells every change once', () => {
    let fixed: string | undefined;
    let now = 1000;
    const svc = new PublicUrlService({
      envHost: 'env.example.com',
      fixedHost: () => fixed,
      now: () => now,
      log,
    });
    const seen: PublicUrlState[] = [];
    svc.subscribe((s) => seen.push(s));
    expect(svc.state()).toEqual({ host: 'env.example.com', source: 'env', changedAt: 1000 });

    now = 2000;
    svc.setTunnelHost('https://abc.ngrok.app');
    expect(svc.host()).toBe('abc.ngrok.app');
    expect(svc.url()).toBe('https://abc.ngrok.app');

    now = 3000;
    fixed = 'calls.shop.co.il';
    svc.settingsChanged();
    expect(svc.host()).toBe('calls.shop.co.il');

    svc.setTunnelHost(null);
    fixed = undefined;
    svc.settingsChanged();
    expect(svc.host()).toBe('env.example.com');
    expect(svc.host()).toBe('env.example.com');
    expect(seen.map((s) => [s.host, s.source])).toEqual([
      ['abc.ngrok.app', 'tunnel'],
      ['calls.shop.co.il', 'settings'],
      ['env.example.com', 'env'],
    ]);
    expect(seen[0]!.changedAt).toBe(2000);
  });

  it('has no address when nothing supplies one', () => {
    const svc = new PublicUrlService({ envHost: undefined, fixedHost: () => undefined, now: () => 0, log });
    expect(svc.host()).toBeUndefined();
    expect(svc.url()).toBeUndefined();
    expect(svc.state().source).toBeNull();
  });
});
