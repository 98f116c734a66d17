import { chmod } from 'node:fs/promises';
import path from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

export type { Logger };

const fileStreams = new WeakMap<Logger, ResilientFileStream>();

/** Key names (any case) whose values never reach a log line, wherever they sit in the object. */
export const SECRET_KEYS = [
  'password',
  'passwd',
  'token',
  'authToken',
  'auth_token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'api-key',
  'x-api-key',
  'secret',
  'clientSecret',
  'client_secret',
  'authorization',
  'proxy-authorization',
  'private_key',
  'privateKey',
  'cookie',
  'set-cookie',
  'payload',
  'x-twilio-signature',
];
const SECRET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
const CENSOR = '[redacted]';
/** Exact paths pino's own redaction also covers (kept cheap: no wildcards). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
];

/** How far `redactSecrets` looks: nesting depth and objects visited per log line. */
const SCRUB_DEPTH = 10;
const SCRUB_NODES = 2000;

/**
 * A copy of `obj` with the value of every secret key (SECRET_KEYS, any case, at any depth up to
 * SCRUB_DEPTH, in arrays and in Error objects too) replaced by "[redacted]". Objects without a
 * secret are returned as they are (no copy), so a log line pays one walk over its keys.
 * pino's wildcard `redact` paths cost about 5 µs per path and line; this is one pass.
 */
export function redactSecrets<T>(obj: T): T {
  let budget = SCRUB_NODES;
  const seen = new Set<object>();
  const scrub = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null || depth > SCRUB_DEPTH || budget-- <= 0) return v;
    if (seen.has(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
    seen.add(v);
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      v.forEach((x, i) => {
        const y = scrub(x, depth + 1);
        if (y !== x) (out ??= [...v])[i] = y;
      });
      return out ?? v;
    }
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      const y = SECRET.has(k.toLowerCase()) && x !== undefined && x !== null ? CENSOR : scrub(x, depth + 1);
      if (y !== x) (out ??= copyOf(v))[k] = y;
    }
    // An Error's cause is not enumerable, and pino's serializer prints it.
    if (v instanceof Error && v.cause !== undefined) {
      const y = scrub(v.cause, depth + 1);
      if (y !== v.cause) {
        out ??= copyOf(v);
        Object.defineProperty(out, 'cause', { value: y, writable: true, configurable: true });
      }
    }
    return out ?? v;
  };
  return scrub(obj, 0) as T;
}

/** A shallow copy that stays an Error (same prototype, message and stack) when `v` is one. */
function copyOf(v: object): Record<string, unknown> {
  if (v instanceof Error) {
    const e = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
    Object.assign(e, v);
    for (const k of ['message', 'stack', 'cause'] as const) {
      if (k in v) Object.defineProperty(e, k, { value: v[k], writable: true, configurable: true });
    }
    return e;
  }
  return { ...(v as Record<string, unknown>) };
}

/**
 * What an HTTP client error carries besides its message: the request it made (axios: `config`
 * with the Authorization header, `request` with the raw header text, `response.config` again;
 * request libraries: `auth`). None of it belongs in a log line, at any depth.
 */
const ERROR_BAGGAGE = ['config', 'request', 'response', 'auth'];

/** pino's error serializer, without the request baggage of HTTP-client errors (and their causes). */
export function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown;
  const strip = (v: unknown, depth: number): unknown => {
    if (depth > 4 || !isRecord(v)) return v;
    const o = { ...v };
    for (const k of ERROR_BAGGAGE) {
      if (k in o) o[k] = k === 'response' && isRecord(o[k]) ? { status: o[k].status } : CENSOR;
    }
    if (o.cause) o.cause = strip(o.cause, depth + 1);
    return o;
  };
  return strip(out, 0);
}

export interface LoggerOptions {
  level: string;
  logsDir?: string;
  stdout?: boolean;
  /** Extra destination, used by tests to read what was logged. */
  extra?: NodeJS.WritableStream;
  /** How long the log file rests after a write error (a full disk) before it is reopened. */
  fileRetryMs?: number;
}

/** JSON lines with ts, level and module; a rotating file (10 MB × 5, 0600) in the data folder. */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: StreamEntry[] = [];
  if (opts.stdout !== false) streams.push({ level: opts.level as pino.Level, stream: process.stdout });
  let file: ResilientFileStream | undefined;
  if (opts.logsDir) {
    file = new ResilientFileStream(opts.logsDir, opts.fileRetryMs);
    streams.push({ level: opts.level as pino.Level, stream: file });
  }
  if (opts.extra) streams.push({ level: opts.level as pino.Level, stream: opts.extra });
  const logger = pino(
    {
      level: opts.level,
      base: { module: 'app' },
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }), log: (o) => redactSecrets(o) },
      serializers: { err: serializeError },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
    },
    pino.multistream(streams, { dedupe: false }),
  );
  if (file) fileStreams.set(logger, file);
  return logger;
}

/** Writes out what is buffered and closes the log file (on shutdown, so the last lines are kept). */
export async function closeLogger(logger: Logger): Promise<void> {
  const file = fileStreams.get(logger);
  if (!file) return;
  fileStreams.delete(logger);
  await file.close();
}

export function logFile(logsDir: string): string {
  return path.join(logsDir, 'agentlocator.log');
}

/**
 * The rotating log file, surviving write errors. rotating-file-stream is a Writable: its first
 * failed write (ENOSPC) destroys it for good, and nothing logs to the file again until a restart.
 * Here a failed stream is dropped, lines are counted (not kept) while the file rests, and after
 * `retryMs` a new stream reopens the same file; its first line says how many lines were lost.
 * The other destinations (stdout) never wait for it.
 */
export class ResilientFileStream {
  private current: RotatingFileStream | undefined;
  private resting: NodeJS.Timeout | undefined;
  private dropped = 0;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly logsDir: string,
    private readonly retryMs = 5000,
  ) {
    this.current = this.open();
  }

  /** Lines written while the file was unavailable (since it last resumed). */
  get droppedLines(): number {
    return this.dropped;
  }

  /** How many times the file stream failed since start. */
  get failureCount(): number {
    return this.failures;
  }

  /** True while the file rests after an error. */
  get isResting(): boolean {
    return this.current === undefined;
  }

  write(chunk: string): boolean {
    if (this.closed) return true;
    const s = this.current;
    if (!s) {
      this.dropped++;
      return true;
    }
    if (this.dropped > 0) {
      // Starts on a new line: the write that failed may have left half a line in the file.
      s.write(
        `\n${JSON.stringify({
          level: 'warn',
          ts: new Date().toISOString(),
          module: 'logger',
          dropped_lines: this.dropped,
          msg: 'log file resumed after a write error (disk full?); lines in between are missing here',
        })}\n`,
      );
      this.dropped = 0;
    }
    s.write(chunk);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.resting);
    const s = this.current;
    this.current = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('finish', () => resolve());
      s.once('error', () => resolve());
      s.once('close', () => resolve());
      s.end();
    });
  }

  private open(): RotatingFileStream {
    const s = createStream('agentlocator.log', {
      path: this.logsDir,
      size: '10M',
      maxFiles: 5,
      mode: 0o600,
    });
    s.on('error', () => this.fail(s));
    // The rotation history lists file names only, but it lives among the logs: owner-only too.
    s.on('history', () => {
      if (process.platform !== 'win32')
        chmod(path.join(this.logsDir, 'agentlocator.log.txt'), 0o600).catch(() => undefined);
    });
    return s;
  }

  private fail(s: RotatingFileStream): void {
    if (this.current !== s) return;
    this.current = undefined;
    this.failures++;
    this.dropped++; // at least the line whose write failed
    s.destroy();
    if (this.closed) return;
    this.resting = setTimeout(() => {
      this.resting = undefined;
      if (!this.closed) this.current = this.open();
    }, this.retryMs);
    this.resting.unref();
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
