/**
 * FileAccess: the one way a file in the data folder reaches the renderer (a PDF to preview or
 * print, a signed contract, a call recording to play) — as a URL, never as base64 inside JSON.
 *
 *   const { id } = core.files.issue('documents', '2026/tax_invoice-1001.pdf');
 *   // API output carries `id`; the renderer calls fileUrl(id) (src-renderer/api/files.ts):
 *   //   browser mode → /files/<id>?token=<per-launch token>   (server/local.ts)
 *   //   Electron     → app://agentlocator/files/<id>           (electron/session.ts)
 *
 * Only files inside the registered folders under `<data>/files/` (documents, contracts,
 * recordings, wa-media) can be issued; a path that leaves its folder (`..`, absolute, a symlink
 * pointing out, NUL) is refused. Ids are 128 random bits, valid for this launch only; the
 * same file gets the same id while it is remembered. `serveFile()` answers both transports with
 * Content-Type, Content-Length and single `Range` requests (206 / 416), for audio seeking.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DIR_MODE } from './paths';

export const FILE_FOLDERS = ['documents', 'contracts', 'recordings', 'wa-media'] as const;
export type FileFolder = (typeof FILE_FOLDERS)[number];

export class FileAccessError extends Error {
  constructor(
    readonly code: 'bad_path' | 'unknown_folder' | 'not_found',
    message: string,
  ) {
    super(message);
    this.name = 'FileAccessError';
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.m4a': 'audio/mp4',
  '.mp4': 'video/mp4',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export function fileContentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** An id as issued: 22 base64url characters. Anything else is refused before any lookup. */
const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;

export interface IssuedFile {
  id: string;
  /** `/files/<id>`: the path on either transport (the renderer's fileUrl() adds origin/token). */
  path: string;
  contentType: string;
  size: number;
}

export class FileAccess {
  private readonly byId = new Map<string, { folder: FileFolder; file: string }>();
  private readonly byFile = new Map<string, string>();

  constructor(
    private readonly filesDir: string,
    private readonly maxRemembered = 20_000,
  ) {
    for (const f of FILE_FOLDERS) mkdirSync(path.join(filesDir, f), { recursive: true, mode: DIR_MODE });
  }

  /** The folder's absolute path (for writers: billing stores its PDFs in folderPath('documents')). */
  folderPath(folder: FileFolder): string {
    if (!FILE_FOLDERS.includes(folder))
      throw new FileAccessError('unknown_folder', `unknown folder ${folder}`);
    return path.join(this.filesDir, folder);
  }

  /** Validates `relPath` inside `folder` and returns the absolute file (which must exist). */
  resolveInside(folder: FileFolder, relPath: string): string {
    const root = this.folderPath(folder);
    if (typeof relPath !== 'string' || relPath === '' || relPath.includes('\0') || path.isAbsolute(relPath)) {
      throw new FileAccessError('bad_path', 'a relative path inside the folder is required');
    }
    const segments = relPath.split(/[/\\]/);
    if (segments.some((s) => s === '..' || s === '.' || s === '' || /^[a-zA-Z]:$/.test(s))) {
      throw new FileAccessError('bad_path', 'path segments may not be empty, . or ..');
    }
    const file = path.resolve(root, ...segments);
    let real: string;
    let realRoot: string;
    try {
      realRoot = realpathSync(root);
      real = realpathSync(file);
    } catch {
      throw new FileAccessError('not_found', 'no such file');
    }
    const rel = path.relative(realRoot, real);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new FileAccessError('bad_path', 'the path leaves its folder');
    }
    if (!statSync(real).isFile()) throw new FileAccessError('not_found', 'not a file');
    return real;
  }

  /** An opaque id for a file inside a registered folder (throws FileAccessError). */
  issue(folder: FileFolder, relPath: string): IssuedFile {
    const file = this.resolveInside(folder, relPath);
    let id = this.byFile.get(file);
    if (!id) {
      id = randomBytes(16).toString('base64url');
      this.byId.set(id, { folder, file });
      this.byFile.set(file, id);
      if (this.byId.size > this.maxRemembered) {
        const oldest = this.byId.keys().next().value!;
        this.byFile.delete(this.byId.get(oldest)!.file);
        this.byId.delete(oldest);
      }
    }
    return { id, path: `/files/${id}`, contentType: fileContentType(file), size: statSync(file).size };
  }

  /** The file behind an id, or null (unknown id, bad shape, file gone). */
  lookup(id: string): { file: string; contentType: string; size: number } | null {
    if (!ID_SHAPE.test(id)) return null;
    const hit = this.byId.get(id);
    if (!hit) return null;
    try {
      const st = statSync(hit.file);
      if (!st.isFile()) return null;
      return { file: hit.file, contentType: fileContentType(hit.file), size: st.size };
    } catch {
      return null;
    }
  }
}

export interface FileResponse {
  status: 200 | 206 | 400 | 404 | 416;
  headers: Record<string, string>;
  /** The bytes to send (a stream of the file or of its range); absent for errors and HEAD. */
  body?: Readable;
  text?: string;
}

/**
 * Parses one `bytes=` range against `size`: [start, end] inclusive, 'unsatisfiable', or null
 * (no header, or a form we answer with the whole file: several ranges, another unit).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return [start, end];
}

/** The answer to GET/HEAD /files/<id> on either transport. */
export function serveFile(
  files: FileAccess,
  id: string,
  req: { method: string; range?: string },
): FileResponse {
  const plain = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  const hit = files.lookup(id);
  if (!hit) return { status: 404, headers: plain, text: 'not found' };
  const headers: Record<string, string> = {
    'content-type': hit.contentType,
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(path.basename(hit.file))}`,
  };
  const range = parseRange(req.range, hit.size);
  if (range === 'unsatisfiable') {
    return {
      status: 416,
      headers: { ...plain, 'content-range': `bytes */${hit.size}` },
      text: 'range not satisfiable',
    };
  }
  const head = req.method === 'HEAD';
  if (range) {
    const [start, end] = range;
    headers['content-range'] = `bytes ${start}-${end}/${hit.size}`;
    headers['content-length'] = String(end - start + 1);
    return { status: 206, headers, body: head ? undefined : createReadStream(hit.file, { start, end }) };
  }
  headers['content-length'] = String(hit.size);
  return { status: 200, headers, body: head ? undefined : createReadStream(hit.file) };
}
