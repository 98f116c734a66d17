/** Just enough WAV reading to tell a silent recording from one with a voice in it. */

export interface WavInfo {
  format: 'pcm16' | 'pcm8' | 'mulaw' | 'alaw';
  sampleRate: number;
  channels: number;
  durationMs: number;
  /** Total length of 20 ms frames louder than the speech threshold. */
  voicedMs: number;
  /** Loudest 20 ms frame, dBFS. */
  peakDbfs: number;
}

const FRAME_MS = 20;
/** Frames above this are counted as voiced; phone-line hiss sits well below it. */
const VOICED_DBFS = -42;

/** Parses a RIFF/WAVE buffer; null when it is not a WAV this code understands. */
export function analyzeWav(buf: Buffer): WavInfo | null {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
  let off = 12;
  let fmt: { code: number; channels: number; rate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    const end = Math.min(buf.length, body + size);
    if (id === 'fmt ' && end - body >= 16) {
      fmt = { code: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
      if (fmt.code === 0xfffe && end - body >= 26) fmt.code = buf.readUInt16LE(body + 24);
    } else if (id === 'data') {
      data = buf.subarray(body, end);
      break;
    }
    off = body + size + (size % 2);
  }
  if (!fmt || !data || fmt.channels < 1 || fmt.rate < 1000 || fmt.rate > 192_000) return null;
  let format: WavInfo['format'];
  let bytesPerSample: number;
  if (fmt.code === 1 && fmt.bits === 16) [format, bytesPerSample] = ['pcm16', 2];
  else if (fmt.code === 1 && fmt.bits === 8) [format, bytesPerSample] = ['pcm8', 1];
  else if (fmt.code === 7 && fmt.bits === 8) [format, bytesPerSample] = ['mulaw', 1];
  else if (fmt.code === 6 && fmt.bits === 8) [format, bytesPerSample] = ['alaw', 1];
  else return null;

  const frameBytes = bytesPerSample * fmt.channels;
  const samples = Math.floor(data.length / frameBytes);
  const perFrame = Math.max(1, Math.round((fmt.rate * FRAME_MS) / 1000));
  let voiced = 0;
  let peak = -Infinity;
  for (let start = 0; start < samples; start += perFrame) {
    const n = Math.min(perFrame, samples - start);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = (start + i) * frameBytes;
      const s = sample(data, p, format);
      sum += s * s;
    }
    const rms = Math.sqrt(sum / n);
    const db = rms > 0 ? 20 * Math.log10(rms) : -120;
    if (db > peak) peak = db;
    if (db > VOICED_DBFS) voiced += (n / fmt.rate) * 1000;
  }
  return {
    format,
    sampleRate: fmt.rate,
    channels: fmt.channels,
    durationMs: Math.round((samples / fmt.rate) * 1000),
    voicedMs: Math.round(voiced),
    peakDbfs: Number.isFinite(peak) ? Math.round(peak * 10) / 10 : -120,
  };
}

/** One sample of the first channel as a float in [-1, 1]. */
function sample(data: Buffer, p: number, format: WavInfo['format']): number {
  switch (format) {
    case 'pcm16':
      return data.readInt16LE(p) / 32768;
    case 'pcm8':
      return (data[p]! - 128) / 128;
    case 'mulaw':
      return mulawToLinear(data[p]!) / 32768;
    case 'alaw':
      return alawToLinear(data[p]!) / 32768;
  }
}

export function mulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

function alawToLinear(a: number): number {
  const x = a ^ 0x55;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  magnitude = Math.min(magnitude, 32767);
  return sign ? magnitude : -magnitude;
}

/** A PCM16 mono WAV around raw samples (tests, fixtures). */
export function pcm16Wav(samples: Int16Array, sampleRate = 8000): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
