/**
 * Every pipeline turn records its critical-path stage marks (turn_metrics `stages_ms`, ms after
 * the VAD's speech end), in causal order, consistent with the turn's own t_* figures — the latency
 * bench computes its overhead from them. An answer started at the end-of-turn decision has one
 * chain (decision → transcript → LLM → TTS → first frame). A preemptive answer (started on the
 * speculative transcript during the pause) has two that meet at the first frame: the speculation's
 * (speculative transcript → LLM → TTS, may all precede the decision) and the decision's (end of
 * turn → transcript); its first frame never leaves before the decision confirmed the turn.
 * Order and consistency only: no real-time limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startVoiceRig, turnRows, until, type VoiceRig } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const DECISION = ['endOfTurn', 'transcript'] as const;
const ANSWER = ['llmStart', 'llmFirstToken', 'firstClause', 'ttsFirstAudio', 'firstFrame'] as const;
const ORDER = [...DECISION, ...ANSWER] as const;
const SPECULATION = ['speculated', 'speculativeTranscript'] as const;

function expectOrdered(stages: Record<string, number>, keys: readonly string[]): void {
  for (let i = 1; i < keys.length; i++)
    expect(stages[keys[i]!], `${keys[i - 1]} ≤ ${keys[i]}`).toBeGreaterThanOrEqual(stages[keys[i - 1]!]!);
}

async function oneTurn(settings: Record<string, unknown>) {
  rig = await startVoiceRig({ asrDelayMs: 50, google: { msPerChar: 5 } });
  const r = rig;
  await r.t.api('voice.updateSettings', settings);
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
  const speechEnd = performance.now();
  await c.quiet(400);
  await until(() => turnRows(r, c.callSid).length >= 1, 20_000, 'the turn row');
  await c.stop();
  const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
  const stages = line.stages_ms as Record<string, number>;
  const row = turnRows(r, c.callSid)[0]!;
  // The same instants as the turn's rounded figures (1 ms rounding each).
  expect(Math.abs(stages.firstFrame! - row.tFirstAudioMs!)).toBeLessThanOrEqual(1);
  expect(Math.abs(stages.transcript! - stages.endOfTurn! - row.tAsrMs!)).toBeLessThanOrEqual(1);
  expect(Math.abs(stages.firstClause! - stages.llmStart! - row.tNlpMs!)).toBeLessThanOrEqual(1);
  expect(stages.endOfTurn).toBeGreaterThan(0);
  // Nothing of the answer reached the caller before the turn was decided (caller's clock: the
  // first frame after its speech end came no earlier than the server's decision, less the one
  // frame by which the VAD's speech end trails the caller's last speech frame).
  const heardAfter = c.firstMediaAfter(speechEnd)! - speechEnd;
  expect(heardAfter).toBeGreaterThanOrEqual(stages.endOfTurn! - 1);
  return { stages, line, row };
}

describe('voice turn stage marks', () => {
  it.each([
    ['streaming', { pipelineMode: 'streaming', preemptiveGeneration: false }],
    ['sequential', { pipelineMode: 'sequential' }],
  ] as const)(
    '%s pipeline, answer started at the decision: every stage marked, in order, matching t_asr/t_nlp/t_first_audio',
    async (pipelineMode, settings) => {
      const { stages, line } = await oneTurn(settings);
      expect(line.llm_preemptive).toBe(false);
      const keys = pipelineMode === 'streaming' ? [...SPECULATION, ...ORDER] : [...ORDER];
      expect(Object.keys(stages).sort()).toEqual(keys.sort());
      expectOrdered(stages, ORDER);
      // The speculation (streaming) was taken during the pause, before the decision.
      if (pipelineMode === 'streaming') expectOrdered(stages, [...SPECULATION, 'endOfTurn']);
    },
  );

  it.each([
    ['a fixed end-of-turn window (its audio ready before the decision, held)', false],
    ['the adaptive window (default settings)', true],
  ] as const)(
    'preemptive answer with %s: two chains in order, first frame never before the decision',
    async (_label, adaptiveEndOfTurn) => {
      const { stages, line } = await oneTurn({ adaptiveEndOfTurn });
      expect(line.llm_preemptive).toBe(true);
      expect(line.llm_wasted).toBe(0);
      expect(Object.keys(stages).sort()).toEqual([...SPECULATION, ...ORDER].sort());
      // The speculation's chain: speculative transcript → LLM → TTS → first frame.
      expectOrdered(stages, [...SPECULATION, ...ANSWER]);
      // The decision's chain: the answer was started before it, played only after it.
      expectOrdered(stages, [...DECISION, 'firstFrame']);
      expect(stages.speculativeTranscript!).toBeLessThan(stages.endOfTurn!);
      expect(stages.llmStart!).toBeLessThan(stages.endOfTurn!);
      if (!adaptiveEndOfTurn) {
        // 700 ms of silence to decide, the answer's first audio ready long before: it waited.
        expect(stages.ttsFirstAudio!).toBeLessThan(stages.endOfTurn!);
      }
    },
  );
});
