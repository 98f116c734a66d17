import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  normalizePublicHost,
  verifyTwilioSignature,
} from '../../src-main/platform/twilio-signature';
import { twilioSignature } from '../helpers/twilio';

const TOKEN = '12345';
const HOST = 'mycompany.example.app';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+12349013030',
  Digits: '1234',
  From: '+12349013030',
  To: '+18005551212',
};

describe('verifyTwilioSignature', () => {
  it('agrees with the twilio library and with an independent HMAC-SHA1 over URL + sorted params', () => {
    const url = `https://${HOST}/webhook/incoming_call`;
    const sig = twilioSignature(TOKEN, url, PARAMS);
    expect(sig).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, PARAMS));
    expect(computeTwilioSignature(TOKEN, url, PARAMS)).toBe(sig);
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        publicHost: HOST,
        path: '/webhook/incoming_call',
        params: PARAMS,
        signature: sig,
      }),
    ).toEqual({ ok: true, skipped: false, url });
  });

  it('rejects a forged, missing, tampered or wrong-URL signature', () => {
    const sig = twilioSignature(TOKEN, `https://${HOST}/webhook/incoming_call`, PARAMS);
    const base = { authToken: TOKEN, publicHost: HOST, path: '/webhook/incoming_call', params: PARAMS };
    expect(verifyTwilioSignature({ ...base, signature: 'AAAA' })).toMatchObject({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(verifyTwilioSignature({ ...base, signature: undefined })).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
    expect(verifyTwilioSignature({ ...base, signature: '' })).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
    expect(
      verifyTwilioSignature({ ...base, params: { ...PARAMS, Digits: '9' }, signature: sig }),
    ).toMatchObject({ ok: false });
    expect(verifyTwilioSignature({ ...base, path: '/webhook/stream_ended', signature: sig })).toMatchObject({
      ok: false,
    });
    expect(verifyTwilioSignature({ ...base, publicHost: 'evil.example', signature: sig })).toMatchObject({
      ok: false,
    });
    expect(verifyTwilioSignature({ ...base, authToken: 'other', signature: sig })).toMatchObject({
      ok: false,
    });
    expect(verifyTwilioSignature({ ...base, signature: 'x'.repeat(5000) })).toMatchObject({
      ok: false,
      reason: 'invalid_signature',
    });
  });

  it('needs a token and a public host unless skipping is explicitly asked for', () => {
    const base = { path: '/webhook/x', params: {}, signature: 'abc' };
    expect(verifyTwilioSignature({ ...base, authToken: undefined, publicHost: HOST })).toMatchObject({
      ok: false,
      reason: 'no_auth_token',
    });
    expect(verifyTwilioSignature({ ...base, authToken: TOKEN, publicHost: undefined })).toMatchObject({
      ok: false,
      reason: 'no_public_host',
    });
    expect(
      verifyTwilioSignature({ ...base, authToken: undefined, publicHost: undefined, skip: true }),
    ).toMatchObject({ ok: true, skipped: true });
    expect(verifyTwilioSignature({ ...base, authToken: TOKEN, publicHost: HOST, skip: false })).toMatchObject(
      { ok: false },
    );
  });

  it('accepts PUBLIC_HOST with scheme or trailing slash, keeps query strings, signs wss for the media socket', () => {
    expect(normalizePublicHost('https://a.example.app/')).toBe('a.example.app');
    expect(normalizePublicHost('  a.example.app ')).toBe('a.example.app');
    const q = '/webhook/incoming_call?x=1';
    const sig = twilioSignature(TOKEN, `https://${HOST}${q}`, PARAMS);
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        publicHost: `https://${HOST}/`,
        path: q,
        params: PARAMS,
        signature: sig,
      }).ok,
    ).toBe(true);
    const ws = twilioSignature(TOKEN, `wss://${HOST}/ws/twilio-media`, {});
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        publicHost: HOST,
        path: '/ws/twilio-media',
        params: {},
        signature: ws,
        scheme: 'wss',
      }).ok,
    ).toBe(true);
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        publicHost: HOST,
        path: '/ws/twilio-media',
        params: {},
        signature: [ws, 'x'],
        scheme: 'wss',
      }).ok,
    ).toBe(true);
  });
});
