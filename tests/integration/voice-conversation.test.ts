/**
 * Full phone conversations over a real WebSocket against a real core: Twilio Media Streams
 * client with Hebrew speech fixtures → VAD → fake OpenAI transcription + streamed chat with
 * tool calls → fake Google TTS → paced μ-law frames with marks back to the client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { calls, tasks } from '../../src-main/db/schema';
import { ulawRmsDb, type MediaStreamClient } from '../fakes/media-stream-client';
import { isSummaryRequest, startVoiceRig, type VoiceRig, turnRows } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const liveState = async (r: VoiceRig, callSid: string) => {
  const res = await r.t.api('monitor.liveCalls');
  const list = (res.body as { data?: unknown }).data;
  if (!Array.isArray(list)) throw new Error(`monitor.liveCalls: ${res.status} ${JSON.stringify(res.body)}`);
  return (list as Array<{ callSid: string; state: string }>).find((c) => c.callSid === callSid)?.state;
};

async function waitState(r: VoiceRig, c: MediaStreamClient, state: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await liveState(r, c.callSid)) === state) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`call never reached ${state} (now ${await liveState(r, c.callSid)})`);
}

async function waitTurns(r: VoiceRig, callSid: string, n: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (turnRows(r, callSid).length >= n) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`only ${turnRows(r, callSid).length} of ${n} turns recorded`);
}

describe('voice agent: a whole conversation', () => {
  it('greets, answers two turns (one with a booking tool call), hangs up on goodbye via REST, records metrics', async () => {
    rig = await startVoiceRig();
    const r = rig;
    r.t.core.business.updateProfile({ name: 'מספרת דני', ownerPhone: '050-1234567' });
    r.openai.setDefaultChat((req) =>
      isSummaryRequest(req)
        ? JSON.stringify({
            summary: 'הלקוח קבע תור לתספורת ושאל על המחיר.',
            name: 'דני',
            reason: 'תור לתספורת',
            callback_requested: false,
            urgency: 'normal',
          })
        : 'סליחה, לא הבנתי.',
    );
    const c = await r.connect({ speed: 2 });
    c.start();

    // Greeting: audible frames, then the agent listens.
    await c.waitFor(() => c.media.length >= 10, 3000);
    expect(ulawRmsDb(c.outboundAudio())).toBeGreaterThan(-30);
    await waitState(r, c, 'listening');
    const greetingFrames = c.media.length;

    // Turn 1: a booking → tool call, then the spoken confirmation.
    r.caller.text = 'שלום, אני רוצה לקבוע תור למחר בבוקר.';
    r.openai.scriptChat(
      {
        toolCalls: [
          { name: 'book_appointment', arguments: { time: '10:00', reason: 'תספורת', name: 'דני' } },
        ],
      },
      { content: 'קבעתי לכם תור. אפשר לעזור במשהו נוסף?', chunkChars: 6, chunkDelayMs: 5 },
    );
    await c.say('book');
    await c.quiet(400);
    await waitTurns(r, c.callSid, 1);
    expect(c.media.length).toBeGreaterThan(greetingFrames);
    expect(ulawRmsDb(c.outboundAudio(greetingFrames))).toBeGreaterThan(-30);
    const appt = r.t.core.db.select().from(tasks).where(eq(tasks.kind, 'appointment')).all();
    expect(appt).toHaveLength(1);
    expect(appt[0]!.createdBy).toBe('agent');
    expect(appt[0]!.startsAt).toBeGreaterThan(Date.now());

    // Turn 2: a question answered in two sentences (streamed, cut, synthesized piece by piece).
    await waitState(r, c, 'listening');
    r.caller.text = 'כמה עולה תספורת?';
    r.openai.scriptChat({
      content: 'תספורת עולה שמונים שקלים. רוצים שאקבע לכם עוד תור?',
      chunkChars: 5,
      chunkDelayMs: 5,
    });
    await c.say('price');
    await c.quiet(300);
    await waitTurns(r, c.callSid, 2);
    const ttsTexts = r.google.requests.map((q) => q.text);
    expect(ttsTexts).toContain('תספורת עולה שמונים שקלים.');
    expect(ttsTexts).toContain('רוצים שאקבע לכם עוד תור?');

    // Turn 3: goodbye → marked as ended by the agent, goodbye line, REST hang-up.
    await waitState(r, c, 'listening');
    r.caller.text = 'תודה רבה, להתראות';
    await c.say('bye');
    await c.quiet(200);
    await c.waitFor(() => r.twilio.callUpdates.some((u) => u.callSid === c.callSid), 8000);
    const update = r.twilio.callUpdates.find((u) => u.callSid === c.callSid)!;
    expect(update.params.Status).toBe('completed');
    const row = r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!;
    expect(row.endedBy).toBe('goodbye');
    await c.stop();
    await c.waitFor(() => r.voice.registry.sessions.size === 0, 3000);
    await r.voice.registry.settled();

    const turns = turnRows(r, c.callSid);
    expect(turns.map((t) => t.callerText)).toEqual([
      'שלום, אני רוצה לקבוע תור למחר בבוקר.',
      'כמה עולה תספורת?',
      'תודה רבה, להתראות',
    ]);
    for (const t of turns.slice(0, 2)) {
      expect(t.interrupted).toBe(false);
      expect(t.tVadMs).toBeGreaterThanOrEqual(400);
      expect(t.tAsrMs).not.toBeNull();
      expect(t.tNlpMs).not.toBeNull();
      expect(t.tTtsMs).not.toBeNull();
      expect(t.tFirstAudioMs).toBeGreaterThan(0);
      expect(t.tTotalMs).toBeGreaterThanOrEqual(t.tFirstAudioMs!);
      expect(t.agentText.length).toBeGreaterThan(0);
    }
    const metrics = r.t.logs().filter((l) => l.msg === 'turn_metrics');
    if (process.env.VOICE_DEBUG)
      console.log(
        JSON.stringify(
          metrics.map((m) => ({ ...m, ts: undefined })),
          null,
          1,
        ),
      );
    expect(metrics.length).toBe(3);
    expect(metrics[0]).toMatchObject({
      call_sid: c.callSid,
      business_id: 1,
      turn_index: 0,
      mode: 'stream',
      interrupted: false,
    });
    for (const k of ['t_vad_ms', 't_asr_ms', 't_nlp_ms', 't_tts_ms', 't_first_audio_ms', 't_total_ms'])
      expect(metrics[0]).toHaveProperty(k);

    // After the call: transcript, summary, lead fields, notification.
    const done = r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!;
    expect(done.transcript).toContain('לקוח: כמה עולה תספורת?');
    expect(done.summary).toBe('הלקוח קבע תור לתספורת ושאל על המחיר.');
    expect(JSON.parse(done.leadFields!)).toMatchObject({ name: 'דני', reason: 'תור לתספורת' });
    expect(r.t.logs().some((l) => l.msg === 'notification' && String(l.title).includes('דני'))).toBe(true);
    // Google got the 8 kHz he-IL request with the configured voice.
    expect(r.google.requests[0]).toMatchObject({
      languageCode: 'he-IL',
      voice: 'he-IL-Wavenet-A',
      sampleRate: 8000,
      encoding: 'LINEAR16',
    });
  }, 40_000);
});
