/**
 * Synthesizes the turn-taking corpus as a phone line carries it: each segment said by
 * `espeak-ng -v he`, trimmed of its own silence, band-limited to the telephone band (300–3400 Hz)
 * at 8 kHz; the segments joined with sox-generated silence of the annotated length; line noise
 * (sox white noise at −45 dBFS peak, about −50 dBFS RMS) mixed under the whole turn; then G.711
 * μ-law, raw, as Twilio sends it. Each turn's segment bounds are known to the sample.
 *
 * The audio is cached in bench/turn-taking/.cache/<hash of the corpus and this recipe>/ (ignored
 * by git): a rerun with the same corpus synthesizes nothing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Corpus, Turn } from './corpus';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const RATE = 8000;
/** Line noise: peak level of the white noise mixed under the speech (dBFS). */
export const NOISE_PEAK_DB = -45;
/** The same noise as a PCM peak, for the silence the caller's line sends between turns. */
export const NOISE_PEAK = Math.round(32768 * 10 ** (NOISE_PEAK_DB / 20));
const ESPEAK = ['-v', 'he', '-s', '160'];
const SEGMENT_FX = ['silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse'];
const BAND_FX = ['sinc', '300-3400', 'norm', '-4'];
/** sox's null input at the line's rate (else it is 48 kHz, resampled). */
const NULL_IN = ['-r', String(RATE), '-c', '1', '-n'];
/** Changes to the recipe above must change the cache key. */
const RECIPE = { v: 3, ESPEAK, SEGMENT_FX, BAND_FX, NOISE_PEAK_DB, RATE };

export interface GeneratedSegment {
  text: string;
  /** Sample offsets of the segment's speech in the turn's audio (8 kHz: 8 samples per ms). */
  start: number;
  end: number;
  /**
   * Inside the segment, where each word but the last ends (estimated: the first k words said
   * alone by the same voice) and the text written up to it (the corpus's `written`, or the
   * written words paired one to one with the spoken ones; none when they do not pair up).
   */
  marks: Array<{ end: number; text: string }>;
}

export interface GeneratedTurn {
  id: string;
  /** 8 kHz μ-law, starting with the first segment's speech and ending with the last one's. */
  audio: Buffer;
  segments: GeneratedSegment[];
}

async function tool(cmd: string, args: string[]): Promise<void> {
  try {
    await run(cmd, args, { maxBuffer: 1 << 24 });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** espeak-ng → trimmed, band-limited 8 kHz PCM16 raw in `out`; its length in samples. */
async function speak(say: string, out: string, dir: string): Promise<number> {
  const raw = path.join(dir, 'espeak.wav');
  await tool('espeak-ng', [...ESPEAK, '-w', raw, say]);
  await tool('sox', [
    raw,
    ...['-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw'],
    out,
    ...SEGMENT_FX,
    ...BAND_FX,
  ]);
  return readFileSync(out).length / 2;
}

async function synthesizeTurn(turn: Turn, tmp: string): Promise<GeneratedTurn> {
  const dir = mkdtempSync(path.join(tmp, `${turn.id}-`));
  const rawFmt = ['-r', String(RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw'];
  const pieces: string[] = [];
  const segments: GeneratedSegment[] = [];
  let at = 0;
  for (const [i, s] of turn.segments.entries()) {
    const seg = path.join(dir, `seg${i}.raw`);
    const samples = await speak(s.say, seg, dir);
    if (samples < 800) throw new Error(`${turn.id}: segment ${i} (${s.say}) has only ${samples} samples`);
    // Where each word ends: the length of the segment's first k words said alone.
    const words = s.say.split(/\s+/);
    const tokens = s.text.match(/\s*\S+/g) ?? [];
    const written =
      s.written ??
      (tokens.length === words.length ? tokens.map((_, k) => tokens.slice(0, k + 1).join('')) : []);
    const marks: GeneratedSegment['marks'] = [];
    if (written.length >= words.length - 1)
      for (let k = 1; k < words.length; k++) {
        const n = await speak(words.slice(0, k).join(' '), path.join(dir, `prefix.raw`), dir);
        const end = at + Math.min(n, samples - 160);
        if (end > (marks.at(-1)?.end ?? at)) marks.push({ end, text: written[k - 1]! });
      }
    segments.push({ text: s.text, start: at, end: at + samples, marks });
    pieces.push(seg);
    at += samples;
    if (s.pauseMs > 0 && i < turn.segments.length - 1) {
      const gap = path.join(dir, `gap${i}.raw`);
      const n = s.pauseMs * (RATE / 1000);
      await tool('sox', [...NULL_IN, ...rawFmt, gap, 'trim', '0', `${n}s`]);
      pieces.push(gap);
      at += n;
    }
  }
  const joined = path.join(dir, 'joined.raw');
  await tool('sox', [...pieces.flatMap((p) => [...rawFmt, p]), ...rawFmt, joined]);
  const noise = path.join(dir, 'noise.raw');
  await tool('sox', [
    ...NULL_IN,
    ...rawFmt,
    noise,
    'synth',
    `${at}s`,
    'whitenoise',
    'gain',
    String(NOISE_PEAK_DB),
  ]);
  const out = path.join(dir, 'turn.ulaw');
  await tool('sox', [
    '-m',
    ...['-v', '1', ...rawFmt, joined],
    ...['-v', '1', ...rawFmt, noise],
    ...['-r', String(RATE), '-c', '1', '-e', 'mu-law', '-t', 'raw'],
    out,
  ]);
  const audio = readFileSync(out);
  if (audio.length !== at) throw new Error(`${turn.id}: ${audio.length} samples, expected ${at}`);
  return { id: turn.id, audio, segments };
}

/** The corpus's audio: from the cache, or synthesized now (two turns at a time). */
export async function generateCorpus(corpus: Corpus): Promise<{
  turns: Map<string, GeneratedTurn>;
  cached: boolean;
  dir: string;
}> {
  const key = createHash('sha256')
    .update(JSON.stringify({ RECIPE, turns: corpus.turns.map((t) => [t.id, t.segments]) }))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(here, '.cache', key);
  const index = path.join(dir, 'index.json');
  const turns = new Map<string, GeneratedTurn>();
  if (existsSync(index)) {
    const saved = JSON.parse(readFileSync(index, 'utf8')) as Array<Omit<GeneratedTurn, 'audio'>>;
    for (const t of saved) turns.set(t.id, { ...t, audio: readFileSync(path.join(dir, `${t.id}.ulaw`)) });
    return { turns, cached: true, dir };
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'turn-taking-'));
  try {
    const queue = [...corpus.turns];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) turns.set(t.id, await synthesizeTurn(t, tmp));
    };
    await Promise.all([worker(), worker()]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  for (const t of turns.values()) writeFileSync(path.join(dir, `${t.id}.ulaw`), t.audio);
  writeFileSync(
    index,
    JSON.stringify(
      corpus.turns.map((c) => {
        const { audio: _audio, ...rest } = turns.get(c.id)!;
        return rest;
      }),
    ),
  );
  return { turns, cached: false, dir };
}
