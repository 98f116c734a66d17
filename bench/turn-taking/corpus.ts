/**
 * The Hebrew caller turns of `bench turn-taking`: each turn is a list of segments, each with what
 * espeak-ng says (`say`, sometimes with niqqud so a lone prefix letter sounds like one) and what a
 * transcriber writes for it (`text`; a turn's transcript is its segments' texts joined as written,
 * so a segment that continues a word starts without a space), and the silence after it. The
 * last segment of a turn carries the sentence's punctuation; a transcript of only part of the turn
 * ends where the audio ends ("אני רוצה לקבוע תור ל").
 *
 * Kinds: `pause` (a mid-utterance pause of 0.5–1.5 s after ו/ש/ל/ב/אבל/כי/אם), `digits` (a phone
 * or ID number dictated in digit groups, pauses between the groups), `hesitation` (אממ/אה and a
 * pause), `short` (כן/לא/בסדר/נכון as a whole turn), `question` (a complete question; with
 * `longAnswer` the agent's answer is long and a `backchannel` follows it), `backchannel` (כן/אהה/
 * נכון/בסדר said while the agent is speaking: it must not stop the agent).
 */
export type TurnKind = 'pause' | 'digits' | 'hesitation' | 'short' | 'question' | 'backchannel';

export interface Segment {
  say: string;
  text: string;
  /** Silence after this segment (not after the last). */
  pauseMs: number;
  /**
   * What is written after each spoken word but the last, when the spoken and written words do
   * not pair up one to one (digits said as words, written as a number).
   */
  written?: string[];
}

export interface Turn {
  id: string;
  kind: TurnKind;
  segments: Segment[];
  /** The agent's answer to this turn is long (a backchannel is said over it). */
  longAnswer?: boolean;
}

/** Pause lengths, in turn: 0.5–1.5 s. */
const PAUSES = [500, 700, 900, 1100, 1300, 1500, 800, 1200, 600, 1000, 1400];
let pauseNo = 0;
const nextPause = () => PAUSES[pauseNo++ % PAUSES.length]!;

/** Segments from alternating say/text pairs: `[say, text, say, text, …]`; a pause between each. */
function segs(...parts: string[]): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < parts.length; i += 2)
    out.push({ say: parts[i]!, text: parts[i + 1]!, pauseMs: i + 2 < parts.length ? nextPause() : 0 });
  return out;
}
/** A segment spoken as written. */
const same = (...texts: string[]) => segs(...texts.flatMap((t) => [t.trim(), t]));

/** Spoken forms of a lone prefix letter (espeak reads the bare letter by its name). */
const PREFIX_SAY: Record<string, string> = { ו: 'וֶ', ש: 'שֶ', ל: 'לֶ', ב: 'בֶ' };
/** "…ל" + pause + "מחר": the prefix letter is said alone, and written glued to the next word. */
function prefixed(head: string, letter: string, tail: string): Segment[] {
  return segs(`${head} ${PREFIX_SAY[letter]!}`, `${head} ${letter}`, tail, tail);
}

const PAUSE_TURNS: Segment[][] = [
  prefixed('אני רוצה לקבוע תור', 'ל', 'מחר בבוקר.'),
  prefixed('רציתי לשאול על המחירים', 'ו', 'גם על שעות הפתיחה.'),
  prefixed('אני צריך טכנאי', 'ש', 'יגיע עד יום חמישי.'),
  prefixed('אפשר לקבוע', 'ב', 'יום ראשון בערב?'),
  prefixed('אני רוצה לבטל את התור', 'ו', 'לקבוע חדש.'),
  prefixed('חשבתי', 'ש', 'אתם פתוחים גם בשבת.'),
  prefixed('אני מגיע', 'ב', 'שעה ארבע.'),
  prefixed('הבן שלי צריך תור', 'ל', 'רופא שיניים.'),
  prefixed('קניתי אצלכם מכונה', 'ו', 'היא הפסיקה לעבוד.'),
  prefixed('אמרו לי', 'ש', 'אפשר להחליף את המוצר.'),
  prefixed('אני רוצה להזמין מקום', 'ל', 'ארבעה אנשים.'),
  prefixed('אני גר', 'ב', 'רחוב הרצל בחיפה.'),
  same('הייתי אצלכם בשבוע שעבר אבל', ' הבעיה חזרה.'),
  same('אני מתקשר כי', ' המזגן שוב מטפטף.'),
  same('אני אשמח לבוא אם', ' יש לכם מקום היום.'),
  same('רציתי לבוא מחר אבל', ' יש לי עבודה עד חמש.'),
  same('אני שואל כי', ' השכן המליץ עליכם.'),
  same('תתקשרו אליי אם', ' מתפנה משהו השבוע.'),
  same('הזמנתי משלוח אבל', ' הוא עוד לא הגיע.'),
  same('אני לא יכול בבוקר כי', ' אני עובד.'),
  same('אפשר להקדים את התור אם', ' מישהו מבטל?'),
  same('התקשרתי אתמול אבל', ' אף אחד לא ענה.'),
  same('אני צריך את זה דחוף כי', ' יש לי אירוע בשבת.'),
  same('אני אגיע בזמן אם', ' לא יהיו פקקים.'),
  [
    { say: 'אני רוצה לֶ', text: 'אני רוצה ל', pauseMs: nextPause() },
    { say: 'הזמין טכנאי וֶ', text: 'הזמין טכנאי ו', pauseMs: nextPause() },
    { say: 'לשאול כמה זה עולה.', text: 'לשאול כמה זה עולה.', pauseMs: 0 },
  ],
  [
    { say: 'קבעתי תור אבל', text: 'קבעתי תור אבל', pauseMs: nextPause() },
    { say: 'שכחתי מתי', text: ' שכחתי מתי', pauseMs: nextPause() },
    { say: 'אפשר לבדוק?', text: ' אפשר לבדוק?', pauseMs: 0 },
  ],
  [
    { say: 'אני רוצה לבוא כי', text: 'אני רוצה לבוא כי', pauseMs: nextPause() },
    { say: 'יש לי כאב ראש וֶ', text: ' יש לי כאב ראש ו', pauseMs: nextPause() },
    { say: 'הוא לא עובר.', text: 'הוא לא עובר.', pauseMs: 0 },
  ],
  prefixed('אני רוצה לדבר', 'ב', 'טלפון עם המנהל.'),
  same('אני אשלם במזומן אם', ' זה בסדר מבחינתכם.'),
  prefixed('צריך להביא משהו', 'ל', 'פגישה הראשונה?'),
  same('ההזמנה שלי על שם כהן אבל', ' הטלפון הוא של אשתי.'),
  prefixed('אפשר לשלוח את החשבונית', 'ל', 'מייל שלי?'),
  prefixed('אני מחפש עבודה', 'ש', 'תעשו לי בבית.'),
  same('אני לא בטוח כי', ' לא ראיתי את המחיר.'),
  prefixed('אני רוצה לבוא עם הילדים', 'ו', 'עם סבתא.'),
];

const DIGIT_WORDS = ['אפס', 'אחת', 'שתיים', 'שלוש', 'ארבע', 'חמש', 'שש', 'שבע', 'שמונה', 'תשע'];
const spoken = (digits: string) => [...digits].map((d) => DIGIT_WORDS[Number(d)]!).join(' ');
/** A number dictated in groups: "<lead> 052" … " 4567." (written as digits, spoken as words). */
function dictated(lead: string, groups: string[]): Segment[] {
  return groups.map((g, i) => {
    const head = i === 0 ? lead.split(' ').map((_, k, ws) => ws.slice(0, k + 1).join(' ')) : [];
    const before = i === 0 ? `${lead} ` : ' ';
    const digits = [...g].map((_, k) => `${before}${g.slice(0, k + 1)}`);
    return {
      say: `${i === 0 ? `${lead} ` : ''}${spoken(g)}`,
      text: `${before}${g}${i === groups.length - 1 ? '.' : ''}`,
      pauseMs: i < groups.length - 1 ? nextPause() : 0,
      written: [...head, ...digits].slice(0, -1),
    };
  });
}

const DIGIT_TURNS: Segment[][] = [
  dictated('המספר שלי הוא', ['052', '381', '4467']),
  dictated('הטלפון שלי', ['054', '7720', '193']),
  dictated('תרשום', ['050', '6615', '228']),
  dictated('המספר', ['053', '449', '1870']),
  dictated('אפשר לחזור אליי', ['058', '312', '9054']),
  dictated('הנייד של אשתי', ['052', '66', '701', '43']),
  dictated('מספר תעודת הזהות שלי', ['312', '456', '789']),
  dictated('תעודת זהות', ['203', '118', '457']),
  dictated('הזהות שלי', ['0398', '17', '552']),
  dictated('מספר ההזמנה', ['4471', '2093']),
  dictated('המספר שלי הוא', ['03', '5567', '812']),
  dictated('תעודת הזהות של הבן', ['341', '220', '917']),
  dictated('הטלפון בבית', ['04', '8821', '356']),
  dictated('מספר הלקוח שלי', ['7713', '402']),
  dictated('תרשום בבקשה', ['054', '290', '3318']),
  dictated('ת"ז', ['025', '774', '136']),
];

const HESITATION_TURNS: Segment[][] = [
  segs('אֶמְמְ', 'אממ', 'אני רוצה לבדוק משהו.', ' אני רוצה לבדוק משהו.'),
  segs('אני צריך, אֶה', 'אני צריך, אה', 'תור לתספורת.', ' תור לתספורת.'),
  segs('אֶה', 'אה', 'כמה זה עולה?', ' כמה זה עולה?'),
  segs('אֶמְמְ', 'אממ', 'מתי אתם סוגרים היום?', ' מתי אתם סוגרים היום?'),
  segs('רציתי, אֶמְמְ', 'רציתי, אממ', 'לשאול על הזמנה.', ' לשאול על הזמנה.'),
  segs('אֶה', 'אה', 'יש לכם חניה?', ' יש לכם חניה?'),
  segs('אני, אֶה', 'אני, אה', 'לא זוכר את השם שלו.', ' לא זוכר את השם שלו.'),
  segs('אֶמְמְ', 'אממ', 'אפשר לדבר עם דני?', ' אפשר לדבר עם דני?'),
  segs('זה לגבי, אֶה', 'זה לגבי, אה', 'החשבון של החודש.', ' החשבון של החודש.'),
  segs('אֶה', 'אה', 'אני מתקשר לגבי התיקון.', ' אני מתקשר לגבי התיקון.'),
  segs('אֶמְמְ', 'אממ', 'אתם עושים גם משלוחים?', ' אתם עושים גם משלוחים?'),
  segs('שנייה, אֶה', 'שנייה, אה', 'אני בודק ביומן.', ' אני בודק ביומן.'),
  segs('אֶמְמְ', 'אממ', 'אני רוצה לשנות את השעה.', ' אני רוצה לשנות את השעה.'),
  segs('אֶה', 'אה', 'אני צריך, אֶמְמְ', ' אני צריך, אממ', 'הצעת מחיר לשיפוץ.', ' הצעת מחיר לשיפוץ.'),
  segs('כן, אֶה', 'כן, אה', 'רציתי לשאול משהו.', ' רציתי לשאול משהו.'),
  segs('אֶמְמְ', 'אממ', 'איפה אתם נמצאים?', ' איפה אתם נמצאים?'),
];

const SHORT = [
  ['כן', 'כן.'],
  ['לא', 'לא.'],
  ['בְסֵדֶר', 'בסדר.'],
  ['נכון', 'נכון.'],
];
const BACKCHANNELS = [
  ['כן', 'כן.'],
  ['אַהָה', 'אהה.'],
  ['נכון', 'נכון.'],
  ['בְסֵדֶר', 'בסדר.'],
];

const QUESTIONS = [
  'כמה עולה תספורת?',
  'מתי אתם פתוחים ביום שישי?',
  'אפשר לקבוע תור למחר?',
  'איפה אתם נמצאים?',
  'יש לכם מקום השבוע?',
  'כמה זמן לוקח הטיפול?',
  'אתם מקבלים כרטיס אשראי?',
  'יש חניה ליד העסק?',
  'אפשר לדבר עם בעל העסק?',
  'מה שעות הפתיחה שלכם?',
  'אתם עובדים גם בערב?',
  'כמה עולה ביקור טכנאי?',
  'יש אחריות על התיקון?',
  'אפשר לשלם בתשלומים?',
  'מתי הטכנאי יכול להגיע?',
  'אתם מגיעים גם לחולון?',
  'יש לכם הנחה לסטודנטים?',
  'מה צריך להביא לפגישה?',
  'אפשר לבטל תור בטלפון?',
  'כמה זמן מראש צריך לקבוע?',
  'אתם פתוחים בחגים?',
  'יש לכם מקום בשבוע הבא?',
];
/** Questions whose answer is long, and a backchannel said over it. */
const LONG_ANSWER_QUESTIONS = 16;

export interface Corpus {
  turns: Turn[];
  /** The calls: each a list of turn ids, in order (a backchannel right after its long answer's question). */
  calls: string[][];
}

/** A small deterministic shuffle (the same corpus every run). */
function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = (s >>> 8) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function buildCorpus(callCount: number): Corpus {
  const turns: Turn[] = [];
  const add = (kind: TurnKind, segments: Segment[], longAnswer = false): Turn => {
    const t: Turn = { id: `${kind}-${turns.filter((x) => x.kind === kind).length + 1}`, kind, segments };
    if (longAnswer) t.longAnswer = true;
    turns.push(t);
    return t;
  };
  /** A unit keeps its turns together in one call (a question and the backchannel over its answer). */
  const units: Turn[][] = [];
  for (const s of PAUSE_TURNS) units.push([add('pause', s)]);
  for (const s of DIGIT_TURNS) units.push([add('digits', s)]);
  for (const s of HESITATION_TURNS) units.push([add('hesitation', s)]);
  for (let i = 0; i < 16; i++) {
    const [say, text] = SHORT[i % SHORT.length]!;
    units.push([add('short', [{ say: say!, text: text!, pauseMs: 0 }])]);
  }
  QUESTIONS.forEach((q, i) => {
    const long = i < LONG_ANSWER_QUESTIONS;
    const question = add('question', same(q), long);
    if (!long) return units.push([question]);
    const [say, text] = BACKCHANNELS[i % BACKCHANNELS.length]!;
    units.push([question, add('backchannel', [{ say: say!, text: text!, pauseMs: 0 }])]);
  });
  const calls: string[][] = Array.from({ length: callCount }, () => []);
  shuffle(units, 20261203).forEach((u, i) => calls[i % callCount]!.push(...u.map((t) => t.id)));
  return { turns, calls };
}

/** What a transcriber writes for a whole turn. */
export const turnText = (t: Turn): string => t.segments.map((s) => s.text).join('');
