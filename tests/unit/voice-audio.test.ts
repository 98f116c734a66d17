import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPhoneMulaw } from '../../src-main/audio/convert';
import { classifyUtteranceEnd, endWindowFor } from '../../src-main/telephony/audio/end-of-turn';
import { mulawDecode, mulawEncode, mulawLevelDb } from '../../src-main/audio/mulaw';
import { pcm16FromBuffer, pcm16LevelDb, pcm16ToBuffer, resamplePcm16 } from '../../src-main/audio/pcm';
import { DEFAULT_VAD, EnergyVad, type VadEvent } from '../../src-main/telephony/audio/vad';
import { buildWavPcm16, isWav, parseWav, WavError } from '../../src-main/audio/wav';

const fixture = (n: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'speech', `${n}.ulaw`));

function tone(n: number, freq: number, rate: number, amp = 8000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * amp);
  return out;
}

describe('G.711 μ-law', () => {
  it('matches the standard table at known points', () => {
    expect([...mulawEncode(Int16Array.from([0, -1, 32767, -32768, 1000, -1000]))]).toEqual([
      0xff, 0x7e, 0x80, 0x00, 0xce, 0x4e,
    ]); // as the reference g711.c (14-bit input);
    expect([...mulawDecode(Uint8Array.from([0xff, 0x7f, 0x80, 0x00]))]).toEqual([0, 0, 32124, -32124]);
  });
  it('round-trips within the quantization error (SNR > 30 dB on a tone)', () => {
    const pcm = tone(8000, 440, 8000);
    const back = mulawDecode(mulawEncode(pcm));
    let sig = 0;
    let err = 0;
    for (let i = 0; i < pcm.length; i++) {
      sig += pcm[i]! ** 2;
      err += (pcm[i]! - back[i]!) ** 2;
    }
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(30);
  });
  it('measures levels: silence is −∞, a tone is where it should be', () => {
    expect(mulawLevelDb(Buffer.alloc(160, 0xff))).toBe(-Infinity);
    const lvl = mulawLevelDb(mulawEncode(tone(160, 1000, 8000, 16384)));
    expect(lvl).toBeGreaterThan(-10);
    expect(lvl).toBeLessThan(-8);
  });
});

describe('WAV', () => {
  it('parses a 44-byte header and returns only the data', () => {
    const pcm = pcm16ToBuffer(tone(800, 300, 8000));
    const wav = buildWavPcm16(pcm, 8000);
    expect(isWav(wav)).toBe(true);
    const info = parseWav(wav);
    expect(info).toMatchObject({ format: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    expect(info.data.equals(pcm)).toBe(true);
  });
  it('skips LIST chunks, tolerates streamed sizes, rejects junk', () => {
    const pcm = pcm16ToBuffer(tone(80, 300, 8000));
    const wav = buildWavPcm16(pcm, 8000);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)]);
    expect(parseWav(withList).data.equals(pcm)).toBe(true);
    const streamed = Buffer.from(wav);
    streamed.writeUInt32LE(0xffffffff, 40);
    expect(parseWav(streamed).data.equals(pcm)).toBe(true);
    expect(() => parseWav(Buffer.from('RIFF0000WAVEjunk'))).toThrow(WavError);
    expect(isWav(Buffer.from('ID3 mp3'))).toBe(false);
  });
  it('a Google LINEAR16 WAV becomes μ-law with no header bytes played', () => {
    const pcm = tone(1600, 440, 8000);
    const wav = buildWavPcm16(pcm16ToBuffer(pcm), 8000);
    const mu = toPhoneMulaw(wav, { encoding: 'pcm16', sampleRate: 8000 });
    expect(mu.length).toBe(1600);
    expect(mu.equals(mulawEncode(pcm))).toBe(true);
  });
  it('a MULAW WAV at 8 kHz passes through; 24 kHz raw PCM is resampled', () => {
    const mu = mulawEncode(tone(800, 440, 8000));
    const h = buildWavPcm16(Buffer.alloc(0), 8000);
    h.writeUInt16LE(7, 20);
    h.writeUInt16LE(8, 34);
    h.writeUInt32LE(mu.length, 40);
    expect(toPhoneMulaw(Buffer.concat([h, mu]), { encoding: 'pcm16', sampleRate: 8000 }).equals(mu)).toBe(
      true,
    );
    const raw24 = pcm16ToBuffer(tone(24_000, 440, 24_000));
    const out = toPhoneMulaw(raw24, { encoding: 'pcm16', sampleRate: 24_000 });
    expect(out.length).toBe(8000);
  });
});

describe('resampling', () => {
  it('keeps a 440 Hz tone level and length, attenuates content above the new Nyquist', () => {
    const up = resamplePcm16(tone(8000, 440, 8000), 8000, 16_000);
    expect(up.length).toBe(16_000);
    const down = resamplePcm16(tone(24_000, 440, 24_000), 24_000, 8000);
    expect(down.length).toBe(8000);
    expect(Math.abs(pcm16LevelDb(down) - pcm16LevelDb(tone(8000, 440, 8000)))).toBeLessThan(1.5);
    const hiss = resamplePcm16(tone(24_000, 7900, 24_000), 24_000, 8000);
    expect(pcm16LevelDb(hiss)).toBeLessThan(pcm16LevelDb(tone(24_000, 7900, 24_000)) - 6);
  });
  it('Buffer ⇄ Int16Array is lossless', () => {
    const t = tone(100, 300, 8000);
    expect([...pcm16FromBuffer(pcm16ToBuffer(t))]).toEqual([...t]);
  });
});

/** Runs μ-law audio through the VAD in 20 ms frames. */
function run(vad: EnergyVad, audio: Buffer): Array<VadEvent & { atMs: number }> {
  const out: Array<VadEvent & { atMs: number }> = [];
  for (let i = 0; i < audio.length; i += 160) {
    const frame = Buffer.alloc(160, 0xff);
    audio.copy(frame, 0, i, Math.min(i + 160, audio.length));
    for (const e of vad.push(frame)) out.push({ ...e, atMs: (i / 160) * 20 });
  }
  return out;
}

function lineNoise(ms: number, amp = 40, seed = 7): Buffer {
  const n = ms * 8;
  const pcm = new Int16Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    pcm[i] = ((s >>> 16) % (2 * amp + 1)) - amp;
  }
  return mulawEncode(pcm);
}

describe('energy VAD', () => {
  it('each Hebrew fixture is exactly one utterance, ended after the silence window', () => {
    for (const name of ['book', 'price', 'bye', 'name']) {
      const vad = new EnergyVad();
      const events = run(vad, Buffer.concat([lineNoise(500), fixture(name), lineNoise(1500)]));
      const ends = events.filter((e) => e.type === 'end');
      expect(ends, name).toHaveLength(1);
      const end = ends[0] as Extract<VadEvent, { type: 'end' }> & { atMs: number };
      const speechEndMs = 500 + fixture(name).length / 8;
      expect(end.atMs - speechEndMs, name).toBeGreaterThanOrEqual(DEFAULT_VAD.silenceMs - 60);
      expect(end.atMs - speechEndMs, name).toBeLessThanOrEqual(DEFAULT_VAD.silenceMs + 200);
      expect(end.speechMs, name).toBeGreaterThan(500);
      expect(
        events.filter((e) => e.type === 'confirmed'),
        name,
      ).toHaveLength(1);
    }
  });
  it('a cough or click never becomes a turn', () => {
    const vad = new EnergyVad();
    const events = run(vad, Buffer.concat([lineNoise(500), fixture('cough'), lineNoise(1500)]));
    expect(events.some((e) => e.type === 'end' || e.type === 'confirmed')).toBe(false);
    expect(events.some((e) => e.type === 'noise')).toBe(true);
  });
  it('confirms speech after ~240 ms (barge-in) and tracks a loud line noise floor', () => {
    const vad = new EnergyVad();
    const before = run(vad, lineNoise(3000, 600)); // ≈ −40 dBFS of hiss: not speech
    expect(before.filter((e) => e.type === 'confirmed' || e.type === 'end')).toHaveLength(0);
    expect(vad.noiseFloorDb).toBeGreaterThan(-45);
    // On a real line the hiss is under the speech too.
    const speech = mulawDecode(fixture('book'));
    const hiss = mulawDecode(lineNoise(speech.length / 8, 600, 99));
    const mixed = mulawEncode(speech.map((v, i) => Math.max(-32768, Math.min(32767, v + hiss[i]!))));
    const events = run(vad, Buffer.concat([mixed, lineNoise(1500, 600)]));
    const onset = events.find((e) => e.type === 'onset')!;
    const confirmed = events.find((e) => e.type === 'confirmed')!;
    expect(confirmed.atMs - onset.atMs).toBeGreaterThanOrEqual(200);
    expect(confirmed.atMs - onset.atMs).toBeLessThanOrEqual(400);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
  });
  it('a longer pause inside a sentence is not a cut-in when the window is extended', () => {
    const speech = fixture('book');
    const half = Math.floor(speech.length / 2 / 160) * 160;
    const audio = Buffer.concat([
      lineNoise(300),
      speech.subarray(0, half),
      lineNoise(900),
      speech.subarray(half),
      lineNoise(2500),
    ]);
    const fixed = run(new EnergyVad(), audio).filter((e) => e.type === 'end');
    expect(fixed).toHaveLength(2); // a fixed 700 ms window cuts the caller off
    const vad = new EnergyVad();
    const adaptive: VadEvent[] = [];
    for (let i = 0; i < audio.length; i += 160) {
      for (const e of vad.push(audio.subarray(i, i + 160))) adaptive.push(e);
      // What the session does when the speculative transcript ends with "ל…" (incomplete).
      if (vad.confirmed && vad.currentSilenceMs === 240)
        vad.setEndWindow(endWindowFor('incomplete', { baseMs: 700 }));
    }
    expect(adaptive.filter((e) => e.type === 'end')).toHaveLength(1);
  });
});

describe('adaptive Hebrew end of turn', () => {
  it('classifies how an utterance ends', () => {
    expect(classifyUtteranceEnd('אני רוצה לקבוע תור למחר.')).toBe('complete');
    expect(classifyUtteranceEnd('כמה עולה תספורת?')).toBe('complete');
    expect(classifyUtteranceEnd('אני רוצה לקבוע תור ו')).toBe('incomplete');
    expect(classifyUtteranceEnd('רציתי לשאול אבל')).toBe('incomplete');
    expect(classifyUtteranceEnd('זה בגלל ש')).toBe('incomplete');
    expect(classifyUtteranceEnd('המספר שלי הוא 050 123')).toBe('dictating');
    expect(classifyUtteranceEnd('אפס חמש אפס')).toBe('dictating');
    expect(classifyUtteranceEnd('שלום')).toBe('unknown');
  });
  it('windows stay in range and under the hard cap', () => {
    expect(endWindowFor('complete', { baseMs: 700 })).toBeLessThan(700);
    expect(endWindowFor('complete', { baseMs: 400 })).toBe(400);
    expect(endWindowFor('incomplete', { baseMs: 700 })).toBe(1500);
    expect(endWindowFor('dictating', { baseMs: 1200 })).toBe(2500);
    expect(endWindowFor('unknown', { baseMs: 900 })).toBe(900);
  });
});
