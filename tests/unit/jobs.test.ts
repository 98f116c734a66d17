import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../../src-main/db/client';
import { systemClock } from '../../src-main/platform/clock';
import { JobRunner, PermanentJobError } from '../../src-main/platform/jobs';
import { createLogger } from '../../src-main/platform/logger';

const logger = createLogger({ level: 'silent', stdout: false });
let dir: string;
let db: Db;
let runner: JobRunner | undefined;

const open = () =>
  openDb({
    file: path.join(dir, 'jobs.db'),
    migrationsDir: path.join(import.meta.dirname, '../../src-main/db/migrations'),
  });
const status = (id: number) =>
  db.$client.prepare('select status, attempts, last_error from jobs where id = ?').get(id) as {
    status: string;
    attempts: number;
    last_error: string | null;
  };

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'jobs-test-'));
  db = open();
});
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('JobRunner', () => {
  it('runs a job once and marks it done', async () => {
    runner = new JobRunner({ db, clock: systemClock, logger });
    const seen: unknown[] = [];
    runner.register('echo', async (p) => void seen.push(p));
    runner.start();
    const id = runner.enqueue('echo', { a: 1 });
    await runner.idle('echo');
    expect(seen).toEqual([{ a: 1 }]);
    expect(status(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('retries with backoff, then fails for good and calls onFailed once', async () => {
    runner = new JobRunner({ db, clock: systemClock, logger, pollMs: 20 });
    let calls = 0;
    const failed: string[] = [];
    runner.register(
      'flaky',
      async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      { maxAttempts: 3, backoffMs: () => 10, onFailed: (_p, err) => void failed.push(err.message) },
    );
    runner.start();
    const id = runner.enqueue('flaky', {});
    await runner.idle('flaky');
    expect(calls).toBe(3);
    expect(status(id)).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3' });
    expect(failed).toEqual(['boom 3']);
  });

  it('succeeds on a retry', async () => {
    runner = new JobRunner({ db, clock: systemClock, logger, pollMs: 20 });
    let calls = 0;
    runner.register(
      'second-time',
      async () => {
        if (++calls < 2) throw new Error('not yet');
      },
      { backoffMs: () => 5 },
    );
    runner.start();
    const id = runner.enqueue('second-time', {});
    await runner.idle('second-time');
    expect(status(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('does not retry a PermanentJobError', async () => {
    runner = new JobRunner({ db, clock: systemClock, logger });
    let calls = 0;
    runner.register('perm', async () => {
      calls++;
      throw new PermanentJobError('bad payload');
    });
    runner.start();
    const id = runner.enqueue('perm', {});
    await runner.idle('perm');
    expect(calls).toBe(1);
    expect(status(id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('honours run_at and concurrency', async () => {
    runner = new JobRunner({ db, clock: systemClock, logger, concurrency: 2, pollMs: 10 });
    let running = 0;
    let peak = 0;
    runner.register('slow', async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
    });
    runner.start();
    for (let i = 0; i < 6; i++) runner.enqueue('slow', { i });
    const later = runner.enqueue('slow', {}, { runAt: Date.now() + 150 });
    await new Promise((r) => setTimeout(r, 120));
    expect(status(later).status).toBe('pending');
    await runner.idle('slow');
    expect(peak).toBe(2);
    expect(runner.counts('slow')).toMatchObject({ done: 7 });
  });

  it('gives an interrupted job back on stop and resumes running jobs after a crash', async () => {
    runner = new JobRunner({ db, clock: systemClock, logger });
    let started = 0;
    runner.register('long', (_p, ctx) => {
      started++;
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    });
    runner.start();
    const id = runner.enqueue('long', {});
    while (started === 0) await new Promise((r) => setTimeout(r, 5));
    await runner.stop();
    expect(status(id)).toMatchObject({ status: 'pending', attempts: 0 });

    // A crash leaves it running; a new runner (next app start) picks it up.
    db.$client.prepare("update jobs set status = 'running', attempts = 1 where id = ?").run(id);
    runner = new JobRunner({ db, clock: systemClock, logger });
    const done: number[] = [];
    runner.register('long', async (_p, ctx) => void done.push(ctx.attempt));
    runner.start();
    await runner.idle('long');
    expect(done).toEqual([2]);
    expect(status(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('refuses unknown kinds and double registration', () => {
    runner = new JobRunner({ db, clock: systemClock, logger });
    runner.register('a', async () => {});
    expect(() => runner!.register('a', async () => {})).toThrow(/twice/);
    expect(() => runner!.enqueue('b', {})).toThrow(/unknown job kind/);
  });
});

describe('JobRunner across real process crashes', () => {
  const root = path.join(import.meta.dirname, '../..');
  const child = path.join(root, 'tests/fixtures/job-crash-child.ts');
  const events = () => path.join(dir, 'events.log');
  /** One app start in a child process: opens jobs.db with the real JobRunner and runs what is due. */
  const start = (...args: string[]) => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', child, path.join(dir, 'jobs.db'), events(), ...args],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
        killSignal: 'SIGKILL',
      },
    );
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };
  const lines = () =>
    existsSync(events()) ? readFileSync(events(), 'utf8').split('\n').filter(Boolean) : [];
  const enqueue = (kind: string) => {
    const r = start('enqueue', kind);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { id: number }).id;
  };

  it('fails a job that kills the process at every run after its max attempts, then never runs it again', async () => {
    const id = enqueue('always-crashes');
    const outcomes: Array<string | number | null> = [];
    for (let i = 0; i < 5; i++) {
      const r = start('run');
      outcomes.push(r.signal ?? r.code);
    }
    // Three starts die inside the handler (attempts 1, 2, 3); the fourth finds the job left
    // running on its last attempt and fails it instead of running it; the fifth has nothing to do.
    expect(outcomes).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL', 0, 0]);
    const failedLine =
      'failed 3 crashed the process 3 times (the process died during attempt 3 of 3); not retried';
    expect(lines()).toEqual([
      'run always-crashes 1',
      'run always-crashes 2',
      'run always-crashes 3',
      failedLine,
    ]);
    expect(status(id)).toEqual({
      status: 'failed',
      attempts: 3,
      last_error: 'crashed the process 3 times (the process died during attempt 3 of 3); not retried',
    });
  }, 120_000);

  it('resumes a job interrupted by a crash exactly once, and counts the crashed run as an attempt', async () => {
    const id = enqueue('crashes-once');
    const first = start('run');
    expect(first.signal).toBe('SIGKILL');
    const second = start('run');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ done: 1, pending: 0, running: 0, failed: 0 });
    const third = start('run');
    expect(third.code, third.stderr).toBe(0);
    expect(lines()).toEqual(['run crashes-once 1', 'run crashes-once 2', 'done crashes-once 2']);
    expect(status(id)).toEqual({ status: 'done', attempts: 2, last_error: null });
  }, 120_000);
});
