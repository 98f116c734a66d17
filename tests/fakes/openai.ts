/**
 * A fake of the OpenAI HTTP API on 127.0.0.1:0 that the official `openai` SDK talks to
 * through `baseURL`: /v1/audio/transcriptions (multipart), /v1/chat/completions (JSON and
 * SSE streaming, tool calls), /v1/audio/speech. Replies are scripted per call or set as a
 * default; every request is recorded. Like the real API in JSON mode (`response_format`
 * `json_object` / `json_schema`), a chat request that asks for JSON always gets valid JSON: a
 * reply whose content is not JSON is replaced by the JSON default (`setDefaultJsonChat`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLoopback, readBody, sendJson } from './http';

export interface RecordedOpenAiRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or the multipart text fields. */
  body: Record<string, unknown>;
  /** Multipart file parts: name, file name, type, size. */
  files: Array<{ field: string; name: string; type: string; bytes: number; data: Buffer }>;
  at: number;
}

export interface TranscriptionScript {
  text: string;
  delayMs?: number;
  /** Answer this HTTP status with an OpenAI error body instead. */
  status?: number;
}
export type TranscriptionReply =
  string | TranscriptionScript | ((req: RecordedOpenAiRequest) => string | TranscriptionScript);

export interface ToolCallScript {
  name: string;
  arguments: string | Record<string, unknown>;
  id?: string;
}
export interface ChatScript {
  content?: string;
  toolCalls?: ToolCallScript[];
  /** Before the first byte. */
  delayMs?: number;
  /** Between streamed chunks. */
  chunkDelayMs?: number;
  /** Content is streamed in pieces of about this many characters (default 8). */
  chunkChars?: number;
  status?: number;
  finishReason?: string;
}
export type ChatReply = string | ChatScript | ((req: RecordedOpenAiRequest) => string | ChatScript);

export interface SpeechScript {
  /** Raw bytes to answer; default: a tone as long as the text needs, in the requested format. */
  audio?: Buffer;
  delayMs?: number;
  status?: number;
}
export type SpeechReply = SpeechScript | ((req: RecordedOpenAiRequest) => SpeechScript);

export interface FakeOpenAI {
  /** Base URL for the SDK / OPENAI_BASE_URL, ending in /v1. */
  url: string;
  origin: string;
  requests: RecordedOpenAiRequest[];
  requestsTo(path: string): RecordedOpenAiRequest[];
  /** Queue replies for the next transcription requests, in order. */
  scriptTranscription(...replies: TranscriptionReply[]): void;
  setDefaultTranscription(reply: TranscriptionReply): void;
  scriptChat(...replies: ChatReply[]): void;
  setDefaultChat(reply: ChatReply): void;
  /**
   * The content for a JSON-mode chat request whose scripted or default reply is not JSON
   * (default: `{}`). A reply that already is JSON is sent as it is.
   */
  setDefaultJsonChat(
    content: string | Record<string, unknown> | ((req: RecordedOpenAiRequest) => string),
  ): void;
  scriptSpeech(...replies: SpeechReply[]): void;
  setDefaultSpeech(reply: SpeechReply): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise any bearer token is accepted. */
  apiKey?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: RecordedOpenAiRequest[] = [];
  let transcriptionQueue: TranscriptionReply[] = [];
  let chatQueue: ChatReply[] = [];
  let speechQueue: SpeechReply[] = [];
  let defaultTranscription: TranscriptionReply = 'שלום, אני רוצה לקבוע תור';
  let defaultChat: ChatReply = 'בשמחה, איך אפשר לעזור?';
  let defaultJsonChat: (req: RecordedOpenAiRequest) => string = () => '{}';
  let defaultSpeech: SpeechReply = {};
  let seq = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `fake failure: ${String(err)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || (opts.apiKey && auth !== `Bearer ${opts.apiKey}`)) {
      return sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key');
    }
    const rec: RecordedOpenAiRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      body: {},
      files: [],
      at: Date.now(),
    };
    const contentType = String(req.headers['content-type'] ?? '');
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Request('http://x', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: new Uint8Array(raw),
      }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') rec.body[field] = value;
        else {
          const data = Buffer.from(await value.arrayBuffer());
          rec.files.push({ field, name: value.name, type: value.type, bytes: data.length, data });
        }
      }
    } else if (raw.length) {
      try {
        rec.body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return sendError(res, 400, 'We could not parse the JSON body of your request.');
      }
    }
    requests.push(rec);

    if (req.method === 'POST' && url.pathname === '/v1/audio/transcriptions') return transcription(rec, res);
    if (req.method === 'POST' && url.pathname === '/v1/chat/completions') return chat(rec, res);
    if (req.method === 'POST' && url.pathname === '/v1/audio/speech') return speech(rec, res);
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'fake' }],
      });
    }
    sendError(res, 404, `Invalid URL (${req.method} ${url.pathname})`);
  }

  async function transcription(rec: RecordedOpenAiRequest, res: ServerResponse): Promise<void> {
    if (!rec.files.some((f) => f.field === 'file'))
      return sendError(res, 400, "Missing required parameter: 'file'.");
    if (!rec.body.model) return sendError(res, 400, "Missing required parameter: 'model'.");
    const next = transcriptionQueue.shift() ?? defaultTranscription;
    const resolved = typeof next === 'function' ? next(rec) : next;
    const script: TranscriptionScript = typeof resolved === 'string' ? { text: resolved } : resolved;
    if (script.delayMs) await sleep(script.delayMs);
    if (script.status && script.status >= 400)
      return sendError(res, script.status, 'scripted transcription failure');
    const format = String(rec.body.response_format ?? 'json');
    if (format === 'text') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(script.text);
    }
    if (format === 'verbose_json') {
      return sendJson(res, 200, {
        task: 'transcribe',
        language: rec.body.language ?? 'hebrew',
        duration: 1,
        text: script.text,
        segments: [],
      });
    }
    sendJson(res, 200, {
      text: script.text,
      usage: { type: 'tokens', input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    });
  }

  async function chat(rec: RecordedOpenAiRequest, res: ServerResponse): Promise<void> {
    if (!Array.isArray(rec.body.messages))
      return sendError(res, 400, "Missing required parameter: 'messages'.");
    const next = chatQueue.shift() ?? defaultChat;
    const resolved = typeof next === 'function' ? next(rec) : next;
    let script: ChatScript = typeof resolved === 'string' ? { content: resolved } : resolved;
    if (wantsJson(rec) && !script.toolCalls?.length && !isJson(script.content))
      script = { ...script, content: defaultJsonChat(rec) };
    if (script.delayMs) await sleep(script.delayMs);
    if (script.status && script.status >= 400) return sendError(res, script.status, 'scripted chat failure');
    const id = `chatcmpl-fake${++seq}`;
    const model = String(rec.body.model ?? 'gpt-4o-mini');
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = (script.toolCalls ?? []).map((t, i) => ({
      id: t.id ?? `call_fake${seq}_${i}`,
      type: 'function' as const,
      function: {
        name: t.name,
        arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments),
      },
    }));
    const finish = script.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
    const usage = { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 };

    if (!rec.body.stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: script.content ?? null,
              refusal: null,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage,
      });
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`,
      );
    };
    const pause = async () => {
      if (script.chunkDelayMs) await sleep(script.chunkDelayMs);
    };
    chunk({ role: 'assistant', content: '' });
    const text = script.content ?? '';
    const size = Math.max(1, script.chunkChars ?? 8);
    for (let i = 0; i < text.length; i += size) {
      if (res.destroyed) return;
      await pause();
      chunk({ content: text.slice(i, i + size) });
    }
    for (const [index, call] of toolCalls.entries()) {
      await pause();
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      });
      const args = call.function.arguments;
      for (let i = 0; i < args.length; i += 16) {
        await pause();
        chunk({ tool_calls: [{ index, function: { arguments: args.slice(i, i + 16) } }] });
      }
    }
    chunk({}, finish);
    const so = rec.body.stream_options as { include_usage?: boolean } | undefined;
    if (so?.include_usage)
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      );
    res.write('data: [DONE]\n\n');
    res.end();
  }

  async function speech(rec: RecordedOpenAiRequest, res: ServerResponse): Promise<void> {
    const input = typeof rec.body.input === 'string' ? rec.body.input : '';
    if (!input) return sendError(res, 400, "Missing required parameter: 'input'.");
    const next = speechQueue.shift() ?? defaultSpeech;
    const script = typeof next === 'function' ? next(rec) : next;
    if (script.delayMs) await sleep(script.delayMs);
    if (script.status && script.status >= 400)
      return sendError(res, script.status, 'scripted speech failure');
    const format = String(rec.body.response_format ?? 'mp3');
    // OpenAI speech is 24 kHz mono; `pcm` is raw PCM16 LE, `wav` the same with a header.
    const pcm = script.audio ?? tonePcm16(Math.min(4000, 300 + input.length * 40), 24_000);
    if (format === 'pcm') {
      res.writeHead(200, { 'content-type': 'audio/pcm' });
      return void res.end(pcm);
    }
    if (format === 'wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      return void res.end(script.audio ?? wavPcm16(pcm, 24_000));
    }
    res.writeHead(200, { 'content-type': 'audio/mpeg' });
    res.end(script.audio ?? Buffer.concat([Buffer.from([0xff, 0xf3, 0x44, 0xc4]), Buffer.alloc(400)]));
  }

  const origin = await listenLoopback(server);
  return {
    url: `${origin}/v1`,
    origin,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path || r.path === `/v1${path}`),
    scriptTranscription: (...r) => void transcriptionQueue.push(...r),
    setDefaultTranscription: (r) => void (defaultTranscription = r),
    scriptChat: (...r) => void chatQueue.push(...r),
    setDefaultChat: (r) => void (defaultChat = r),
    setDefaultJsonChat(c) {
      defaultJsonChat = typeof c === 'function' ? c : () => (typeof c === 'string' ? c : JSON.stringify(c));
    },
    scriptSpeech: (...r) => void speechQueue.push(...r),
    setDefaultSpeech: (r) => void (defaultSpeech = r),
    reset() {
      requests.length = 0;
      transcriptionQueue = [];
      chatQueue = [];
      speechQueue = [];
    },
    close: () => closeServer(server),
  };
}

/** JSON mode: `response_format` `{type: 'json_object'}` or `{type: 'json_schema', …}`. */
function wantsJson(rec: RecordedOpenAiRequest): boolean {
  const type = (rec.body.response_format as { type?: unknown } | undefined)?.type;
  return type === 'json_object' || type === 'json_schema';
}

function isJson(text: string | undefined): boolean {
  if (text == null) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function sendError(res: ServerResponse, status: number, message: string, code: string | null = null): void {
  sendJson(res, status, {
    error: { message, type: status === 401 ? 'invalid_request_error' : 'server_error', param: null, code },
  });
}

/** A quiet 440 Hz tone, PCM16 LE mono. */
export function tonePcm16(ms: number, rate: number): Buffer {
  const n = Math.round((rate * ms) / 1000);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++)
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 6000), i * 2);
  return buf;
}

export function wavPcm16(pcm: Buffer, rate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}
