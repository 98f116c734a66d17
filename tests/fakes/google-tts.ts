/**
 * A fake of Google Cloud Text-to-Speech v1 REST (`POST /v1/text:synthesize`) on 127.0.0.1:0,
 * as the official Node client calls it in REST ("fallback") mode. Like the real service it
 * answers `{audioContent: base64}` where LINEAR16 and MULAW audio is a WAV file with a 44-byte
 * header. The audio is a deterministic tone per text (so tests can predict the exact bytes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLoopback, readBody, sendJson } from './http';

export interface GoogleTtsRequest {
  /** input.text, or input.ssml as sent. */
  text: string;
  /** Whether the input was SSML. */
  ssml: boolean;
  voice: string;
  languageCode: string;
  /** As sent: the client uses numeric enums in REST mode (LINEAR16 = 1, MULAW = 5). */
  encoding: string;
  sampleRate: number;
  at: number;
  authorization: string | undefined;
}

export interface FakeGoogleTts {
  /** For GOOGLE_TTS_ENDPOINT. */
  url: string;
  requests: GoogleTtsRequest[];
  /** Delay before each answer (ms). */
  setDelay(ms: number): void;
  /** Answer this status for the next n requests (n = Infinity: always). */
  fail(status: number, times?: number): void;
  /** Drop the connection without answering for the next n requests ("socket hang up"). */
  hangUp(times: number): void;
  /** The PCM16 8 kHz audio this fake answers for a text (tests compute expected bytes). */
  renderPcm(text: string): Buffer;
  close(): Promise<void>;
}

export interface FakeGoogleTtsOptions {
  delayMs?: number;
  /** Audio length per character of text (default 20 ms), at least 200 ms, at most 6 s. */
  msPerChar?: number;
}

const ENCODING_NAMES: Record<string, string> = {
  '1': 'LINEAR16',
  '2': 'MP3',
  '3': 'OGG_OPUS',
  '5': 'MULAW',
  '6': 'ALAW',
  '7': 'PCM',
};

function hash(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return h;
}

function wav(data: Buffer, rate: number, format: 1 | 7, bits: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(format, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE((rate * bits) / 8, 28);
  h.writeUInt16LE(bits / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** G.711 μ-law of one sample (the fake's own, independent of the product code). */
function ulaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  s += BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  return ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
}

/**
 * The PCM16 8 kHz audio the fakes answer for a text: a tone per text with a syllable-like
 * envelope, `msPerChar` long per character (at least 200 ms, at most 6 s).
 */
export function renderTone(text: string, msPerChar: number): Buffer {
  const ms = Math.min(6000, Math.max(200, [...text].length * msPerChar));
  const n = (ms * 8000) / 1000;
  const freq = 300 + (hash(text) % 500);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const env = 0.55 + 0.45 * Math.sin((2 * Math.PI * 4 * i) / 8000);
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * freq * i) / 8000) * 9000 * env), i * 2);
  }
  return buf;
}

/**
 * A strict check of the SSML this product sends: one <speak> root holding text and <say-as>
 * elements (attributes double-quoted, not nested), every & an entity, no stray < or >.
 */
export function wellFormedSsml(ssml: string): boolean {
  const m = /^<speak>([\s\S]*)<\/speak>$/.exec(ssml);
  if (!m) return false;
  const inner = m[1]!.replace(/<say-as(?: [a-z:-]+="[^"<>&]*")+>([^<>]*)<\/say-as>/g, '$1');
  return !/[<>]/.test(inner) && !/&(?!(?:amp|lt|gt|quot|apos);)/.test(inner);
}

export async function startFakeGoogleTts(opts: FakeGoogleTtsOptions = {}): Promise<FakeGoogleTts> {
  const requests: GoogleTtsRequest[] = [];
  let delayMs = opts.delayMs ?? 0;
  let failStatus = 0;
  let failTimes = 0;
  let hangUps = 0;
  const msPerChar = opts.msPerChar ?? 20;

  const renderPcm = (text: string): Buffer => renderTone(text, msPerChar);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 500, message: String(err), status: 'INTERNAL' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    if (req.method !== 'POST' || url.pathname !== '/v1/text:synthesize') {
      return sendJson(res, 404, {
        error: { code: 404, message: `no route ${req.method} ${url.pathname}`, status: 'NOT_FOUND' },
      });
    }
    let body: {
      input?: { text?: string; ssml?: string };
      voice?: { name?: string; languageCode?: string };
      audioConfig?: { audioEncoding?: string | number; sampleRateHertz?: number };
    };
    try {
      body = JSON.parse(raw.toString('utf8')) as typeof body;
    } catch {
      return sendJson(res, 400, {
        error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' },
      });
    }
    const text = body.input?.text ?? body.input?.ssml ?? '';
    const ssml = body.input?.ssml !== undefined;
    const encRaw = String(body.audioConfig?.audioEncoding ?? '');
    const encoding = ENCODING_NAMES[encRaw] ?? encRaw;
    const rate = body.audioConfig?.sampleRateHertz || 24_000;
    requests.push({
      text,
      ssml,
      voice: body.voice?.name ?? '',
      languageCode: body.voice?.languageCode ?? '',
      encoding,
      sampleRate: rate,
      at: Date.now(),
      authorization: req.headers.authorization,
    });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (hangUps > 0) {
      hangUps--;
      req.socket.destroy();
      return;
    }
    if (failTimes > 0) {
      failTimes--;
      return sendJson(res, failStatus, {
        error: { code: failStatus, message: 'scripted failure', status: 'UNAVAILABLE' },
      });
    }
    if (!text)
      return sendJson(res, 400, {
        error: {
          code: 400,
          message: 'Either `input.text` or `input.ssml` is required.',
          status: 'INVALID_ARGUMENT',
        },
      });
    if (ssml && /-Chirp3?-HD-/.test(body.voice?.name ?? ''))
      return sendJson(res, 400, {
        error: { code: 400, message: 'This voice does not support SSML input.', status: 'INVALID_ARGUMENT' },
      });
    if (ssml && !wellFormedSsml(text))
      return sendJson(res, 400, {
        error: { code: 400, message: 'Invalid SSML.', status: 'INVALID_ARGUMENT' },
      });
    if (rate !== 8000)
      return sendJson(res, 400, {
        error: { code: 400, message: 'this fake renders 8000 Hz only', status: 'INVALID_ARGUMENT' },
      });
    const pcm = renderPcm(text);
    let audio: Buffer;
    if (encoding === 'LINEAR16') audio = wav(pcm, 8000, 1, 16);
    else if (encoding === 'MULAW') {
      const mu = Buffer.alloc(pcm.length / 2);
      for (let i = 0; i < mu.length; i++) mu[i] = ulaw(pcm.readInt16LE(i * 2));
      audio = wav(mu, 8000, 7, 8);
    } else
      return sendJson(res, 400, {
        error: { code: 400, message: `unsupported encoding ${encoding}`, status: 'INVALID_ARGUMENT' },
      });
    sendJson(res, 200, { audioContent: audio.toString('base64') });
  }

  const url = await listenLoopback(server);
  return {
    url,
    requests,
    setDelay: (ms) => void (delayMs = ms),
    fail: (status, times = Infinity) => {
      failStatus = status;
      failTimes = times;
    },
    hangUp: (times) => void (hangUps = times),
    renderPcm,
    close: () => closeServer(server),
  };
}
