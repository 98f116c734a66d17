import { afterEach, describe, expect, it } from 'vitest';
import { GoogleSynthesizer } from '../../src-main/agent/google-tts';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';

let fake: FakeGoogleTts | undefined;
let tts: GoogleSynthesizer | undefined;
afterEach(async () => {
  await tts?.close();
  await fake?.close();
  fake = tts = undefined;
});

describe('Google TTS adapter (official SDK against a local REST fake)', () => {
  it('returns phone μ-law from the WAV answer, header stripped', async () => {
    fake = await startFakeGoogleTts();
    tts = new GoogleSynthesizer({ endpoint: fake.url, encoding: 'LINEAR16' });
    const audio = await tts.synthesize('שלום', { voice: 'he-IL-Wavenet-A' });
    // 8 kHz μ-law: one byte per sample of the fake's PCM16 (no 44-byte WAV header played as sound).
    expect(audio.length).toBe(fake.renderPcm('שלום').length / 2);
    expect(fake.requests[0]).toMatchObject({ text: 'שלום', encoding: 'LINEAR16', sampleRate: 8000 });
  });

  it('sends a request once more when the connection was reset before an answer', async () => {
    fake = await startFakeGoogleTts();
    tts = new GoogleSynthesizer({ endpoint: fake.url, encoding: 'LINEAR16' });
    fake.hangUp(1);
    const audio = await tts.synthesize('בוקר טוב', { voice: 'he-IL-Wavenet-A' });
    expect(audio.length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a real error answer, nor a second reset', async () => {
    fake = await startFakeGoogleTts();
    tts = new GoogleSynthesizer({ endpoint: fake.url, encoding: 'LINEAR16' });
    fake.fail(503, 1);
    await expect(tts.synthesize('שלום', { voice: 'he-IL-Wavenet-A' })).rejects.toThrow();
    expect(fake.requests).toHaveLength(1);
    fake.hangUp(2);
    await expect(tts.synthesize('שלום', { voice: 'he-IL-Wavenet-A' })).rejects.toThrow();
    expect(fake.requests).toHaveLength(3);
  });
});
