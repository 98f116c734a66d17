/**
 * The pure pieces of online payments: agorot ⇄ provider decimals with no floating point, the
 * Tranzila link shape, and the Tranzila API access token against an independent published vector
 * (HMAC-SHA256 keyed with secret + time + nonce over the app key, computed with openssl).
 */
import { describe, expect, it } from 'vitest';
import { agorotToDecimal, decimalToAgorot } from '../../src-main/billing/providers/money';
import {
  tranzilaAccessToken,
  tranzilaAuthHeaders,
  tranzilaLink,
} from '../../src-main/billing/providers/tranzila';

describe('money for providers', () => {
  it('agorot → decimal strings, exactly', () => {
    expect(agorotToDecimal(0)).toBe('0.00');
    expect(agorotToDecimal(1)).toBe('0.01');
    expect(agorotToDecimal(12_345)).toBe('123.45');
    expect(agorotToDecimal(100_000_000)).toBe('1000000.00');
    expect(() => agorotToDecimal(1.5)).toThrow();
    expect(() => agorotToDecimal(-1)).toThrow();
  });

  it('decimal strings → agorot, refusing anything else', () => {
    expect(decimalToAgorot('123.45')).toBe(12_345);
    expect(decimalToAgorot('0.1')).toBe(10);
    expect(decimalToAgorot('7')).toBe(700);
    expect(decimalToAgorot('19.99')).toBe(1_999);
    for (const bad of ['', '1.234', '-1', '1e3', ' ', 'abc', '1,000.00', null, undefined, {}]) {
      expect(decimalToAgorot(bad), String(bad)).toBeNull();
    }
    for (let a = 0; a < 2_000; a += 7) expect(decimalToAgorot(agorotToDecimal(a))).toBe(a);
  });
});

describe('Tranzila', () => {
  it('access token matches the independent openssl vector', () => {
    expect(tranzilaAccessToken('pubkey', 'privkey', '1700000000', 'abc123')).toBe(
      'ecb0716079f4ca0eaeb200b15193561328b5d6b67b0af030e279276e472f223f',
    );
    const h = tranzilaAuthHeaders('pubkey', 'privkey', 1_700_000_000_999);
    expect(h['X-tranzila-api-request-time']).toBe('1700000000');
    expect(h['X-tranzila-api-nonce']).toMatch(/^[0-9a-f]{80}$/);
    expect(h['X-tranzila-api-access-token']).toBe(
      tranzilaAccessToken('pubkey', 'privkey', '1700000000', h['X-tranzila-api-nonce']!),
    );
  });

  it('the hosted page link: terminal in the path, ₪ sum, ILS, a single debit, our token; bad terminal refused', () => {
    const u = new URL(
      tranzilaLink(
        { terminal: 'myshop' },
        { amountAgorot: 15_050, description: 'שיעור', token: 'tok_1234567890abcdef' },
      ),
    );
    expect(u.origin + u.pathname).toBe('https://direct.tranzila.com/myshop/iframenew.php');
    expect(Object.fromEntries(u.searchParams)).toMatchObject({
      sum: '150.50',
      currency: '1',
      cred_type: '1',
      tranmode: 'A',
      pdesc: 'שיעור',
      al_token: 'tok_1234567890abcdef',
    });
    expect(() =>
      tranzilaLink({ terminal: '../evil' }, { amountAgorot: 1, description: '', token: 'x' }),
    ).toThrow();
  });
});
