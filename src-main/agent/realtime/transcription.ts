/**
 * The StreamingTranscriber port on the official SDK: an OpenAI Realtime *transcription* session
 * (`/v1/realtime?intent=transcription`, `session.type: "transcription"`), one per phone call.
 * The caller's μ-law goes in as `audio/pcmu` while they speak; server turn detection is off
 * (`turn_detection: null`), so the session commits (`input_audio_buffer.commit`) when our own
 * VAD says the utterance ended, and `conversation.item.input_audio_transcription.completed`
 * resolves that commit. Deltas feed an optional live view.
 *
 * Connection: `OpenAIRealtimeWS` (auth header, event parsing, error events) like the
 * speech-to-speech adapter, including its plaintext handling of `http://` base URLs. The SDK
 * always puts `?model=` on the URL, which transcription sessions refuse ("You must not provide a
 * model parameter for transcription sessions"): ws's `finishRequest` hook rewrites the request's
 * query to `intent=transcription` before the upgrade request is sent.
 */
import net from 'node:net';
import type { ClientRequest } from 'node:http';
import type { RealtimeClientEvent, SessionUpdateEvent } from 'openai/resources/realtime/realtime';
import type { OpenAIHandle } from '../../platform/openai';
import type {
  StreamingTranscriber,
  StreamingTranscriberConfig,
  StreamingTranscription,
  StreamingTranscriptionEvents,
} from '../ports';

const plainConnect = ((o: { host?: string; port?: string | number }) =>
  net.connect({ host: o.host ?? '127.0.0.1', port: Number(o.port) })) as typeof net.createConnection;

/** The session.update that makes a transcription session for phone audio. */
export function transcriptionSessionUpdate(cfg: StreamingTranscriberConfig): SessionUpdateEvent {
  return {
    type: 'session.update',
    session: {
      type: 'transcription',
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          transcription: {
            model: cfg.model,
            language: cfg.language,
            ...(cfg.prompt ? { prompt: cfg.prompt } : {}),
          },
          turn_detection: null,
        },
      },
    },
  };
}

/** `/v1/realtime?model=…` → `/v1/realtime?intent=transcription` (other query parameters kept). */
export function transcriptionPath(path: string): string {
  const q = path.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? path.slice(q + 1) : '');
  params.delete('model');
  params.set('intent', 'transcription');
  return `${q >= 0 ? path.slice(0, q) : path}?${params.toString()}`;
}

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

interface PendingCommit {
  itemId?: string;
  text: string;
  resolve(text: string): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * The session's state machine without the socket (unit-tested on its own): commits waiting for
 * their item id (`input_audio_buffer.committed`) and then their transcript, in order.
 */
export class TranscriptionSessionCore implements StreamingTranscription {
  private pending: PendingCommit[] = [];
  private open = true;
  private closedByUs = false;

  constructor(
    private readonly send: (ev: RealtimeClientEvent) => void,
    private readonly events: StreamingTranscriptionEvents,
    private readonly closeSocket: () => void = () => undefined,
  ) {}

  get alive(): boolean {
    return this.open;
  }

  append(mulaw: Buffer): void {
    if (!this.open || mulaw.length === 0) return;
    this.send({ type: 'input_audio_buffer.append', audio: mulaw.toString('base64') });
  }

  clear(): void {
    if (!this.open) return;
    this.send({ type: 'input_audio_buffer.clear' });
  }

  commit(opts: { timeoutMs?: number } = {}): Promise<string> {
    if (!this.open) return Promise.reject(new Error('transcription session closed'));
    return new Promise<string>((resolve, reject) => {
      const p: PendingCommit = { text: '', resolve, reject };
      if (opts.timeoutMs) {
        p.timer = setTimeout(() => this.settle(p, new Error('transcription timed out')), opts.timeoutMs);
        p.timer.unref?.();
      }
      this.pending.push(p);
      this.send({ type: 'input_audio_buffer.commit' });
    });
  }

  close(): void {
    if (!this.open) return;
    this.closedByUs = true;
    this.shutdown('closed');
    this.closeSocket();
  }

  /** The socket went away (or failed): every pending commit fails, the owner hears once. */
  socketClosed(reason: string): void {
    if (!this.open) return;
    this.shutdown(reason);
    if (!this.closedByUs) this.events.onClosed?.(reason);
  }

  /** One server event. */
  handle(raw: unknown): void {
    if (!raw || typeof raw !== 'object') return;
    const e = raw as Raw;
    switch (e.type) {
      case 'input_audio_buffer.committed': {
        const p = this.pending.find((x) => x.itemId === undefined);
        if (p) p.itemId = str(e.item_id);
        return;
      }
      case 'conversation.item.input_audio_transcription.delta': {
        const p = this.byItem(str(e.item_id));
        if (!p) return;
        p.text += str(e.delta);
        this.events.onDelta?.(p.text);
        return;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        const p = this.byItem(str(e.item_id));
        if (p) this.settle(p, str(e.transcript).trim());
        return;
      }
      case 'conversation.item.input_audio_transcription.failed': {
        const p = this.byItem(str(e.item_id));
        const err = (e.error ?? {}) as Raw;
        if (p) this.settle(p, new Error(`transcription failed: ${str(err.message) || 'unknown'}`));
        return;
      }
      case 'error': {
        const err = (e.error ?? {}) as Raw;
        const code = str(err.code);
        // A commit of an empty buffer: nothing was said.
        if (code === 'input_audio_buffer_commit_empty') {
          const p = this.pending.find((x) => x.itemId === undefined);
          if (p) this.settle(p, '');
        }
        return;
      }
      default:
        return;
    }
  }

  private byItem(itemId: string): PendingCommit | undefined {
    return this.pending.find((x) => x.itemId === itemId) ?? this.pending.find((x) => x.itemId !== undefined);
  }

  private settle(p: PendingCommit, result: string | Error): void {
    const i = this.pending.indexOf(p);
    if (i < 0) return;
    this.pending.splice(i, 1);
    if (p.timer) clearTimeout(p.timer);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  private shutdown(reason: string): void {
    this.open = false;
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new Error(`transcription session ${reason}`));
    }
  }
}

export class OpenAIStreamingTranscriber implements StreamingTranscriber {
  constructor(private readonly client: OpenAIHandle) {}

  async open(
    cfg: StreamingTranscriberConfig,
    events: StreamingTranscriptionEvents,
    opts: { timeoutMs: number },
  ): Promise<StreamingTranscription> {
    const [client, { OpenAIRealtimeWS }] = await Promise.all([this.client(), import('openai/realtime/ws')]);
    const plaintext = client.baseURL.startsWith('http://');
    const rt = await OpenAIRealtimeWS.create(client, {
      // Required by the SDK's URL builder; replaced by intent=transcription below.
      model: cfg.model,
      options: {
        handshakeTimeout: opts.timeoutMs,
        finishRequest: (req: ClientRequest) => {
          req.path = transcriptionPath(req.path);
          req.end();
        },
        ...(plaintext ? { createConnection: plainConnect } : {}),
      },
    });
    const socket = rt.socket;
    const core = new TranscriptionSessionCore(
      (ev) => {
        if (socket.readyState === socket.OPEN) rt.send(ev);
      },
      events,
      () => rt.close({ code: 1000, reason: 'call ended' }),
    );
    let phase: 'connecting' | 'ready' | 'failed' = 'connecting';

    return new Promise<StreamingTranscription>((resolve, reject) => {
      const fail = (why: string) => {
        if (phase !== 'connecting') return;
        phase = 'failed';
        clearTimeout(timer);
        core.close();
        try {
          socket.terminate();
        } catch {
          /* already gone */
        }
        reject(new Error(why));
      };
      const timer = setTimeout(
        () => fail(`transcription connect timed out after ${opts.timeoutMs} ms`),
        opts.timeoutMs,
      );
      timer.unref?.();

      socket.once('unexpected-response', (_req, res) =>
        fail(`transcription upgrade refused: ${res.statusCode}`),
      );
      socket.once('open', () => rt.send(transcriptionSessionUpdate(cfg)));
      socket.on('close', (code) => {
        if (phase === 'connecting') return fail(`transcription socket closed before ready (${code})`);
        core.socketClosed(`dropped (${code})`);
      });
      rt.on('error', (err) => {
        if (err.error) return; // server `error` events come through 'event'
        if (phase === 'connecting') return fail(err.message);
        core.socketClosed(`transport error: ${err.message}`);
        try {
          socket.terminate();
        } catch {
          /* already gone */
        }
      });
      rt.on('event', (raw) => {
        if (phase === 'failed') return;
        if (phase === 'connecting') {
          const type = (raw as { type?: string }).type;
          if (type === 'error') {
            const e = (raw as { error?: { code?: string; message?: string } }).error;
            return fail(`transcription session refused: ${e?.code ?? ''} ${e?.message ?? ''}`.trim());
          }
          if (type !== 'session.updated' && type !== 'transcription_session.updated') return;
          phase = 'ready';
          clearTimeout(timer);
          resolve(core);
          return;
        }
        core.handle(raw);
      });
    });
  }
}
