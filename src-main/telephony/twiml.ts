import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { normalizePublicHost } from '../platform/twilio-signature';

export const MEDIA_STREAM_PATH = '/ws/twilio-media';
export const WEBHOOK_PATHS = {
  incomingCall: '/webhook/incoming_call',
  streamEnded: '/webhook/stream_ended',
  handleRecording: '/webhook/handle_recording',
  callStatus: '/webhook/call_status',
} as const;

/** Twilio's own Hebrew voice for the few fixed lines said with <Say>. */
const SAY = { language: 'he-IL', voice: 'Google.he-IL-Wavenet-A' } as const;

/** The fixed Hebrew lines callers hear from TwiML (the live agent speaks through the stream). */
export const PROMPTS = {
  /** Stream failed or is off: ask for a message. */
  leaveMessage: 'מצטערים, לא הצלחנו לענות כרגע. השאירו עכשיו הודעה קצרה ונחזור אליכם בהקדם.',
  /** After the message was recorded. */
  thanks: 'תודה, ההודעה התקבלה. נחזור אליכם בהקדם. להתראות.',
  /** Stream ended and no recording fallback. */
  goodbye: 'תודה שהתקשרתם. נשמח לעמוד לשירותכם בפעם אחרת. להתראות.',
} as const;

/** The `<Stream>` `<Parameter>` carrying the call's single-use stream token (back in `start`). */
export const STREAM_TOKEN_PARAM = 'stream_token';

/**
 * `<Connect action=stream_ended><Stream url=wss://PUBLIC_HOST/ws/twilio-media>` with business and
 * call ids and the call's single-use stream token (Twilio returns them in the stream's `start`).
 */
export function streamTwiml(opts: {
  publicHost: string;
  businessId: number;
  callSid: string;
  streamToken: string;
}): string {
  const host = normalizePublicHost(opts.publicHost);
  const r = new VoiceResponse();
  const connect = r.connect({ action: WEBHOOK_PATHS.streamEnded });
  const stream = connect.stream({ url: `wss://${host}${MEDIA_STREAM_PATH}` });
  stream.parameter({ name: 'business_id', value: String(opts.businessId) });
  stream.parameter({ name: 'call_sid', value: opts.callSid });
  stream.parameter({ name: STREAM_TOKEN_PARAM, value: opts.streamToken });
  return r.toString();
}

/** Apology + `<Record playBeep=false timeout=4 maxLength=30 action=handle_recording>`. */
export function recordingTwiml(): string {
  const r = new VoiceResponse();
  r.say(SAY, PROMPTS.leaveMessage);
  r.record({ playBeep: false, timeout: 4, maxLength: 30, action: WEBHOOK_PATHS.handleRecording });
  // Reached only when nothing was recorded (Record falls through on silence).
  r.hangup();
  return r.toString();
}

export function thanksTwiml(): string {
  const r = new VoiceResponse();
  r.say(SAY, PROMPTS.thanks);
  r.hangup();
  return r.toString();
}

export function goodbyeTwiml(): string {
  const r = new VoiceResponse();
  r.say(SAY, PROMPTS.goodbye);
  r.hangup();
  return r.toString();
}

export function hangupTwiml(): string {
  const r = new VoiceResponse();
  r.hangup();
  return r.toString();
}

export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}
