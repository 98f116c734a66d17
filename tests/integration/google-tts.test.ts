import { afterEach, describe, expect, it } from 'vitest';
import { GoogleSynthesizer } from '../../src-main/agent/google-tts';
import { mulawEncode } from '../../src-main/audio/mulaw';
import { pcm16FromBuffer } from '../../src-main/audio/pcm';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeGoogleTtsGrpc, type FakeGoogleTtsGrpc } from '../fakes/google-tts-grpc';

let fake: FakeGoogleTts | undefined;
let grpcFake: FakeGoogleTtsGrpc | undefined;
let tts: GoogleSynthesizer | undefined;
afterEach(async () => {
  await tts?.close();
  await fake?.close();
  await grpcFake?.close();
  fake = tts = grpcFake = undefined;
});

/** What the REST path makes of the same PCM (toPhoneMulaw): the stream must give the same bytes. */
const phoneMulaw = (pcm: Buffer) => mulawEncode(pcm16FromBuffer(pcm));

const CHIRP = 'he-IL-Chirp3-HD-Aoede';

describe('Google TTS streaming synthesis (official SDK over gRPC against a local fake)', () => {
  it('streams pieces into one call: the first audio comes before the rest of the text is sent, the audio is exact', async () => {
    // Odd-sized chunks: a sample's two bytes arrive in different messages.
    grpcFake = await startFakeGoogleTtsGrpc({ delayMs: 60, chunkBytes: 1601 });
    tts = new GoogleSynthesizer({ endpoint: grpcFake.url, encoding: 'LINEAR16' });
    const s = tts.stream({ voice: CHIRP })!;
    expect(s).toBeDefined();
    const pieces = ['שלום, מדברים מהמספרה.', 'יש לנו תור פנוי מחר בעשר בבוקר.', 'מתאים לכם?'];
    s.push(pieces[0]!);
    const it = s.audio[Symbol.asyncIterator]();
    const chunks: Buffer[] = [];
    const first = await it.next();
    expect(first.done).toBe(false);
    chunks.push(first.value as Buffer);
    // First audio while the answer's later pieces were not even written yet.
    expect(grpcFake.calls).toHaveLength(1);
    expect(grpcFake.calls[0]!.inputs.map((i) => i.text)).toEqual([pieces[0]]);
    s.push(pieces[1]!);
    s.push(pieces[2]!);
    s.end();
    for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(r.value as Buffer);
    const call = grpcFake.calls[0]!;
    expect(call).toMatchObject({ voice: CHIRP, languageCode: 'he-IL', encoding: 'PCM', sampleRate: 8000 });
    expect(call.inputs.map((i) => i.text)).toEqual(pieces);
    expect(call.sentAt[0]!).toBeLessThan(call.inputs[1]!.at);
    const expected = phoneMulaw(Buffer.concat(pieces.map((p) => grpcFake!.renderPcm(p))));
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    expect(chunks.length).toBeGreaterThan(pieces.length);
  });

  it('keeps per-sentence REST for voices without streaming synthesis', () => {
    tts = new GoogleSynthesizer({ endpoint: 'http://127.0.0.1:9', encoding: 'LINEAR16' });
    expect(tts.stream({ voice: 'he-IL-Wavenet-A' })).toBeUndefined();
    expect(tts.stream({ voice: 'he-IL-Standard-B' })).toBeUndefined();
  });

  it('an abort cancels the call and ends the audio with an AbortError', async () => {
    grpcFake = await startFakeGoogleTtsGrpc({ delayMs: 2000 });
    tts = new GoogleSynthesizer({ endpoint: grpcFake.url, encoding: 'LINEAR16' });
    const ac = new AbortController();
    const s = tts.stream({ voice: CHIRP, signal: ac.signal })!;
    s.push('שלום');
    const collected = (async () => {
      for await (const c of s.audio) void c;
    })();
    await expect.poll(() => grpcFake!.calls[0]?.inputs.length ?? 0).toBe(1);
    ac.abort();
    await expect(collected).rejects.toThrow(/abort/i);
    await expect.poll(() => grpcFake!.calls[0]!.cancelled).toBe(true);
  });

  it('a failed call rejects the audio with the service error', async () => {
    grpcFake = await startFakeGoogleTtsGrpc();
    tts = new GoogleSynthesizer({ endpoint: grpcFake.url, encoding: 'LINEAR16' });
    grpcFake.fail(14, 1);
    const s = tts.stream({ voice: CHIRP })!;
    s.push('שלום');
    s.end();
    await expect(
      (async () => {
        for await (const c of s.audio) void c;
      })(),
    ).rejects.toThrow(/scripted failure/);
  });
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
