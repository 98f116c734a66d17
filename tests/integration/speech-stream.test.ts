/**
 * SpeechService.stream: one utterance, pieces in, phone audio out — over one gRPC streaming
 * session for a Chirp 3 HD voice, piece by piece over REST otherwise or when streaming fails
 * before any audio. And SSML say-as sent only to voices that take it. The official SDK against
 * the local fakes of both Google APIs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GoogleSynthesizer } from '../../src-main/agent/google-tts';
import { SpeechService } from '../../src-main/agent/speech';
import { toSpoken } from '../../src-main/agent/spoken/speakable';
import { createLogger } from '../../src-main/platform/logger';
import { mulawEncode } from '../../src-main/audio/mulaw';
import { pcm16FromBuffer } from '../../src-main/audio/pcm';
import { startFakeGoogleTts, type FakeGoogleTts } from '../fakes/google-tts';
import { startFakeGoogleTtsGrpc, type FakeGoogleTtsGrpc } from '../fakes/google-tts-grpc';

const CHIRP = 'he-IL-Chirp3-HD-Aoede';
const PIECES = ['אני יכולה לקבוע לכם', 'תור למחר ב-10:30 אצל דנה.', 'מתאים לכם?'];
const phoneMulaw = (pcm: Buffer) => mulawEncode(pcm16FromBuffer(pcm));

let rest: FakeGoogleTts | undefined;
let grpcFake: FakeGoogleTtsGrpc | undefined;
let tts: GoogleSynthesizer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await tts?.close();
  await rest?.close();
  await grpcFake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rest = grpcFake = tts = dir = undefined;
});

async function rig(
  voice: string,
  o: { streamDelayMs?: number; restDelayMs?: number; firstAudioMs?: number } = {},
) {
  rest = await startFakeGoogleTts({ delayMs: o.restDelayMs ?? 0 });
  grpcFake = await startFakeGoogleTtsGrpc({ delayMs: o.streamDelayMs ?? 0 });
  tts = new GoogleSynthesizer({ endpoint: rest.url, streamEndpoint: grpcFake.url, encoding: 'LINEAR16' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'al-speech-stream-'));
  const g = tts;
  return new SpeechService({
    providers: () => [g],
    voice: () => voice,
    cacheDir: path.join(dir, 'cache'),
    phrasesDir: path.join(dir, 'phrases'),
    log: createLogger({ level: 'warn', stdout: false }),
    monotonic: () => performance.now(),
    ...(o.firstAudioMs ? { streamFirstAudioMs: o.firstAudioMs } : {}),
  });
}

/** Pushes the first piece, waits for the first audio, then pushes the rest; all the audio. */
async function speak(speech: SpeechService, signal?: AbortSignal) {
  const s = speech.stream(signal);
  s.push(PIECES[0]!);
  const it = s.audio[Symbol.asyncIterator]();
  const first = await it.next();
  const afterFirst = { rest: rest!.requests.length, grpc: grpcFake!.calls[0]?.inputs.length ?? 0 };
  for (const p of PIECES.slice(1)) s.push(p);
  s.end();
  const chunks = [first.value as Buffer];
  for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(r.value as Buffer);
  return { s, audio: Buffer.concat(chunks), chunks, afterFirst };
}

describe('speech stream (one utterance)', () => {
  it('Chirp 3 HD: one streaming session, spoken text in, first audio before the rest was sent, exact audio', async () => {
    const speech = await rig(CHIRP, { streamDelayMs: 40 });
    expect(speech.streams()).toBe(true);
    const { s, audio, afterFirst } = await speak(speech);
    expect(s.streamed).toBe(true);
    expect(afterFirst.grpc).toBe(1);
    expect(rest!.requests).toHaveLength(0);
    expect(grpcFake!.calls).toHaveLength(1);
    // The service hears the speakable form ("10:30" as words); the caller's transcript keeps the written one.
    const spoken = PIECES.map((p) => toSpoken(p));
    expect(spoken[1]).not.toContain('10:30');
    expect(grpcFake!.calls[0]!.inputs.map((i) => i.text)).toEqual(spoken);
    expect(audio.equals(phoneMulaw(Buffer.concat(spoken.map((p) => grpcFake!.renderPcm(p)))))).toBe(true);
    expect(s.provider).toBe('google');
  });

  it('Wavenet: piece by piece over REST, in order, the first audio before the last piece was pushed', async () => {
    const speech = await rig('he-IL-Wavenet-A', { restDelayMs: 30 });
    expect(speech.streams()).toBe(false);
    const { s, audio, chunks, afterFirst } = await speak(speech);
    expect(s.streamed).toBe(false);
    expect(afterFirst.rest).toBe(1);
    expect(grpcFake!.calls).toHaveLength(0);
    const spoken = PIECES.map((p) => toSpoken(p));
    expect(rest!.requests.map((r) => r.text)).toEqual(spoken);
    expect(chunks).toHaveLength(3);
    expect(audio.length).toBe(spoken.reduce((n, p) => n + rest!.renderPcm(p).length / 2, 0));
  });

  it('a streaming session that fails before any audio: every piece again over REST, nothing lost', async () => {
    const speech = await rig(CHIRP);
    grpcFake!.fail(14, 1);
    const { s, audio } = await speak(speech);
    expect(s.streamed).toBe(false);
    expect(s.error).toBe('tts_google_failed');
    const spoken = PIECES.map((p) => toSpoken(p));
    expect(rest!.requests.map((r) => r.text)).toEqual(spoken);
    expect(audio.length).toBe(spoken.reduce((n, p) => n + rest!.renderPcm(p).length / 2, 0));
  });

  it('a streaming session with no audio in time is given up: piece by piece over REST', async () => {
    const speech = await rig(CHIRP, { streamDelayMs: 3000, firstAudioMs: 150 });
    const t0 = performance.now();
    const { s, audio } = await speak(speech);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(s.streamed).toBe(false);
    await expect.poll(() => grpcFake!.calls[0]!.cancelled).toBe(true);
    const spoken = PIECES.map((p) => toSpoken(p));
    expect(rest!.requests.map((r) => r.text)).toEqual(spoken);
    expect(audio.length).toBe(spoken.reduce((n, p) => n + rest!.renderPcm(p).length / 2, 0));
  });

  it('an abort ends the audio with an AbortError and cancels the session', async () => {
    const speech = await rig(CHIRP, { streamDelayMs: 2000 });
    const ac = new AbortController();
    const s = speech.stream(ac.signal);
    s.push(PIECES[0]!);
    const read = (async () => {
      for await (const c of s.audio) void c;
    })();
    await expect.poll(() => grpcFake!.calls[0]?.inputs.length ?? 0).toBe(1);
    ac.abort();
    await expect(read).rejects.toThrow(/abort/i);
    await expect.poll(() => grpcFake!.calls[0]!.cancelled).toBe(true);
  });
});

describe('SSML say-as through SpeechService', () => {
  const WRITTEN = 'מספר ההזמנה AB12345, נתראה מחר החל מ-10:30';

  it('a Wavenet voice gets SSML for what the normalizer leaves, plain text otherwise', async () => {
    const speech = await rig('he-IL-Wavenet-A');
    const r = await speech.say(WRITTEN);
    expect(r.provider).toBe('google');
    expect(r.audio.length).toBeGreaterThan(0);
    expect(rest!.requests[0]).toMatchObject({
      ssml: true,
      text: '<speak>מספר ההזמנה <say-as interpret-as="characters">AB12345</say-as>, נתראה מחר החל מעשר וחצי בבוקר</speak>',
    });
    await speech.say('המספר שלנו 050-1234567');
    expect(rest!.requests[1]).toMatchObject({ ssml: false, text: toSpoken('המספר שלנו 050-1234567') });
  });

  it('a Chirp 3 HD voice never gets SSML (the service refuses it), over REST or streaming', async () => {
    const speech = await rig(CHIRP);
    const r = await speech.say(WRITTEN);
    expect(r.error).toBeUndefined();
    expect(rest!.requests[0]).toMatchObject({ ssml: false, text: toSpoken(WRITTEN) });
    const s = speech.stream();
    s.push(WRITTEN);
    s.end();
    for await (const c of s.audio) void c;
    expect(grpcFake!.calls[0]!.inputs.map((i) => i.text)).toEqual([toSpoken(WRITTEN)]);
  });

  it('a fixed line with SSML is cached under its SSML', async () => {
    const speech = await rig('he-IL-Wavenet-A');
    const line = 'לשאלות: 555-12-34';
    const first = await speech.line(line, 'greeting');
    expect(first.cached).toBe(false);
    expect((await speech.line(line, 'greeting')).cached).toBe(true);
    expect(speech.cachedLine(line)?.equals(first.audio)).toBe(true);
    expect(rest!.requests).toHaveLength(1);
  });
});
