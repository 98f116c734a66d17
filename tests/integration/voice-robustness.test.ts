/**
 * The voice agent under stress: barge-in, degraded providers, malformed frames, refused
 * upgrades, abrupt closes, idle lines, monitor actions and the model ending the call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UNAVAILABLE_TEXT, FILLER_TEXT } from '../../src-main/agent/prompt';
import { type MediaStreamClient, ulawRmsDb } from '../fakes/media-stream-client';
import {
  startVoiceRig,
  type VoiceRig,
  type VoiceRigOptions,
  turnRows,
  callRow,
  until,
} from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function setup(o: VoiceRigOptions = {}): Promise<VoiceRig> {
  rig = await startVoiceRig(o);
  rig.t.core.business.updateProfile({ name: 'מספרת דני', ownerPhone: '050-1234567' });
  return rig;
}

async function liveState(r: VoiceRig, callSid: string): Promise<string | undefined> {
  const res = await r.t.api('monitor.liveCalls');
  return (res.body.data as Array<{ callSid: string; state: string }>).find((c) => c.callSid === callSid)
    ?.state;
}

async function greeted(r: VoiceRig, c: MediaStreamClient): Promise<void> {
  await until(
    async () => (await liveState(r, c.callSid)) === 'listening',
    8000,
    'listening after the greeting',
  );
}

const LONG_ANSWER =
  'בשמחה, אני אסביר לכם. המספרה פתוחה בימים ראשון עד חמישי. אנחנו מציעים תספורת, צבע ופן. המחירים מתחילים משמונים שקלים. מה תרצו לקבוע?';

describe('barge-in', () => {
  it('caller speech during the answer → clear while the caller still speaks, answer cancelled, turn recorded as interrupted, then answered', async () => {
    const r = await setup({ google: { msPerChar: 45 } });
    const c = await r.connect({ speed: 1 });
    c.start();
    await greeted(r, c);

    r.caller.text = 'מה שעות הפתיחה?';
    // A slow stream: the answer is still being written when the caller cuts in.
    r.openai.scriptChat({ content: LONG_ANSWER, chunkChars: 4, chunkDelayMs: 60 });
    await c.say('price');
    await until(async () => (await liveState(r, c.callSid)) === 'speaking', 8000, 'speaking');
    const startFrames = c.media.length;
    await until(() => c.media.length >= startFrames + 20, 4000, 'agent audio');

    r.caller.text = 'רגע, קוראים לי דני כהן';
    r.openai.scriptChat({ content: 'נעים מאוד דני, איך אפשר לעזור?' });
    // A 3 s utterance ('book'; the fake ASR hears r.caller.text whatever the audio).
    let saidAll = false;
    const said = c.say('book').then(() => void (saidAll = true));
    await c.waitFor(() => c.clears >= 1, 8000);
    // Barge-in acts on ~240 ms of confirmed speech, not at the end of the caller's turn: the
    // clear came while the caller was still talking (an end-of-turn reaction comes ≥ 3 s in).
    expect(saidAll).toBe(false);
    const clearAt = c.events.findIndex((e) => e.kind === 'clear');
    await said;
    // The old answer stopped at the clear: not one frame of it came while the caller spoke on.
    expect(c.events.slice(clearAt + 1).filter((e) => e.kind === 'media')).toHaveLength(0);
    await c.quiet(1000);
    await until(() => turnRows(r, c.callSid).length >= 2, 8000, 'two turns');

    const [first, second] = turnRows(r, c.callSid);
    expect(first!.interrupted).toBe(true);
    expect(LONG_ANSWER.startsWith(first!.agentText.split(' ')[0]!)).toBe(true);
    expect(first!.agentText.length).toBeLessThan(LONG_ANSWER.length);
    // Pending TTS cancelled: the last sentences were never synthesized.
    const spoken = r.google.requests.map((q) => q.text);
    expect(spoken).not.toContain('מה תרצו לקבוע?');
    expect(second!.callerText).toBe('רגע, קוראים לי דני כהן');
    expect(second!.interrupted).toBe(false);
    // The model saw only what the caller heard of the interrupted answer.
    const lastChat = r.openai
      .requestsTo('/chat/completions')
      .filter((q) => q.body.stream)
      .at(-1)!;
    const history = JSON.stringify(lastChat.body.messages);
    expect(history).toContain('קטע');
    expect(history).not.toContain('מה תרצו לקבוע?');
    await c.stop();
  }, 30_000);

  it('a false interruption (no words) resumes the answer', async () => {
    const r = await setup({ google: { msPerChar: 45 } });
    const c = await r.connect({ speed: 1 });
    c.start();
    await greeted(r, c);
    r.caller.text = 'מה שעות הפתיחה?';
    r.openai.scriptChat({ content: 'המספרה פתוחה בימים ראשון עד חמישי, מתשע בבוקר ועד שש בערב.' });
    await c.say('price');
    await until(async () => (await liveState(r, c.callSid)) === 'speaking', 8000, 'speaking');
    await until(() => c.media.length > 60, 4000, 'agent audio');
    r.caller.text = '';
    await c.say('name');
    await c.waitFor(() => c.clears >= 1, 3000);
    const afterClear = c.media.length;
    await c.quiet(1200);
    await until(() => c.media.length > afterClear + 10, 5000, 'resumed audio');
    expect(r.t.logs().some((l) => l.msg === 'false interruption: resuming')).toBe(true);
    await c.stop();
  }, 30_000);
});

describe('degraded modes', () => {
  it('no OpenAI key: says the fixed Hebrew line, then closes the stream for the recording fallback', async () => {
    const r = await setup({ noOpenAI: true });
    const c = await r.connect({ speed: 4 });
    c.start();
    await c.waitFor(() => c.closed, 10_000);
    expect(r.google.requests.map((q) => q.text)).toContain(UNAVAILABLE_TEXT);
    expect(ulawRmsDb(c.outboundAudio())).toBeGreaterThan(-30);
    expect(callRow(r, c.callSid)!.endedBy).toBeNull();
    expect(r.twilio.callUpdates).toHaveLength(0);
  });

  it('no OpenAI key and no Google: the pre-rendered line is played', async () => {
    const r = await setup({ noOpenAI: true, noGoogle: true });
    const c = await r.connect({ speed: 4 });
    c.start();
    await c.waitFor(() => c.closed, 10_000);
    expect(c.media.length).toBeGreaterThan(50);
    expect(ulawRmsDb(c.outboundAudio())).toBeGreaterThan(-35);
  });

  it('Google failing: OpenAI TTS takes over, the call goes on', async () => {
    const r = await setup();
    r.google.fail(503);
    const c = await r.connect({ speed: 4 });
    c.start();
    await greeted(r, c);
    expect(r.openai.requestsTo('/audio/speech').length).toBeGreaterThan(0);
    expect(r.openai.requestsTo('/audio/speech')[0]!.body.response_format).toBe('pcm');
    expect(ulawRmsDb(c.outboundAudio())).toBeGreaterThan(-35);
    await c.stop();
  });

  it('an LLM failure says sorry and keeps listening; the next turn works', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 4 });
    c.start();
    await greeted(r, c);
    r.caller.text = 'מה המחיר?';
    r.openai.scriptChat({ status: 500 });
    await c.say('price');
    await c.quiet(300);
    await until(() => turnRows(r, c.callSid).length >= 1, 8000, 'failed turn');
    expect(turnRows(r, c.callSid)[0]!.errorCode).toBe('llm_failed');
    await until(async () => (await liveState(r, c.callSid)) === 'listening', 8000, 'listening again');
    r.caller.text = 'כמה עולה תספורת?';
    r.openai.scriptChat('שמונים שקלים.');
    await c.say('price');
    await c.quiet(300);
    await until(() => turnRows(r, c.callSid).length >= 2, 8000, 'second turn');
    expect(turnRows(r, c.callSid)[1]!.agentText).toBe('שמונים שקלים.');
    expect(turnRows(r, c.callSid)[1]!.errorCode).toBeNull();
    await c.stop();
  });

  it('a slow turn plays a filler at the deadline and still answers', async () => {
    const r = await setup();
    await r.t.api('voice.updateSettings', { turnDeadlineMs: 1000 });
    const c = await r.connect({ speed: 2 });
    c.start();
    await greeted(r, c);
    r.caller.text = 'מה המחיר?';
    r.openai.scriptChat({ content: 'שמונים שקלים.', delayMs: 1600 });
    await c.say('price');
    await c.quiet(300);
    await until(() => turnRows(r, c.callSid).length >= 1, 8000, 'turn');
    expect(r.google.requests.map((q) => q.text)).toContain(FILLER_TEXT);
    expect(turnRows(r, c.callSid)[0]!.agentText).toBe('שמונים שקלים.');
    await c.stop();
  });
});

describe('protocol robustness', () => {
  it('malformed frames are logged and ignored; the call goes on; nothing crashes', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 4 });
    c.sendRaw('{"event":"media","media":{"payload":"AAAA"}}'); // media before start
    c.sendRaw('not json at all');
    c.sendRaw(Buffer.from([1, 2, 3])); // binary
    c.start();
    c.sendRaw(JSON.stringify({ event: 'start', streamSid: 'MZx', start: { callSid: 'CAother' } })); // second start
    c.sendRaw(JSON.stringify({ event: 'weird' }));
    c.sendRaw(JSON.stringify({ event: 'media', media: { payload: '!!!notbase64' } }));
    c.sendRaw(JSON.stringify({ event: 'media', media: { payload: 'A'.repeat(20_000) } })); // oversized payload
    c.sendRaw('[]');
    c.sendRaw('null');
    await greeted(r, c);
    const reasons = r.t
      .logs()
      .filter((l) => l.msg === 'bad media frame ignored')
      .map((l) => l.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'media_before_start',
        'not_json',
        'second_start',
        'unknown_event',
        'bad_base64',
      ]),
    );
    expect(c.closed).toBe(false);
    r.caller.text = 'כמה עולה תספורת?';
    r.openai.scriptChat('שמונים שקלים.');
    await c.say('price');
    await c.quiet(300);
    await until(() => turnRows(r, c.callSid).length >= 1, 8000, 'a turn after the junk');
    await c.stop();
  });

  it('a message over the size limit closes only that socket; the server keeps serving', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 4 });
    c.start();
    await c.waitFor(() => c.media.length > 0, 5000);
    c.sendRaw('x'.repeat(100_000));
    await c.waitFor(() => c.closed, 5000);
    await until(() => r.voice.registry.sessions.size === 0, 5000, 'session finalized');
    const c2 = await r.connect({ speed: 4 });
    c2.start();
    await greeted(r, c2);
    await c2.stop();
  });

  it('refuses an upgrade without a valid signature; the skip flag relaxes it only when set', async () => {
    const r = await setup();
    await expect(r.connect({ signature: null })).rejects.toThrow(/403/);
    await expect(r.connect({ signature: 'bm90IGEgc2lnbmF0dXJl' })).rejects.toThrow(/403/);
    expect(r.t.logs().some((l) => l.msg === 'media stream refused: bad signature')).toBe(true);
    await r.stop();
    rig = await startVoiceRig({ env: { TWILIO_SKIP_SIGNATURE_VALIDATION: 'true' } });
    const c = await rig.connect({ signature: null, speed: 4 });
    c.start();
    await c.waitFor(() => c.media.length > 0, 5000);
    await c.stop();
  });

  it('an abrupt close mid-answer finalizes the call and records the turn', async () => {
    const r = await setup({ google: { msPerChar: 45 } });
    const c = await r.connect({ speed: 2 });
    c.start();
    await greeted(r, c);
    r.caller.text = 'מה שעות הפתיחה?';
    r.openai.scriptChat({ content: LONG_ANSWER, chunkChars: 4, chunkDelayMs: 30 });
    await c.say('price');
    await until(async () => (await liveState(r, c.callSid)) === 'speaking', 8000, 'speaking');
    c.kill();
    await until(() => r.voice.registry.sessions.size === 0, 5000, 'finalized');
    await r.voice.registry.settled();
    const t = turnRows(r, c.callSid);
    expect(t).toHaveLength(1);
    expect(t[0]!).toMatchObject({ interrupted: true, errorCode: 'caller_hangup' });
    expect(callRow(r, c.callSid)!.transcript).toContain('לקוח: מה שעות הפתיחה?');
  });

  it('a dead line (no media) is closed after the idle timeout, with heartbeats before', async () => {
    const r = await setup({ env: { MEDIA_IDLE_TIMEOUT_MS: '800', MEDIA_HEARTBEAT_MS: '150' } });
    const c = await r.connect({ speed: 4 });
    c.start();
    await c.waitFor(() => c.media.length > 0, 5000);
    c.mute();
    await c.waitFor(() => c.closed, 5000);
    const logs = r.t.logs();
    expect(logs.some((l) => l.msg === 'media heartbeat' && l.level === 'debug')).toBe(true);
    expect(logs.some((l) => l.msg === 'no inbound media: closing the stream')).toBe(true);
  });
});

describe('monitor actions and model-ended calls', () => {
  it('monitor.transfer says the transfer line and re-points the call at <Dial> to the owner', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 4 });
    c.start();
    await greeted(r, c);
    const res = await r.t.api('monitor.transfer', { callSid: c.callSid });
    expect(res.body.data ?? res.body).toMatchObject({ ok: true });
    const u = r.twilio.callUpdates.find((x) => x.callSid === c.callSid)!;
    expect(u.params.Twiml).toContain('<Dial');
    expect(u.params.Twiml).toContain('+972501234567');
    expect(callRow(r, c.callSid)!.endedBy).toBe('transfer');
    await c.stop();
  });

  it('monitor.hangup hangs up at once through REST', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 4 });
    c.start();
    await greeted(r, c);
    await r.t.api('monitor.hangup', { callSid: c.callSid });
    expect(r.twilio.callUpdates.find((x) => x.callSid === c.callSid)!.params.Status).toBe('completed');
    expect(callRow(r, c.callSid)!.endedBy).toBe('owner_hangup');
    const missing = await r.t.api('monitor.hangup', { callSid: 'CAnotlive' });
    expect(missing.status).toBe(404);
    await c.stop();
  });

  it('the model calls end_call: its own goodbye is spoken, then REST hang-up (404 = already ended is fine)', async () => {
    const r = await setup();
    const c = await r.connect({ speed: 4 });
    r.twilio.markCallMissing(c.callSid);
    c.start();
    await greeted(r, c);
    r.caller.text = 'זהו, אין לי עוד שאלות';
    r.openai.scriptChat({
      content: 'בסדר גמור, שיהיה לכם יום נהדר!',
      toolCalls: [{ name: 'end_call', arguments: { reason: 'caller_done' } }],
    });
    await c.say('price');
    await c.quiet(300);
    await until(() => r.t.logs().some((l) => l.msg === 'call hung up'), 8000, 'hang-up');
    expect(r.t.logs().find((l) => l.msg === 'call hung up')!.result).toBe('already_ended');
    expect(callRow(r, c.callSid)!.endedBy).toBe('agent_end_call');
    expect(r.google.requests.map((q) => q.text)).toContain('בסדר גמור, שיהיה לכם יום נהדר!');
    await c.stop();
  });
});
