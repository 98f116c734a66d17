import { createApiClient, type AgentLocatorBridge, type ApiClient } from '../../src-main/api/client';
import { createHttpTransport, onTokenRefused, takeToken, tokenRefused } from './http-transport';

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
/**
 * Can the app talk to the core? Under Electron always. In browser mode not without the link's
 * token (`no_link`), nor when the server refuses the one we have (`old_link`: an earlier launch).
 */
export type Access = 'ok' | 'no_link' | 'old_link';
export const access = (): Access =>
  transportKind === 'ipc' ? 'ok' : token === null ? 'no_link' : tokenRefused() ? 'old_link' : 'ok';
export const onAccessChange = onTokenRefused;
/** Browser mode's per-launch token (null under Electron), for the local call-audio sockets. */
export const localToken = token;
export { ApiCallError } from '../../src-main/api/client';
