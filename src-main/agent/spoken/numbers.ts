/**
 * Hebrew number words for the phone voice: cardinals in both genders (the feminine is the
 * counting form — bare numbers, house and room numbers, hours, years), the construct state of
 * thousands (שלושת אלפים), millions and billions, a number before a counted noun (dual forms
 * such as שעתיים, "יום אחד" after the noun), ordinals, digit-by-digit reading, times of day,
 * dates and money. Pure functions, no I/O.
 */

export type Gender = 'f' | 'm';

const UNITS: Record<Gender, readonly string[]> = {
  f: ['אפס', 'אחת', 'שתיים', 'שלוש', 'ארבע', 'חמש', 'שש', 'שבע', 'שמונה', 'תשע'],
  m: ['אפס', 'אחד', 'שניים', 'שלושה', 'ארבעה', 'חמישה', 'שישה', 'שבעה', 'שמונה', 'תשעה'],
};
const TEENS: Record<Gender, readonly string[]> = {
  f: [
    'עשר',
    'אחת עשרה',
    'שתים עשרה',
    'שלוש עשרה',
    'ארבע עשרה',
    'חמש עשרה',
    'שש עשרה',
    'שבע עשרה',
    'שמונה עשרה',
    'תשע עשרה',
  ],
  m: [
    'עשרה',
    'אחד עשר',
    'שנים עשר',
    'שלושה עשר',
    'ארבעה עשר',
    'חמישה עשר',
    'שישה עשר',
    'שבעה עשר',
    'שמונה עשר',
    'תשעה עשר',
  ],
};
const TENS = ['', '', 'עשרים', 'שלושים', 'ארבעים', 'חמישים', 'שישים', 'שבעים', 'שמונים', 'תשעים'];
const HUNDREDS = [
  '',
  'מאה',
  'מאתיים',
  'שלוש מאות',
  'ארבע מאות',
  'חמש מאות',
  'שש מאות',
  'שבע מאות',
  'שמונה מאות',
  'תשע מאות',
];
/** 3000–10000: the construct state before אלפים. */
const THOUSANDS_CONSTRUCT = ['', '', '', 'שלושת', 'ארבעת', 'חמשת', 'ששת', 'שבעת', 'שמונת', 'תשעת', 'עשרת'];

const ORDINALS: Record<Gender, readonly string[]> = {
  m: ['', 'ראשון', 'שני', 'שלישי', 'רביעי', 'חמישי', 'שישי', 'שביעי', 'שמיני', 'תשיעי', 'עשירי'],
  f: ['', 'ראשונה', 'שנייה', 'שלישית', 'רביעית', 'חמישית', 'שישית', 'שביעית', 'שמינית', 'תשיעית', 'עשירית'],
};

/** The largest number read as words; longer ones are read digit by digit. */
export const MAX_WORDS = 999_999_999_999;

/** "ו" before the last element: מאה עשרים וחמש, אלף מאתיים וחמישים. */
function joinParts(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(' ')} ו${parts[parts.length - 1]}`;
}

function below1000(n: number, g: Gender): string[] {
  const parts: string[] = [];
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h) parts.push(HUNDREDS[h]!);
  if (r >= 10 && r < 20) parts.push(TEENS[g][r - 10]!);
  else {
    const t = Math.floor(r / 10);
    const u = r % 10;
    if (t) parts.push(TENS[t]!);
    if (u) parts.push(UNITS[g][u]!);
  }
  return parts;
}

function thousands(k: number): string {
  if (k === 1) return 'אלף';
  if (k === 2) return 'אלפיים';
  if (k <= 10) return `${THOUSANDS_CONSTRUCT[k]} אלפים`;
  return `${cardinal(k, 'm')} אלף`;
}

function big(count: number, word: string): string {
  if (count === 1) return word;
  if (count === 2) return `שני ${word}`;
  return `${cardinal(count, 'm')} ${word}`;
}

/** 0 … MAX_WORDS in words; the gender applies to the last units/teens. */
export function cardinal(n: number, g: Gender): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORDS) throw new RangeError(`cardinal: ${n}`);
  if (n === 0) return 'אפס';
  const parts: string[] = [];
  const billions = Math.floor(n / 1e9);
  const millions = Math.floor(n / 1e6) % 1000;
  const k = Math.floor(n / 1000) % 1000;
  if (billions) parts.push(big(billions, 'מיליארד'));
  if (millions) parts.push(big(millions, 'מיליון'));
  if (k) parts.push(thousands(k));
  parts.push(...below1000(n % 1000, g));
  return joinParts(parts);
}

/** 1–10 as an ordinal (ראשון/ראשונה … עשירי/עשירית); above that the cardinal. */
export function ordinal(n: number, g: Gender): string {
  return n >= 1 && n <= 10 ? ORDINALS[g][n]! : cardinal(n, g);
}

/** A noun counted by a number. */
export interface Noun {
  /** The singular, said after אחד/אחת ("יום אחד"). */
  sg: string;
  g: Gender;
  /** The dual said instead of "2 <noun>" (שעתיים, יומיים). */
  dual?: string;
}

/**
 * A number before a counted noun, as said: 1 → "<singular> אחד/אחת", 2 → the dual or
 * שני/שתי, otherwise the cardinal in the noun's gender followed by the noun as written.
 */
export function counted(n: number, noun: Noun, written: string): string {
  if (n === 1) return `${noun.sg} ${UNITS[noun.g][1]}`;
  if (n === 2) return noun.dual ?? `${noun.g === 'm' ? 'שני' : 'שתי'} ${written}`;
  return `${cardinal(n, noun.g)} ${written}`;
}

/** Digit by digit, in groups separated by a short pause (a comma): phone and ID numbers. */
export function digitGroups(digits: string, sizes?: number[]): string {
  const groups: string[] = [];
  if (sizes) {
    let at = 0;
    for (const s of sizes) {
      groups.push(digits.slice(at, at + s));
      at += s;
    }
    if (at < digits.length) groups.push(digits.slice(at));
  } else {
    for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
    // No lone digit at the end: 1234567 → 123 4567.
    if (groups.length > 1 && groups[groups.length - 1]!.length === 1) {
      const last = groups.pop()!;
      groups[groups.length - 1] += last;
    }
  }
  return groups
    .filter(Boolean)
    .map((grp) => [...grp].map((d) => UNITS.f[Number(d)]!).join(' '))
    .join(', ');
}

// ───────────────────────────── times, dates, money ─────────────────────────────

/** Where in the day a 24-hour hour falls. */
export function dayPart(h: number): string {
  if (h >= 5 && h < 12) return 'בבוקר';
  if (h >= 12 && h < 14) return 'בצהריים';
  if (h >= 14 && h < 18) return 'אחר הצהריים';
  if (h >= 18 && h < 22) return 'בערב';
  return 'בלילה';
}

const hour12 = (h: number) => (h % 12 === 0 ? 12 : h % 12);

/**
 * A 24-hour time as people say it on the phone: the 12-hour clock (feminine) with ורבע/וחצי,
 * "רבע ל…", "ועשר דקות" up to half past, the clock reading after it (תשע חמישים), and the part of
 * the day (בבוקר, בצהריים, אחר הצהריים, בערב, בלילה) unless `dayPart` is false. 00:00 is חצות.
 */
export function timeWords(h: number, m: number, withDayPart = true): string {
  if (m === 0 && (h === 0 || h === 24)) return 'חצות';
  let hh = h;
  let text: string;
  const hw = (x: number) => cardinal(hour12(x), 'f');
  if (m === 0) text = hw(h);
  else if (m === 15) text = `${hw(h)} ורבע`;
  else if (m === 30) text = `${hw(h)} וחצי`;
  else if (m === 45) {
    hh = (h + 1) % 24;
    text = `רבע ל${hw(hh)}`;
  } else if (m === 1) text = `${hw(h)} ודקה`;
  else if (m < 30) text = `${hw(h)} ו${counted(m, { sg: 'דקה', g: 'f' }, 'דקות')}`;
  else text = `${hw(h)} ${cardinal(m, 'f')}`;
  return withDayPart ? `${text} ${dayPart(hh)}` : text;
}

export const MONTHS = [
  'ינואר',
  'פברואר',
  'מרץ',
  'אפריל',
  'מאי',
  'יוני',
  'יולי',
  'אוגוסט',
  'ספטמבר',
  'אוקטובר',
  'נובמבר',
  'דצמבר',
];

export function isDate(d: number, m: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** "שלושה בדצמבר אלפיים עשרים ושש": the day masculine (יום), the year feminine. */
export function dateWords(d: number, m: number, y?: number): string {
  const day = `${cardinal(d, 'm')} ב${MONTHS[m - 1]}`;
  return y == null ? day : `${day} ${cardinal(y, 'f')}`;
}

export interface Currency {
  one: Noun;
  plural: string;
  cent: Noun;
  cents: string;
}

export const SHEKEL: Currency = {
  one: { sg: 'שקל', g: 'm' },
  plural: 'שקלים',
  cent: { sg: 'אגורה', g: 'f' },
  cents: 'אגורות',
};
export const DOLLAR: Currency = {
  one: { sg: 'דולר', g: 'm' },
  plural: 'דולרים',
  cent: { sg: 'סנט', g: 'm' },
  cents: 'סנט',
};
export const EURO: Currency = {
  one: { sg: 'יורו', g: 'm' },
  plural: 'יורו',
  cent: { sg: 'סנט', g: 'm' },
  cents: 'סנט',
};

/** "אלף מאתיים וחמישים שקלים וחמישים אגורות"; whole units and cents (0–99). */
export function moneyWords(units: number, cents: number, c: Currency): string {
  const main = units > 0 || cents === 0 ? counted(units, c.one, c.plural) : '';
  const sub = cents > 0 ? counted(cents, c.cent, c.cents) : '';
  if (!sub) return units === 0 ? `אפס ${c.plural}` : main;
  return main ? `${main} ו${sub}` : sub;
}
