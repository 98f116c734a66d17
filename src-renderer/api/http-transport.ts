import type { ApiTransport } from '../../src-main/api/client';
import type { Envelope, EventMessage } from '../../src-main/api/envelope';
import type { ApiErrorBody } from '../../src-main/api/errors';

const TOKEN_KEY = 'agentlocator.token';

/** Browser mode: the token arrives once in the URL (?token=…); keep it and take it out of the address bar. */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return localStorage.getItem(TOKEN_KEY);
}

/**
 * Whether the local server refused our token (401): the app was opened without its link, or
 * with the link of an earlier launch. Told once to whoever listens (the access gate), so the
 * owner sees one page that says what to do instead of an error box per request.
 */
let refused = false;
const refusedListeners = new Set<() => void>();
export const tokenRefused = () => refused;
export function onTokenRefused(listener: () => void): () => void {
  refusedListeners.add(listener);
  return () => refusedListeners.delete(listener);
}
function markRefused() {
  if (refused) return;
  refused = true;
  for (const l of refusedListeners) l();
}

/** The HTTP + WebSocket transport to the local server on 127.0.0.1. */
export function createHttpTransport(token: string | null): ApiTransport {
  const listeners = new Set<(msg: EventMessage) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;

  const connect = () => {
    if (!token || refused) return;
    const ws = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events?token=${encodeURIComponent(token)}`,
    );
    socket = ws;
    ws.onopen = () => {
      retry = 500;
    };
    ws.onmessage = (e) => {
      try {
        const msg = JSON.parse(String(e.data)) as EventMessage;
        for (const l of listeners) l(msg);
      } catch {
        /* ignore a malformed event */
      }
    };
    ws.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(connect, (retry = Math.min(retry * 2, 10_000)));
    };
  };

  return {
    async call(method, input) {
      let res: Response;
      try {
        res = await fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        return {
          ok: false,
          status: 0,
          error: { error: 'unavailable', code: 'unavailable', message: 'network error' },
        };
      }
      if (res.status === 401) markRefused();
      const body = (await res.json().catch(() => null)) as { data?: unknown } | ApiErrorBody | null;
      if (res.ok) return { ok: true, data: (body as { data?: unknown } | null)?.data } as Envelope<unknown>;
      const error = (body as ApiErrorBody | null) ?? {
        error: 'internal',
        code: 'internal',
        message: res.statusText,
      };
      return { ok: false, status: res.status, error };
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) socket?.close();
      };
    },
  };
}
