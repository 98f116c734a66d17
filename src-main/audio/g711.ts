/**
 * G.711 μ-law ⇄ linear PCM16, the one codec of the app: the phone line (Twilio Media Streams carry
 * 8 kHz mono μ-law), the AI services' audio and the renderer's test-call audio all go through it.
 * Node-free (no Buffer) so the renderer bundle can import it. Decoding is one table lookup per
 * byte; encoding looks up the top 14 bits of the sample.
 */
const BIAS = 0x84;
const CLIP = 32635;

function encodeSample(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function decodeByte(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -magnitude : magnitude;
}

/** PCM16 value of each μ-law byte. */
export const MULAW_TO_PCM16 = new Int16Array(256);
for (let i = 0; i < 256; i++) MULAW_TO_PCM16[i] = decodeByte(i);

/** Indexed by (sample >> 2) + 8192: 16384 entries cover the whole Int16 range. */
const ENCODE = new Uint8Array(16384);
for (let i = 0; i < 16384; i++) ENCODE[i] = encodeSample((i - 8192) << 2);

/** The μ-law byte of one PCM16 sample (an integer in −32768…32767). */
export const pcm16ToMulaw = (sample: number): number => ENCODE[(sample >> 2) + 8192]!;

/** The μ-law byte for digital silence (PCM 0). */
export const MULAW_SILENCE = 0xff;

export function mulawDecode(input: Uint8Array): Int16Array {
  const out = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = MULAW_TO_PCM16[input[i]!]!;
  return out;
}

/** μ-law bytes into `out` (same length as `input`). */
export function mulawEncodeInto(input: Int16Array, out: Uint8Array): void {
  for (let i = 0; i < input.length; i++) out[i] = ENCODE[(input[i]! >> 2) + 8192]!;
}

/** Root-mean-square level of μ-law audio in dBFS (−∞ for digital silence), without allocating. */
export function mulawLevelDb(input: Uint8Array): number {
  if (input.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < input.length; i++) {
    const v = MULAW_TO_PCM16[input[i]!]!;
    sum += v * v;
  }
  const rms = Math.sqrt(sum / input.length);
  return rms < 1 ? -Infinity : 20 * Math.log10(rms / 32768);
}
