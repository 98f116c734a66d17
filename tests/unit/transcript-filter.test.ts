import { describe, expect, it } from 'vitest';
import { judgeTranscript } from '../../src-main/telephony/transcript-filter';

describe('judgeTranscript', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['...', 'empty'],
    ['אה', 'filler'],
    ['אה... אממ', 'filler'],
    ['תודה רבה.', 'hallucination'],
    ['Thank you for watching!', 'hallucination'],
    ['כתוביות', 'hallucination'],
    ['הלו', 'too_short'],
    ['כן כן כן כן כן כן כן', 'repetitive'],
  ])('drops %j (%s)', (text, reason) => {
    expect(judgeTranscript(text)).toEqual({ ok: false, reason });
  });

  it.each([
    'שלום, זה דני. תחזרו אליי בבקשה',
    'רציתי לשאול כמה עולה תספורת',
    'Hi, please call me back about the invoice',
  ])('keeps %j', (text) => {
    expect(judgeTranscript(text)).toEqual({ ok: true, text });
  });

  it('ignores vowel points when judging', () => {
    expect(judgeTranscript('תּוֹדָה רַבָּה')).toMatchObject({ ok: false, reason: 'hallucination' });
  });
});
