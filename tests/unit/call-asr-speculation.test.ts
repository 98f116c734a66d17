/**
 * When the pipeline's ears speculate and preempt (pipeline/asr.ts), on a scripted VAD: the
 * speculative transcript is requested speculativeAtMs into a pause counted from where the VAD put
 * the pause's start (a model that decides late has already heard `lagMs` of it); the preemptive
 * answer starts from preemptMinSilenceMs, never on an unfinished-sounding pause, and never once
 * the caller went on.
 */
import { describe, expect, it } from 'vitest';
import type { Business } from '../../src-main/api/contract/business';
import type { Transcriber } from '../../src-main/agent/ports';
import { ManualClock } from '../../src-main/platform/clock';
import { createLogger } from '../../src-main/platform/logger';
import type { Vad } from '../../src-main/telephony/audio/vad';
import { CallAsr } from '../../src-main/telephony/media/pipeline/asr';
import { TIMING } from '../../src-main/telephony/media/session-config';
import { voiceSettingsDefaults } from '../../src-main/telephony/media/voice-settings';

/** The parts of a VAD the ears read, set by hand. */
function scriptedVad() {
  const v = {
    kind: 'silero-8k' as const,
    speaking: true,
    confirmed: true,
    currentSilenceMs: 0,
    currentVoicedMs: 600,
    endWindowMs: 700,
    noiseFloorDb: null,
    utteranceAudio: () => Buffer.alloc(8000),
    setEndWindow: (ms: number) => void (v.endWindowMs = ms),
    push: () => [],
    close: () => undefined,
  };
  return v satisfies Vad;
}

function ears() {
  const vad = scriptedVad();
  const uploads: number[] = [];
  const preempts: string[] = [];
  const speculative: string[] = [];
  const transcriber: Transcriber = {
    transcribe: () => {
      uploads.push(vad.currentSilenceMs);
      return Promise.resolve('כמה עולה תספורת?');
    },
  } as unknown as Transcriber;
  const asr = new CallAsr(vad, {
    log: () => createLogger({ level: 'error', stdout: false }),
    clock: new ManualClock(),
    business: () =>
      ({ name: 'מספרה', city: '', knowledge: { services: '', prices: '' } }) as unknown as Business,
    settings: () => voiceSettingsDefaults(),
    transcriber: () => transcriber,
    timing: TIMING,
    onSpeculative: (_spec, text) => void speculative.push(text),
    onPreempt: (text) => void preempts.push(text),
  });
  /** The pause has lasted `ms` (in the VAD's own count): one frame's turn. */
  const silence = (ms: number) => {
    vad.currentSilenceMs = ms;
    asr.maybeSpeculate();
  };
  return { vad, asr, uploads, preempts, speculative, silence };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('speculation point', () => {
  it('is speculativeAtMs into the pause on a VAD that decides at once', () => {
    const e = ears();
    e.asr.paused(0);
    e.silence(80);
    expect(e.uploads).toEqual([]);
    e.silence(100);
    expect(e.uploads).toEqual([100]);
    e.silence(120);
    expect(e.uploads).toHaveLength(1);
  });

  it('counts the audio a late-deciding VAD had already heard of the pause', () => {
    const e = ears();
    // The model put the pause's start 60 ms before the frame where it said so.
    e.asr.paused(60);
    e.silence(20);
    expect(e.uploads).toEqual([]);
    e.silence(40);
    expect(e.uploads).toEqual([40]);
  });
});

describe('preemption point', () => {
  it('a complete-sounding pause: from preemptMinSilenceMs', () => {
    const e = ears();
    e.asr.paused(0);
    e.silence(100);
    e.asr.preemptFor('כמה עולה תספורת?', 'complete');
    expect(e.preempts).toEqual([]);
    e.silence(TIMING.preemptMinSilenceMs - 20);
    expect(e.preempts).toEqual([]);
    e.silence(TIMING.preemptMinSilenceMs);
    expect(e.preempts).toEqual(['כמה עולה תספורת?']);
    e.silence(TIMING.preemptMinSilenceMs + 20);
    expect(e.preempts).toHaveLength(1);
  });

  it('already past it when the transcript arrives: at once', () => {
    const e = ears();
    e.asr.paused(0);
    e.silence(100);
    e.vad.currentSilenceMs = 400;
    e.asr.preemptFor('כמה עולה תספורת?', 'unknown');
    expect(e.preempts).toHaveLength(1);
  });

  it('an unfinished-sounding pause gets no preemptive answer, however long it lasts', () => {
    for (const [text, kind] of [
      ['אני רוצה לקבוע תור ל', 'incomplete'],
      ['המספר שלי 052', 'dictating'],
    ] as const) {
      const e = ears();
      e.asr.paused(0);
      e.silence(100);
      e.vad.setEndWindow(1500);
      e.asr.preemptFor(text, kind);
      e.silence(1490);
      expect(e.preempts, kind).toEqual([]);
    }
  });

  it('the caller going on voids a preemption not yet due', async () => {
    const e = ears();
    e.asr.paused(0);
    e.silence(100);
    await flush();
    expect(e.speculative).toEqual(['כמה עולה תספורת?']);
    e.asr.preemptFor('כמה עולה תספורת?', 'complete');
    e.asr.resumed();
    e.silence(0);
    e.asr.paused(0);
    e.silence(TIMING.preemptMinSilenceMs);
    expect(e.preempts).toEqual([]);
  });
});
