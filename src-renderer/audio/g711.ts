/**
 * The app's side of call audio: G.711 μ-law ⇄ float samples, base64 for the JSON frames, and
 * a decimating downsampler (microphone rate → 8 kHz) with a box low-pass against aliasing.
 * The codec itself is the main side's (one μ-law for the app). Shared by the capture worklet, the ScriptProcessor fallback and the players.
 */
import { MULAW_SILENCE, MULAW_TO_PCM16, pcm16ToMulaw } from '../../src-main/audio/g711';

export { MULAW_SILENCE };
export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;

/** One float sample (−1…1) → μ-law, through the app's one codec (src-main/audio/g711.ts). */
const mulawEncodeSample = (sample: number): number =>
  pcm16ToMulaw(Math.round(Math.max(-1, Math.min(1, sample)) * 32767));

export function mulawDecode(bytes: Uint8Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = MULAW_TO_PCM16[bytes[i]!]! / 32768;
  return out;
}

/** RMS of float samples in dBFS (−Infinity for digital silence). */
export function rmsDb(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Input blocks at any rate → 20 ms μ-law frames at 8 kHz. Each output sample is the mean of the
 * input samples in its period (a box low-pass, then decimation), so 48 kHz and 44.1 kHz both work.
 */
export class FrameEncoder {
  private readonly ratio: number;
  private acc = 0;
  private count = 0;
  private pos = 0;
  private frame = new Uint8Array(FRAME_SAMPLES);
  private n = 0;
  private energy = 0;

  constructor(
    inputRate: number,
    private readonly onFrame: (frame: Uint8Array, levelDb: number) => void,
  ) {
    this.ratio = inputRate / SAMPLE_RATE;
  }

  push(input: Float32Array): void {
    for (let i = 0; i < input.length; i++) {
      this.acc += input[i]!;
      this.count++;
      this.pos += 1;
      if (this.pos >= this.ratio) {
        this.pos -= this.ratio;
        this.emit(this.acc / this.count);
        this.acc = 0;
        this.count = 0;
      }
    }
  }

  private emit(sample: number): void {
    this.frame[this.n++] = mulawEncodeSample(sample);
    this.energy += sample * sample;
    if (this.n === FRAME_SAMPLES) {
      const rms = Math.sqrt(this.energy / FRAME_SAMPLES);
      this.onFrame(this.frame, rms > 0 ? 20 * Math.log10(rms) : -Infinity);
      this.frame = new Uint8Array(FRAME_SAMPLES);
      this.n = 0;
      this.energy = 0;
    }
  }
}
