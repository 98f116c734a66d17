/**
 * The turn-taking benchmark's own parts (the bench itself runs with `npm run bench turn-taking`):
 * the corpus covers what it claims, and the fake transcriber hears only the audio it was given.
 */
import { describe, expect, it } from 'vitest';
import { buildCorpus, turnText } from '../../bench/turn-taking/corpus';
import type { GeneratedTurn } from '../../bench/turn-taking/generate';
import { HonestTranscriber } from '../../bench/turn-taking/honest-asr';
import { mulawDecode } from '../../src-main/audio/mulaw';
import { pcm16ToBuffer } from '../../src-main/audio/pcm';
import { buildWavPcm16 } from '../../src-main/audio/wav';

describe('turn-taking corpus', () => {
  const corpus = buildCorpus(20);

  it('has at least 100 caller turns of every kind, pauses of 0.5–1.5 s', () => {
    const spoken = corpus.turns.filter((t) => t.kind !== 'backchannel');
    expect(spoken.length).toBeGreaterThanOrEqual(100);
    for (const kind of ['pause', 'digits', 'hesitation', 'short', 'question', 'backchannel'])
      expect(corpus.turns.filter((t) => t.kind === kind).length, kind).toBeGreaterThanOrEqual(10);
    const pauses = corpus.turns.flatMap((t) => t.segments.slice(0, -1).map((s) => s.pauseMs));
    expect(Math.min(...pauses)).toBe(500);
    expect(Math.max(...pauses)).toBe(1500);
    expect(corpus.turns.filter((t) => t.kind === 'short').map(turnText)).toContain('בסדר.');
    expect(turnText(corpus.turns.find((t) => t.id === 'pause-1')!)).toBe('אני רוצה לקבוע תור למחר בבוקר.');
  });

  it('puts every turn in one call, a backchannel right after a long answer', () => {
    const all = corpus.calls.flat();
    expect([...all].sort()).toEqual(corpus.turns.map((t) => t.id).sort());
    const byId = new Map(corpus.turns.map((t) => [t.id, t]));
    for (const call of corpus.calls)
      call.forEach((id, i) => {
        if (byId.get(id)!.kind === 'backchannel') expect(byId.get(call[i - 1]!)!.longAnswer).toBe(true);
      });
  });
});

describe('honest transcriber', () => {
  /** A turn of two "segments" of random audio with a quiet gap, as the generator lays them out. */
  function fakeTurn(id: string, seed: number): GeneratedTurn {
    let x = seed;
    const audio = Buffer.alloc(8000 * 3);
    for (let i = 0; i < audio.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      audio[i] = x >>> 24;
    }
    return {
      id,
      audio,
      segments: [
        { text: `${id} ראשון`, start: 0, end: 8000, marks: [{ end: 4000, text: id }] },
        { text: ` ${id} שני.`, start: 16000, end: 24000, marks: [] },
      ],
    };
  }
  const wav = (mu: Buffer) => buildWavPcm16(pcm16ToBuffer(mulawDecode(mu)), 8000);
  const a = fakeTurn('a', 1);
  const b = fakeTurn('b', 2);
  const asr = new HonestTranscriber([a, b]);

  it('returns the text of the segments the upload holds, and nothing later', () => {
    const lead = Buffer.alloc(1600, 0xff);
    expect(asr.transcribe(wav(Buffer.concat([lead, a.audio.subarray(0, 12000)]))).text).toBe('a ראשון');
    expect(asr.transcribe(wav(a.audio)).text).toBe('a ראשון a שני.');
    // A segment cut before its end: its words up to the cut.
    expect(asr.transcribe(wav(a.audio.subarray(0, 7000))).text).toBe('a');
    expect(asr.transcribe(wav(a.audio.subarray(0, 3000))).text).toBe('');
    expect(asr.empty).toBe(1);
  });

  it('keeps the order of the audio (a carried utterance before the new one)', () => {
    const got = asr.transcribe(wav(Buffer.concat([b.audio.subarray(0, 9000), a.audio])));
    // Segment texts are joined as written (a continuation carries its own leading space).
    expect(got.text).toBe('b ראשוןa ראשון a שני.');
    expect(got.turns).toEqual(['b', 'a']);
  });
});
