/** Tells a silent (or breath-only) voice message from one with a voice in it, before paying for ASR. */
import { mulawDecode } from '../audio/mulaw';
import { parseWav, WAV_FORMAT_MULAW, WAV_FORMAT_PCM } from '../audio/wav';

export interface SpeechPresence {
  durationMs: number;
  /** Total length of 20 ms frames louder than the speech threshold. */
  voicedMs: number;
  /** Loudest 20 ms frame, dBFS. */
  peakDbfs: number;
}

const FRAME_MS = 20;
/** Frames above this are voiced; phone-line hiss sits well below it. */
const VOICED_DBFS = -42;

/** Measures a WAV (PCM16 or μ-law, first channel); null when it is not a WAV we can read. */
export function measureSpeech(wav: Buffer): SpeechPresence | null {
  let info;
  try {
    info = parseWav(wav);
  } catch {
    return null;
  }
  const { format, bitsPerSample, channels, sampleRate, data } = info;
  if (channels < 1 || sampleRate < 1000 || sampleRate > 192_000) return null;
  let samples: Int16Array;
  if (format === WAV_FORMAT_PCM && bitsPerSample === 16) {
    const all = new Int16Array(
      data.buffer.slice(data.byteOffset, data.byteOffset + (data.length - (data.length % 2))),
    );
    samples = channels === 1 ? all : all.filter((_, i) => i % channels === 0);
  } else if (format === WAV_FORMAT_MULAW && bitsPerSample === 8) {
    const all = mulawDecode(data);
    samples = channels === 1 ? all : all.filter((_, i) => i % channels === 0);
  } else {
    return null;
  }
  const perFrame = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
  let voiced = 0;
  let peak = -120;
  for (let start = 0; start < samples.length; start += perFrame) {
    const n = Math.min(perFrame, samples.length - start);
    let sum = 0;
    for (let i = start; i < start + n; i++) {
      const s = samples[i]! / 32768;
      sum += s * s;
    }
    const rms = Math.sqrt(sum / n);
    const db = rms > 0 ? 20 * Math.log10(rms) : -120;
    if (db > peak) peak = db;
    if (db > VOICED_DBFS) voiced += (n / sampleRate) * 1000;
  }
  return {
    durationMs: Math.round((samples.length / sampleRate) * 1000),
    voicedMs: Math.round(voiced),
    peakDbfs: Math.round(peak * 10) / 10,
  };
}
