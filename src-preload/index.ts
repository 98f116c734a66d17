/**
 * The preload exposes the typed API as `window.agentlocator` and nothing else. It only forwards:
 * the main process validates every call.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AgentLocatorBridge } from '../src-main/api/client';
import type { AppAudioBridge } from '../src-main/api/contract/app-audio';
import type { Envelope, EventMessage } from '../src-main/api/envelope';

export const IPC_CALL = 'agentlocator:call';
export const IPC_EVENT = 'agentlocator:event';

const bridge: AgentLocatorBridge = {
  call: (method: string, input: unknown) =>
    ipcRenderer.invoke(IPC_CALL, method, input) as Promise<Envelope<unknown>>,
  subscribe(listener: (msg: EventMessage) => void) {
    const handler = (_e: IpcRendererEvent, msg: EventMessage) => listener(msg);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('agentlocator', bridge);

// Call audio (test call, listen-in): the main process answers with a MessagePort, which is handed
// to the page's world with window.postMessage (ports cannot cross the context bridge).
// Literals match IPC_AUDIO_OPEN / IPC_AUDIO_PORT / AUDIO_PORT_MESSAGE in contract/app-audio.ts.
let audioSeq = 0;
ipcRenderer.on('agentlocator:audio-port', (e: IpcRendererEvent, id: string) => {
  // The preload is typechecked without the DOM lib: the page's window, loosely typed.
  const page = globalThis as unknown as { postMessage(msg: unknown, target: string, ports: unknown[]): void };
  page.postMessage({ agentlocatorAudioPort: id }, '*', e.ports);
});
const audio: AppAudioBridge = {
  open(path: string) {
    const id = `a${++audioSeq}-${Math.random().toString(36).slice(2, 10)}`;
    ipcRenderer.send('agentlocator:audio-open', id, path);
    return id;
  },
};
contextBridge.exposeInMainWorld('agentlocatorAudio', audio);
