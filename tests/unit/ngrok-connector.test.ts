import { describe, expect, it } from 'vitest';
import { classifyNgrokError, NgrokConnector } from '../../src-main/tunnel/ngrok-connector';
import { TunnelError } from '../../src-main/tunnel/port';

describe('ngrok connector', () => {
  it.each([
    [
      'failed to connect: ERR_NGROK_105 authentication failed: The authtoken you specified is invalid',
      'auth',
    ],
    ['ERR_NGROK_4018 Usage of ngrok requires a verified account and authtoken', 'auth'],
    ['ERR_NGROK_320 The domain shop.ngrok.app is not reserved for this account', 'domain'],
    ['ERR_NGROK_334 The endpoint is already online', 'domain'],
    ['failed to connect: Connection refused (os error 111)', 'network'],
    ['something else entirely', 'other'],
  ])('classifies %j as %s', (message, kind) => expect(classifyNgrokError(message)).toBe(kind));

  it('the real SDK, pointed at a closed local port, fails as a network error (no internet needed)', async () => {
    const connector = new NgrokConnector('127.0.0.1:9');
    const err = await connector
      .open({ authtoken: 'not-a-real-token', forwardTo: 'http://127.0.0.1:9', onDrop: () => undefined })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).kind).toBe('network');
  }, 30_000);
});
