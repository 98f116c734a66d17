/**
 * The RealtimeVoice port on the official SDK: `OpenAIRealtimeWS` from `openai/realtime/ws`
 * (loaded on first use, like the rest of the SDK). It connects to `<baseURL>/realtime?model=…`
 * with the API key; an `http://` base URL (a local gateway, or a test fake) is honoured as a
 * plaintext connection — the SDK itself always says `wss`.
 */
import net from 'node:net';
import type { OpenAIHandle } from '../../platform/openai';
import type { RealtimeEvent, RealtimeVoice, RealtimeVoiceConfig, RealtimeVoiceSession } from './port';
import {
  appendAudio,
  assistantText,
  createResponse,
  mapServerEvent,
  sessionUpdate,
  toolOutput,
  truncateItem,
} from './protocol';

/** ws hands its request options (host, port) to this instead of a TLS connect. */
const plainConnect = ((o: { host?: string; port?: string | number }) =>
  net.connect({ host: o.host ?? '127.0.0.1', port: Number(o.port) })) as typeof net.createConnection;

export class OpenAIRealtimeVoice implements RealtimeVoice {
  constructor(private readonly client: OpenAIHandle) {}

  async connect(
    cfg: RealtimeVoiceConfig,
    onEvent: (ev: RealtimeEvent) => void,
    opts: { timeoutMs: number },
  ): Promise<RealtimeVoiceSession> {
    const [client, { OpenAIRealtimeWS }] = await Promise.all([this.client(), import('openai/realtime/ws')]);
    const plaintext = client.baseURL.startsWith('http://');
    const rt = await OpenAIRealtimeWS.create(client, {
      model: cfg.model,
      options: {
        handshakeTimeout: opts.timeoutMs,
        ...(plaintext
          ? {
              createConnection: plainConnect,
            }
          : {}),
      },
    });
    const socket = rt.socket;
    let phase: 'connecting' | 'ready' | 'failed' = 'connecting';
    let closed = false;

    return new Promise<RealtimeVoiceSession>((resolve, reject) => {
      const fail = (why: string) => {
        if (phase !== 'connecting') return;
        phase = 'failed';
        clearTimeout(timer);
        try {
          socket.terminate();
        } catch {
          /* already gone */
        }
        reject(new Error(why));
      };
      const timer = setTimeout(
        () => fail(`realtime connect timed out after ${opts.timeoutMs} ms`),
        opts.timeoutMs,
      );
      timer.unref?.();

      const session: RealtimeVoiceSession = {
        appendAudio: (mulaw) => send(appendAudio(mulaw)),
        createResponse: (instructions) => send(createResponse(instructions)),
        cancelResponse: () => send({ type: 'response.cancel' }),
        truncate: (itemId, ms) => send(truncateItem(itemId, ms)),
        toolResult: (callId, output) => send(toolOutput(callId, output)),
        noteAssistantText: (text) => send(assistantText(text)),
        close: () => {
          closed = true;
          rt.close({ code: 1000, reason: 'call ended' });
        },
      };
      function send(ev: Parameters<typeof rt.send>[0]): void {
        if (closed || socket.readyState !== socket.OPEN) return;
        rt.send(ev);
      }

      socket.once('unexpected-response', (_req, res) => fail(`realtime upgrade refused: ${res.statusCode}`));
      socket.once('open', () => rt.send(sessionUpdate(cfg)));
      socket.on('close', (code, reason) => {
        if (phase === 'connecting') return fail(`realtime socket closed before ready (${code})`);
        if (phase === 'ready' && !closed) onEvent({ type: 'closed', code, reason: reason.toString() });
        closed = true;
      });
      rt.on('error', (err) => {
        // Server `error` events arrive through 'event' below; this is the transport's own failures.
        if (err.error) return;
        if (phase === 'connecting') return fail(err.message);
        if (phase === 'ready') onEvent({ type: 'error', code: 'transport', message: err.message });
      });
      rt.on('event', (raw) => {
        const ev = mapServerEvent(raw);
        if (!ev) return;
        if (phase === 'failed') return;
        if (phase === 'connecting') {
          if (ev.type === 'error') return fail(`realtime session refused: ${ev.code} ${ev.message}`);
          if (ev.type !== 'ready') return;
          phase = 'ready';
          clearTimeout(timer);
          resolve(session);
          return;
        }
        onEvent(ev);
      });
    });
  }
}
