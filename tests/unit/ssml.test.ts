import { describe, expect, it } from 'vitest';
import { escapeXml, toSsml } from '../../src-main/agent/spoken/ssml';
import { wellFormedSsml } from '../fakes/google-tts';

describe('SSML say-as only for what the normalizer leaves', () => {
  it.each([
    [
      'an international phone number',
      'התקשרו ל-+1 212 555 0100 בכל שעה',
      '<speak>התקשרו ל-<say-as interpret-as="telephone">+1 212 555 0100</say-as> בכל שעה</speak>',
    ],
    [
      'a London number with dashes',
      'המשרד בלונדון: +44-20-7946-0958.',
      '<speak>המשרד בלונדון: <say-as interpret-as="telephone">+44-20-7946-0958</say-as>.</speak>',
    ],
    [
      'a year-first date with slashes',
      'נקבע ל-2026/12/3 בבוקר',
      '<speak>נקבע ל-<say-as interpret-as="date" format="yyyymmdd" detail="1">2026-12-03</say-as> בבוקר</speak>',
    ],
    [
      'a year-first date with dots',
      'התאריך 2026.01.15',
      '<speak>התאריך <say-as interpret-as="date" format="yyyymmdd" detail="1">2026-01-15</say-as></speak>',
    ],
    [
      'a time with seconds',
      'השיחה התחילה ב-9:05:30 בדיוק',
      '<speak>השיחה התחילה ב-<say-as interpret-as="time" format="hms24">09:05:30</say-as> בדיוק</speak>',
    ],
    [
      'a letter-digit code, and the rest still made speakable and escaped',
      'מספר ההזמנה AB12345 נשמר, נתראה ב-10:30 & "מחר" <b>',
      '<speak>מספר ההזמנה <say-as interpret-as="characters">AB12345</say-as> נשמר, נתראה בעשר וחצי בבוקר &amp; &quot;מחר&quot; &lt;b&gt;</speak>',
    ],
    [
      'two marks in one sentence',
      'קוד 7XK2 לשיחה עם +1 415 555 2671',
      '<speak>קוד <say-as interpret-as="characters">7XK2</say-as> לשיחה עם <say-as interpret-as="telephone">+1 415 555 2671</say-as></speak>',
    ],
  ])('%s', (_name, written, ssml) => {
    expect(toSsml(written)).toBe(ssml);
    expect(wellFormedSsml(ssml)).toBe(true);
  });

  it.each([
    ['an Israeli mobile: the normalizer says it', 'מספר 050-1234567'],
    ['an Israeli number with +972', '+972 50 123 4567'],
    ['a day-first date', 'ב-3.12.2026 בשעה 10:30'],
    ['an ISO date', 'ב-2026-12-03'],
    ['a time without seconds', 'בשעה 14:30'],
    ['a price', '₪80 לתספורת'],
    ['an impossible date', 'ב-2026/13/40'],
    ['an impossible time', '25:61:00'],
    ['Latin letters only', 'ABC ו-WhatsApp'],
    ['markup characters only', 'a < b & c'],
  ])('%s: plain text (undefined)', (_name, written) => {
    expect(toSsml(written)).toBeUndefined();
  });

  it('escapes the five XML characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
