import { randomUUID } from 'node:crypto';
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebFrameMain } from 'electron';
import type { Core } from '../core';
import { isAppUrl, type AppOrigin } from './trust';

/** Channel names shared with src-preload/index.ts (kept as literals there: the preload is bundled alone). */
export const IPC_CALL = 'agentlocator:call';
export const IPC_EVENT = 'agentlocator:event';

/** Only our own renderer may call the API. */
export function isTrustedSender(frame: WebFrameMain | null, origin: AppOrigin): boolean {
  return isAppUrl(frame?.url, origin);
}

/** Wires the typed API to IPC and forwards live events to every window. */
export function registerIpc(
  core: Pick<Core, 'dispatch' | 'bus'>,
  windows: () => BrowserWindow[],
  origin: AppOrigin,
): () => void {
  ipcMain.handle(IPC_CALL, async (event: IpcMainInvokeEvent, method: unknown, input: unknown) => {
    if (!isTrustedSender(event.senderFrame, origin)) {
      return {
        ok: false,
        status: 403,
        error: { error: 'forbidden', code: 'forbidden', message: 'untrusted sender' },
      };
    }
    if (typeof method !== 'string' || method.length > 100) {
      return {
        ok: false,
        status: 400,
        error: { error: 'bad_input', code: 'bad_input', message: 'method must be a string' },
      };
    }
    return core.dispatch(method, input, { transport: 'ipc', requestId: randomUUID() });
  });
  const unsubscribe = core.bus.subscribe((msg) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT, msg);
  });
  return () => {
    ipcMain.removeHandler(IPC_CALL);
    unsubscribe();
  };
}
