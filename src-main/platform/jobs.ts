import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { jobs } from '../db/schema';
import type { Clock } from './clock';
import type { Logger } from './logger';

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobContext {
  id: number;
  /** 1 on the first run. */
  attempt: number;
  /** Aborted when the runner stops; long work should pass it on (fetch, SDK calls). */
  signal: AbortSignal;
  logger: Logger;
}

export interface JobKindOptions {
  /** Runs before the job is marked failed for good (default 3). */
  maxAttempts?: number;
  /** Delay before retry n (1-based) in ms; default 2 s × 2^(n-1), at most 5 min. */
  backoffMs?: (attempt: number) => number;
  /** Called once when the job has failed for good (after its last attempt or a PermanentJobError). */
  onFailed?: (payload: unknown, err: Error, ctx: { id: number; attempts: number }) => void | Promise<void>;
}

export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/** Thrown by a handler when retrying cannot help (bad payload, 404 …): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** How many jobs run at once (default 2). */
  concurrency?: number;
  /** How often the table is polled for due jobs when nothing kicked the runner (default 1 s). */
  pollMs?: number;
}

interface Kind {
  handler: JobHandler;
  opts: Required<Pick<JobKindOptions, 'maxAttempts' | 'backoffMs'>> & Pick<JobKindOptions, 'onFailed'>;
}

const defaultBackoff = (attempt: number) => Math.min(2000 * 2 ** (attempt - 1), 300_000);
const MAX_ERROR_CHARS = 1000;

/**
 * A small durable job queue on the `jobs` table: pending → running → done | failed, with
 * attempts, backoff (run_at) and resumption of jobs a crash left `running`. One process
 * owns the table, so claiming a job is a plain conditional UPDATE.
 */
export class JobRunner {
  private readonly kinds = new Map<string, Kind>();
  private readonly inFlight = new Map<number, { promise: Promise<void>; abort: AbortController }>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;
  private ticking = false;
  private tickAgain = false;

  constructor(private readonly opts: JobRunnerOptions) {
    this.log = opts.logger.child({ module: 'jobs' });
  }

  /** Registers the handler of one kind of job; call before start(). */
  register(kind: string, handler: JobHandler, opts: JobKindOptions = {}): void {
    if (this.kinds.has(kind)) throw new Error(`job kind ${kind} registered twice`);
    this.kinds.set(kind, {
      handler,
      opts: {
        maxAttempts: opts.maxAttempts ?? 3,
        backoffMs: opts.backoffMs ?? defaultBackoff,
        onFailed: opts.onFailed,
      },
    });
  }

  /** Persists a job and wakes the runner; returns the job id. */
  enqueue(kind: string, payload: unknown, opts: { runAt?: number } = {}): number {
    if (!this.kinds.has(kind)) throw new Error(`unknown job kind ${kind}`);
    const now = this.opts.clock.now();
    const row = this.opts.db
      .insert(jobs)
      .values({
        kind,
        payload: JSON.stringify(payload ?? {}),
        status: 'pending',
        runAt: opts.runAt ?? now,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: jobs.id })
      .get();
    this.kick();
    return row.id;
  }

  /**
   * Resumes jobs a crash left `running` and starts polling. Their attempt was counted when it
   * was claimed (before the handler ran), so a job whose runs keep killing the process is
   * marked failed once it has used its attempts, instead of running again at every start.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.recoverCrashed();
    this.schedule(0);
  }

  private recoverCrashed(): void {
    const now = this.opts.clock.now();
    const left = this.opts.db
      .select({
        id: jobs.id,
        kind: jobs.kind,
        attempts: jobs.attempts,
        payload: jobs.payload,
        lastError: jobs.lastError,
      })
      .from(jobs)
      .where(eq(jobs.status, 'running'))
      .all();
    const resumed: Array<{ id: number; kind: string; attempts: number }> = [];
    for (const job of left) {
      const kind = this.kinds.get(job.kind);
      const crashes = crashCount(job.lastError) + 1;
      const max = kind?.opts.maxAttempts;
      if (max !== undefined && job.attempts >= max) {
        const message = `crashed the process ${crashes} time${crashes === 1 ? '' : 's'} (the process died during attempt ${job.attempts} of ${max}); not retried`;
        this.finish(job.id, 'failed', message);
        this.log.error(
          { job_id: job.id, job_kind: job.kind, attempts: job.attempts, crashes },
          'job failed for good: the process died during its last attempt',
        );
        const hook = kind?.opts.onFailed;
        if (hook) {
          const ctx = { id: job.id, attempts: job.attempts };
          void Promise.resolve()
            .then(() => hook(parsePayload(job.payload), new Error(message), ctx))
            .catch((err: unknown) => this.log.error({ err, job_id: job.id }, 'job onFailed hook failed'));
        }
        continue;
      }
      this.opts.db
        .update(jobs)
        .set({
          status: 'pending',
          lastError: `crashed the process ${crashes} time${crashes === 1 ? '' : 's'} (the process died during attempt ${job.attempts}); resuming`,
          updatedAt: now,
        })
        .where(and(eq(jobs.id, job.id), eq(jobs.status, 'running')))
        .run();
      resumed.push({ id: job.id, kind: job.kind, attempts: job.attempts });
    }
    if (resumed.length) this.log.warn({ jobs: resumed }, 'resuming jobs left running by a previous run');
  }

  /** Stops polling, aborts running jobs and waits (bounded) for them; they stay resumable. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const { abort } of this.inFlight.values()) abort.abort(new Error('job runner stopping'));
    const all = Promise.allSettled([...this.inFlight.values()].map((j) => j.promise));
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Runs due jobs now instead of at the next poll. */
  kick(): void {
    if (this.started && !this.stopping) this.schedule(0);
  }

  /** Counts by status, for readiness and tests. */
  counts(kind?: string): Record<JobStatus, number> {
    const rows = this.opts.db
      .select({ status: jobs.status, n: sql<number>`count(*)` })
      .from(jobs)
      .where(kind ? eq(jobs.kind, kind) : undefined)
      .groupBy(jobs.status)
      .all();
    const out: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  /** Resolves when no job of this kind is pending or running (tests, shutdown of a feature). */
  async idle(kind?: string, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const c = this.counts(kind);
      if (c.pending === 0 && c.running === 0 && this.inFlight.size === 0) return;
      if (Date.now() > until) throw new Error(`jobs not idle after ${timeoutMs} ms: ${JSON.stringify(c)}`);
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        this.claimDue();
      } while (this.tickAgain && !this.stopping);
    } catch (err) {
      this.log.error({ err }, 'job runner tick failed');
    } finally {
      this.ticking = false;
    }
    if (!this.stopping) this.schedule(this.nextDelay());
  }

  private nextDelay(): number {
    const poll = this.opts.pollMs ?? 1000;
    const next = this.opts.db
      .select({ runAt: jobs.runAt })
      .from(jobs)
      .where(eq(jobs.status, 'pending'))
      .orderBy(asc(jobs.runAt))
      .limit(1)
      .get();
    if (!next) return poll;
    return Math.max(0, Math.min(poll, next.runAt - this.opts.clock.now()));
  }

  private claimDue(): void {
    const free = (this.opts.concurrency ?? 2) - this.inFlight.size;
    if (free <= 0 || this.stopping) return;
    const kinds = [...this.kinds.keys()];
    if (!kinds.length) return;
    const now = this.opts.clock.now();
    const due = this.opts.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.status, 'pending'), lte(jobs.runAt, now), inArray(jobs.kind, kinds)))
      .orderBy(asc(jobs.runAt), asc(jobs.id))
      .limit(free)
      .all();
    for (const job of due) {
      const claimed = this.opts.db
        .update(jobs)
        .set({ status: 'running', attempts: job.attempts + 1, updatedAt: now })
        .where(and(eq(jobs.id, job.id), eq(jobs.status, 'pending')))
        .run();
      if (claimed.changes !== 1) continue;
      const abort = new AbortController();
      const promise = this.run(job.id, job.kind, job.payload, job.attempts + 1, abort)
        .catch((err: unknown) => this.log.error({ err, job_id: job.id }, 'job bookkeeping failed'))
        .finally(() => {
          this.inFlight.delete(job.id);
          this.kick();
        });
      this.inFlight.set(job.id, { promise, abort });
    }
  }

  private async run(
    id: number,
    kindName: string,
    rawPayload: string,
    attempt: number,
    abort: AbortController,
  ): Promise<void> {
    const kind = this.kinds.get(kindName)!;
    const log = this.log.child({ job_id: id, job_kind: kindName, attempt });
    const payload = parsePayload(rawPayload);
    try {
      await kind.handler(payload, { id, attempt, signal: abort.signal, logger: log });
      this.finish(id, 'done', null);
      log.debug('job done');
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (abort.signal.aborted && this.stopping) {
        // Stopped, not failed: give the attempt back and leave it for the next start.
        this.opts.db
          .update(jobs)
          .set({ status: 'pending', attempts: attempt - 1, updatedAt: this.opts.clock.now() })
          .where(eq(jobs.id, id))
          .run();
        log.info('job interrupted by shutdown; will resume');
        return;
      }
      const permanent = err instanceof PermanentJobError;
      if (!permanent && attempt < kind.opts.maxAttempts) {
        const delay = kind.opts.backoffMs(attempt);
        this.opts.db
          .update(jobs)
          .set({
            status: 'pending',
            runAt: this.opts.clock.now() + delay,
            lastError: err.message.slice(0, MAX_ERROR_CHARS),
            updatedAt: this.opts.clock.now(),
          })
          .where(eq(jobs.id, id))
          .run();
        log.warn({ err: err.message, retry_in_ms: delay }, 'job failed; will retry');
        return;
      }
      this.finish(id, 'failed', err.message);
      log.error({ err, attempts: attempt }, 'job failed for good');
      try {
        await kind.opts.onFailed?.(payload, err, { id, attempts: attempt });
      } catch (hookErr) {
        log.error({ err: hookErr }, 'job onFailed hook failed');
      }
    }
  }

  private finish(id: number, status: 'done' | 'failed', error: string | null): void {
    this.opts.db
      .update(jobs)
      .set({ status, lastError: error?.slice(0, MAX_ERROR_CHARS) ?? null, updatedAt: this.opts.clock.now() })
      .where(eq(jobs.id, id))
      .run();
  }
}

function parsePayload(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** How many runs in a row died with the process, as recorded in last_error by recoverCrashed(). */
function crashCount(lastError: string | null): number {
  const m = /^crashed the process (\d+) times? /.exec(lastError ?? '');
  return m ? Number(m[1]) : 0;
}
