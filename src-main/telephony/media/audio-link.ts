/**
 * A text-message link between the core and the app for call audio (test call, listen-in):
 * a WebSocket on the local server in browser mode, an Electron MessagePort under Electron.
 */
import type { WebSocket } from 'ws';

export interface AudioLink {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** Bytes accepted but not yet written (backpressure); 0 when the transport cannot tell. */
  readonly bufferedAmount: number;
  onMessage(cb: (text: string) => void): void;
  onClose(cb: (code: number) => void): void;
}

/** A `ws` socket as an AudioLink; binary frames arrive as '' (a bad frame for the session). */
export function wsAudioLink(ws: WebSocket): AudioLink {
  return {
    send(text) {
      if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close(code, reason) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    onMessage(cb) {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return cb('');
        cb(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'));
      });
    },
    onClose(cb) {
      ws.on('close', (code) => cb(code));
      ws.on('error', () => undefined);
    },
  };
}
