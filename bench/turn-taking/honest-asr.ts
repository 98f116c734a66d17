/**
 * The benchmark's transcriber: it answers only with the text of the audio it was given. It knows
 * the end of every segment of every synthesized turn, and of each word inside one (where the
 * generator could place it), by a fingerprint: the turn's own μ-law bytes over the 40 ms before
 * that end, line noise included, so no two share one. An uploaded WAV is re-encoded to μ-law and
 * each fingerprint looked for in it. The transcript is, for every segment the upload holds, its
 * text up to the furthest end found (the whole segment, or its first words), in the order they
 * occur in the audio: a speculative upload taken during a pause hears the turn up to that pause,
 * and nothing more.
 */
import type { GeneratedTurn } from './generate';

const PRINT_SAMPLES = 320;

/** G.711 μ-law of one sample; the two zeros (0x7f, 0xff) are one value. */
function ulaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, sample));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  s += BIAS;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const b = ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0f)) & 0xff;
  return b === 0x7f ? 0xff : b;
}
const sameZero = (b: number) => (b === 0x7f ? 0xff : b);

/** The PCM16 samples of a WAV file's `data` chunk (8 kHz mono, as the server uploads it). */
function wavSamples(wav: Buffer): Buffer {
  if (wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('honest ASR: upload is not a WAV file');
  let at = 12;
  while (at + 8 <= wav.length) {
    const id = wav.toString('latin1', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      const rate = wav.readUInt32LE(at + 12);
      const bits = wav.readUInt16LE(at + 22);
      if (rate !== 8000 || bits !== 16) throw new Error(`honest ASR: ${rate} Hz ${bits}-bit upload`);
    }
    if (id === 'data') return wav.subarray(at + 8, Math.min(wav.length, at + 8 + size));
    at += 8 + size + (size & 1);
  }
  throw new Error('honest ASR: WAV without data');
}

export class HonestTranscriber {
  /** Per segment: fingerprints at its word ends (rank 0…) and at its end (the highest rank). */
  private readonly prints: Array<{
    segment: string;
    turn: string;
    rank: number;
    text: string;
    print: Buffer;
  }> = [];
  uploads = 0;
  /** Uploads with audio in which no word ended (noise, a cough, a clipped start). */
  empty = 0;
  /** With BENCH_TURN_DUMP: the re-encoded audio of those uploads (diagnostics). */
  readonly unheard: Buffer[] = [];

  constructor(turns: Iterable<GeneratedTurn>) {
    for (const t of turns)
      t.segments.forEach((s, i) => {
        const ends = [...s.marks, { end: s.end, text: s.text }];
        ends.forEach((m, rank) => {
          const from = Math.max(s.start, m.end - PRINT_SAMPLES);
          this.prints.push({
            segment: `${t.id}#${i}`,
            turn: t.id,
            rank,
            text: m.text,
            print: Buffer.from(t.audio.subarray(from, m.end).map(sameZero)),
          });
        });
      });
  }

  /** The transcript of an uploaded WAV, and which turns it heard. */
  transcribe(wav: Buffer): { text: string; turns: string[] } {
    this.uploads++;
    const pcm = wavSamples(wav);
    const mu = Buffer.alloc(pcm.length >> 1);
    for (let i = 0; i < mu.length; i++) mu[i] = ulaw(pcm.readInt16LE(i * 2));
    // Per segment heard: the furthest word end the audio holds, and where the segment is in it.
    const heard = new Map<string, { at: number; rank: number; text: string; turn: string }>();
    for (const p of this.prints) {
      const at = mu.indexOf(p.print);
      if (at < 0) continue;
      const seen = heard.get(p.segment);
      if (!seen || p.rank > seen.rank)
        heard.set(p.segment, { at: Math.min(at, seen?.at ?? at), rank: p.rank, text: p.text, turn: p.turn });
      else seen.at = Math.min(seen.at, at);
    }
    const hits = [...heard.values()].sort((a, b) => a.at - b.at);
    if (!hits.length) {
      this.empty++;
      if (process.env.BENCH_TURN_DUMP) this.unheard.push(mu);
    }
    return {
      text: hits
        .map((h) => h.text)
        .join('')
        .trim(),
      turns: [...new Set(hits.map((h) => h.turn))],
    };
  }
}
