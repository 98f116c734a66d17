import { describe, expect, it } from 'vitest';
import { proxyTrust } from '../../src-main/server/trust-proxy';

describe('proxyTrust: whose X-Forwarded-For is believed', () => {
  it('nobody by default', () => {
    const trust = proxyTrust([]);
    for (const a of ['127.0.0.1', '::1', '10.0.0.5', '203.0.113.9']) expect(trust(a, 0)).toBe(false);
  });

  it('the listed addresses and subnets, at any hop', () => {
    const trust = proxyTrust(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    expect(trust('10.20.30.40', 0)).toBe(true);
    expect(trust('10.20.30.40', 1)).toBe(true);
    expect(trust('192.0.2.7', 0)).toBe(true);
    expect(trust('192.0.2.8', 0)).toBe(false);
    expect(trust('fd12::1', 0)).toBe(true);
    expect(trust('127.0.0.1', 0)).toBe(false);
  });

  it('the loopback peer, only while the app’s own tunnel is the public address, and only as the first hop', () => {
    let tunnel = false;
    const trust = proxyTrust([], () => tunnel);
    expect(trust('127.0.0.1', 0)).toBe(false);
    tunnel = true;
    expect(trust('127.0.0.1', 0)).toBe(true);
    expect(trust('::1', 0)).toBe(true);
    expect(trust('127.0.0.1', 1)).toBe(false);
    expect(trust('192.168.1.20', 0)).toBe(false);
  });
});
