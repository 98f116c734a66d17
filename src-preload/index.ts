/**
 * The preload exposes the typed API as `window.agentlocator` and nothing else. It only forwards:
 * the main process validates every call.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AgentLocatorBridge } from '../src-main/api/client';
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
