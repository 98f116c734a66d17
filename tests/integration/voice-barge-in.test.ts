/**
 * Barge-in and preemptive generation over the fake Twilio media stream: a backchannel spoken
 * over the answer does not stop it (the line pauses under it at most, no `clear`, nothing lost),
 * a real interruption silences the agent within 400 ms of the caller's speech onset and clears
 * it, and an answer started on the speculative transcript is used (or cancelled and counted) as
 * the turn decides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import {
  onsetOffsetMs,
  shortWord,
  speechFixture,
  type MediaStreamClient,
} from '../fakes/media-stream-client';
import { isSummaryRequest, startVoiceRig, turnRows, until, type VoiceRig } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const ANSWER = 'המספרה פתוחה בימים ראשון עד חמישי, מתשע בבוקר ועד שש בערב. בימי שישי עד שתיים בצהריים.';

async function speaking(r: VoiceRig, c: MediaStreamClient): Promise<void> {
  await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
  r.caller.text = 'מה שעות הפתיחה?';
  r.openai.scriptChat({ content: ANSWER });
  await c.say('price');
  await until(() => r.voice.registry.get(c.callSid)?.state === 'speaking', 10_000, 'speaking');
  const from = c.media.length;
  await until(() => c.media.length >= from + 15, 5000, 'agent audio');
}

const chatRequests = (r: VoiceRig) =>
  r.openai.requestsTo('/chat/completions').filter((q) => !isSummaryRequest(q));

describe('barge-in', () => {
  for (const [word, ms] of [
    ['כן', 360],
    ['בסדר', 600],
  ] as const) {
    it(`a ${ms} ms "${word}" over the answer does not stop it: no clear, a short pause at most, the answer heard whole`, async () => {
      rig = await startVoiceRig({ google: { msPerChar: 20 } });
      const r = rig;
      const c = await r.connect({ speed: 1 });
      c.start();
      await speaking(r, c);
      r.caller.text = word;
      const saidAt = performance.now();
      await c.say(shortWord(ms));
      await c.quiet(1500);
      await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'the answer row');
      const rows = turnRows(r, c.callSid);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.interrupted).toBe(false);
      expect(rows[0]!.agentText).toBe(ANSWER);
      expect(c.clears, 'the agent audio was never cleared').toBe(0);
      const gap = c.longestGap(saidAt, saidAt + ms + 800);
      if (process.env.VOICE_BARGE_IN_REPORT) console.log(`"${word}" ${ms} ms: longest pause ${gap} ms`);
      expect(gap, 'the agent goes on soon after the burst').toBeLessThan(600);
      // Nothing answered the backchannel.
      expect(chatRequests(r)).toHaveLength(1);
      await c.stop();
    }, 40_000);
  }

  it('"כן" said over the agent\'s closing question is its reply: answered once the question was heard', async () => {
    rig = await startVoiceRig({ google: { msPerChar: 100 } });
    const r = rig;
    const c = await r.connect({ speed: 1 });
    c.start();
    await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
    r.caller.text = 'אפשר לקבוע תור?';
    // Cut after four words: "רוצים שאקבע לכם תור" (≈1.9 s), then the rest of the question (≈4 s).
    const QUESTION = 'רוצים שאקבע לכם תור למחר בבוקר או ביום רביעי אחרי הצהריים?';
    r.openai.scriptChat({ content: QUESTION }, { content: 'מעולה, קבעתי לכם למחר בעשר.' });
    await c.say('price');
    const from = c.media.length;
    await until(() => r.voice.registry.get(c.callSid)?.state === 'speaking', 10_000, 'speaking');
    // Into the question's last piece: the first piece's 1.9 s and 0.5 s more have reached the
    // caller's line (frames, not wall time: a loaded machine renders the pieces later).
    await c.waitFor(() => c.played.filter((t) => t >= c.media[from]!.at).length >= 95 + 25, 15_000);
    r.caller.text = 'כן';
    await c.say(shortWord(360));
    await until(() => turnRows(r, c.callSid).length >= 2, 15_000, 'the reply answered');
    const [asked, reply] = turnRows(r, c.callSid);
    expect(asked!.interrupted, 'the question was heard whole').toBe(false);
    expect(asked!.agentText).toBe(QUESTION);
    expect(reply!.callerText).toBe('כן');
    expect(reply!.agentText).toBe('מעולה, קבעתי לכם למחר בעשר.');
    expect(c.clears).toBe(0);
    await c.stop();
  }, 40_000);

  it('a real interruption silences the agent within 400 ms of the caller’s speech onset, then clears it', async () => {
    rig = await startVoiceRig({ google: { msPerChar: 45 } });
    const r = rig;
    const c = await r.connect({ speed: 1 });
    c.start();
    await speaking(r, c);
    r.caller.text = 'רגע, אני רוצה לקבוע תור למחר';
    r.openai.scriptChat({ content: 'בשמחה, לאיזו שעה?' });
    const book = speechFixture('book');
    const saidAt = performance.now();
    const said = c.say(book);
    // The first frame leaves within a line tick (20 ms) of say(); speech starts at its onset.
    const onsetAt = saidAt + onsetOffsetMs(book);
    await c.waitFor(() => c.quietAfter(onsetAt) !== undefined, 5000);
    const quietAt = c.quietAfter(onsetAt)!;
    await c.waitFor(() => c.clears >= 1, 5000);
    const clearAt = c.events.find((e) => e.kind === 'clear')!.at;
    if (process.env.VOICE_BARGE_IN_REPORT)
      console.log(
        `after onset: quiet ${Math.round(quietAt - onsetAt)} ms, clear ${Math.round(clearAt - onsetAt)} ms`,
      );
    expect(quietAt - onsetAt).toBeLessThan(400);
    // The agent did not come back over the interruption.
    expect(c.played.filter((t) => t > quietAt && t < clearAt)).toEqual([]);
    await said;
    await c.quiet(1200);
    await until(() => turnRows(r, c.callSid).length >= 2, 10_000, 'two turns');
    const [first, second] = turnRows(r, c.callSid);
    expect(first!.interrupted).toBe(true);
    expect(second!.callerText).toBe('רגע, אני רוצה לקבוע תור למחר');
    await c.stop();
  }, 40_000);
});

describe('preemptive generation', () => {
  it('starts the answer on the speculative transcript and uses it when the turn is confirmed', async () => {
    rig = await startVoiceRig({ asrDelayMs: 20, google: { msPerChar: 5 } });
    const r = rig;
    await r.t.api('voice.updateSettings', { preemptiveGeneration: true });
    r.openai.setDefaultChat({ content: 'תספורת עולה שמונים שקלים.' });
    r.caller.text = 'כמה עולה תספורת';
    const c = await r.connect({ speed: 1 });
    c.start();
    await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
    await c.say('price');
    await c.quiet(1500);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'the turn row');
    const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
    expect(line.llm_preemptive).toBe(true);
    expect(line.llm_wasted).toBe(0);
    // The LLM started before the end of the turn was decided; nothing played before it.
    const stages = line.stages_ms as Record<string, number>;
    expect(stages.llmStart!).toBeLessThan(stages.endOfTurn!);
    expect(stages.firstFrame!).toBeGreaterThan(stages.endOfTurn!);
    expect(chatRequests(r)).toHaveLength(1);
    expect(turnRows(r, c.callSid)[0]!.agentText).toBe('תספורת עולה שמונים שקלים.');
    await c.stop();
  }, 40_000);

  it('the caller going on cancels the preemptive answer (counted as wasted); one answer is heard', async () => {
    rig = await startVoiceRig({ asrDelayMs: 20, google: { msPerChar: 5 } });
    const r = rig;
    await r.t.api('voice.updateSettings', { preemptiveGeneration: true, adaptiveEndOfTurn: false });
    r.openai.setDefaultChat({ content: 'בטח, מחר בעשר פנוי.', chunkChars: 4, chunkDelayMs: 40 });
    r.caller.text = 'אני רוצה תור';
    const c = await r.connect({ speed: 1 });
    c.start();
    await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
    await c.say('price');
    await c.quiet(380); // past the preemption point (240 ms of silence), inside the end-of-turn window
    r.caller.text = 'אני רוצה תור למחר בבוקר';
    await c.say('name');
    await c.quiet(1500);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'the turn row');
    const rows = turnRows(r, c.callSid);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.callerText).toBe('אני רוצה תור למחר בבוקר');
    const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
    // The first answer (on "אני רוצה תור") was dropped; the one on the whole utterance was used.
    expect(line.llm_wasted).toBeGreaterThanOrEqual(1);
    expect(line.llm_preemptive).toBe(true);
    expect(chatRequests(r).length).toBe(1 + (line.llm_wasted as number));
    expect(rows[0]!.agentText).toBe('בטח, מחר בעשר פנוי.');
    expect(r.t.logs().some((l) => l.msg === 'preemptive answer dropped (wasted LLM request)')).toBe(true);
    await c.stop();
  }, 40_000);
});
