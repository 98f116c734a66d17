/**
 * WhatsApp media on disk: `<data>/wa-media/YYYY-MM/<random>.<ext>`, folders 0700 and files 0600,
 * streamed with a size cap (a file over the cap is removed and refused). Paths in the database
 * are relative to the data folder; `absolute` refuses anything that leaves wa-media/.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DIR_MODE, FILE_MODE } from '../platform/paths';
import type { MediaSink, SavedMedia } from './provider';

export const MEDIA_DIR = 'wa-media';
/** Inbound media cap (WhatsApp documents go up to 100 MB; we keep 64 MB). */
export const INBOUND_MEDIA_MAX_BYTES = 64 * 1024 * 1024;

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

export class MediaTooLargeError extends Error {
  constructor(readonly max: number) {
    super(`media larger than ${max} bytes`);
  }
}

export class FileMediaSink implements MediaSink {
  constructor(
    private readonly dataDir: string,
    private readonly now: () => number,
    private readonly maxBytes = INBOUND_MEDIA_MAX_BYTES,
  ) {}

  async save(input: {
    data: Buffer | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
    mime: string;
    fileName?: string | null;
  }): Promise<SavedMedia> {
    const mime = input.mime.split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';
    const d = new Date(this.now());
    const month = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    const dir = path.join(this.dataDir, MEDIA_DIR, month);
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    const name = `${randomBytes(12).toString('hex')}.${EXT[mime] ?? 'bin'}`;
    const abs = path.join(dir, name);
    let size = 0;
    const max = this.maxBytes;
    const source = Buffer.isBuffer(input.data)
      ? Readable.from([input.data])
      : Readable.from(input.data as AsyncIterable<Uint8Array>);
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const c of chunks) {
            size += c.length;
            if (size > max) throw new MediaTooLargeError(max);
            yield c;
          }
        },
        createWriteStream(abs, { mode: FILE_MODE }),
      );
    } catch (err) {
      rmSync(abs, { force: true });
      throw err;
    }
    return { path: `${MEDIA_DIR}/${month}/${name}`, mime, size, fileName: input.fileName ?? null };
  }

  absolute(relPath: string): string {
    const abs = path.resolve(this.dataDir, relPath);
    const root = path.resolve(this.dataDir, MEDIA_DIR) + path.sep;
    if (!abs.startsWith(root)) throw new Error('media path outside wa-media');
    return abs;
  }
}
