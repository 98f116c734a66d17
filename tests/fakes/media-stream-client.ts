/**
 * A Twilio Media Streams client, as Twilio behaves on a live call: after `connected` and
 * `start` it sends a continuous line of 20 ms μ-law frames (low line noise when the caller is
 * quiet, speech fixtures when told to speak), at real-time pace or a faster factor. Outbound
 * `media` is "played" at real time into a playout buffer; a `mark` is echoed once the audio
 * before it has played; a `clear` empties the buffer and echoes pending marks at once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { mulawLevelDb } from '../../src-main/audio/mulaw';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'speech');
export type SpeechFixture = 'book' | 'price' | 'bye' | 'name' | 'cough';

/** An 8 kHz μ-law speech fixture (raw, no header). */
export function speechFixture(name: SpeechFixture): Buffer {
  return readFileSync(path.join(FIXTURES, `${name}.ulaw`));
}

/** Milliseconds into a fixture where its speech starts (first frame clearly above the line). */
export function onsetOffsetMs(audio: Buffer): number {
  for (let i = 0; i + 160 <= audio.length; i += 160)
    if (mulawLevelDb(audio.subarray(i, i + 160)) > -40) return (i / 160) * 20;
  return 0;
}

/** The first `voicedMs` of a fixture's speech (with its lead-in): a short "כן". */
export function shortWord(voicedMs: number): Buffer {
  const audio = speechFixture('name');
  const start = (onsetOffsetMs(audio) / 20) * 160;
  return audio.subarray(0, start + (voicedMs / 20) * 160);
}

export interface OutboundMedia {
  payload: Buffer;
  at: number;
}

export interface MediaStreamClientOptions {
  /** ws://127.0.0.1:PORT/ws/twilio-media */
  url: string;
  headers?: Record<string, string>;
  callSid?: string;
  streamSid?: string;
  /** Sent in `start` (a phone call's `stream_token` from the incoming_call TwiML goes here). */
  customParameters?: Record<string, string>;
  /** Inbound pace: 1 = real time, 4 = four times faster. */
  speed?: number;
  /** Playout speed of outbound audio (default: same as speed). */
  playbackSpeed?: number;
  /** Line noise level as a μ-law amplitude (PCM peak), default 40 (≈ −60 dBFS). */
  noise?: number;
  /** Do not echo marks (a broken client). */
  noMarkEcho?: boolean;
}

type Event =
  { kind: 'media'; at: number } | { kind: 'mark'; name: string; at: number } | { kind: 'clear'; at: number };

/** Linear PCM → μ-law byte (the fake's own codec). */
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

/** μ-law byte → linear PCM. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const mag = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;
  return u & 0x80 ? -mag : mag;
}

/** RMS in dBFS of μ-law audio. */
export function ulawRmsDb(buf: Buffer): number {
  if (!buf.length) return -Infinity;
  let sum = 0;
  for (const b of buf) sum += ulawToLinear(b) ** 2;
  const rms = Math.sqrt(sum / buf.length);
  return rms < 1 ? -Infinity : 20 * Math.log10(rms / 32768);
}

export class MediaStreamClient {
  readonly ws: WebSocket;
  readonly callSid: string;
  readonly streamSid: string;
  /** Everything the server sent, in order. */
  readonly events: Event[] = [];
  readonly media: OutboundMedia[] = [];
  readonly marksSent: string[] = [];
  readonly marksEchoed: string[] = [];
  /** When each agent frame started playing to the caller (performance.now()). */
  readonly played: number[] = [];
  clears = 0;
  closed = false;
  closeCode: number | undefined;
  /** Frames sent by this client. */
  framesSent = 0;
  /** How long sending each frame took on this side (ms). */
  readonly sendJitter: number[] = [];

  private readonly speed: number;
  private readonly playbackSpeed: number;
  private readonly noise: number;
  private queue: Buffer[] = [];
  private waiters: Array<{ frames: number; resolve: () => void }> = [];
  private lineTimer: NodeJS.Timeout | undefined;
  private lineStart = 0;
  private lineFrames = 0;
  private rng = 12345;
  /** Playout: outbound frames not yet played, with marks between them. */
  private playout: Array<{ kind: 'frame' } | { kind: 'mark'; name: string }> = [];
  private playTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private listeners: Array<() => void> = [];

  private constructor(
    /** As connected (the stream token a call's `start` carries is in customParameters). */
    readonly opts: MediaStreamClientOptions,
    ws: WebSocket,
  ) {
    this.ws = ws;
    this.callSid = opts.callSid ?? `CA${randomHex(32)}`;
    this.streamSid = opts.streamSid ?? `MZ${randomHex(32)}`;
    this.speed = opts.speed ?? 1;
    this.playbackSpeed = opts.playbackSpeed ?? this.speed;
    this.noise = opts.noise ?? 40;
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.stopTimers();
      this.notify();
    });
  }

  /** Opens the socket (rejects on a refused upgrade, e.g. 403). */
  static connect(opts: MediaStreamClientOptions): Promise<MediaStreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(opts.url, { headers: opts.headers });
      const client = new MediaStreamClient(opts, ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  private sendJson(obj: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ ...obj, sequenceNumber: String(++this.seq) }));
  }

  /** `connected` + `start`, then the continuous line of frames. */
  start(): void {
    this.ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.sendJson({
      event: 'start',
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: 'AC' + 'f'.repeat(32),
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: { call_sid: this.callSid, business_id: '1', ...this.opts.customParameters },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.lineStart = performance.now();
    this.lineFrames = 0;
    this.tickLine();
  }

  /** Queues speech (μ-law) on the line; resolves when its last frame was sent. */
  say(audio: Buffer | SpeechFixture): Promise<void> {
    const buf = typeof audio === 'string' ? speechFixture(audio) : audio;
    for (let i = 0; i < buf.length; i += 160) {
      const frame = Buffer.alloc(160, 0xff);
      buf.copy(frame, 0, i, Math.min(i + 160, buf.length));
      this.queue.push(frame);
    }
    return this.afterQueued();
  }

  /** Queues line noise (the caller is quiet) for ms; resolves when sent. */
  quiet(ms: number): Promise<void> {
    for (let i = 0; i < Math.round(ms / 20); i++) this.queue.push(this.noiseFrame());
    return this.afterQueued();
  }

  private afterQueued(): Promise<void> {
    const target = this.framesSent + this.queue.length;
    return new Promise((resolve) => this.waiters.push({ frames: target, resolve }));
  }

  dtmf(digit: string): void {
    this.sendJson({ event: 'dtmf', streamSid: this.streamSid, dtmf: { track: 'inbound_track', digit } });
  }

  /** Twilio's `stop` and a normal close. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.stopTimers();
    this.sendJson({
      event: 'stop',
      streamSid: this.streamSid,
      stop: { accountSid: 'AC' + 'f'.repeat(32), callSid: this.callSid },
    });
    this.ws.close(1000);
    await this.waitFor(() => this.closed, 2000).catch(() => undefined);
  }

  /** Drops the TCP connection without a close frame or `stop`. */
  kill(): void {
    this.stopTimers();
    this.ws.terminate();
  }

  /** Stops sending frames (the line goes dead) without closing. */
  mute(): void {
    this.stopTimers();
  }

  /** All outbound audio received so far (μ-law). */
  outboundAudio(from = 0): Buffer {
    return Buffer.concat(this.media.slice(from).map((m) => m.payload));
  }

  waitFor(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // Checked on every server message and every 20 ms (conditions may be outside this client).
      const poll = setInterval(() => check(), 20);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (pred()) {
          clearTimeout(timer);
          clearInterval(poll);
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve();
        }
      };
      this.listeners.push(check);
    });
  }

  /** Time of the first outbound media frame after `after` (performance.now() clock). */
  firstMediaAfter(after: number): number | undefined {
    return this.media.find((m) => m.at >= after)?.at;
  }

  /** When the caller last heard agent audio, if the line went quiet after `at` (else undefined). */
  quietAfter(at: number, gapMs = 60): number | undefined {
    const p = this.played;
    for (let i = 0; i < p.length; i++) {
      if (p[i]! + 20 < at) continue;
      const end = p[i]! + 20;
      if (i + 1 >= p.length) return performance.now() - end >= gapMs ? end : undefined;
      if (p[i + 1]! - end >= gapMs) return end;
    }
    return undefined;
  }

  /** The longest stretch between `from` and `to` with no agent audio playing (to `to` if it stopped). */
  longestGap(from: number, to: number): number {
    let gap = 0;
    let end = from;
    for (const t of this.played) {
      if (t + 20 < from) continue;
      if (t > to) break;
      gap = Math.max(gap, t - end);
      end = t + 20;
    }
    return Math.round(Math.max(gap, to - end, 0));
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private noiseFrame(): Buffer {
    const f = Buffer.alloc(160);
    for (let i = 0; i < 160; i++) {
      this.rng = (Math.imul(this.rng, 1103515245) + 12345) >>> 0;
      f[i] = ulaw(((this.rng >>> 16) % (2 * this.noise + 1)) - this.noise);
    }
    return f;
  }

  private tickLine = (): void => {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    const frameMs = 20 / this.speed;
    const due = Math.floor((performance.now() - this.lineStart) / frameMs) + 1;
    while (this.lineFrames < due) {
      const frame = this.queue.shift() ?? this.noiseFrame();
      const t0 = performance.now();
      this.ws.send(
        `{"event":"media","sequenceNumber":"${++this.seq}","streamSid":"${this.streamSid}","media":{"track":"inbound","chunk":"${this.lineFrames + 1}","timestamp":"${this.lineFrames * 20}","payload":"${frame.toString('base64')}"}}`,
      );
      this.sendJitter.push(performance.now() - t0);
      this.lineFrames++;
      this.framesSent++;
      while (this.waiters.length && this.waiters[0]!.frames <= this.framesSent)
        this.waiters.shift()!.resolve();
    }
    const next = this.lineStart + (this.lineFrames + 0) * frameMs;
    this.lineTimer = setTimeout(this.tickLine, Math.max(1, next - performance.now()));
  };

  private onMessage(text: string): void {
    const at = performance.now();
    let msg: { event?: string; media?: { payload?: string }; mark?: { name?: string }; streamSid?: string };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'media' && msg.media?.payload) {
      const payload = Buffer.from(msg.media.payload, 'base64');
      this.media.push({ payload, at });
      this.events.push({ kind: 'media', at });
      this.playout.push({ kind: 'frame' });
      this.schedulePlayout();
    } else if (msg.event === 'mark' && msg.mark?.name) {
      this.marksSent.push(msg.mark.name);
      this.events.push({ kind: 'mark', name: msg.mark.name, at });
      this.playout.push({ kind: 'mark', name: msg.mark.name });
      this.schedulePlayout();
    } else if (msg.event === 'clear') {
      this.clears++;
      this.events.push({ kind: 'clear', at });
      // Twilio: the buffer is emptied and pending marks come back at once.
      const pending = this.playout.filter((p): p is { kind: 'mark'; name: string } => p.kind === 'mark');
      this.playout = [];
      for (const m of pending) this.echoMark(m.name);
    }
    this.notify();
  }

  private echoMark(name: string): void {
    if (this.opts.noMarkEcho || this.ws.readyState !== WebSocket.OPEN) return;
    this.marksEchoed.push(name);
    this.sendJson({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  /** Plays one 20 ms frame per 20 ms (÷ playbackSpeed); marks pass when reached. */
  private schedulePlayout(): void {
    if (this.playTimer) return;
    const step = () => {
      this.playTimer = undefined;
      while (this.playout[0]?.kind === 'mark') this.echoMark((this.playout.shift() as { name: string }).name);
      if (this.playout[0]?.kind === 'frame') {
        this.playout.shift();
        this.played.push(performance.now());
        this.playTimer = setTimeout(step, 20 / this.playbackSpeed);
      }
    };
    this.playTimer = setTimeout(step, 0);
  }

  private stopTimers(): void {
    if (this.lineTimer) clearTimeout(this.lineTimer);
    if (this.playTimer) clearTimeout(this.playTimer);
    this.lineTimer = undefined;
    this.playTimer = undefined;
  }
}

function randomHex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
