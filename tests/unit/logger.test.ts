/**
 * The logger: secrets never reach a line, whatever depth they are logged at (request headers,
 * HTTP-client errors with their config, nested credentials), and the log file survives a full
 * disk (other destinations keep going, the file resumes when space returns), 0600 on POSIX.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLogger, createLogger, logFile, type Logger } from '../../src-main/platform/logger';

function capture(): { logger: Logger; lines: () => string[]; text: () => string } {
  const out: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => out.push(...c.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'debug', stdout: false, extra: sink });
  return { logger, lines: () => out, text: () => out.join('\n') };
}

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('secret redaction at realistic depths', () => {
  const SECRETS = [
    'Bearer tok-header-1',
    'sig-twilio-abc123',
    'sess=cookie-secret-1',
    'Bearer tok-header-2',
    'sk-axios-secret-0001',
    'sk-plain-config-0002',
    'AC0123:twilio-rest-token-3',
    'twilio-basic-pass-3',
    'tw-auth-4-deep',
    'tw-auth-cause-5',
    'Bearer arr-secret-6',
    'openai-key-in-creds-7',
  ];

  it('redacts headers, HTTP-client error configs, Twilio auth and nested creds; keeps the rest', async () => {
    const { logger, lines, text } = capture();
    const log = logger.child({ module: 'test' });

    // Request headers as a server or client logs them.
    log.info(
      {
        req: {
          method: 'POST',
          url: '/webhook/incoming_call',
          headers: {
            authorization: 'Bearer tok-header-1',
            'x-twilio-signature': 'sig-twilio-abc123',
            cookie: 'sess=cookie-secret-1',
            'user-agent': 'TwilioProxy/1.1',
          },
        },
      },
      'request',
    );
    log.warn(
      { upstream: { headers: { Authorization: 'Bearer tok-header-2', 'X-Request-Id': 'rid-1' } } },
      'upstream',
    );

    // An axios-style error: the request config (with its Authorization header), the raw request
    // (its header text) and the response (with the config again).
    const config = {
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { Authorization: 'Bearer sk-axios-secret-0001' },
    };
    const axiosError = Object.assign(new Error('Request failed with status code 401'), {
      code: 'ERR_BAD_REQUEST',
      config,
      request: {
        _header: 'POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer sk-axios-secret-0001',
      },
      response: { status: 401, config, data: { error: 'invalid_api_key' } },
    });
    log.error({ err: axiosError, call_sid: 'CA1' }, 'openai failed');
    // The same shape as a plain object, four levels down.
    log.error({ err: { config: { headers: { Authorization: 'Bearer sk-plain-config-0002' } } } }, 'plain');

    // A Twilio REST error carrying the client's basic auth.
    const twilioError = Object.assign(new Error('Authenticate'), {
      status: 401,
      code: 20003,
      moreInfo: 'https://www.twilio.com/docs/errors/20003',
      auth: 'AC0123:twilio-rest-token-3',
      request: { auth: { username: 'AC0123', password: 'twilio-basic-pass-3' } },
    });
    log.error({ err: twilioError }, 'twilio rest failed');

    // Credentials nested 4–5 levels deep, inside an error's cause, and inside an array.
    log.info({ voice: { session: { engine: { creds: { authToken: 'tw-auth-4-deep' } } } } }, 'session');
    log.error(
      { err: new Error('outer', { cause: { creds: { authToken: 'tw-auth-cause-5' } } }) },
      'with cause',
    );
    const attempts = [{ headers: { authorization: 'Bearer arr-secret-6' }, status: 500 }];
    log.warn({ attempts }, 'retries');
    log.info({ a: { b: { c: { d: { openai: { apiKey: 'openai-key-in-creds-7' } } } } } }, 'deep');
    await flush();

    const all = text();
    for (const s of SECRETS) expect(all, s).not.toContain(s);
    for (const s of ['sk-axios-secret', 'sk-plain-config', 'twilio-rest-token', 'tw-auth-']) {
      expect(all).not.toContain(s);
    }
    const parsed = lines().map((l) => JSON.parse(l) as Record<string, any>);
    const by = (msg: string) => parsed.find((l) => l.msg === msg)!;
    // What is not secret stays readable.
    expect(by('request').req.url).toBe('/webhook/incoming_call');
    expect(by('request').req.headers['user-agent']).toBe('TwilioProxy/1.1');
    expect(by('request').req.headers.authorization).toBe('[redacted]');
    expect(by('upstream').upstream.headers['X-Request-Id']).toBe('rid-1');
    expect(by('openai failed').err.message).toBe('Request failed with status code 401');
    expect(by('openai failed').err.type).toBe('Error');
    expect(by('openai failed').err.stack).toContain('logger.test.ts');
    expect(by('openai failed').err.response).toEqual({ status: 401 });
    expect(by('twilio rest failed').err.code).toBe(20003);
    expect(by('session').voice.session.engine.creds.authToken).toBe('[redacted]');
    expect(by('retries').attempts[0].status).toBe(500);
    // The caller's objects are not changed by logging them.
    expect(config.headers.Authorization).toBe('Bearer sk-axios-secret-0001');
    expect(attempts[0]!.headers.authorization).toBe('Bearer arr-secret-6');
  });
});

describe('the log file on a full disk (tmpfs)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agentlocator-logdisk-'));
  let mounted = false;
  beforeAll(() => {
    if (process.platform !== 'linux') return;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      console.log(`logger: full-disk case skipped (mount refused: ${(err as Error).message.split('\n')[0]})`);
    }
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps logging elsewhere after ENOSPC and resumes the file when space returns', async (ctx) => {
    if (!mounted) ctx.skip();
    const logsDir = path.join(dir, 'logs');
    mkdirSync(logsDir);
    const seen: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => seen.push(...c.toString('utf8').split('\n').filter(Boolean)));
    const logger = createLogger({ level: 'info', stdout: false, logsDir, extra: sink, fileRetryMs: 100 });
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      logger.info('before the disk fills');
      await until(() => readFileSync(logFile(logsDir), 'utf8').includes('before the disk fills'));
      if (process.platform !== 'win32') expect(statSync(logFile(logsDir)).mode & 0o077).toBe(0);

      const filler = path.join(dir, 'filler');
      for (const size of [64 << 10, 4 << 10, 256, 1]) {
        try {
          for (;;) appendFileSync(filler, Buffer.alloc(size));
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        }
      }
      for (let i = 0; i < 50; i++) logger.info({ i, pad: 'x'.repeat(200) }, `while full ${i}`);
      // Wait for the file to settle (its writes are asynchronous): the disk refused part of them.
      let size = -1;
      await until(async () => {
        const now = statSync(logFile(logsDir)).size;
        const settled = now === size;
        size = now;
        await new Promise((r) => setTimeout(r, 300));
        return settled;
      });
      expect(readFileSync(logFile(logsDir), 'utf8')).not.toContain('while full 49');
      // The other destination got every line, and the process is alive.
      expect(seen.filter((l) => l.includes('while full'))).toHaveLength(50);

      rmSync(filler);
      // The file rests 100 ms after the error, then reopens; lines from then on are written.
      await until(async () => {
        logger.info('after space returned');
        await flush();
        return readFileSync(logFile(logsDir), 'utf8').includes('after space returned');
      });
      const fileLines = readFileSync(logFile(logsDir), 'utf8').split('\n').filter(Boolean);
      const resumed = fileLines.find((l) => l.includes('log file resumed'));
      expect(resumed).toBeDefined();
      expect(JSON.parse(resumed!).dropped_lines).toBeGreaterThan(0);
      expect(fileLines.indexOf(resumed!)).toBeLessThan(
        fileLines.findIndex((l) => l.includes('after space returned')),
      );
      expect(seen.some((l) => l.includes('after space returned'))).toBe(true);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await closeLogger(logger);
    }
  });
});

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
