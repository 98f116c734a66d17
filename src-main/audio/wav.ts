/**
 * WAV (RIFF) handling. Google TTS LINEAR16 and MULAW answers and OpenAI "wav" answers are WAV
 * files: the header must be parsed and stripped, never played as audio.
 */
export const WAV_FORMAT_PCM = 1;
export const WAV_FORMAT_MULAW = 7;

export interface WavInfo {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** The audio bytes of the `data` chunk only. */
  data: Buffer;
}

export class WavError extends Error {}

export const isWav = (buf: Uint8Array): boolean =>
  buf.length >= 12 &&
  buf[0] === 0x52 &&
  buf[1] === 0x49 &&
  buf[2] === 0x46 &&
  buf[3] === 0x46 && // RIFF
  buf[8] === 0x57 &&
  buf[9] === 0x41 &&
  buf[10] === 0x56 &&
  buf[11] === 0x45; // WAVE

/** Walks the RIFF chunks (fmt may be followed by LIST/fact chunks before data). */
export function parseWav(input: Uint8Array): WavInfo {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (!isWav(buf)) throw new WavError('not a RIFF/WAVE file');
  let offset = 12;
  let fmt: Omit<WavInfo, 'data'> | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavError('truncated fmt chunk');
      let format = buf.readUInt16LE(body);
      if (format === 0xfffe && size >= 40) format = buf.readUInt16LE(body + 24); // WAVE_FORMAT_EXTENSIBLE
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      // Streamed WAVs may carry 0 or 0xFFFFFFFF as the size: take what is there.
      const end = size === 0 || size === 0xffffffff ? buf.length : Math.min(buf.length, body + size);
      return { ...fmt, data: buf.subarray(body, end) };
    }
    offset = body + size + (size % 2);
  }
  throw new WavError('no data chunk');
}

/** A minimal 44-byte-header WAV around PCM16 mono (what the transcription API is sent). */
export function buildWavPcm16(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAV_FORMAT_PCM, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
