import { describe, expect, it } from 'vitest';
import { safeBoundary, SentenceCutter } from '../../src-main/agent/sentence-cutter';

/** Streams the text in 3-character deltas, as a model does, and collects the pieces. */
function cutStreamed(text: string): string[] {
  const c = new SentenceCutter();
  return [...text.match(/.{1,3}/gsu)!.flatMap((x) => c.push(x)), ...c.flush()];
}

describe('sentence cutter: the first piece early, never inside a number, date, time, price or name', () => {
  it.each([
    [
      'a long first sentence: after four words',
      'אני יכולה לקבוע לכם תור למחר בבוקר אצל דנה הספרית שלנו. מתאים לכם?',
      ['אני יכולה לקבוע לכם', 'תור למחר בבוקר אצל דנה הספרית שלנו.', 'מתאים לכם?'],
    ],
    [
      'a short first sentence stays whole',
      'תספורת עולה שמונים שקלים. רוצים שאקבע לכם תור למחר בבוקר?',
      ['תספורת עולה שמונים שקלים.', 'רוצים שאקבע לכם תור למחר בבוקר?'],
    ],
    [
      'no lone-word tail: a six-word sentence stays whole',
      'בשמחה, אני אבדוק לכם את זה. המספרה פתוחה עד שש. רוצים לקבוע?',
      ['בשמחה, אני אבדוק לכם את זה.', 'המספרה פתוחה עד שש.', 'רוצים לקבוע?'],
    ],
    [
      'at a comma after three words',
      'אין שום בעיה, אני בודקת עכשיו ביומן מתי יש תור פנוי. רגע אחד.',
      ['אין שום בעיה,', 'אני בודקת עכשיו ביומן מתי יש תור פנוי.', 'רגע אחד.'],
    ],
    [
      'commas before the third word do not cut; four words do',
      'כן, בטח, אפשר לקבוע תור למחר בבוקר או אחר הצהריים. מה נוח?',
      ['כן, בטח, אפשר לקבוע', 'תור למחר בבוקר או אחר הצהריים.', 'מה נוח?'],
    ],
    [
      'a day and a time stay whole',
      'יש לנו תור פנוי ביום שלישי בשעה 14:30 אחר הצהריים אם זה מתאים לכם.',
      ['יש לנו תור פנוי', 'ביום שלישי בשעה 14:30 אחר הצהריים אם זה מתאים לכם.'],
    ],
    [
      'a price in words stays whole',
      'לצבע ולתספורת יחד זה שלוש מאות וחמישים שקלים כולל מע"מ ותספורת.',
      ['לצבע ולתספורת יחד זה', 'שלוש מאות וחמישים שקלים כולל מע"מ ותספורת.'],
    ],
    [
      'a price in digits stays whole',
      'המחיר הוא ₪ 350 לטיפול אחד כולל ייעוץ קצר.',
      ['המחיר הוא ₪ 350 לטיפול', 'אחד כולל ייעוץ קצר.'],
    ],
    [
      'a phone number stays whole',
      'אפשר להתקשר אלינו למספר 03-555 1234 בכל שעה ביום.',
      ['אפשר להתקשר אלינו למספר 03-555 1234 בכל שעה ביום.'],
    ],
    [
      'a dictated phone number stays whole',
      'המספר שרשמתי הוא 050 123 4567 וזה נשמר אצלנו במערכת.',
      ['המספר שרשמתי הוא 050 123 4567 וזה', 'נשמר אצלנו במערכת.'],
    ],
    [
      'a date stays whole',
      'הפגישה נקבעה ל-3 בדצמבר 2026 בעשר בבוקר במשרד שלנו בתל אביב.',
      ['הפגישה נקבעה ל-3 בדצמבר 2026 בעשר בבוקר', 'במשרד שלנו בתל אביב.'],
    ],
    [
      'a name after a title stays whole',
      'התור שלכם נקבע אצל ד"ר משה כהן ביום ראשון הקרוב בבוקר.',
      ['התור שלכם נקבע אצל ד"ר משה כהן', 'ביום ראשון הקרוב בבוקר.'],
    ],
    [
      'a name after "שמי" stays whole',
      'שלום רב לכם, שמי דנה לוי ואני העוזרת של המספרה.',
      ['שלום רב לכם,', 'שמי דנה לוי ואני העוזרת של המספרה.'],
    ],
    [
      'an English name stays whole',
      'הפגישה שלכם עם John Smith נקבעה למחר בבוקר.',
      ['הפגישה שלכם עם John Smith', 'נקבעה למחר בבוקר.'],
    ],
    [
      'not before a possessive',
      'נשמח לראות אתכם בסניף שלנו ברחוב הרצל 12 בתל אביב.',
      ['נשמח לראות אתכם בסניף שלנו', 'ברחוב הרצל 12 בתל אביב.'],
    ],
    ['one word', 'כן.', ['כן.']],
    ['no punctuation at all', 'אני מבינה לגמרי את הבעיה', ['אני מבינה לגמרי את הבעיה']],
  ])('%s', (_name, text, pieces) => {
    expect(cutStreamed(text)).toEqual(pieces);
  });

  it('gives the first piece while the first sentence is still streaming', () => {
    const c = new SentenceCutter();
    expect(c.push('אני יכולה לקבוע לכם תור ')).toEqual([]);
    expect(c.push('למחר ')).toEqual(['אני יכולה לקבוע לכם']);
    expect(c.push('בבוקר אצל דנה. ')).toEqual(['תור למחר בבוקר אצל דנה.']);
  });

  it('keeps sentence boundaries after the first piece, with a length cap at a safe word', () => {
    const long = 'אנחנו עובדים עם ' + 'הרבה לקוחות מרוצים '.repeat(9) + 'כבר שלוש שנים ברציפות וזה ממשיך.';
    const pieces = cutStreamed(`בסדר גמור. ${long} תודה.`);
    expect(pieces[0]).toBe('בסדר גמור.');
    expect(pieces.at(-1)).toBe('תודה.');
    const middle = pieces.slice(1, -1);
    expect(middle.length).toBeGreaterThanOrEqual(2);
    expect(middle.join(' ')).toBe(long);
    expect(middle[0]!.length).toBeGreaterThan(140);
    for (const p of middle) expect(p).not.toMatch(/ שלוש$/);
  });
});

describe('safe word boundary', () => {
  it.each([
    ['שמונים', 'שקלים', '', false],
    ['עולה', 'שמונים', '', true],
    ['בשעה', 'שלוש', '', false],
    ['שלוש', 'וחצי', '', false],
    ['וחצי', 'בבוקר', '', false],
    ['050', '1234567', '', false],
    ['ב-3', 'בדצמבר', '', false],
    ['בדצמבר', '2026', '', false],
    ['ביום', 'שלישי', '', false],
    ['ד"ר', 'כהן', '', false],
    ['משה', 'כהן', 'ד"ר', false],
    ['דנה', 'לוי', 'שמי', false],
    ['Tel', 'Aviv', '', false],
    ['את', 'זה', '', false],
    ['בסניף', 'שלנו', '', false],
    ['לכם', 'תור', '', true],
    ['כהן', 'ביום', 'משה', true],
  ])('%s | %s (after %s): %s', (a, b, before, ok) => {
    expect(safeBoundary(a, b, before)).toBe(ok);
  });
});
