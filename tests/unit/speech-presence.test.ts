import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWavPcm16 } from '../../src-main/audio/wav';
import { measureSpeech } from '../../src-main/telephony/speech-presence';

describe('measureSpeech', () => {
  it('finds the voice in the Hebrew fixture', () => {
    const info = measureSpeech(
      readFileSync(path.join(import.meta.dirname, '../fixtures/voice-message-he.wav')),
    )!;
    expect(info.durationMs).toBeGreaterThan(1000);
    expect(info.voicedMs).toBeGreaterThan(500);
  });

  it('reports digital silence and faint hiss as unvoiced', () => {
    expect(measureSpeech(buildWavPcm16(Buffer.alloc(16000), 8000))).toMatchObject({
      durationMs: 1000,
      voicedMs: 0,
    });
    const hiss = Buffer.alloc(16000);
    for (let i = 0; i < 8000; i++) hiss.writeInt16LE(Math.round(Math.sin(i * 7.1) * 50), i * 2);
    expect(measureSpeech(buildWavPcm16(hiss, 8000))!.voicedMs).toBe(0);
  });

  it('returns null for what is not a WAV', () => {
    expect(measureSpeech(Buffer.from('not audio at all, not at all'))).toBeNull();
    expect(measureSpeech(Buffer.alloc(0))).toBeNull();
  });
});
