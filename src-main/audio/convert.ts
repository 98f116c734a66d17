import { mulawDecode, mulawEncode } from './mulaw';
import { pcm16FromBuffer, resamplePcm16 } from './pcm';
import { isWav, parseWav, WAV_FORMAT_MULAW, WAV_FORMAT_PCM, WavError } from './wav';

export const PHONE_RATE = 8000;
/** One Twilio media frame: 20 ms of 8 kHz μ-law. */
export const FRAME_BYTES = 160;
export const FRAME_MS = 20;

export interface RawAudio {
  /** Encoding of headerless bytes; ignored when the bytes are a WAV file. */
  encoding: 'pcm16' | 'mulaw';
  sampleRate: number;
}

function downmix(pcm: Int16Array, channels: number): Int16Array {
  if (channels <= 1) return pcm;
  const out = new Int16Array(Math.floor(pcm.length / channels));
  for (let i = 0; i < out.length; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) acc += pcm[i * channels + c]!;
    out[i] = Math.round(acc / channels);
  }
  return out;
}

/**
 * Any TTS answer → 8 kHz μ-law for the phone. WAV files are parsed (header stripped);
 * headerless audio is read as `raw` says.
 */
export function toPhoneMulaw(audio: Uint8Array, raw: RawAudio): Buffer {
  let pcm: Int16Array;
  let rate: number;
  if (isWav(audio)) {
    const wav = parseWav(audio);
    if (wav.format === WAV_FORMAT_MULAW && wav.channels === 1 && wav.sampleRate === PHONE_RATE) {
      return Buffer.from(wav.data);
    }
    if (wav.format === WAV_FORMAT_MULAW) pcm = mulawDecode(wav.data);
    else if (wav.format === WAV_FORMAT_PCM && wav.bitsPerSample === 16) pcm = pcm16FromBuffer(wav.data);
    else throw new WavError(`unsupported WAV format ${wav.format}/${wav.bitsPerSample} bit`);
    pcm = downmix(pcm, wav.channels);
    rate = wav.sampleRate;
  } else if (raw.encoding === 'mulaw') {
    if (raw.sampleRate === PHONE_RATE) return Buffer.from(audio);
    pcm = mulawDecode(audio);
    rate = raw.sampleRate;
  } else {
    pcm = pcm16FromBuffer(audio);
    rate = raw.sampleRate;
  }
  return mulawEncode(resamplePcm16(pcm, rate, PHONE_RATE));
}

/** Milliseconds of 8 kHz μ-law audio. */
export const mulawMs = (bytes: number): number => Math.round(bytes / 8);
