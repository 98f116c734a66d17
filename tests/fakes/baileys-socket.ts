/**
 * A fake Baileys v7 socket: what `makeWASocket(config)` returns, minus the network. It emits the
 * real Baileys event shapes through a real EventEmitter-backed `ev` (`on`/`off`/
 * `removeAllListeners`, as Baileys' buffered emitter exposes them):
 *
 * - `connection.update` with `{ qr }`, `{ connection: 'open' }`, and
 *   `{ connection: 'close', lastDisconnect: { error, date } }` where `error` is Boom-shaped
 *   (`isBoom`, `output.statusCode`, `output.payload`) for any DisconnectReason;
 * - `creds.update` (and it merges the update into `config.auth.creds`, as the socket does);
 * - `messages.upsert` `{ messages, type: 'notify' | 'append' }`, `messages.update`,
 *   `message-receipt.update`, `lid-mapping.update`.
 *
 * It records `sendMessage` calls and, like Baileys with `emitOwnEvents`, echoes each sent
 * message back as a `messages.upsert` of type `append` with `fromMe: true`.
 */
import { EventEmitter } from 'node:events';
import type {
  BaileysEventMap,
  BaileysSocketLike,
  SocketConfig,
  WAMessage,
} from '../../src-main/whatsapp/baileys/lib';

export interface BoomLike extends Error {
  isBoom: true;
  output: {
    statusCode: number;
    payload: { statusCode: number; error: string; message: string };
    headers: object;
  };
  data?: unknown;
}

/** An error shaped like `new Boom(message, { statusCode })`, which Baileys puts in `lastDisconnect.error`. */
export function boom(statusCode: number, message = `Stream Errored (${statusCode})`): BoomLike {
  const err = new Error(message) as BoomLike;
  err.isBoom = true;
  err.output = { statusCode, payload: { statusCode, error: 'Error', message }, headers: {} };
  return err;
}

export interface SentCall {
  jid: string;
  content: Record<string, unknown>;
  options: { messageId?: string } | undefined;
}

class FakeEv {
  readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    this.emitter.on(event, listener);
  }
  off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    this.emitter.off(event, listener);
  }
  removeAllListeners<T extends keyof BaileysEventMap>(event: T): void {
    this.emitter.removeAllListeners(event);
  }
  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): boolean {
    return this.emitter.emit(event, arg);
  }
  listenerTotal(): number {
    return this.emitter.eventNames().reduce((n, e) => n + this.emitter.listenerCount(e), 0);
  }
}

export class FakeBaileysSocket implements BaileysSocketLike {
  readonly ev = new FakeEv();
  user: { id: string; name?: string; lid?: string } | undefined;
  readonly sent: SentCall[] = [];
  ended = false;
  endedWith: Error | undefined;
  loggedOut = false;
  /** Numbers without WhatsApp (digits), for onWhatsApp. */
  notOnWhatsApp = new Set<string>();
  /** Make the next sendMessage fail with this error. */
  failNextSend: Error | null = null;
  pairingRequests: string[] = [];
  private seq = 0;

  constructor(readonly config: SocketConfig) {}

  // ------------------------------------------------ the socket API the provider calls

  async sendMessage(
    jid: string,
    content: Record<string, unknown>,
    options?: { messageId?: string },
  ): Promise<WAMessage | undefined> {
    if (this.ended) throw boom(428, 'Connection Closed');
    if (this.failNextSend) {
      const e = this.failNextSend;
      this.failNextSend = null;
      throw e;
    }
    this.sent.push({ jid, content, options });
    const id = options?.messageId ?? `3EB0FAKE${(++this.seq).toString(16).toUpperCase().padStart(14, '0')}`;
    const msg: WAMessage = {
      key: { remoteJid: jid, fromMe: true, id },
      message: typeof content.text === 'string' ? { conversation: content.text } : { imageMessage: {} },
      messageTimestamp: Math.floor(Date.now() / 1000),
      status: 1,
    };
    // emitOwnEvents: Baileys upserts our own message as 'append'.
    this.ev.emit('messages.upsert', { messages: [msg], type: 'append' });
    return msg;
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    return 'ABCD1234';
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    this.end(boom(401, 'Intentional Logout'));
  }

  end(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.endedWith = error;
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.ev.removeAllListeners('connection.update');
  }

  async onWhatsApp(...jids: string[]): Promise<{ jid: string; exists: boolean }[]> {
    return jids.map((jid) => ({ jid, exists: !this.notOnWhatsApp.has(jid.split('@')[0]!) }));
  }

  // ------------------------------------------------ what the "server" does (test script)

  connecting(): void {
    this.ev.emit('connection.update', { connection: 'connecting' });
  }

  qr(code: string): void {
    this.ev.emit('connection.update', { qr: code });
  }

  /** The phone scanned the QR: Baileys saves the account and restarts the stream (515). */
  scanned(me: { id: string; name?: string; lid?: string }): void {
    this.creds({ me, registered: true, platform: 'android' });
    this.close(515, 'Stream Errored (restart required)');
  }

  open(me?: { id: string; name?: string; lid?: string }): void {
    this.user = me ?? (this.config.auth.creds.me as typeof this.user);
    this.ev.emit('connection.update', { connection: 'open', isNewLogin: false });
  }

  /** The server closed the connection with this DisconnectReason code (undefined: network error). */
  close(code: number | undefined, message?: string): void {
    if (this.ended) return;
    this.ended = true;
    const error = code === undefined ? new Error(message ?? 'read ECONNRESET') : boom(code, message);
    this.endedWith = error;
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  }

  creds(update: BaileysEventMap['creds.update']): void {
    Object.assign(this.config.auth.creds, update);
    this.ev.emit('creds.update', update);
  }

  upsert(messages: WAMessage[], type: 'notify' | 'append' = 'notify'): void {
    this.ev.emit('messages.upsert', { messages, type });
  }

  update(updates: BaileysEventMap['messages.update']): void {
    this.ev.emit('messages.update', updates);
  }

  receipt(updates: BaileysEventMap['message-receipt.update']): void {
    this.ev.emit('message-receipt.update', updates);
  }

  lidMapping(lid: string, pn: string): void {
    this.ev.emit('lid-mapping.update', { lid, pn });
  }

  listenerTotal(): number {
    return this.ev.listenerTotal();
  }
}

/** A `makeWASocket` replacement that keeps every socket it made. */
export function fakeSocketFactory() {
  const sockets: FakeBaileysSocket[] = [];
  return {
    sockets,
    makeWASocket: (config: SocketConfig): FakeBaileysSocket => {
      const s = new FakeBaileysSocket(config);
      sockets.push(s);
      return s;
    },
    last(): FakeBaileysSocket {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket made yet');
      return s;
    },
  };
}

let msgSeq = 0;

/** An inbound WAMessage as Baileys v7 delivers it (optionally with the LID/PN alt address). */
export function waMessage(opts: {
  from: string;
  id?: string;
  text?: string;
  fromMe?: boolean;
  alt?: string;
  participant?: string;
  participantAlt?: string;
  pushName?: string;
  ts?: number;
  message?: WAMessage['message'];
}): WAMessage {
  return {
    key: {
      remoteJid: opts.from,
      fromMe: opts.fromMe ?? false,
      id: opts.id ?? `3A${(++msgSeq).toString(16).toUpperCase().padStart(18, '0')}`,
      ...(opts.alt ? { remoteJidAlt: opts.alt } : {}),
      ...(opts.participant ? { participant: opts.participant } : {}),
      ...(opts.participantAlt ? { participantAlt: opts.participantAlt } : {}),
      addressingMode: opts.from.endsWith('@lid') ? 'lid' : 'pn',
    },
    message: opts.message ?? { conversation: opts.text ?? 'hello' },
    messageTimestamp: opts.ts ?? 1_767_254_400,
    pushName: opts.pushName ?? 'Dana',
  };
}
