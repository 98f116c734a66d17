/**
 * The gender of the word after a number, so the number agrees with it ("שלוש שעות", "שלושה
 * ימים"). A small table of nouns a receptionist counts (time, money, measures, people, places),
 * then the plural ending: ־ים masculine and ־ות feminine, with the common exceptions either way
 * (שנים and פעמים are feminine, שבועות and מקומות masculine). A word that is neither in the table
 * nor a plural is not treated as counted.
 */
import type { Gender, Noun } from './numbers';

const n = (sg: string, g: Gender, dual?: string): Noun => (dual ? { sg, g, dual } : { sg, g });

const TIME_AND_MONEY: Array<[Noun, string[]]> = [
  [n('שעה', 'f', 'שעתיים'), ['שעה', 'שעות']],
  [n('דקה', 'f'), ['דקה', 'דקות', "דק'", 'דק׳']],
  [n('שנייה', 'f'), ['שנייה', 'שניה', 'שניות']],
  [n('יום', 'm', 'יומיים'), ['יום', 'ימים', 'ימי']],
  [n('שבוע', 'm', 'שבועיים'), ['שבוע', 'שבועות', 'שבועי']],
  [n('חודש', 'm', 'חודשיים'), ['חודש', 'חודשים', 'חודשי']],
  [n('שנה', 'f', 'שנתיים'), ['שנה', 'שנים', 'שנות']],
  [n('פעם', 'f', 'פעמיים'), ['פעם', 'פעמים']],
  [n('לילה', 'm'), ['לילה', 'לילות']],
  [n('תור', 'm'), ['תור', 'תורים']],
  [n('פגישה', 'f'), ['פגישה', 'פגישות']],
  [n('שקל', 'm'), ['שקל', 'שקלים']],
  [n('אגורה', 'f'), ['אגורה', 'אגורות']],
  [n('דולר', 'm'), ['דולר', 'דולרים']],
  [n('אחוז', 'm'), ['אחוז', 'אחוזים']],
  [n('תשלום', 'm'), ['תשלום', 'תשלומים']],
];

const MEASURES_AND_THINGS: Array<[Noun, string[]]> = [
  [n('מטר', 'm'), ['מטר', 'מטרים']],
  [n('מטר רבוע', 'm'), ['מ"ר', 'מ״ר']],
  [n('קילומטר', 'm'), ['קילומטר', 'קילומטרים', 'ק"מ', 'ק״מ']],
  [n('קילו', 'm'), ['קילו', 'קילוגרם', 'ק"ג', 'ק״ג']],
  [n('גרם', 'm'), ['גרם', 'גרמים']],
  [n('ליטר', 'm'), ['ליטר', 'ליטרים']],
  [n('סנטימטר', 'm'), ['סנטימטר', 'ס"מ', 'ס״מ']],
  [n('איש', 'm'), ['איש', 'אנשים']],
  [n('אישה', 'f'), ['אישה', 'נשים']],
  [n('ילד', 'm'), ['ילד', 'ילדים']],
  [n('לקוח', 'm'), ['לקוח', 'לקוחות']],
  [n('מקום', 'm'), ['מקום', 'מקומות']],
  [n('חדר', 'm'), ['חדר', 'חדרים']],
  [n('קומה', 'f'), ['קומה', 'קומות']],
  [n('דירה', 'f'), ['דירה', 'דירות']],
  [n('סניף', 'm'), ['סניף', 'סניפים']],
  [n('טיפול', 'm'), ['טיפול', 'טיפולים']],
  [n('מנה', 'f'), ['מנה', 'מנות']],
  [n('שאלה', 'f'), ['שאלה', 'שאלות']],
  [n('אפשרות', 'f'), ['אפשרות', 'אפשרויות']],
  [n('מילה', 'f'), ['מילה', 'מילים', 'מלים']],
  [n('עיר', 'f'), ['עיר', 'ערים']],
  [n('כוכב', 'm'), ['כוכב', 'כוכבים']],
  [n('רחוב', 'm'), ['רחוב', 'רחובות']],
  [n('שולחן', 'm'), ['שולחן', 'שולחנות']],
  [n('כיסא', 'm'), ['כיסא', 'כסא', 'כיסאות', 'כסאות']],
];

const TABLE = new Map<string, Noun>();
for (const [noun, forms] of [...TIME_AND_MONEY, ...MEASURES_AND_THINGS])
  for (const f of forms) TABLE.set(f, noun);

/** Plurals in ־ים that are feminine. */
const FEMININE_IM = new Set(['ביצים', 'אבנים', 'שיניים', 'נעליים', 'רגליים', 'ידיים', 'עיניים', 'אוזניים']);
/** Plurals in ־ות that are masculine. */
const MASCULINE_OT = new Set([
  'חלונות',
  'קולות',
  'זוגות',
  'דורות',
  'ארונות',
  'כוחות',
  'שמות',
  'חובות',
  'סודות',
  'חלומות',
  'מקורות',
  'פתרונות',
  'רעיונות',
  'יתרונות',
  'חסרונות',
  'חשבונות',
  'קירות',
  'מוסדות',
  'אוצרות',
  'מזלגות',
  'ארגונות',
]);

/** The counted noun for a word (known: from the table, so its singular is right), if it is one. */
export function nounFor(word: string): { noun: Noun; known: boolean } | undefined {
  const noun = TABLE.get(word);
  if (noun) return { noun, known: true };
  if (word.length < 3) return undefined;
  if (word.endsWith('ים')) return { noun: { sg: word, g: FEMININE_IM.has(word) ? 'f' : 'm' }, known: false };
  if (word.endsWith('ות')) return { noun: { sg: word, g: MASCULINE_OT.has(word) ? 'm' : 'f' }, known: false };
  return undefined;
}

/** Written abbreviations and how they are said (both geresh/gershayim spellings). */
const ABBREVIATIONS_ASCII: Record<string, string> = {
  'אחה"צ': 'אחר הצהריים',
  'ת"ז': 'תעודת זהות',
  "מס'": 'מספר',
  "רח'": 'רחוב',
  "שד'": 'שדרות',
  "טל'": 'טלפון',
  "וכו'": 'וכולי',
  "דק'": 'דקות',
  'ש"ח': 'שקלים',
  'ק"מ': 'קילומטר',
  'ק"ג': 'קילו',
  'ס"מ': 'סנטימטר',
  'מ"ר': 'מטר רבוע',
  'ז"א': 'זאת אומרת',
  "עמ'": 'עמוד',
};
export const ABBREVIATIONS = new Map<string, string>();
for (const [k, v] of Object.entries(ABBREVIATIONS_ASCII)) {
  ABBREVIATIONS.set(k, v);
  ABBREVIATIONS.set(k.replace('"', '״').replace("'", '׳'), v);
}

/** Words that already say the part of the day, so a time does not add it again. */
export const DAY_PART_WORDS = new Set([
  'בבוקר',
  'בצהריים',
  'בצהרים',
  'בערב',
  'בלילה',
  'אחה"צ',
  'אחה״צ',
  'אחר',
  'לפנות',
]);
