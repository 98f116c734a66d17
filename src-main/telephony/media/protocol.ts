/**
 * Twilio Media Streams messages. Inbound: connected, start, media, mark, dtmf, stop.
 * Outbound (the only three Twilio accepts): media, mark, clear.
 */
import { z } from 'zod';

const sid = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const start = z.object({
  event: z.literal('start'),
  sequenceNumber: z.string().optional(),
  streamSid: sid,
  start: z.object({
    streamSid: z.string().optional(),
    accountSid: z.string().optional(),
    callSid: sid,
    tracks: z.array(z.string()).optional(),
    customParameters: z.record(z.string(), z.string()).optional(),
    mediaFormat: z
      .object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() })
      .partial()
      .optional(),
  }),
});
const media = z.object({
  event: z.literal('media'),
  streamSid: z.string().optional(),
  media: z.object({
    track: z.string().optional(),
    chunk: z.string().optional(),
    timestamp: z.string().optional(),
    payload: z.string().max(16_000),
  }),
});
const mark = z.object({
  event: z.literal('mark'),
  streamSid: z.string().optional(),
  mark: z.object({ name: z.string().max(64) }),
});
const dtmf = z.object({
  event: z.literal('dtmf'),
  streamSid: z.string().optional(),
  dtmf: z.object({ digit: z.string().max(4) }),
});
const stop = z.object({ event: z.literal('stop'), streamSid: z.string().optional() }).loose();
const connected = z.object({ event: z.literal('connected') }).loose();

export const inboundSchema = z.discriminatedUnion('event', [connected, start, media, mark, dtmf, stop]);
export type Inbound = z.infer<typeof inboundSchema>;
export type StartMessage = z.infer<typeof start>;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type ParseResult = { ok: true; msg: Inbound } | { ok: false; reason: string };

/** Parses one text frame; never throws. */
export function parseInbound(data: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  if (!raw || typeof raw !== 'object') return { ok: false, reason: 'not_object' };
  // Fast path for the 50-per-second media frames; the schema handles everything else.
  const r = raw as { event?: unknown; media?: { payload?: unknown } };
  if (r.event === 'media' && r.media && typeof r.media === 'object' && typeof r.media.payload === 'string') {
    const p = r.media.payload;
    if (p.length > 16_000) return { ok: false, reason: 'invalid_shape' };
    if (p.length % 4 !== 0 || !BASE64.test(p)) return { ok: false, reason: 'bad_base64' };
    return { ok: true, msg: raw as Inbound };
  }
  const parsed = inboundSchema.safeParse(raw);
  if (!parsed.success) {
    const event = (raw as { event?: unknown }).event;
    return {
      ok: false,
      reason:
        typeof event === 'string' && !['connected', 'start', 'media', 'mark', 'dtmf', 'stop'].includes(event)
          ? 'unknown_event'
          : 'invalid_shape',
    };
  }
  if (parsed.data.event === 'media') {
    const p = parsed.data.media.payload;
    if (p.length % 4 !== 0 || !BASE64.test(p)) return { ok: false, reason: 'bad_base64' };
  }
  return { ok: true, msg: parsed.data };
}

/** Outbound frames are built as strings: no JSON.stringify of a payload object per frame. */
export const outMedia = (streamSid: string, payloadB64: string): string =>
  `{"event":"media","streamSid":"${streamSid}","media":{"payload":"${payloadB64}"}}`;
export const outMark = (streamSid: string, name: string): string =>
  `{"event":"mark","streamSid":"${streamSid}","mark":{"name":"${name}"}}`;
export const outClear = (streamSid: string): string => `{"event":"clear","streamSid":"${streamSid}"}`;
