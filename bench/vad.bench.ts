/**
 * `npm run bench vad`: the voice-activity detectors side by side — energy, Silero at the line's
 * native 8 kHz, Silero on the same audio upsampled to 16 kHz — on the committed Hebrew fixtures
 * (espeak-ng + sox, 8 kHz μ-law: tests/fixtures/speech and tests/fixtures/vad), each line played
 * after 1 s of low line noise and followed by 1.5 s of it, frame by frame as a call sends them.
 *
 * - CPU per 20 ms frame (process CPU time, model included, less the same loop without a detector):
 *   one call alone, and 50 calls whose frames arrive in the same event-loop turns (their Silero
 *   windows run as one batch).
 * - Detection delay (audio time): speech start → onset; speech end → end of utterance, minus the
 *   700 ms end-of-utterance window (what the detector adds to the window). Speech bounds: the
 *   annotated segments for the phrase with a pause, otherwise the first and last frame above −45 dBFS.
 * - False detections: onsets on 10 s of line noise and on a cough; confirmed speech on them.
 *
 * Bounded: ~2 minutes of audio per detector per part.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulawEncode, mulawLevelDb } from '../src-main/audio/mulaw';
import { SileroModel } from '../src-main/telephony/audio/silero-model';
import { SileroVad } from '../src-main/telephony/audio/silero-vad';
import {
  DEFAULT_VAD,
  EnergyVad,
  type Vad,
  type VadEvent,
  type VadKind,
} from '../src-main/telephony/audio/vad';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.join(here, '..', 'tests', 'fixtures');
const LEAD_MS = 1000;
const TAIL_MS = 1500;
const CONCURRENT = 50;

function lineNoise(ms: number, peak = 40, seed = 7): Buffer {
  let x = seed;
  const pcm = new Int16Array(ms * 8);
  for (let i = 0; i < pcm.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    pcm[i] = Math.round(((x / 0x7fffffff) * 2 - 1) * peak);
  }
  return mulawEncode(pcm);
}

/** First and last 20 ms frame above −45 dBFS, in ms from the start. */
function speechBounds(audio: Buffer): Array<[number, number]> {
  let first = -1;
  let last = -1;
  for (let i = 0; i + 160 <= audio.length; i += 160) {
    if (mulawLevelDb(audio.subarray(i, i + 160)) > -45) {
      if (first < 0) first = i / 8;
      last = (i + 160) / 8;
    }
  }
  return [[first, last]];
}

interface Line {
  name: string;
  audio: Buffer;
  speech: Array<[number, number]>;
}

function lines(): Line[] {
  const out: Line[] = [];
  const pause = JSON.parse(readFileSync(path.join(FIX, 'vad', 'phrase-pause.json'), 'utf8')) as {
    speech_ms: Array<[number, number]>;
  };
  out.push({
    name: 'phrase-pause',
    audio: readFileSync(path.join(FIX, 'vad', 'phrase-pause.ulaw')),
    speech: pause.speech_ms,
  });
  for (const name of ['book', 'price', 'name', 'bye']) {
    const audio = readFileSync(path.join(FIX, 'speech', `${name}.ulaw`));
    out.push({ name, audio, speech: speechBounds(audio) });
  }
  return out.map((l) => ({
    ...l,
    audio: Buffer.concat([lineNoise(LEAD_MS), l.audio, lineNoise(TAIL_MS, 40, 11)]),
    speech: l.speech.map(([a, b]) => [a + LEAD_MS, b + LEAD_MS] as [number, number]),
  }));
}

const tick = () => new Promise<void>((r) => setImmediate(r));

type Timed = VadEvent & { atMs: number };

async function play(vad: Vad, audio: Buffer): Promise<Timed[]> {
  const out: Timed[] = [];
  let at = 0;
  vad.onLateEvents = (evs) => evs.forEach((e) => out.push({ ...e, atMs: at }));
  for (let i = 0; i + 160 <= audio.length; i += 160) {
    at = (i + 160) / 8;
    for (const e of vad.push(audio.subarray(i, i + 160))) out.push({ ...e, atMs: at });
    await tick();
  }
  await new Promise((r) => setTimeout(r, 50));
  vad.close();
  return out;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    mean: s.length ? Math.round(s.reduce((a, b) => a + b, 0) / s.length) : null,
    max: s.length ? s[s.length - 1]! : null,
  };
};

/** CPU µs per frame: `calls` detectors fed the same audio, one frame each per event-loop turn. */
async function cpuPerFrame(
  make: () => Vad | null,
  audio: Buffer,
  calls: number,
  seconds: number,
): Promise<number> {
  const frames = Math.floor((seconds * 1000) / 20);
  const vads = Array.from({ length: calls }, make).filter((v) => v != null);
  // Warm-up (JIT, the model's first runs).
  for (let f = 0; f < 50; f++) {
    for (const v of vads)
      v.push(audio.subarray((f * 160) % (audio.length - 160), ((f * 160) % (audio.length - 160)) + 160));
    await tick();
  }
  const c0 = process.cpuUsage();
  for (let f = 0; f < frames; f++) {
    const off = (f * 160) % (audio.length - 160);
    const frame = audio.subarray(off, off + 160);
    for (const v of vads) v.push(frame);
    await tick();
  }
  await new Promise((r) => setTimeout(r, 50));
  const c = process.cpuUsage(c0);
  vads.forEach((v) => v.close());
  return (c.user + c.system) / (frames * calls);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export default async function vadBench(): Promise<Record<string, unknown>> {
  const model = await SileroModel.load();
  const kinds: Array<{ kind: VadKind; make: () => Vad }> = [
    { kind: 'energy', make: () => new EnergyVad(DEFAULT_VAD) },
    { kind: 'silero-8k', make: () => new SileroVad(model, DEFAULT_VAD, { rate: 8000 }) },
    { kind: 'silero-16k', make: () => new SileroVad(model, DEFAULT_VAD, { rate: 16000 }) },
  ];
  const all = lines();
  const speechLoop = Buffer.concat(all.map((l) => l.audio));
  const rows: Record<string, unknown> = {};
  // The loop's own cost per frame (event-loop turns, slicing), subtracted from every detector's.
  const loop1 = await cpuPerFrame(() => null, speechLoop, 1, 60);
  const loop50 = await cpuPerFrame(() => null, speechLoop, CONCURRENT, 20);
  for (const { kind, make } of kinds) {
    const onset: number[] = [];
    const endAfterWindow: number[] = [];
    let missed = 0;
    let extra = 0;
    const perLine: Record<string, { onsets_ms: number[]; ends_ms: number[] }> = {};
    for (const line of all) {
      const ev = await play(make(), line.audio);
      const onsets = ev.filter((e) => e.type === 'onset');
      const ends = ev.filter((e) => e.type === 'end');
      perLine[line.name] = { onsets_ms: onsets.map((e) => e.atMs), ends_ms: ends.map((e) => e.atMs) };
      // Each annotated segment: the first onset after its start - 100 ms and the first end after it.
      for (const [a, b] of line.speech) {
        const o = onsets.find((e) => e.atMs >= a - 100 && e.atMs <= b);
        const e = ends.find((x) => x.atMs >= b);
        if (!o || !e) {
          missed++;
          continue;
        }
        onset.push(o.atMs - a);
        endAfterWindow.push(e.atMs - b - DEFAULT_VAD.silenceMs);
      }
      extra += Math.max(0, ends.length - line.speech.length);
    }
    const noiseEv = await play(make(), lineNoise(10_000, 60, 5));
    const cough = readFileSync(path.join(FIX, 'speech', 'cough.ulaw'));
    const coughEv = await play(
      make(),
      Buffer.concat([lineNoise(500), cough, lineNoise(700), cough, lineNoise(700), cough, lineNoise(700)]),
    );
    const count = (ev: Timed[], t: VadEvent['type']) => ev.filter((e) => e.type === t).length;
    rows[kind] = {
      cpu_us_per_frame_1_call: round1((await cpuPerFrame(make, speechLoop, 1, 60)) - loop1),
      cpu_us_per_frame_50_calls: round1((await cpuPerFrame(make, speechLoop, CONCURRENT, 20)) - loop50),
      onset_delay_ms: stats(onset),
      end_delay_after_window_ms: stats(endAfterWindow),
      segments: onset.length + missed,
      missed_segments: missed,
      extra_utterances: extra,
      noise_10s: { onsets: count(noiseEv, 'onset'), confirmed: count(noiseEv, 'confirmed') },
      coughs_3: { onsets: count(coughEv, 'onset'), confirmed: count(coughEv, 'confirmed') },
      per_line: perLine,
    };
  }
  await model.close();
  return {
    frame_ms: 20,
    window_ms: 32,
    end_window_ms: DEFAULT_VAD.silenceMs,
    concurrent_calls: CONCURRENT,
    loop_cpu_us_per_frame: { one_call: round1(loop1), calls_50: round1(loop50) },
    fixtures: all.map((l) => ({ name: l.name, speech_ms: l.speech })),
    detectors: rows,
  };
}
