import { localToken, transportKind } from './index';

/**
 * The URL of a data-folder file the core issued (FileAccess id from an API answer), for an
 * <iframe>, <a href>, <img> or <audio> src. Both transports serve `/files/<id>` on the page's
 * own origin: under Electron `app://agentlocator/files/<id>` (the app protocol), in browser mode
 * the local server, which needs the per-launch token (media elements cannot send a header).
 */
export function fileUrl(id: string): string {
  const path = `/files/${encodeURIComponent(id)}`;
  return transportKind === 'ipc' ? path : `${path}?token=${encodeURIComponent(localToken ?? '')}`;
}
