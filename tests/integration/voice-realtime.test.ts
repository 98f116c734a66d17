/**
 * The OpenAI Realtime engine end to end: a real core, a Twilio Media Streams client with Hebrew
 * speech fixtures over a real WebSocket, and the official SDK's `OpenAIRealtimeWS` talking to a
 * Realtime fake (server VAD, input transcription, μ-law answer audio, function calls) over a
 * real WebSocket; chat (summary), Google TTS (cached greeting) and Twilio REST are fakes too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { calls, tasks } from '../../src-main/db/schema';
import {
  onsetOffsetMs,
  shortWord,
  speechFixture,
  ulawRmsDb,
  type MediaStreamClient,
} from '../fakes/media-stream-client';
import { startFakeRealtime, type FakeRealtime } from '../fakes/openai-realtime';
import { isSummaryRequest, startVoiceRig, type VoiceRig, turnRows } from '../helpers/voice';

let rig: VoiceRig | undefined;
let rt: FakeRealtime | undefined;
afterEach(async () => {
  await rig?.stop();
  await rt?.close();
  rig = undefined;
  rt = undefined;
});

async function realtimeRig(): Promise<{ r: VoiceRig; fake: FakeRealtime }> {
  rt = await startFakeRealtime();
  rig = await startVoiceRig({ env: { OPENAI_BASE_URL: rt.url } });
  rt.upstream = rig.openai.origin;
  rig.t.core.business.updateProfile({ name: 'מספרת דני', ownerPhone: '050-1234567' });
  rig.openai.setDefaultChat((req) =>
    isSummaryRequest(req)
      ? JSON.stringify({ summary: 'הלקוח קבע תור.', name: 'דני', reason: 'תור', callback_requested: false })
      : 'סליחה, לא הבנתי.',
  );
  const res = await rig.t.api('voice.updateSettings', { engine: 'realtime' });
  expect(res.status).toBe(200);
  return { r: rig, fake: rt };
}

const live = async (r: VoiceRig, callSid: string) => {
  const res = await r.t.api('monitor.liveCalls');
  const list = (res.body as { data: Array<{ callSid: string; state: string; engine: string }> }).data;
  return list.find((c) => c.callSid === callSid);
};

async function waitState(r: VoiceRig, c: MediaStreamClient, state: string, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await live(r, c.callSid))?.state === state) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`call never reached ${state} (now ${(await live(r, c.callSid))?.state})`);
}

async function waitTurns(r: VoiceRig, c: MediaStreamClient, n: number, timeoutMs = 10_000): Promise<void> {
  await c
    .waitFor(() => turnRows(r, c.callSid).length >= n, timeoutMs)
    .catch(() => {
      throw new Error(`only ${turnRows(r, c.callSid).length} of ${n} turns recorded`);
    });
}

/** The caller asks the price and the model answers at length (3 fixtures of audio): until it speaks. */
async function longAnswer(
  r: VoiceRig,
  fake: FakeRealtime,
  c: MediaStreamClient,
): Promise<{ long: Buffer; longText: string }> {
  const long = Buffer.concat([speechFixture('book'), speechFixture('price'), speechFixture('book')]);
  const longText = 'תספורת עולה שמונים שקלים וצבע עולה מאה וחמישים שקלים ויש גם הנחה לסטודנטים בימי שלישי';
  fake.caller.text = 'כמה עולה תספורת?';
  fake.script({ text: longText, audio: long });
  await c.say('price');
  await c.quiet(800);
  await waitState(r, c, 'speaking');
  return { long, longText };
}

describe('voice agent: OpenAI Realtime engine', () => {
  it('greets, books through a tool call, ends the call through end_call + REST, records turns', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 2 });
    c.start();

    // Greeting: the cached TTS greeting plays at once; the model is told it was said.
    await c.waitFor(() => c.media.length >= 10, 3000);
    expect(ulawRmsDb(c.outboundAudio())).toBeGreaterThan(-30);
    await waitState(r, c, 'listening');
    expect((await live(r, c.callSid))?.engine).toBe('realtime');
    const conn = fake.connections[0]!;
    expect(conn.url).toBe('/v1/realtime?model=gpt-realtime');
    expect(conn.headers.authorization).toBe('Bearer sk-test-voice');
    expect(conn.session).toMatchObject({
      type: 'realtime',
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          transcription: { model: 'gpt-4o-transcribe', language: 'he' },
          turn_detection: {
            type: 'server_vad',
            silence_duration_ms: 700,
            create_response: false,
            interrupt_response: false,
          },
        },
        output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
      },
    });
    expect(String(conn.session!.instructions)).toContain('מספרת דני');
    const tools = (conn.session!.tools as Array<{ name: string; type: string }>).map((t) => t.name);
    expect(tools).toEqual(
      expect.arrayContaining([
        'create_callback_task',
        'update_customer',
        'book_appointment',
        'transfer_to_owner',
        'end_call',
      ]),
    );
    await c.waitFor(() => fake.events('conversation.item.create').length >= 1, 2000);
    expect(fake.events('conversation.item.create')[0]).toMatchObject({
      item: {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: expect.stringContaining('מספרת דני') }],
      },
    });
    const greetingFrames = c.media.length;

    // Turn 0: booking → function call → tool output → response.create → the spoken confirmation.
    fake.caller.text = 'שלום, אני רוצה לקבוע תור למחר בבוקר.';
    fake.script(
      {
        toolCalls: [
          { name: 'book_appointment', arguments: { time: '10:00', reason: 'תספורת', name: 'דני' } },
        ],
      },
      { text: 'קבעתי לכם תור. אפשר לעזור במשהו נוסף?', audio: speechFixture('book'), delayMs: 20 },
    );
    await c.say('book');
    await c.quiet(900);
    await waitTurns(r, c, 1);
    const appt = r.t.core.db.select().from(tasks).where(eq(tasks.kind, 'appointment')).all();
    expect(appt).toHaveLength(1);
    expect(appt[0]!.createdBy).toBe('agent');
    const outputs = fake
      .events('conversation.item.create')
      .filter((e) => (e.item as { type: string }).type === 'function_call_output');
    expect(outputs).toHaveLength(1);
    expect(JSON.parse((outputs[0]!.item as { output: string }).output)).toMatchObject({ ok: true });
    expect(fake.events('response.create').length).toBeGreaterThanOrEqual(1);
    expect(c.media.length).toBeGreaterThan(greetingFrames);
    expect(ulawRmsDb(c.outboundAudio(greetingFrames))).toBeGreaterThan(-30);

    // Turn 1: goodbye → the model says goodbye and calls end_call → wait for the mark → REST hang-up.
    await waitState(r, c, 'listening');
    fake.caller.text = 'תודה רבה, להתראות';
    fake.script({
      text: 'תודה שהתקשרתם, יום טוב!',
      audio: speechFixture('bye'),
      toolCalls: [{ name: 'end_call', arguments: { reason: 'goodbye' } }],
    });
    const beforeBye = c.media.length;
    await c.say('bye');
    await c.quiet(900);
    await c.waitFor(() => r.twilio.callUpdates.some((u) => u.callSid === c.callSid), 8000);
    expect(r.twilio.callUpdates.find((u) => u.callSid === c.callSid)!.params.Status).toBe('completed');
    // The whole goodbye was sent (and heard) before the hang-up.
    expect(c.media.length - beforeBye).toBeGreaterThanOrEqual(Math.floor(speechFixture('bye').length / 160));
    const row = r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!;
    expect(row.endedBy).toBe('agent_end_call');
    expect(row.engine).toBe('realtime');
    await c.stop();
    await c.waitFor(() => r.voice.registry.sessions.size === 0, 3000);
    await r.voice.registry.settled();

    const turns = turnRows(r, c.callSid);
    expect(turns.map((t) => t.callerText)).toEqual([
      'שלום, אני רוצה לקבוע תור למחר בבוקר.',
      'תודה רבה, להתראות',
    ]);
    expect(turns.map((t) => t.agentText)).toEqual([
      'קבעתי לכם תור. אפשר לעזור במשהו נוסף?',
      'תודה שהתקשרתם, יום טוב!',
    ]);
    for (const t of turns) {
      expect(t.mode).toBe('stream');
      expect(t.interrupted).toBe(false);
      expect(t.tVadMs).toBeGreaterThanOrEqual(700);
      expect(t.tAsrMs).not.toBeNull();
      expect(t.tNlpMs).not.toBeNull();
      expect(t.tFirstAudioMs).toBeGreaterThan(0);
      expect(t.tFirstAudioMs!).toBeGreaterThanOrEqual(t.tNlpMs!);
      expect(t.tTotalMs).toBeGreaterThanOrEqual(t.tFirstAudioMs!);
    }
    const metrics = r.t.logs().filter((l) => l.msg === 'turn_metrics');
    if (process.env.VOICE_DEBUG)
      console.log(
        JSON.stringify(
          metrics.map((m) => ({ ...m, time: undefined })),
          null,
          1,
        ),
      );
    expect(metrics).toHaveLength(2);
    expect(metrics[0]).toMatchObject({
      call_sid: c.callSid,
      business_id: 1,
      turn_index: 0,
      mode: 'stream',
      engine: 'realtime',
      interrupted: false,
    });
    const done = r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!;
    expect(done.transcript).toContain('לקוח: שלום, אני רוצה לקבוע תור למחר בבוקר.');
    expect(done.transcript).toContain('נציג: קבעתי לכם תור.');
    expect(done.summary).toBe('הלקוח קבע תור.');
  }, 40_000);

  it('barge-in: Twilio clear, response.cancel and truncate at the heard audio; the new utterance is answered', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 2, playbackSpeed: 1 });
    c.start();
    await waitState(r, c, 'listening');

    const { long, longText } = await longAnswer(r, fake, c);
    const speakingFrom = c.media.length;
    await c.waitFor(() => c.media.length - speakingFrom >= 40, 4000); // ~0.8 s of the answer sent

    fake.caller.text = 'קוראים לי דני כהן';
    fake.script({ text: 'נעים מאוד דני.', audio: speechFixture('name') });
    const clearsBefore = c.clears;
    await c.say('name');
    await c.waitFor(() => c.clears > clearsBefore, 3000);
    await c.waitFor(() => fake.events('conversation.item.truncate').length >= 1, 2000);
    expect(fake.events('response.cancel').length).toBeGreaterThanOrEqual(1);
    const trunc = fake.events('conversation.item.truncate')[0]!;
    expect(trunc.content_index).toBe(0);
    expect(trunc.audio_end_ms as number).toBeGreaterThan(100);
    expect(trunc.audio_end_ms as number).toBeLessThan(long.length / 8);

    await c.quiet(900);
    await waitTurns(r, c, 2);
    const [first, second] = turnRows(r, c.callSid);
    expect(first!.interrupted).toBe(true);
    expect(first!.agentText.length).toBeGreaterThan(0);
    expect(first!.agentText.split(' ').length).toBeLessThan(longText.split(' ').length);
    expect(second!.callerText).toBe('קוראים לי דני כהן');
    expect(second!.agentText).toBe('נעים מאוד דני.');
    expect(r.t.logs().some((l) => l.msg === 'barge-in: cleared' && l.call_sid === c.callSid)).toBe(true);
    await c.stop();
  }, 40_000);

  it('a short "כן" over the answer does not stop it: no clear, the answer heard whole, nothing answers it', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 1 });
    c.start();
    await waitState(r, c, 'listening');
    const answerFrom = c.media.length; // the greeting was heard: what follows is the answer
    const { long, longText } = await longAnswer(r, fake, c);
    await c.waitFor(() => c.media.length - answerFrom >= 40, 4000); // ~0.8 s of the answer sent
    const creates = fake.events('response.create').length;

    fake.caller.text = 'כן';
    const saidAt = performance.now();
    await c.say(shortWord(360));
    await c.quiet(1500);
    await waitTurns(r, c, 1);
    const rows = turnRows(r, c.callSid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ interrupted: false, agentText: longText });
    expect(c.clears, 'the answer was never cleared').toBe(0);
    expect(fake.events('conversation.item.truncate')).toEqual([]);
    expect(fake.events('response.cancel')).toEqual([]);
    // Every frame of the answer reached the caller (a pause loses nothing).
    expect(c.media.length - answerFrom).toBeGreaterThanOrEqual(Math.floor(long.length / 160));
    const gap = c.longestGap(saidAt, saidAt + 360 + 800);
    if (process.env.VOICE_BARGE_IN_REPORT) console.log(`realtime "כן" 360 ms: longest pause ${gap} ms`);
    expect(gap, 'the answer goes on soon after the burst').toBeLessThan(600);
    // The backchannel was heard by the server VAD (committed) but nothing answered it.
    await new Promise((res) => setTimeout(res, 300));
    expect(fake.events('response.create').length).toBe(creates);
    expect(r.t.logs().some((l) => l.msg === 'caller backchannel over the agent')).toBe(true);
    await c.stop();
  }, 40_000);

  it('"כן" over the end of the agent\'s question is its reply: answered once the question was heard', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 1 });
    c.start();
    await waitState(r, c, 'listening');
    const QUESTION = 'רוצים שאקבע לכם תור למחר בבוקר או ביום רביעי אחרי הצהריים?';
    fake.caller.text = 'אפשר לקבוע תור?';
    fake.script(
      { text: QUESTION, audio: Buffer.concat([speechFixture('book'), speechFixture('price')]) },
      { text: 'מעולה, קבעתי לכם למחר בעשר.', audio: speechFixture('name') },
    );
    await c.say('price');
    await c.quiet(800);
    await waitState(r, c, 'speaking');
    const firstFrame = c.media[c.media.length - 1]!.at;
    await c.waitFor(() => performance.now() >= firstFrame + 2500, 5000);
    fake.caller.text = 'כן';
    await c.say(shortWord(360));
    await c.quiet(1500);
    await waitTurns(r, c, 2, 15_000);
    const [asked, reply] = turnRows(r, c.callSid);
    expect(asked).toMatchObject({ interrupted: false, agentText: QUESTION });
    expect(reply).toMatchObject({ callerText: 'כן', agentText: 'מעולה, קבעתי לכם למחר בעשר.' });
    expect(c.clears).toBe(0);
    await c.stop();
  }, 40_000);

  it('a real interruption: the line quiet within 400 ms of the onset, cleared and truncated once sustained', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 1 });
    c.start();
    await waitState(r, c, 'listening');
    const { long, longText } = await longAnswer(r, fake, c);
    const answerFrom = c.media.length;
    await c
      .waitFor(() => c.media.length - answerFrom >= 40, 4000)
      .catch(() => {
        throw new Error('the answer never played');
      });

    fake.caller.text = 'רגע, אני רוצה לקבוע תור למחר';
    fake.script({ text: 'בשמחה, לאיזו שעה?', audio: speechFixture('name') });
    const book = speechFixture('book');
    const saidAt = performance.now();
    const onsetWall = Date.now() + onsetOffsetMs(book); // the fake records Date.now()
    const said = c.say(book);
    const onsetAt = saidAt + onsetOffsetMs(book);
    await c
      .waitFor(() => c.quietAfter(onsetAt) !== undefined, 5000)
      .catch(() => {
        throw new Error('the line never went quiet');
      });
    const quietAt = c.quietAfter(onsetAt)!;
    await c
      .waitFor(() => fake.events('conversation.item.truncate').length >= 1, 5000)
      .catch(() => {
        throw new Error('never truncated');
      });
    const cutAt = performance.now();
    const trunc = fake.events('conversation.item.truncate')[0]!;
    if (process.env.VOICE_BARGE_IN_REPORT)
      console.log(
        `realtime, after onset: quiet ${Math.round(quietAt - onsetAt)} ms, cut ${Math.round(trunc.at - onsetWall)} ms`,
      );
    expect(quietAt - onsetAt, 'the caller hears silence soon after their onset').toBeLessThan(400);
    // Cut only once the speech was sustained (not at the server VAD's speech start) …
    expect(trunc.at - onsetWall).toBeGreaterThan(500);
    expect(trunc.audio_end_ms as number).toBeGreaterThan(500);
    expect(trunc.audio_end_ms as number).toBeLessThan(long.length / 8);
    // … with a Twilio clear whenever agent audio was still buffered there (a pause that fell
    // between two chunks leaves nothing to clear); the agent never came back over the caller.
    const clear = c.events.find((e) => e.kind === 'clear');
    if (clear) expect(clear.at - onsetAt).toBeGreaterThan(500);
    expect(c.played.filter((t) => t > quietAt && t < cutAt)).toEqual([]);
    expect(fake.events('response.cancel').length).toBeGreaterThanOrEqual(1);

    await said;
    await c.quiet(1200);
    await waitTurns(r, c, 2);
    const [first, second] = turnRows(r, c.callSid);
    expect(first!.interrupted).toBe(true);
    expect(first!.agentText.split(' ').length).toBeLessThan(longText.split(' ').length);
    expect(second).toMatchObject({
      callerText: 'רגע, אני רוצה לקבוע תור למחר',
      agentText: 'בשמחה, לאיזו שעה?',
    });
    await c.stop();
  }, 40_000);

  it('the caller goes on before any answer audio: that answer is cancelled, both utterances make one turn', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 2 });
    c.start();
    await waitState(r, c, 'listening');
    fake.caller.text = 'אני רוצה לקבוע תור';
    fake.script(
      { text: 'לא יישמע.', audio: speechFixture('book'), delayMs: 5000 },
      { text: 'בשמחה, מחר בעשר.', audio: speechFixture('name') },
    );
    await c.say('book');
    await c.quiet(900);
    await waitState(r, c, 'thinking');
    fake.caller.text = 'למחר בעשר בבוקר';
    await c.say('price');
    await c.quiet(900);
    await waitTurns(r, c, 1);
    await c.waitFor(() => turnRows(r, c.callSid)[0]?.agentText !== '', 4000);
    const rows = turnRows(r, c.callSid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      turnIndex: 0,
      callerText: 'אני רוצה לקבוע תור למחר בעשר בבוקר',
      agentText: 'בשמחה, מחר בעשר.',
      interrupted: false,
    });
    expect(c.clears).toBe(0);
    await c.stop();
  }, 30_000);

  it('the model socket dropping mid-call continues the call on the pipeline; transfer_to_owner redirects via REST', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 2 });
    c.start();
    await waitState(r, c, 'listening');
    await c.waitFor(() => fake.connections.length === 1 && fake.connections[0]!.session != null, 3000);
    fake.connections[0]!.close(1011);
    await c.waitFor(() => r.t.logs().some((l) => l.msg === 'realtime session closed mid-call'), 3000);
    expect((await live(r, c.callSid))?.engine).toBe('pipeline');

    // The pipeline takes over; its model asks to transfer → REST redirect with <Dial> to the owner.
    r.caller.text = 'אפשר לדבר עם בעל העסק?';
    r.openai.scriptChat({ toolCalls: [{ name: 'transfer_to_owner', arguments: { reason: 'ביקש' } }] });
    await c.say('price');
    await c.quiet(900);
    await c.waitFor(() => r.twilio.callUpdates.some((u) => u.callSid === c.callSid), 8000);
    expect(r.twilio.callUpdates.find((u) => u.callSid === c.callSid)!.params.Twiml).toContain(
      '+972501234567',
    );
    expect(r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!.endedBy).toBe(
      'transfer',
    );
    await c.stop();
  }, 30_000);

  it('transfer_to_owner from the Realtime model: its answer plays out, the transfer line, then a REST redirect', async () => {
    const { r, fake } = await realtimeRig();
    const c = await r.connect({ speed: 2 });
    c.start();
    await waitState(r, c, 'listening');
    fake.caller.text = 'אפשר לדבר עם בעל העסק?';
    fake.script({
      text: 'בשמחה.',
      audio: speechFixture('name'),
      toolCalls: [{ name: 'transfer_to_owner', arguments: { reason: 'ביקש לדבר עם הבעלים' } }],
    });
    const clearsBefore = c.clears;
    const before = c.media.length;
    await c.say('price');
    await c.quiet(900);
    await c.waitFor(() => r.twilio.callUpdates.some((u) => u.callSid === c.callSid), 8000);
    // The model's answer was not cut by the transfer (as the pipeline's): all of it, then the line.
    expect(c.clears).toBe(clearsBefore);
    expect(c.media.length - before).toBeGreaterThan(Math.floor(speechFixture('name').length / 160));
    expect(r.twilio.callUpdates.find((u) => u.callSid === c.callSid)!.params.Twiml).toContain('<Dial');
    expect(r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!.endedBy).toBe(
      'transfer',
    );
    await waitTurns(r, c, 1);
    expect(turnRows(r, c.callSid)[0]).toMatchObject({
      callerText: 'אפשר לדבר עם בעל העסק?',
      agentText: 'בשמחה.',
    });
    await c.stop();
  }, 30_000);

  for (const failure of [503, 'close'] as const) {
    it(`a Realtime connection failure (${failure}) continues the call on the pipeline engine`, async () => {
      const { r, fake } = await realtimeRig();
      fake.failNext(failure);
      const c = await r.connect({ speed: 2 });
      c.start();
      await c.waitFor(() => c.media.length >= 10, 3000);
      await waitState(r, c, 'listening');
      const failed = r.t
        .logs()
        .find((l) => l.msg === 'realtime connect failed: this call continues on the pipeline engine');
      expect(failed).toMatchObject({ call_sid: c.callSid });
      expect((await live(r, c.callSid))?.engine).toBe('pipeline');

      r.caller.text = 'כמה עולה תספורת?';
      r.openai.scriptChat({ content: 'תספורת עולה שמונים שקלים.' });
      await c.say('price');
      await c.quiet(900);
      await waitTurns(r, c, 1);
      expect(r.google.requests.map((q) => q.text)).toContain('תספורת עולה שמונים שקלים.');
      const row = r.t.core.db.select().from(calls).where(eq(calls.callSid, c.callSid)).get()!;
      expect(row.engine).toBe('pipeline');
      await c.stop();
    }, 30_000);
  }
});
