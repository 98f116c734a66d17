/**
 * One backup = one gzip'd tar file: `manifest.json` first (so reading what a backup is costs a few
 * kilobytes), then `keys.enc` when the keys are included, the database, and the files folder.
 * Written with tar-stream (explicit entries, streamed; gzip runs on libuv's thread pool) and read
 * back entry by entry with every part's SHA-256 checked as it streams.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { MANIFEST_NAME, MAX_MANIFEST_BYTES, manifestSchema, type Manifest } from './manifest';

/** A clear refusal: the file is not a usable backup (nothing was changed). */
export class BackupRefused extends Error {
  constructor(
    message: string,
    readonly reason:
      | 'not_a_backup'
      | 'truncated'
      | 'tampered'
      | 'newer_schema'
      | 'damaged_database'
      | 'password_required'
      | 'wrong_password'
      | 'no_space'
      | 'busy'
      | 'app_running'
      | 'keys_unreadable',
  ) {
    super(message);
    this.name = 'BackupRefused';
  }
}

/** SHA-256 and size of a file, streamed. */
export async function hashFile(
  file: string,
  onBytes?: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
    onBytes?.(chunk.length);
  }
  return { sha256: h.digest('hex'), size };
}

/** Every regular file under `root`, as paths relative to it with `/` separators (symlinks skipped). */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  };
  await walk(root, '');
  return out;
}

export interface PackPart {
  /** Path inside the archive (as in the manifest). */
  path: string;
  /** The file on disk, or the bytes. */
  source: string | Buffer;
  size: number;
  sha256: string;
}

/**
 * Writes manifest + parts into `dest`. Each file is hashed again while it streams: one that
 * changed since the manifest was made fails the backup (it would not restore).
 */
export async function writeArchive(
  dest: string,
  manifest: Manifest,
  parts: PackPart[],
  opts: { level?: number; onBytes?: (n: number) => void; mtime?: Date } = {},
): Promise<void> {
  const pack = tar.pack();
  const out = createWriteStream(dest, { mode: 0o600 });
  const done = pipeline(pack as unknown as Readable, createGzip({ level: opts.level ?? 3 }), out);
  const mtime = opts.mtime ?? new Date();
  const header = (name: string, size: number) => ({ name, size, mode: 0o600, mtime, type: 'file' as const });
  try {
    const m = Buffer.from(JSON.stringify(manifest));
    await new Promise<void>((resolve, reject) =>
      pack.entry(header(MANIFEST_NAME, m.length), m, (err) => (err ? reject(err) : resolve())),
    );
    for (const part of parts) {
      if (Buffer.isBuffer(part.source)) {
        const buf = part.source;
        await new Promise<void>((resolve, reject) =>
          pack.entry(header(part.path, buf.length), buf, (err) => (err ? reject(err) : resolve())),
        );
        opts.onBytes?.(buf.length);
        continue;
      }
      const h = createHash('sha256');
      let seen = 0;
      const entryDone = new Promise<void>((resolve, reject) => {
        const entry = pack.entry(header(part.path, part.size), (err) => (err ? reject(err) : resolve()));
        pipeline(
          createReadStream(part.source, { highWaterMark: 1 << 20 }),
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              h.update(chunk);
              seen += chunk.length;
              opts.onBytes?.(chunk.length);
              cb(null, chunk);
            },
          }),
          entry as unknown as Writable,
        ).catch(reject);
      });
      await entryDone;
      if (seen !== part.size || h.digest('hex') !== part.sha256)
        throw new Error(`${part.path} changed while the backup was written; try again`);
    }
    pack.finalize();
    await done;
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
}

export interface ArchiveEntry {
  name: string;
  size: number;
  type: string;
  stream: Readable;
}

/**
 * Reads an archive: the manifest first (parsed and handed to `onManifest`, which may refuse),
 * then each entry to `onEntry`, which must consume its stream. A truncated or garbled file is a
 * BackupRefused('truncated' | 'not_a_backup').
 */
export async function readArchive(
  file: string,
  handlers: {
    onManifest(m: Manifest): void | Promise<void>;
    onEntry?(e: ArchiveEntry): Promise<void>;
    onBytes?(n: number): void;
  },
): Promise<Manifest> {
  const extract = tar.extract();
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const counter = new PassThrough();
  counter.on('data', (c: Buffer) => handlers.onBytes?.(c.length));
  const piping = pipeline(input, counter, createGunzip(), extract as unknown as Writable);
  // Awaited below; a failure before that (a cut gzip stream) must not count as unhandled.
  piping.catch(() => undefined);
  let manifest: Manifest | undefined;
  let stopEarly = false;
  // A failed stream (a cut gzip) does not always end the entry iterator: race it.
  const failed = new Promise<never>((_resolve, reject) => piping.catch(reject));
  failed.catch(() => undefined);
  try {
    const loop = (async () => {
      for await (const entry of extract) {
        const h = entry.header;
        if (!manifest) {
          if (h.name !== MANIFEST_NAME || (h.size ?? 0) > MAX_MANIFEST_BYTES)
            throw new BackupRefused('this file is not an AgentLocator backup (no manifest)', 'not_a_backup');
          const chunks: Buffer[] = [];
          for await (const c of entry as AsyncIterable<Buffer>) chunks.push(c);
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            throw new BackupRefused('the backup manifest is not readable', 'not_a_backup');
          }
          const checked = manifestSchema.safeParse(parsed);
          if (!checked.success)
            throw new BackupRefused(
              `the backup manifest is not valid: ${checked.error.issues[0]?.message}`,
              'not_a_backup',
            );
          manifest = checked.data;
          await handlers.onManifest(manifest);
          if (!handlers.onEntry) {
            stopEarly = true;
            break;
          }
          continue;
        }
        await handlers.onEntry!({
          name: h.name,
          size: h.size ?? 0,
          type: h.type ?? 'file',
          stream: entry as unknown as Readable,
        });
      }
    })();
    loop.catch(() => undefined);
    await Promise.race([loop, failed]);
    if (stopEarly) {
      input.destroy();
      await piping.catch(() => undefined);
    } else await piping;
  } catch (err) {
    input.destroy();
    await piping.catch(() => undefined);
    if (err instanceof BackupRefused) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    if (/unexpected end|premature|truncat|end of file|Z_BUF_ERROR/i.test(msg))
      throw new BackupRefused(
        'the backup file is incomplete (cut short): it cannot be restored',
        'truncated',
      );
    if (/incorrect header|invalid|unknown compression|header check|not a tar/i.test(msg))
      throw new BackupRefused(
        manifest
          ? 'the backup file is damaged: it cannot be restored'
          : 'this file is not an AgentLocator backup',
        manifest ? 'tampered' : 'not_a_backup',
      );
    throw err;
  }
  if (!manifest) throw new BackupRefused('this file is not an AgentLocator backup (empty)', 'not_a_backup');
  return manifest;
}

/** Streams an entry into `dest` (0600, folders 0700) and returns its SHA-256 and size. */
export async function saveEntry(stream: Readable, dest: string): Promise<{ sha256: string; size: number }> {
  await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
  const h = createHash('sha256');
  let size = 0;
  await pipeline(
    stream,
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        h.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    }),
    createWriteStream(dest, { mode: 0o600, flags: 'wx' }),
  );
  return { sha256: h.digest('hex'), size };
}

/** Reads an entry fully into memory (small parts only). */
export async function entryBuffer(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > max) throw new BackupRefused('a part of the backup is larger than it may be', 'tampered');
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** Free bytes on the disk holding `dir` (null where unknown). */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const { statfs } = await import('node:fs/promises');
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Makes sure a file is on disk before it is renamed into place. */
export async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
