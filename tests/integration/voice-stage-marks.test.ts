/**
 * Every pipeline turn records its critical-path stage marks (turn_metrics `stages_ms`, ms after
 * the VAD's speech end), in causal order, consistent with the turn's own t_* figures — the latency
 * bench computes its overhead from them. Order and consistency only: no real-time limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startVoiceRig, turnRows, until, type VoiceRig } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const ORDER = [
  'endOfTurn',
  'transcript',
  'llmStart',
  'llmFirstToken',
  'firstClause',
  'ttsFirstAudio',
  'firstFrame',
] as const;

describe('voice turn stage marks', () => {
  it.each(['streaming', 'sequential'] as const)(
    '%s pipeline: every stage marked, in order, matching t_asr/t_nlp/t_first_audio',
    async (pipelineMode) => {
      rig = await startVoiceRig({ asrDelayMs: 50, google: { msPerChar: 5 } });
      const r = rig;
      await r.t.api('voice.updateSettings', { pipelineMode });
      r.openai.setDefaultChat({
        content: 'תספורת עולה שמונים שקלים. רוצים לקבוע תור?',
        chunkChars: 4,
        chunkDelayMs: 5,
      });
      r.caller.text = 'כמה עולה תספורת?';
      const c = await r.connect({ speed: 1 });
      c.start();
      await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 15_000, 'listening');
      await c.quiet(200);
      await c.say('price');
      await c.quiet(400);
      await until(() => turnRows(r, c.callSid).length >= 1, 20_000, 'the turn row');
      await c.stop();

      const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
      const stages = line.stages_ms as Record<string, number>;
      expect(Object.keys(stages).sort()).toEqual([...ORDER].sort());
      for (let i = 1; i < ORDER.length; i++)
        expect(stages[ORDER[i]!], `${ORDER[i - 1]} ≤ ${ORDER[i]}`).toBeGreaterThanOrEqual(
          stages[ORDER[i - 1]!]!,
        );
      expect(stages.endOfTurn).toBeGreaterThan(0);
      // The same instants as the turn's rounded figures (1 ms rounding each).
      const row = turnRows(r, c.callSid)[0]!;
      expect(Math.abs(stages.firstFrame! - row.tFirstAudioMs!)).toBeLessThanOrEqual(1);
      expect(Math.abs(stages.transcript! - stages.endOfTurn! - row.tAsrMs!)).toBeLessThanOrEqual(1);
      expect(Math.abs(stages.firstClause! - stages.llmStart! - row.tNlpMs!)).toBeLessThanOrEqual(1);
    },
  );
});
