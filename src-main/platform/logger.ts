import path from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

export type { Logger };

const fileStreams = new WeakMap<Logger, RotatingFileStream>();

/** Key names whose values never reach a log line, wherever they sit in the object. */
const SECRET_KEYS = [
  'password',
  'token',
  'authToken',
  'auth_token',
  'apiKey',
  'api_key',
  'secret',
  'authorization',
  'Authorization',
  'private_key',
  'privateKey',
  'cookie',
  'payload',
];
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
];

export interface LoggerOptions {
  level: string;
  logsDir?: string;
  stdout?: boolean;
  /** Extra destination, used by tests to read what was logged. */
  extra?: NodeJS.WritableStream;
}

/** JSON lines with ts, level and module; a rotating file (10 MB × 5) in the data folder. */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: StreamEntry[] = [];
  if (opts.stdout !== false) streams.push({ level: opts.level as pino.Level, stream: process.stdout });
  let file: RotatingFileStream | undefined;
  if (opts.logsDir) {
    file = createStream('agentlocator.log', {
      path: opts.logsDir,
      size: '10M',
      maxFiles: 5,
    });
    streams.push({ level: opts.level as pino.Level, stream: file });
  }
  if (opts.extra) streams.push({ level: opts.level as pino.Level, stream: opts.extra });
  const logger = pino(
    {
      level: opts.level,
      base: { module: 'app' },
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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
  await new Promise<void>((resolve) => {
    file.once('finish', () => resolve());
    file.once('error', () => resolve());
    file.end();
  });
}

export function logFile(logsDir: string): string {
  return path.join(logsDir, 'agentlocator.log');
}
