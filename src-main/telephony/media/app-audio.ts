/**
 * Call audio for the app, on the local side only (local 127.0.0.1 server / Electron IPC):
 *
 * - Test call: the owner talks to the agent with the computer's microphone and speakers. The
 *   app's link speaks a Twilio-Media-Streams-like protocol (see contract/app-audio.ts), and the
 *   very same MediaStreamSession runs on it; only the transport differs. The call record is
 *   marked as a test (from "test", engine "test"), and it ends locally: no Twilio REST hang-up.
 * - Listen-in: a live call's inbound and outbound audio fanned out to the app (listen.ts).
 */
import { randomBytes } from 'node:crypto';
import type { EventBus } from '../../api/events';
import { LISTEN_PATH_PREFIX, TEST_CALL_PATH } from '../../api/contract/app-audio';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { LocalWsRoute } from '../../server/local';
import type { CallRepository } from '../call-repository';
import { STREAM_TOKEN_PARAM } from '../twiml';
import { wsAudioLink, type AudioLink } from './audio-link';
import type { LiveCallRegistry } from './live-calls';
import { ListenHub, type ListenOptions } from './listen';
import type { CallControl, MediaStreamSession, MediaTransport } from './session';

/** The `from` of a test call's record (history and reports can tell it from a phone call). */
export const TEST_CALL_FROM = 'test';
export const TEST_CALL_ENGINE = 'test';
/** Why a test call is refused before it starts (shown to the owner with a link to the setting). */
export type TestCallMissing = 'no_openai_key';
const CALL_SID = /^[A-Za-z0-9_-]{1,64}$/;

export interface AppAudioDeps {
  log: Logger;
  clock: Clock;
  bus: EventBus;
  calls: CallRepository;
  registry: LiveCallRegistry;
  newSession(
    transport: MediaTransport,
    extra: { test?: boolean; control?: () => CallControl | null },
  ): MediaStreamSession;
  /**
   * What a test call would lack to reach the agent ('no_openai_key'), or null when it can start.
   * A test call that cannot reach the agent is refused before any call row is made.
   */
  testCallMissing?: () => TestCallMissing | null;
  maxTestCalls?: number;
  maxListenersPerCall?: number;
  listen?: Partial<ListenOptions>;
}

export class AppAudio {
  private readonly log: Logger;
  private readonly hubs = new Map<string, { hub: ListenHub; session: MediaStreamSession }>();
  readonly testCalls = new Map<string, MediaStreamSession>();

  constructor(private readonly deps: AppAudioDeps) {
    this.log = deps.log.child({ module: 'app-audio' });
    deps.bus.subscribe((msg) => {
      if (msg.name === 'monitor.ended') this.callEnded((msg.payload as { callSid: string }).callSid);
    });
  }

  // ───────────────────────────── test call ─────────────────────────────

  /** A test call on an app link; the session starts when the app sends `start` (its audio is running). */
  openTestCall(link: AudioLink): void {
    const missing = this.deps.testCallMissing?.() ?? null;
    if (missing) {
      this.log.info({ reason: missing }, 'test call refused');
      link.send(`{"event":"ended","reason":"${missing}"}`);
      link.close(4412, missing);
      return;
    }
    if (this.testCalls.size >= (this.deps.maxTestCalls ?? 2)) {
      link.send('{"event":"ended","reason":"busy"}');
      link.close(4429, 'busy');
      return;
    }
    const callSid = `TEST${randomBytes(14).toString('hex')}`;
    const streamSid = `MZ${randomBytes(16).toString('hex')}`;
    const startedAt = this.deps.clock.monotonic();
    let closed = false;
    const end = (reason: string, code = 1000) => {
      if (closed) return;
      closed = true;
      link.send(`{"event":"ended","reason":"${reason.replace(/[^a-z_]/gi, '')}"}`);
      link.close(code, reason);
    };
    const transport: MediaTransport = {
      send: (text) => {
        if (!closed) link.send(text);
      },
      close: (_code, reason) => end(reason ?? 'ended'),
    };
    // Ends locally: there is no call at Twilio to hang up or re-point.
    const control: CallControl = {
      hangup: () => {
        end(session.endedBy ?? 'hangup');
        return Promise.resolve('ok');
      },
      redirect: () => {
        end('transfer');
        return Promise.resolve('ok');
      },
    };
    const session = this.deps.newSession(transport, { test: true, control: () => control });
    let started = false;

    link.onMessage((text) => {
      if (closed) return;
      if (text.startsWith('{"event":"media"')) return session.handleMessage(text);
      let event: unknown;
      try {
        event = (JSON.parse(text) as { event?: unknown }).event;
      } catch {
        return session.handleMessage(text); // logged and ignored there
      }
      if (event === 'connected') return;
      if (event === 'start') {
        if (started) return;
        started = true;
        const row = this.deps.calls.upsertIncoming({
          callSid,
          direction: 'in',
          from: TEST_CALL_FROM,
          to: 'app',
          customerId: null,
          status: 'in-progress',
          mode: 'stream',
          engine: TEST_CALL_ENGINE,
          answeredAt: this.deps.clock.now(),
        }).call;
        // The app's own trusted path: the call row and its single-use stream token are made
        // here, on the local side, and the session's `start` is checked like a phone call's.
        const streamToken = this.deps.calls.issueStreamToken(callSid);
        this.testCalls.set(callSid, session);
        this.log.info({ call_sid: callSid }, 'test call started');
        link.send(JSON.stringify({ event: 'started', callSid, callId: row.id }));
        session.handleMessage(
          JSON.stringify({
            event: 'start',
            streamSid,
            start: {
              streamSid,
              callSid,
              tracks: ['inbound'],
              customParameters: {
                call_sid: callSid,
                from: TEST_CALL_FROM,
                test: '1',
                ...(streamToken ? { [STREAM_TOKEN_PARAM]: streamToken } : {}),
              },
              mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
            },
          }),
        );
        return;
      }
      if (event === 'stop') {
        session.handleMessage(text);
        return end('hangup');
      }
      session.handleMessage(text); // mark, dtmf, and anything else (validated by the session)
    });

    link.onClose((code) => {
      closed = true;
      session.handleClose(code);
      this.testCalls.delete(callSid);
      if (!started) return;
      const durationSec = Math.round((this.deps.clock.monotonic() - startedAt) / 1000);
      try {
        this.deps.calls.applyStatus(callSid, { status: 'completed', durationSec });
      } catch (err) {
        // The socket can close after the app shut down and closed its database.
        this.log.warn({ err, call_sid: callSid }, 'test call end not recorded');
        return;
      }
      this.log.info({ call_sid: callSid, duration_sec: durationSec }, 'test call ended');
    });
  }

  // ───────────────────────────── listen-in ─────────────────────────────

  /** Streams a live call's audio (both directions) to the link until the call or the link ends. */
  openListen(link: AudioLink, callSid: string): void {
    const session = CALL_SID.test(callSid) ? this.deps.registry.get(callSid) : undefined;
    if (!session || session.state === 'ended') {
      link.send('{"event":"stop","reason":"not_found"}');
      link.close(4404, 'not_found');
      return;
    }
    let entry = this.hubs.get(callSid);
    if (!entry || entry.session !== session) {
      entry = { hub: new ListenHub(this.deps.listen), session };
      this.hubs.set(callSid, entry);
    }
    const { hub } = entry;
    if (hub.size >= (this.deps.maxListenersPerCall ?? 4)) {
      link.send('{"event":"stop","reason":"busy"}');
      link.close(4429, 'busy');
      return;
    }
    const listener = hub.add(link);
    session.tap = hub;
    listener.sendNow(JSON.stringify({ event: 'start', callSid, test: session.test }));
    this.log.info({ call_sid: callSid, listeners: hub.size }, 'listen-in started');
    link.onMessage(() => undefined); // nothing is expected from a listener
    link.onClose(() => {
      if (listener.closed) return;
      hub.remove(listener);
      this.log.info({ call_sid: callSid, sent: listener.sent, dropped: listener.dropped }, 'listen-in ended');
      if (hub.size === 0) this.detach(callSid, hub);
    });
  }

  /** Listeners of a call (tests, health). */
  listeners(callSid: string): ListenHub | undefined {
    return this.hubs.get(callSid)?.hub;
  }

  private detach(callSid: string, hub: ListenHub): void {
    const entry = this.hubs.get(callSid);
    if (entry?.hub !== hub) return;
    if (entry.session.tap === hub) entry.session.tap = undefined;
    this.hubs.delete(callSid);
  }

  private callEnded(callSid: string): void {
    const entry = this.hubs.get(callSid);
    if (!entry) return;
    for (const l of [...entry.hub.listeners]) {
      l.sendNow('{"event":"stop","reason":"ended"}');
      entry.hub.remove(l);
      l.link.close(1000, 'ended');
    }
    this.detach(callSid, entry.hub);
  }
}

/** The local server's WebSockets: /api/test-call and /api/listen/<callSid> (token checked there). */
export function appAudioRoutes(audio: AppAudio): LocalWsRoute[] {
  return [
    {
      match: (p) => p === TEST_CALL_PATH,
      onConnection: (ws) => audio.openTestCall(wsAudioLink(ws)),
    },
    {
      match: (p) => p.startsWith(LISTEN_PATH_PREFIX) && p.length > LISTEN_PATH_PREFIX.length,
      onConnection: (ws, url) =>
        audio.openListen(wsAudioLink(ws), decodeURIComponent(url.pathname.slice(LISTEN_PATH_PREFIX.length))),
    },
  ];
}
