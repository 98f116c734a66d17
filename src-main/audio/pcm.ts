/** PCM16 little-endian helpers: Buffer ⇄ Int16Array, resampling, level. */

export function pcm16FromBuffer(buf: Uint8Array): Int16Array {
  const samples = Math.floor(buf.byteLength / 2);
  const out = new Int16Array(samples);
  const view = new DataView(buf.buffer, buf.byteOffset, samples * 2);
  for (let i = 0; i < samples; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

export function pcm16ToBuffer(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/**
 * Resamples mono PCM16. Downsampling first averages over the ratio (a box low-pass so a 24 kHz
 * voice does not alias into the 4 kHz phone band), then interpolates linearly.
 */
export function resamplePcm16(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate || input.length === 0) return input;
  const ratio = fromRate / toRate;
  let source = input;
  if (ratio > 1) {
    const win = Math.max(1, Math.round(ratio));
    if (win > 1) {
      source = new Int16Array(input.length);
      let acc = 0;
      for (let i = 0; i < input.length; i++) {
        acc += input[i]!;
        if (i >= win) acc -= input[i - win]!;
        source[i] = Math.round(acc / Math.min(i + 1, win));
      }
    }
  }
  const outLength = Math.floor(input.length / ratio);
  const out = new Int16Array(outLength);
  for (let i = 0; i < outLength; i++) {
    const pos = i * ratio;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, source.length - 1);
    const frac = pos - i0;
    out[i] = Math.round(source[i0]! * (1 - frac) + source[i1]! * frac);
  }
  return out;
}

/** RMS level in dBFS. */
export function pcm16LevelDb(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = Math.sqrt(sum / samples.length);
  return rms < 1 ? -Infinity : 20 * Math.log10(rms / 32768);
}
