import { describe, expect, it } from 'vitest';
import {
  goodbyeTwiml,
  hangupTwiml,
  recordingTwiml,
  streamTwiml,
  thanksTwiml,
} from '../../src-main/telephony/twiml';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

describe('TwiML', () => {
  it('streams to wss://PUBLIC_HOST/ws/twilio-media with stream_ended as the Connect action and the stream token', () => {
    expect(
      streamTwiml({
        publicHost: 'https://x.example.app/',
        businessId: 1,
        callSid: 'CA1',
        streamToken: 'tok_-1',
      }),
    ).toBe(
      `${HEAD}<Response><Connect action="/webhook/stream_ended"><Stream url="wss://x.example.app/ws/twilio-media">` +
        '<Parameter name="business_id" value="1"/><Parameter name="call_sid" value="CA1"/>' +
        '<Parameter name="stream_token" value="tok_-1"/></Stream></Connect></Response>',
    );
  });

  it('records a message with the exact attributes the spec names', () => {
    const xml = recordingTwiml();
    expect(xml).toMatch(
      /^<\?xml[^>]+><Response><Say language="he-IL" voice="Google\.he-IL-Wavenet-A">[^<]+<\/Say>/,
    );
    expect(xml).toContain(
      '<Record playBeep="false" timeout="4" maxLength="30" action="/webhook/handle_recording"/>',
    );
  });

  it('thanks, goodbye and hangup end with <Hangup/>', () => {
    for (const xml of [thanksTwiml(), goodbyeTwiml(), hangupTwiml()])
      expect(xml.endsWith('<Hangup/></Response>')).toBe(true);
    expect(thanksTwiml()).toContain('תודה');
  });
});
