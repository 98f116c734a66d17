/**
 * Call audio for the Electron renderer (test call, listen-in): instead of the local server's
 * WebSockets, the renderer asks over IPC and gets a MessagePort whose other end is attached to
 * the same AppAudio code (see contract/app-audio.ts). Only our own renderer may ask. While a
 * test call's port is open, the gate lets the session grant that page the microphone.
 */
import { ipcMain, MessageChannelMain, type IpcMainEvent, type MessagePortMain } from 'electron';
import {
  IPC_AUDIO_OPEN,
  IPC_AUDIO_PORT,
  LISTEN_PATH_PREFIX,
  TEST_CALL_PATH,
} from '../api/contract/app-audio';
import type { Core } from '../core';
import type { AudioLink } from '../telephony/media/audio-link';
import { VOICE_SERVICES } from '../telephony/media/voice-module';
import { isTrustedSender } from './ipc';
import type { TestCallMicGate } from './permissions';
import type { AppOrigin } from './trust';

function portLink(port: MessagePortMain): AudioLink {
  const onClose: Array<(code: number) => void> = [];
  let closed = false;
  const fireClose = () => {
    if (closed) return;
    closed = true;
    for (const cb of onClose) cb(1000);
  };
  port.on('close', fireClose);
  return {
    send: (text) => {
      if (!closed) port.postMessage(text);
    },
    close: () => {
      port.close();
      fireClose();
    },
    bufferedAmount: 0,
    onMessage: (cb) => port.on('message', (e) => typeof e.data === 'string' && cb(e.data)),
    onClose: (cb) => onClose.push(cb),
  };
}

export function registerAudioIpc(core: Core, origin: AppOrigin, micGate: TestCallMicGate): () => void {
  const voice = core.services.get(VOICE_SERVICES);
  const handler = (event: IpcMainEvent, id: unknown, path: unknown) => {
    if (!voice || !isTrustedSender(event.senderFrame, origin)) return;
    if (typeof id !== 'string' || id.length > 64 || typeof path !== 'string' || path.length > 200) return;
    const isListen = path.startsWith(LISTEN_PATH_PREFIX) && path.length > LISTEN_PATH_PREFIX.length;
    if (path !== TEST_CALL_PATH && !isListen) return;
    const { port1, port2 } = new MessageChannelMain();
    const link = portLink(port1);
    if (isListen) voice.appAudio.openListen(link, decodeURIComponent(path.slice(LISTEN_PATH_PREFIX.length)));
    else {
      // Before the renderer asks for the microphone; released however the channel (or page) ends.
      const release = micGate.acquire();
      const sender = event.sender;
      sender.once('destroyed', release);
      link.onClose(() => {
        release();
        if (!sender.isDestroyed()) sender.removeListener('destroyed', release);
      });
      voice.appAudio.openTestCall(link);
    }
    port1.start();
    event.sender.postMessage(IPC_AUDIO_PORT, id, [port2]);
  };
  ipcMain.on(IPC_AUDIO_OPEN, handler);
  return () => ipcMain.removeListener(IPC_AUDIO_OPEN, handler);
}
