import { createApiClient, type AgentLocatorBridge, type ApiClient } from '../../src-main/api/client';
import { createHttpTransport, takeToken } from './http-transport';

declare global {
  interface Window {
    /** Present under Electron (from the preload); absent in browser mode. */
    agentlocator?: AgentLocatorBridge;
  }
}

export const transportKind: 'ipc' | 'http' = window.agentlocator ? 'ipc' : 'http';
const token = transportKind === 'http' ? takeToken() : null;

/** The one API object the whole renderer uses; it does not know which transport carries it. */
export const api: ApiClient = createApiClient(window.agentlocator ?? createHttpTransport(token));
export const hasToken = transportKind === 'ipc' || token !== null;
/** Browser mode's per-launch token (null under Electron), for the local call-audio sockets. */
export const localToken = token;
export { ApiCallError } from '../../src-main/api/client';
