/**
 * The renderer's Content-Security-Policy, in one place for both ways it is served: the Electron
 * `app://` protocol (the renderer talks IPC, so it connects nowhere) and browser mode's local
 * server (the page's own origin plus the events/audio WebSockets on that server's real port).
 * Sent as a response header, so `frame-ancestors` applies (a `<meta>` CSP cannot carry it).
 */

/** The policy with the given extra `connect-src` sources after `'self'`. */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Under Electron: the page's own `app://` origin only (API and audio go over IPC). */
export const ELECTRON_CSP = contentSecurityPolicy();

/**
 * Browser mode: the local server on 127.0.0.1:`port` serves the page, its API and its
 * WebSockets; the page may connect to that port and nothing else.
 */
export function localServerCsp(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return contentSecurityPolicy();
  return contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
}
