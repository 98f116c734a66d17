/**
 * The slice of `@whiskeysockets/baileys` (v7, ESM-only) the provider uses, loaded lazily with a
 * dynamic `import()` so the main bundle pays for it only when Baileys is the active provider.
 * Everything else in `whatsapp/baileys/` receives a `BaileysLib` (tests pass the real module with
 * a fake `makeWASocket` / `downloadMediaMessage`: those two are the network edge).
 *
 * Only `import type` from the package here: types are erased, so nothing loads it eagerly.
 */
import type * as Baileys from '@whiskeysockets/baileys';

export type BaileysModule = typeof Baileys;
export type AuthenticationCreds = Baileys.AuthenticationCreds;
export type AuthenticationState = Baileys.AuthenticationState;
export type SignalDataTypeMap = Baileys.SignalDataTypeMap;
export type SignalDataSet = Baileys.SignalDataSet;
export type SignalKeyStore = Baileys.SignalKeyStore;
export type CacheStore = Baileys.CacheStore;
export type WAMessage = Baileys.WAMessage;
export type WAMessageKey = Baileys.WAMessageKey;
export type BaileysEventMap = Baileys.BaileysEventMap;
export type SocketConfig = Baileys.UserFacingSocketConfig;
export type ConnectionUpdate = Baileys.BaileysEventMap['connection.update'];

/**
 * What the provider needs of a Baileys socket (`ReturnType<typeof makeWASocket>`). The fake in
 * tests/fakes/baileys-socket.ts implements exactly this.
 */
export interface BaileysSocketLike {
  ev: {
    on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
    off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
    removeAllListeners<T extends keyof BaileysEventMap>(event: T): void;
  };
  user?: { id: string; name?: string; lid?: string } | undefined;
  sendMessage(
    jid: string,
    content: Baileys.AnyMessageContent,
    options?: Baileys.MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined>;
  requestPairingCode(phoneNumber: string, customPairingCode?: string): Promise<string>;
  logout(msg?: string): Promise<void>;
  end(error: Error | undefined): void | Promise<void>;
  onWhatsApp?(...phoneNumber: string[]): Promise<{ jid: string; exists: boolean }[] | undefined>;
  updateMediaMessage?(message: WAMessage): Promise<WAMessage>;
}

/** The functions and constants the provider takes from the package. */
export interface BaileysLib {
  makeWASocket(config: SocketConfig): BaileysSocketLike;
  BufferJSON: BaileysModule['BufferJSON'];
  initAuthCreds: BaileysModule['initAuthCreds'];
  makeCacheableSignalKeyStore: BaileysModule['makeCacheableSignalKeyStore'];
  downloadMediaMessage(
    message: WAMessage,
    type: 'stream',
    options: Record<string, never>,
    ctx?: { logger: unknown; reuploadRequest: (m: WAMessage) => Promise<WAMessage> },
  ): Promise<NodeJS.ReadableStream>;
  normalizeMessageContent: BaileysModule['normalizeMessageContent'];
  jidNormalizedUser: BaileysModule['jidNormalizedUser'];
  jidDecode: BaileysModule['jidDecode'];
  proto: BaileysModule['proto'];
  Browsers: BaileysModule['Browsers'];
  DisconnectReason: BaileysModule['DisconnectReason'];
}

let loading: Promise<BaileysModule> | null = null;

/** The package, imported once on first use (ESM-only: a dynamic import from any bundle format). */
export function importBaileys(): Promise<BaileysModule> {
  loading ??= import('@whiskeysockets/baileys').catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

let substitute: BaileysLib | null = null;

/**
 * In-process tests that start a whole core replace the network edge here (a fake socket);
 * `null` restores the package. Providers built with an explicit `lib` ignore it.
 */
export function substituteBaileysLib(lib: BaileysLib | null): void {
  substitute = lib;
}

/** The production `BaileysLib`: the real socket and media download. */
export async function loadBaileysLib(): Promise<BaileysLib> {
  if (substitute) return substitute;
  return fromModule(await importBaileys());
}

/** A `BaileysLib` from the real module, with optional overrides (tests replace the network edge). */
export function fromModule(mod: BaileysModule, overrides: Partial<BaileysLib> = {}): BaileysLib {
  const makeWASocket = (mod.makeWASocket ?? mod.default) as unknown as BaileysLib['makeWASocket'];
  return {
    makeWASocket,
    BufferJSON: mod.BufferJSON,
    initAuthCreds: mod.initAuthCreds,
    makeCacheableSignalKeyStore: mod.makeCacheableSignalKeyStore,
    downloadMediaMessage: mod.downloadMediaMessage as unknown as BaileysLib['downloadMediaMessage'],
    normalizeMessageContent: mod.normalizeMessageContent,
    jidNormalizedUser: mod.jidNormalizedUser,
    jidDecode: mod.jidDecode,
    proto: mod.proto,
    Browsers: mod.Browsers,
    DisconnectReason: mod.DisconnectReason,
    ...overrides,
  };
}
