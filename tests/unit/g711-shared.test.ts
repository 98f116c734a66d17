/** One μ-law for the app: the renderer's test-call audio and the phone line encode alike. */
import { describe, expect, it } from 'vitest';
import { mulawDecode as mainDecode, mulawEncode } from '../../src-main/audio/mulaw';
import { FrameEncoder, mulawDecode as rendererDecode } from '../../src-renderer/audio/g711';

describe('shared G.711', () => {
  it('the renderer frames 8 kHz float audio into the same bytes as the main side', () => {
    const floats = Float32Array.from({ length: 160 }, (_, i) => Math.sin(i / 3) * (i / 160));
    const frames: Uint8Array[] = [];
    new FrameEncoder(8000, (f) => frames.push(f)).push(floats);
    const pcm = Int16Array.from(floats, (s) => Math.round(s * 32767));
    expect(frames).toHaveLength(1);
    expect([...frames[0]!]).toEqual([...mulawEncode(pcm)]);
  });

  it('decodes every byte to the same level on both sides', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const main = mainDecode(all);
    expect([...rendererDecode(all)]).toEqual([...main].map((v) => v / 32768));
  });
});
