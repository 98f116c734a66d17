/**
 * Preemptive generation (on by default): an answer started on the speculative transcript during
 * the end-of-turn window prepares its text and audio but acts on nothing until the turn is
 * confirmed — a tool it calls waits for the adoption, and a preemptive answer dropped because the
 * caller went on never runs its tool (no appointment booked on half a sentence). It is not spent
 * on a gap between words (under preemptMinSilenceMs), nor on a pause that sounds unfinished.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tasks } from '../../src-main/db/schema';
import { voiceSettingsDefaults } from '../../src-main/telephony/media/voice-settings';
import { isSummaryRequest, startVoiceRig, turnRows, until, type VoiceRig } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const answerRequests = (r: VoiceRig) =>
  r.openai.requestsTo('/chat/completions').filter((q) => !isSummaryRequest(q));

const BOOK = {
  toolCalls: [{ name: 'book_appointment', arguments: { time: '10:00', reason: 'תספורת', name: 'דני' } }],
};

describe('preemptive generation and tools', () => {
  it('is the default', () => {
    expect(voiceSettingsDefaults().preemptiveGeneration).toBe(true);
  });

  it('a dropped preemptive answer never runs its tool; the confirmed turn does, once', async () => {
    rig = await startVoiceRig({ asrDelayMs: 20, google: { msPerChar: 5 } });
    const r = rig;
    // A fixed 700 ms window: the preemptive answer's tool call arrives long before the decision.
    await r.t.api('voice.updateSettings', { adaptiveEndOfTurn: false });
    r.openai.scriptChat(BOOK, BOOK, { content: 'קבעתי לכם תור למחר בעשר.', chunkChars: 6, chunkDelayMs: 5 });
    r.openai.setDefaultChat({ content: 'בסדר.' });
    r.caller.text = 'אני רוצה לקבוע תור';
    const c = await r.connect({ speed: 1 });
    c.start();
    await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
    await c.say('price');
    await c.quiet(380); // past the speculation point, inside the end-of-turn window
    const appointments = () => r.t.core.db.select().from(tasks).where(eq(tasks.kind, 'appointment')).all();
    // The preemptive answer asked for the tool; it waits for the turn to be confirmed.
    expect(r.openai.requestsTo('/chat/completions').length).toBeGreaterThanOrEqual(1);
    expect(appointments()).toHaveLength(0);
    r.caller.text = 'אני רוצה לקבוע תור למחר בבוקר';
    await c.say('name');
    await c.quiet(1500);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'the turn row');
    const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
    expect(line.llm_wasted).toBeGreaterThanOrEqual(1);
    expect(line.caller_text).toBe('אני רוצה לקבוע תור למחר בבוקר');
    // Only the confirmed (adopted) answer booked.
    expect(appointments()).toHaveLength(1);
    expect(r.t.logs().filter((l) => l.msg === 'tool call')).toHaveLength(1);
    expect(turnRows(r, c.callSid)[0]!.agentText).toBe('קבעתי לכם תור למחר בעשר.');
    expect(r.openai.requestsTo('/chat/completions').filter((q) => !isSummaryRequest(q)).length).toBe(3);
    await c.stop();
  }, 40_000);

  it('a gap between words gets no preemptive answer, even with an instant transcript', async () => {
    // 'book' has a 140 ms gap between its words: past the speculation point (100 ms), under 240.
    rig = await startVoiceRig({ asrDelayMs: 0, google: { msPerChar: 5 } });
    const r = rig;
    r.openai.setDefaultChat({ content: 'בשמחה, לאיזו שעה?' });
    r.caller.text = 'אני רוצה לקבוע תור למחר בבוקר.';
    const c = await r.connect({ speed: 1 });
    c.start();
    await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
    await c.say('book');
    await c.quiet(1000);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'the turn row');
    const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
    expect(line.llm_preemptive).toBe(true);
    expect(line.llm_wasted).toBe(0);
    expect(answerRequests(r)).toHaveLength(1);
    // More than one speculative transcript was taken (the gap, then the pause).
    expect(r.openai.requestsTo('/audio/transcriptions').length).toBeGreaterThanOrEqual(2);
    await c.stop();
  }, 40_000);

  it('an unfinished-sounding pause the caller goes on from costs no LLM request', async () => {
    rig = await startVoiceRig({ asrDelayMs: 20, google: { msPerChar: 5 } });
    const r = rig;
    r.openai.setDefaultChat({ content: 'בטח, מחר בעשר פנוי.' });
    // A trailing ל: the adaptive window is 1500 ms; the preemptive answer would start at 800 ms.
    r.caller.text = 'אני רוצה לקבוע תור ל';
    const c = await r.connect({ speed: 1 });
    c.start();
    await until(() => r.voice.registry.get(c.callSid)?.state === 'listening', 10_000, 'listening');
    await c.say('name');
    await c.quiet(600);
    expect(answerRequests(r)).toHaveLength(0);
    r.caller.text = 'אני רוצה לקבוע תור למחר בבוקר.';
    await c.say('price');
    await c.quiet(1200);
    await until(() => turnRows(r, c.callSid).length >= 1, 10_000, 'the turn row');
    const rows = turnRows(r, c.callSid);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.callerText).toBe('אני רוצה לקבוע תור למחר בבוקר.');
    const line = r.t.logs().find((l) => l.event === 'turn_metrics' && l.call_sid === c.callSid)!;
    expect(line.llm_wasted).toBe(0);
    expect(line.llm_preemptive).toBe(true);
    expect(answerRequests(r)).toHaveLength(1);
    await c.stop();
  }, 40_000);
});
