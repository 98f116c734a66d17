/**
 * The link that carries call audio between the app and the core: a WebSocket on the local
 * 127.0.0.1 server in browser mode (token in the query, like /api/events), a MessagePort from
 * the main process under Electron. Both carry the same JSON text messages.
 */
import { AUDIO_PORT_MESSAGE, type AppAudioBridge } from '../../src-main/api/contract/app-audio';
import { localToken } from '../api';

declare global {
  interface Window {
    /** Present under Electron (from the preload). */
    agentlocatorAudio?: AppAudioBridge;
  }
}

export interface AudioChannel {
  send(text: string): void;
  close(): void;
  onMessage: ((text: string) => void) | null;
  onClose: (() => void) | null;
}

export function openAudioChannel(path: string): Promise<AudioChannel> {
  const bridge = window.agentlocatorAudio;
  return bridge ? openPort(bridge, path) : openSocket(path);
}

function openSocket(path: string): Promise<AudioChannel> {
  return new Promise((resolve, reject) => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(
      `${scheme}://${location.host}${path}?token=${encodeURIComponent(localToken ?? '')}`,
    );
    let open = false;
    const channel: AudioChannel = {
      send: (text) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      },
      close: () => ws.close(1000),
      onMessage: null,
      onClose: null,
    };
    ws.onmessage = (e) => channel.onMessage?.(String(e.data));
    ws.onopen = () => {
      open = true;
      resolve(channel);
    };
    ws.onerror = () => {
      if (!open) reject(new Error('audio socket refused'));
    };
    ws.onclose = () => {
      if (!open) reject(new Error('audio socket refused'));
      channel.onClose?.();
    };
  });
}

function openPort(bridge: AppAudioBridge, path: string): Promise<AudioChannel> {
  return new Promise((resolve, reject) => {
    const id = bridge.open(path);
    const timer = setTimeout(() => {
      window.removeEventListener('message', onPort);
      reject(new Error('audio port not received'));
    }, 5000);
    function onPort(e: MessageEvent) {
      const data = e.data as Record<string, unknown> | null;
      if (e.source !== window || !data || data[AUDIO_PORT_MESSAGE] !== id || !e.ports[0]) return;
      window.removeEventListener('message', onPort);
      clearTimeout(timer);
      const port = e.ports[0];
      const channel: AudioChannel = {
        send: (text) => port.postMessage(text),
        close: () => {
          port.close();
          channel.onClose?.();
        },
        onMessage: null,
        onClose: null,
      };
      port.onmessage = (m) => channel.onMessage?.(String(m.data));
      port.start();
      resolve(channel);
    }
    window.addEventListener('message', onPort);
  });
}
