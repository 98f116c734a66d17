/**
 * Silero VAD behind the VAD port, on the real model (onnxruntime-node, the pinned .onnx) and Hebrew
 * speech made by espeak-ng (tests/fixtures/vad/make-fixtures.sh): onset and end on a phrase with
 * a pause, nothing on silence, line noise or a cough, at 8 kHz and upsampled to 16 kHz; a model
 * file with the wrong hash is refused and calls get the energy VAD; `push` never waits for the model.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src-main/platform/logger';
import { mulawEncode } from '../../src-main/audio/mulaw';
import { SileroModel, sileroModelPath } from '../../src-main/telephony/audio/silero-model';
import { SileroVad } from '../../src-main/telephony/audio/silero-vad';
import { DEFAULT_VAD, type Vad, type VadEvent } from '../../src-main/telephony/audio/vad';
import { VadProvider } from '../../src-main/telephony/audio/vad-provider';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'vad');
const phrase = readFileSync(path.join(FIXTURES, 'phrase-pause.ulaw'));
const meta = JSON.parse(readFileSync(path.join(FIXTURES, 'phrase-pause.json'), 'utf8')) as {
  speech_ms: Array<[number, number]>;
};
const cough = readFileSync(path.join(FIXTURES, '..', 'speech', 'cough.ulaw'));

/** Line noise like a quiet phone line: uniform noise of this PCM peak (40 ≈ −60 dBFS). */
function lineNoise(ms: number, peak = 40, seed = 7): Buffer {
  let x = seed;
  const pcm = new Int16Array(ms * 8);
  for (let i = 0; i < pcm.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    pcm[i] = Math.round(((x / 0x7fffffff) * 2 - 1) * peak);
  }
  return mulawEncode(pcm);
}

type Timed = VadEvent & { atMs: number };

/** Feeds 20 ms frames as a call does: the event loop turns between frames (the model answers then). */
async function feed(vad: Vad, audio: Buffer): Promise<Timed[]> {
  const out: Timed[] = [];
  let at = 0;
  vad.onLateEvents = (evs) => evs.forEach((e) => out.push({ ...e, atMs: at }));
  for (let i = 0; i + 160 <= audio.length; i += 160) {
    at = ((i + 160) / 160) * 20;
    for (const e of vad.push(audio.subarray(i, i + 160))) out.push({ ...e, atMs: at });
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

const silentLogger = (): Logger & { errors: unknown[] } => {
  const errors: unknown[] = [];
  const log = {
    errors,
    info: () => undefined,
    warn: () => undefined,
    debug: () => undefined,
    error: (...args: unknown[]) => errors.push(args),
    child: () => log,
  };
  return log as unknown as Logger & { errors: unknown[] };
};

let model: SileroModel;
beforeAll(async () => {
  model = await SileroModel.load();
}, 30_000);
afterAll(async () => {
  await model.close();
});

describe.each([8000, 16000] as const)('Silero VAD at %i Hz', (rate) => {
  const lead = 1000;
  const line = Buffer.concat([lineNoise(lead), phrase, lineNoise(1500, 40, 9)]);

  it('finds both parts of a Hebrew phrase with a pause: onset soon after speech, end after the window', async () => {
    const events = await feed(new SileroVad(model, DEFAULT_VAD, { rate }), line);
    const of = (t: string) => events.filter((e) => e.type === t);
    // The 900 ms pause is longer than the 700 ms end-of-utterance window: two utterances.
    expect(of('onset')).toHaveLength(2);
    expect(of('confirmed')).toHaveLength(2);
    expect(of('end')).toHaveLength(2);
    expect(of('noise')).toHaveLength(0);
    meta.speech_ms.forEach(([start, stop], i) => {
      const onset = of('onset')[i]!.atMs - (lead + start);
      const end = of('end')[i]!.atMs - (lead + stop);
      expect(onset, `onset ${i} delay`).toBeGreaterThanOrEqual(0);
      expect(onset, `onset ${i} delay`).toBeLessThanOrEqual(250);
      expect(end, `end ${i} delay`).toBeGreaterThanOrEqual(DEFAULT_VAD.silenceMs - 100);
      expect(end, `end ${i} delay`).toBeLessThanOrEqual(DEFAULT_VAD.silenceMs + 250);
      // The utterance audio holds the speech and the pre-roll before its onset.
      const e = of('end')[i] as Extract<VadEvent, { type: 'end' }>;
      expect(e.audio.length / 8).toBeGreaterThanOrEqual(stop - start);
      expect(e.speechMs).toBeGreaterThanOrEqual((stop - start) * 0.6);
    });
  }, 30_000);

  it('with a longer window the pause is a pause: pause, resume, one end', async () => {
    const events = await feed(new SileroVad(model, { ...DEFAULT_VAD, silenceMs: 1200 }, { rate }), line);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'end')).toHaveLength(1);
    expect(types).toContain('resume');
    const pause = events.find(
      (e) => e.type === 'pause' && e.atMs > lead + meta.speech_ms[0]![1] - 100,
    ) as Timed & { lagMs?: number };
    expect(pause.atMs - (pause.lagMs ?? 0) - (lead + meta.speech_ms[0]![1])).toBeLessThanOrEqual(200);
  }, 30_000);

  it('stays silent on digital silence, low line noise and a cough', async () => {
    const quiet = Buffer.concat([Buffer.alloc(8000 * 2, 0xff), lineNoise(3000), lineNoise(2000, 120, 3)]);
    expect(await feed(new SileroVad(model, DEFAULT_VAD, { rate }), quiet)).toEqual([]);
    const coughs = Buffer.concat([lineNoise(500), cough, lineNoise(800), cough, lineNoise(800)]);
    const events = await feed(new SileroVad(model, DEFAULT_VAD, { rate }), coughs);
    expect(events.filter((e) => e.type === 'confirmed' || e.type === 'end')).toEqual([]);
  }, 30_000);
});

describe('Silero VAD on the call path', () => {
  it('push never waits for the model: 100 frames go in at once, answers follow in order', async () => {
    const vad = new SileroVad(model, DEFAULT_VAD, { rate: 8000, maxQueue: 16 });
    const late: VadEvent[] = [];
    vad.onLateEvents = (evs) => late.push(...evs);
    const audio = phrase.subarray(meta.speech_ms[0]![0] * 8);
    const t0 = performance.now();
    const sync: VadEvent[] = [];
    for (let i = 0; i < 100; i++) sync.push(...vad.push(audio.subarray(i * 160, (i + 1) * 160)));
    const ms = performance.now() - t0;
    // Nothing was run yet (the model answers after this event-loop turn) …
    expect(vad.windowsRun).toBe(0);
    expect(ms).toBeLessThan(50);
    // … and the queue stayed bounded: 2 s of audio is 62 windows, 17 wait, the rest are skipped.
    expect(vad.pendingWindows).toBeLessThanOrEqual(18);
    expect(vad.windowsSkipped).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(vad.pendingWindows).toBe(0);
    expect(vad.windowsRun + vad.windowsSkipped).toBe(Math.floor((100 * 160) / 256));
    // The windows that ran heard the speech (the skipped ones, the energy VAD decided).
    expect(sync).toEqual([]);
    expect(late.map((e) => e.type).slice(0, 2)).toEqual(['onset', 'confirmed']);
    vad.close();
  }, 30_000);

  it('a machine that falls behind still hears a reply: the windows the model skips are decided by energy', async () => {
    // Half a second of quiet line, then the phrase, all at once: with no room in the queue every
    // window after the first is skipped (the model answers only after this event-loop turn).
    const vad = new SileroVad(model, DEFAULT_VAD, { rate: 8000, maxQueue: 0 });
    const late: VadEvent[] = [];
    vad.onLateEvents = (evs) => late.push(...evs);
    const audio = Buffer.concat([lineNoise(500), phrase.subarray(meta.speech_ms[0]![0] * 8)]);
    for (let i = 0; i + 160 <= audio.length; i += 160) vad.push(audio.subarray(i, i + 160));
    await new Promise((r) => setTimeout(r, 300));
    expect(vad.windowsRun).toBe(1);
    expect(vad.windowsSkipped).toBeGreaterThan(50);
    // Skipped windows used to count with the last probability (the quiet line's): nothing heard.
    expect(late.map((e) => e.type).slice(0, 2)).toEqual(['onset', 'confirmed']);
    vad.close();
  }, 30_000);

  it('a closed VAD drops pending answers and reports nothing more', async () => {
    const vad = new SileroVad(model, DEFAULT_VAD, { rate: 8000 });
    const late: VadEvent[] = [];
    vad.onLateEvents = (evs) => late.push(...evs);
    for (let i = 0; i < 40; i++) vad.push(phrase.subarray(i * 160 + 2400, (i + 1) * 160 + 2400));
    vad.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(late).toEqual([]);
    expect(vad.push(phrase.subarray(0, 160))).toEqual([]);
  });

  it('many calls share one model: their windows run as batches', async () => {
    const before = { windows: model.windows, batches: model.batches };
    const vads = Array.from({ length: 20 }, () => new SileroVad(model, DEFAULT_VAD, { rate: 8000 }));
    const audio = Buffer.concat([lineNoise(200), phrase]);
    for (let f = 0; f < 50; f++) {
      for (const v of vads) v.push(audio.subarray(f * 160, (f + 1) * 160));
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    const windows = model.windows - before.windows;
    expect(windows).toBe(20 * Math.floor((50 * 160) / 256));
    expect(windows / (model.batches - before.batches)).toBeGreaterThan(10);
  }, 30_000);
});

describe('loading the model', () => {
  it('refuses a model file whose hash differs: energy VAD, logged once, readiness fail', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'silero-'));
    const bad = path.join(dir, 'silero_vad.onnx');
    copyFileSync(sileroModelPath(), bad);
    const bytes = readFileSync(bad);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(bad, bytes);
    const log = silentLogger();
    const vads = new VadProvider(log, { modelPath: bad });
    expect(await vads.load()).toBeUndefined();
    expect(await vads.load()).toBeUndefined();
    expect(log.errors).toHaveLength(1);
    expect(vads.failureReason).toBe('hash_mismatch');
    expect(await vads.readiness('silero-8k')).toBe('fail');
    expect(await vads.readiness('energy')).toBe('disabled');
    expect(vads.create('silero-8k', DEFAULT_VAD).kind).toBe('energy');
  });

  it('a missing model file is refused the same way', async () => {
    const vads = new VadProvider(silentLogger(), { modelPath: path.join(os.tmpdir(), 'no-such.onnx') });
    await vads.load();
    expect(vads.failureReason).toBe('model_missing');
    expect(vads.create('silero-16k', DEFAULT_VAD).kind).toBe('energy');
  });

  it('the pinned model loads: calls get Silero at the configured rate', async () => {
    const vads = new VadProvider(silentLogger());
    // Before the model has loaded, calls get the energy VAD.
    expect(vads.create('silero-8k', DEFAULT_VAD).kind).toBe('energy');
    await vads.load();
    expect(await vads.readiness('silero-8k')).toBe('ok');
    expect(vads.create('silero-8k', DEFAULT_VAD).kind).toBe('silero-8k');
    expect(vads.create('silero-16k', DEFAULT_VAD).kind).toBe('silero-16k');
    expect(vads.create('energy', DEFAULT_VAD).kind).toBe('energy');
    await vads.close();
  }, 30_000);
});
