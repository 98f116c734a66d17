/**
 * A fake of the OpenAI Realtime API on 127.0.0.1:0, at the path the official SDK connects to
 * under `OPENAI_BASE_URL` (`/v1/realtime?model=…`, Bearer key). It speaks the GA event protocol:
 * `session.update` → `session.updated`; `input_audio_buffer.append` (audio/pcmu) runs a simple
 * energy server VAD (speech_started / speech_stopped with audio ms, commit, input transcription
 * with the scripted caller text); a response streams `response.output_audio.delta` μ-law (real
 * speech fixtures) with transcript deltas, then scripted function calls, then `response.done`;
 * `response.cancel`, `conversation.item.truncate`, `conversation.item.create` (tool outputs) and
 * `response.create` behave as documented (a second one while a response is active is refused with
 * `conversation_already_has_active_response`); `turn_detection.create_response` /
 * `interrupt_response` are honoured: a speech start cancels the response and a speech stop creates
 * one unless they are `false`.
 *
 * Transcription sessions (`/v1/realtime?intent=transcription`, no model — a model parameter is
 * refused with an `error` event like the real service): `session.update` with
 * `type: "transcription"` → `session.updated`; `input_audio_buffer.append` / `.clear` /
 * `.commit` (→ `input_audio_buffer.committed`, an empty buffer → `input_audio_buffer_commit_empty`);
 * `transcriptDelayMs` after a commit, `conversation.item.input_audio_transcription.delta` (word
 * by word) then `.completed` with the scripted text.
 *
 * Every other HTTP request is proxied to `upstream` (the HTTP OpenAI fake), so one base URL
 * serves both the Realtime socket and the chat/transcription/speech endpoints.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { speechFixture, ulawToLinear } from './media-stream-client';

export interface RealtimeToolCallScript {
  name: string;
  arguments: Record<string, unknown> | string;
}

export interface RealtimeResponseScript {
  /** What the model says (transcript); spoken as `audio`. */
  text?: string;
  /** μ-law audio of the answer; default: the `price` speech fixture. */
  audio?: Buffer;
  toolCalls?: RealtimeToolCallScript[];
  /** Before the first delta (model latency). */
  delayMs?: number;
  /** Audio per delta (default 100 ms) and the pause between deltas (default 5 ms). */
  chunkMs?: number;
  chunkDelayMs?: number;
}

export interface RecordedRealtimeEvent {
  type: string;
  at: number;
  [k: string]: unknown;
}

export interface FakeRealtimeConnection {
  url: string;
  headers: IncomingMessage['headers'];
  events: RecordedRealtimeEvent[];
  /** The last session.update's `session`. */
  session: Record<string, unknown> | undefined;
  appendedMs: number;
  close(code?: number): void;
}

export interface FakeTranscriptionConnection {
  url: string;
  events: RecordedRealtimeEvent[];
  session: Record<string, unknown> | undefined;
  /** Bytes appended since the session opened. */
  appendedBytes: number;
  commits: number;
  close(code?: number): void;
}

export interface FakeTranscriptionScript {
  /** What each commit transcribes to (called at commit time, with the committed bytes). */
  text: (bytes: number) => string;
  /** Between the commit and the first delta / the completed event. */
  delayMs: number;
  /** The next upgrades fail: an HTTP status, or 'close' (accepted, closed before session.updated). */
  fail: number | 'close' | null;
  /** The session drops (1011) when it gets a commit. */
  closeOnCommit?: boolean;
}

export interface FakeRealtimeOptions {
  /** HTTP origin (…/v1 is kept) for non-Realtime requests. */
  upstream?: string;
  apiKey?: string;
}

export interface FakeRealtime {
  /** OPENAI_BASE_URL: http://127.0.0.1:PORT/v1 */
  url: string;
  /** Where plain HTTP requests go (settable after start). */
  upstream: string | undefined;
  connections: FakeRealtimeConnection[];
  /** Every client event of every connection, in order. */
  events(type?: string): RecordedRealtimeEvent[];
  /** What the caller says in the next utterance(s) (input transcription answers this). */
  caller: { text: string };
  /** Delay of the input transcription after speech stops. */
  transcriptDelayMs: number;
  script(...r: RealtimeResponseScript[]): void;
  setDefault(r: RealtimeResponseScript): void;
  /** Make the next upgrades fail: an HTTP status, or 'close' (accepted, closed before session.updated). */
  failNext(mode: number | 'close' | null): void;
  /** Transcription sessions (intent=transcription). */
  transcription: FakeTranscriptionScript;
  transcriptionConnections: FakeTranscriptionConnection[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FRAME = 160;
/** Frames louder than this (PCM RMS) are speech; the media client's line noise is ~25. */
const SPEECH_RMS = 400;
const START_FRAMES = 3;

function frameRms(buf: Buffer, off: number): number {
  let sum = 0;
  const end = Math.min(buf.length, off + FRAME);
  for (let i = off; i < end; i++) sum += ulawToLinear(buf[i]!) ** 2;
  return Math.sqrt(sum / Math.max(1, end - off));
}

export async function startFakeRealtime(o: FakeRealtimeOptions = {}): Promise<FakeRealtime> {
  const connections: FakeRealtimeConnection[] = [];
  const queue: RealtimeResponseScript[] = [];
  let fallback: RealtimeResponseScript = { text: 'כן, איך אפשר לעזור?' };
  let failMode: number | 'close' | null = null;
  const caller = { text: '' };
  let seq = 0;
  const id = (p: string) => `${p}_${(++seq).toString(36).padStart(6, '0')}`;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    if (!fake.upstream) {
      res.writeHead(404).end();
      return;
    }
    const up = new URL(fake.upstream);
    const fwd = request(
      {
        host: up.hostname,
        port: up.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: up.host },
      },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      },
    );
    fwd.on('error', () => res.writeHead(502).end());
    req.pipe(fwd);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = String(req.headers.authorization ?? '');
    const reject = (status: number) => {
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const transcription = url.searchParams.get('intent') === 'transcription';
    if (url.pathname !== '/v1/realtime' || (!transcription && !url.searchParams.get('model')))
      return reject(404);
    if (!auth.startsWith('Bearer ') || (o.apiKey && auth !== `Bearer ${o.apiKey}`)) return reject(401);
    if (transcription) {
      const mode = fake.transcription.fail;
      if (typeof mode === 'number') return reject(mode);
      wss.handleUpgrade(req, socket, head, (ws) => serveTranscription(ws, req, url, mode === 'close'));
      return;
    }
    if (typeof failMode === 'number') return reject(failMode);
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req));
  });

  function serve(ws: WebSocket, req: IncomingMessage): void {
    const events: RecordedRealtimeEvent[] = [];
    const conn: FakeRealtimeConnection = {
      url: req.url ?? '',
      headers: req.headers,
      events,
      session: undefined,
      appendedMs: 0,
      close: (code = 1011) => ws.close(code, 'server closing'),
    };
    connections.push(conn);
    const send = (ev: Record<string, unknown>) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event_id: id('event'), ...ev }));
    };
    if (failMode === 'close') {
      ws.close(1011, 'fake failure');
      return;
    }
    send({ type: 'session.created', session: { type: 'realtime', id: id('sess'), model: 'fake' } });

    // Server VAD state.
    let speaking = false;
    let loudRun = 0;
    let quietMs = 0;
    let inputItem = '';
    // Response state.
    let active: { id: string; cancelled: boolean } | undefined;
    const turnDetection = () =>
      ((conn.session?.audio as { input?: { turn_detection?: Record<string, unknown> } } | undefined)?.input
        ?.turn_detection ?? {}) as {
        silence_duration_ms?: number;
        create_response?: boolean;
        interrupt_response?: boolean;
      };

    const cancelActive = () => {
      if (!active || active.cancelled) return false;
      active.cancelled = true;
      send({
        type: 'response.done',
        response: { id: active.id, object: 'realtime.response', status: 'cancelled', output: [] },
      });
      active = undefined;
      return true;
    };

    const onAudio = (audio: Buffer) => {
      for (let off = 0; off < audio.length; off += FRAME) {
        conn.appendedMs += 20;
        const loud = frameRms(audio, off) > SPEECH_RMS;
        if (!speaking) {
          loudRun = loud ? loudRun + 1 : 0;
          if (loudRun >= START_FRAMES) {
            speaking = true;
            quietMs = 0;
            inputItem = id('item');
            send({
              type: 'input_audio_buffer.speech_started',
              audio_start_ms: conn.appendedMs - START_FRAMES * 20,
              item_id: inputItem,
            });
            if (turnDetection().interrupt_response !== false) cancelActive();
          }
        } else {
          quietMs = loud ? 0 : quietMs + 20;
          if (quietMs >= (turnDetection().silence_duration_ms ?? 500)) {
            speaking = false;
            loudRun = 0;
            const item = inputItem;
            send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: conn.appendedMs, item_id: item });
            send({ type: 'input_audio_buffer.committed', item_id: item, previous_item_id: null });
            send({
              type: 'conversation.item.added',
              item: { id: item, type: 'message', role: 'user', content: [{ type: 'input_audio' }] },
            });
            const said = caller.text;
            setTimeout(() => {
              send({
                type: 'conversation.item.input_audio_transcription.completed',
                item_id: item,
                content_index: 0,
                transcript: said,
                usage: { type: 'duration', seconds: 1 },
              });
            }, fake.transcriptDelayMs);
            if (turnDetection().create_response !== false) void respond();
          }
        }
      }
    };

    const respond = async () => {
      cancelActive();
      const script = queue.shift() ?? fallback;
      const resp = { id: id('resp'), cancelled: false };
      active = resp;
      const alive = () => !resp.cancelled && ws.readyState === ws.OPEN;
      send({
        type: 'response.created',
        response: { id: resp.id, object: 'realtime.response', status: 'in_progress', output: [] },
      });
      if (script.delayMs) await sleep(script.delayMs);
      const output: Array<Record<string, unknown>> = [];
      if (script.text || script.audio) {
        const itemId = id('item');
        const audio = script.audio ?? speechFixture('price');
        const text = script.text ?? '';
        if (!alive()) return;
        send({
          type: 'response.output_item.added',
          response_id: resp.id,
          output_index: 0,
          item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] },
        });
        const step = 8 * (script.chunkMs ?? 100);
        const words = text.split(' ');
        const chunks = Math.ceil(audio.length / step);
        let w = 0;
        for (let i = 0; i < chunks; i++) {
          if (!alive()) return;
          const upTo = Math.ceil(((i + 1) / chunks) * words.length);
          if (upTo > w) {
            send({
              type: 'response.output_audio_transcript.delta',
              response_id: resp.id,
              item_id: itemId,
              output_index: 0,
              content_index: 0,
              delta: (w ? ' ' : '') + words.slice(w, upTo).join(' '),
            });
            w = upTo;
          }
          send({
            type: 'response.output_audio.delta',
            response_id: resp.id,
            item_id: itemId,
            output_index: 0,
            content_index: 0,
            delta: audio.subarray(i * step, (i + 1) * step).toString('base64'),
          });
          await sleep(script.chunkDelayMs ?? 5);
        }
        if (!alive()) return;
        send({
          type: 'response.output_audio.done',
          response_id: resp.id,
          item_id: itemId,
          output_index: 0,
          content_index: 0,
        });
        send({
          type: 'response.output_audio_transcript.done',
          response_id: resp.id,
          item_id: itemId,
          output_index: 0,
          content_index: 0,
          transcript: text,
        });
        output.push({ id: itemId, type: 'message', role: 'assistant', status: 'completed' });
      }
      for (const [i, tc] of (script.toolCalls ?? []).entries()) {
        if (!alive()) return;
        const itemId = id('item');
        const callId = id('call');
        const args = typeof tc.arguments === 'string' ? tc.arguments : JSON.stringify(tc.arguments);
        send({
          type: 'response.output_item.added',
          response_id: resp.id,
          output_index: output.length,
          item: { id: itemId, type: 'function_call', call_id: callId, name: tc.name, arguments: '' },
        });
        send({
          type: 'response.function_call_arguments.delta',
          response_id: resp.id,
          item_id: itemId,
          output_index: output.length,
          call_id: callId,
          delta: args,
        });
        send({
          type: 'response.function_call_arguments.done',
          response_id: resp.id,
          item_id: itemId,
          output_index: output.length,
          call_id: callId,
          name: tc.name,
          arguments: args,
        });
        output.push({
          id: itemId,
          type: 'function_call',
          call_id: callId,
          name: tc.name,
          arguments: args,
          i,
        });
      }
      if (!alive()) return;
      active = undefined;
      send({
        type: 'response.done',
        response: { id: resp.id, object: 'realtime.response', status: 'completed', output },
      });
    };

    ws.on('message', (data) => {
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        send({
          type: 'error',
          error: { type: 'invalid_request_error', code: 'invalid_json', message: 'bad JSON' },
        });
        return;
      }
      const type = String(ev.type);
      events.push(
        type === 'input_audio_buffer.append'
          ? { type, at: Date.now(), bytes: Buffer.from(String(ev.audio ?? ''), 'base64').length }
          : { ...ev, type, at: Date.now() },
      );
      switch (type) {
        case 'session.update':
          conn.session = { ...conn.session, ...(ev.session as Record<string, unknown>) };
          send({ type: 'session.updated', session: conn.session });
          return;
        case 'input_audio_buffer.append':
          return onAudio(Buffer.from(String(ev.audio ?? ''), 'base64'));
        case 'response.create':
          if (active && !active.cancelled) {
            send({
              type: 'error',
              error: {
                type: 'invalid_request_error',
                code: 'conversation_already_has_active_response',
                message: 'Conversation already has an active response in progress',
              },
            });
            return;
          }
          void respond();
          return;
        case 'response.cancel':
          if (!cancelActive())
            send({
              type: 'error',
              error: {
                type: 'invalid_request_error',
                code: 'response_cancel_not_active',
                message: 'Cancellation failed: no active response found',
              },
            });
          return;
        case 'conversation.item.truncate':
          send({
            type: 'conversation.item.truncated',
            item_id: ev.item_id,
            content_index: ev.content_index,
            audio_end_ms: ev.audio_end_ms,
          });
          return;
        case 'conversation.item.create': {
          const item = { id: id('item'), ...(ev.item as Record<string, unknown>) };
          send({ type: 'conversation.item.added', previous_item_id: null, item });
          send({ type: 'conversation.item.done', previous_item_id: null, item });
          return;
        }
        default:
          send({
            type: 'error',
            error: { type: 'invalid_request_error', code: 'unknown_event', message: `unknown event ${type}` },
          });
      }
    });
  }

  const transcriptionConnections: FakeTranscriptionConnection[] = [];

  function serveTranscription(ws: WebSocket, req: IncomingMessage, url: URL, closeNow: boolean): void {
    const events: RecordedRealtimeEvent[] = [];
    const conn: FakeTranscriptionConnection = {
      url: req.url ?? '',
      events,
      session: undefined,
      appendedBytes: 0,
      commits: 0,
      close: (code = 1011) => ws.close(code, 'server closing'),
    };
    transcriptionConnections.push(conn);
    const send = (ev: Record<string, unknown>) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event_id: id('event'), ...ev }));
    };
    const error = (code: string, message: string) =>
      send({ type: 'error', error: { type: 'invalid_request_error', code, message } });
    if (closeNow) {
      ws.close(1011, 'fake failure');
      return;
    }
    if (url.searchParams.get('model')) {
      error('invalid_request_error', 'You must not provide a model parameter for transcription sessions.');
      ws.close(1008, 'model parameter');
      return;
    }
    send({ type: 'session.created', session: { type: 'transcription', id: id('sess') } });
    let buffered = 0;
    let previous: string | null = null;
    ws.on('message', (data) => {
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return error('invalid_json', 'bad JSON');
      }
      const type = String(ev.type);
      const audio =
        type === 'input_audio_buffer.append' ? Buffer.from(String(ev.audio ?? ''), 'base64') : null;
      events.push(audio ? { type, at: Date.now(), bytes: audio.length } : { ...ev, type, at: Date.now() });
      switch (type) {
        case 'session.update': {
          const next = (ev.session ?? {}) as Record<string, unknown>;
          if (next.type !== 'transcription')
            return error(
              'invalid_request_error',
              'Passing a realtime session update event to a transcription session is not allowed.',
            );
          conn.session = { ...conn.session, ...next };
          send({ type: 'session.updated', session: conn.session });
          return;
        }
        case 'input_audio_buffer.append':
          buffered += audio!.length;
          conn.appendedBytes += audio!.length;
          return;
        case 'input_audio_buffer.clear':
          buffered = 0;
          send({ type: 'input_audio_buffer.cleared' });
          return;
        case 'input_audio_buffer.commit': {
          if (fake.transcription.closeOnCommit) {
            ws.close(1011, 'fake drop');
            return;
          }
          if (buffered < 800) {
            buffered = 0;
            return error(
              'input_audio_buffer_commit_empty',
              'buffer too small: expected at least 100ms of audio',
            );
          }
          const bytes = buffered;
          buffered = 0;
          conn.commits++;
          const item = id('item');
          send({ type: 'input_audio_buffer.committed', item_id: item, previous_item_id: previous });
          send({
            type: 'conversation.item.added',
            previous_item_id: previous,
            item: {
              id: item,
              type: 'message',
              role: 'user',
              content: [{ type: 'input_audio', transcript: null }],
            },
          });
          previous = item;
          const said = fake.transcription.text(bytes);
          setTimeout(() => {
            const words = said.split(' ').filter(Boolean);
            words.forEach((w, i) =>
              send({
                type: 'conversation.item.input_audio_transcription.delta',
                item_id: item,
                content_index: 0,
                delta: (i ? ' ' : '') + w,
              }),
            );
            send({
              type: 'conversation.item.input_audio_transcription.completed',
              item_id: item,
              content_index: 0,
              transcript: said,
              usage: { type: 'duration', seconds: Math.max(1, Math.round(bytes / 8000)) },
            });
          }, fake.transcription.delayMs);
          return;
        }
        default:
          error('unknown_event', `unknown event ${type}`);
      }
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeRealtime = {
    url: `http://127.0.0.1:${port}/v1`,
    upstream: o.upstream,
    connections,
    events: (type) => connections.flatMap((c) => c.events).filter((e) => !type || e.type === type),
    caller,
    transcriptDelayMs: 30,
    script: (...r) => void queue.push(...r),
    setDefault: (r) => void (fallback = r),
    failNext: (mode) => void (failMode = mode),
    transcription: { text: () => caller.text, delayMs: 150, fail: null },
    transcriptionConnections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
  return fake;
}
