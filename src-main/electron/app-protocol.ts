/**
 * The renderer is served from `app://agentlocator/…` rather than `file://`: one origin of its
 * own (so IPC and navigation can trust exactly it, and no other local file shares it) with a
 * real response, so the Content-Security-Policy header applies. Pure: no Electron here.
 */
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'agentlocator';
/** How Chromium spells the origin of our pages (a standard scheme has a real origin). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Is this parsed URL on our own `app://agentlocator` origin (no port, no credentials)? */
export function isAppOrigin(u: URL): boolean {
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type for a file we serve (by extension; unknown kinds are opaque bytes). */
export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** A `.` or `..` path segment, literal or percent-encoded, with `/` or `\` around it. */
const DOT_SEGMENT = /[/\\](?:\.|%2e){1,2}(?=[/\\]|$)/i;

/**
 * Maps an `app://agentlocator/<path>` request to a file inside `rootDir`, or null when the
 * request must be refused: another scheme or host, a port or credentials, a path segment that
 * decodes to `..`/`.`, a separator (`%2F`, `%5C`, `\`), NUL or a drive colon, a malformed
 * escape, or anything that would resolve outside `rootDir`. `/` is `index.html`; the query
 * and the hash (the router's route) are ignored.
 */
export function resolveAppPath(requestUrl: string, rootDir: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (!isAppOrigin(u) || u.port !== '') return null;
  // The URL parser folds `..` (also `%2e%2e`) away; such a request is refused, not re-pointed.
  if (DOT_SEGMENT.test(requestUrl.split(/[?#]/, 1)[0] ?? '')) return null;
  const raw = u.pathname === '' || u.pathname === '/' ? '/index.html' : u.pathname;
  if (!raw.startsWith('/')) return null;
  const segments: string[] = [];
  for (const encoded of raw.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(encoded);
    } catch {
      return null;
    }
    if (seg === '' || seg === '.' || seg === '..') return null;
    if (/[/\\:\0]/.test(seg)) return null;
    segments.push(seg);
  }
  const root = path.resolve(rootDir);
  const file = path.resolve(root, ...segments);
  const rel = path.relative(root, file);
  if (rel === '' || rel.split(path.sep)[0] === '..' || path.isAbsolute(rel)) return null;
  return file;
}

/** `app://agentlocator/files/<id>`: a data-folder file issued by FileAccess (platform/files.ts). */
export const APP_FILES_PREFIX = `${APP_ORIGIN}/files/`;

/**
 * The FileAccess id of an `app://agentlocator/files/<id>` request, or null when it is not one
 * (another origin, a port, more path segments, or an id that is not 22 base64url characters).
 */
export function appFileId(requestUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return null;
  }
  if (!isAppOrigin(u) || u.port !== '') return null;
  const m = /^\/files\/([A-Za-z0-9_-]{22})$/.exec(u.pathname);
  return m ? m[1]! : null;
}
