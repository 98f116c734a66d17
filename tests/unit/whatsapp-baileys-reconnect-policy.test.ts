import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  decideReconnect,
  DISCONNECT,
  disconnectCode,
} from '../../src-main/whatsapp/baileys/reconnect-policy';

const opts = { baseMs: 1_000, maxMs: 60_000 };

describe('Baileys reconnect policy (pure function of the disconnect code)', () => {
  it('uses the same numbers as Baileys DisconnectReason', async () => {
    const { DisconnectReason } = await import('@whiskeysockets/baileys');
    for (const [name, code] of Object.entries(DISCONNECT)) {
      expect(DisconnectReason[name as keyof typeof DisconnectReason], name).toBe(code);
    }
  });

  it('515 restart required → reconnect at once', () => {
    expect(decideReconnect(515, 7, 0.5, opts)).toEqual({
      action: 'reconnect_now',
      reason: 'restart_required',
    });
  });

  it('440 connection replaced → stop (opened elsewhere)', () => {
    expect(decideReconnect(440, 0, 0.5, opts).action).toBe('stop_replaced');
  });

  it('401 logged out and 403 forbidden → wipe auth, pair again', () => {
    expect(decideReconnect(401, 0, 0.5, opts)).toEqual({ action: 'logged_out', reason: 'logged_out' });
    expect(decideReconnect(403, 3, 0.5, opts)).toEqual({ action: 'logged_out', reason: 'forbidden' });
    expect(decideReconnect(411, 0, 0.5, opts).action).toBe('logged_out');
  });

  it('408 / 428 / 5xx / no code → backoff', () => {
    for (const code of [408, 428, 500, 503, 502, undefined]) {
      const d = decideReconnect(code, 0, 0.5, opts);
      expect(d.action, String(code)).toBe('backoff');
    }
  });

  it('backoff grows exponentially, is capped, and is jittered within [ceiling/2, ceiling]', () => {
    const lows = [0, 1, 2, 3, 4, 5, 6, 7, 10, 40].map((a) => backoffDelay(a, 0, opts));
    const highs = [0, 1, 2, 3, 4, 5, 6, 7, 10, 40].map((a) => backoffDelay(a, 1, opts));
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(highs).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
    for (let a = 0; a < 12; a++) {
      for (const r of [0, 0.1, 0.37, 0.5, 0.99, 1]) {
        const d = backoffDelay(a, r, opts);
        const ceiling = Math.min(60_000, 1000 * 2 ** a);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
    // Jitter: different random draws give different delays.
    expect(backoffDelay(3, 0.2, opts)).not.toBe(backoffDelay(3, 0.8, opts));
  });

  it('reads the Boom-shaped status code of lastDisconnect.error', () => {
    expect(disconnectCode({ output: { statusCode: 515 } })).toBe(515);
    expect(disconnectCode(new Error('ECONNRESET'))).toBeUndefined();
    expect(disconnectCode(undefined)).toBeUndefined();
    expect(disconnectCode({ output: { statusCode: 'x' } })).toBeUndefined();
  });
});
