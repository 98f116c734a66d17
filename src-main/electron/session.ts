/**
 * The Electron session's lock-down: the `app://` protocol that serves the built renderer (with
 * its CSP header) and the permission handlers. Only wiring: the decisions are the pure
 * functions in app-protocol.ts and permissions.ts.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { protocol, type Session } from 'electron';
import { ELECTRON_CSP } from '../server/csp';
import { serveFile, type FileAccess } from '../platform/files';
import { APP_SCHEME, appFileId, contentTypeFor, resolveAppPath } from './app-protocol';
import { decidePermission, type TestCallMicGate } from './permissions';
import { isAppUrl, type AppOrigin } from './trust';

/** Must run before `app` is ready: `app:` is a standard, secure scheme with fetch (no CSP bypass). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const notFound = () =>
  new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/**
 * Serves `app://agentlocator/<path>` from `rendererDir` (GET only, nothing outside it), and
 * `app://agentlocator/files/<id>` from the core's FileAccess (with Range, for audio).
 */
export function serveApp(ses: Session, rendererDir: string, files?: () => FileAccess | undefined): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET') return new Response('method not allowed', { status: 405 });
    const fileId = appFileId(request.url);
    if (fileId) {
      const access = files?.();
      if (!access) return notFound();
      const res = serveFile(access, fileId, {
        method: 'GET',
        range: request.headers.get('range') ?? undefined,
      });
      const body = res.body ? (Readable.toWeb(res.body) as ReadableStream<Uint8Array>) : (res.text ?? null);
      return new Response(body, { status: res.status, headers: res.headers });
    }
    const file = resolveAppPath(request.url, rendererDir);
    if (!file) return notFound();
    let body: Buffer;
    try {
      body = await readFile(file); // Electron's fs reads inside app.asar; a directory fails here
    } catch {
      return notFound();
    }
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': contentTypeFor(file),
        'content-security-policy': ELECTRON_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  });
}

/** The microphone for our page during a test call; every other permission and device: no. */
export function guardPermissions(ses: Session, origin: AppOrigin, gate: TestCallMicGate): void {
  ses.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(
      decidePermission({
        permission,
        isOwnPage: isAppUrl(details.requestingUrl, origin),
        isMainFrame: details.isMainFrame,
        mediaTypes,
        testCallActive: gate.active,
      }),
    );
  });
  ses.setPermissionCheckHandler((_webContents, permission, requestingOrigin, details) =>
    decidePermission({
      permission,
      isOwnPage:
        isAppUrl(requestingOrigin, origin) && isAppUrl(details.requestingUrl ?? requestingOrigin, origin),
      isMainFrame: details.isMainFrame,
      mediaTypes: details.mediaType ? [details.mediaType] : undefined,
      testCallActive: gate.active,
    }),
  );
  ses.setDevicePermissionHandler(() => false);
}
