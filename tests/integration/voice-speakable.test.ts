/**
 * Spoken Hebrew on a real call: the greeting and the streamed answer reach the (fake) Google TTS
 * as speakable Hebrew — times, dates, prices, phone numbers in words — while the turn row, the
 * call transcript and the conversation keep what the model wrote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callRow, isSummaryRequest, startVoiceRig, turnRows, type VoiceRig } from '../helpers/voice';

let rig: VoiceRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const GREETING = 'שלום, הגעתם למספרת דני. אנחנו פתוחים א׳–ה׳ 9:00–18:00.';
const ANSWER = 'קבעתי לכם תור ב-3/12 בשעה 14:30. המחיר 1,250.50 ₪, ואפשר להתקשר ל-050-1234567.';

describe('voice agent: spoken Hebrew', () => {
  it('sends the spoken form to TTS and records the written one', async () => {
    rig = await startVoiceRig();
    const r = rig;
    r.t.core.business.updateProfile({ name: 'מספרת דני' });
    r.t.core.business.updateKnowledge({ greeting: GREETING });
    r.openai.setDefaultChat((req) =>
      isSummaryRequest(req)
        ? JSON.stringify({ summary: 'נקבע תור.', name: null, reason: 'תור', callback_requested: false })
        : 'סליחה, לא הבנתי.',
    );
    const c = await r.connect({ speed: 2 });
    c.start();
    await c.waitFor(() => c.media.length >= 10, 3000);

    r.caller.text = 'מתי התור שלי?';
    r.openai.scriptChat({ content: ANSWER, chunkChars: 7, chunkDelayMs: 5 });
    await c.say('book');
    await c.quiet(400);
    await c.waitFor(() => turnRows(r, c.callSid).length >= 1, 10_000);

    const said = r.google.requests.map((q) => q.text);
    expect(said).toContain('שלום, הגעתם למספרת דני. אנחנו פתוחים ראשון עד חמישי תשע בבוקר עד שש בערב.');
    expect(said).toContain('קבעתי לכם תור בשלושה בדצמבר בשעה שתיים וחצי אחר הצהריים.');
    expect(said).toContain(
      'המחיר אלף מאתיים וחמישים שקלים וחמישים אגורות, ואפשר להתקשר לאפס חמש אפס, אחת שתיים שלוש, ארבע חמש שש שבע.',
    );
    expect(said.join(' ')).not.toMatch(/\d/);

    expect(turnRows(r, c.callSid)[0]!.agentText).toBe(ANSWER);
    await c.stop();
    await c.waitFor(() => r.voice.registry.sessions.size === 0, 3000);
    await r.voice.registry.settled();
    const transcript = callRow(r, c.callSid)!.transcript!;
    expect(transcript).toContain(GREETING);
    expect(transcript).toContain(ANSWER);
    // The after-call summary reads the written answer, not the spoken one.
    const chats = JSON.stringify(r.openai.requests.filter((q) => q.path.includes('chat')));
    expect(chats).toContain('14:30');
    expect(chats).not.toContain('שתיים וחצי אחר הצהריים');
  }, 30_000);
});
