/**
 * Written Hebrew → speakable Hebrew for TTS: times, dates, prices, counted quantities with the
 * right gender, phone and ID numbers as digit groups, ranges, percentages, abbreviations, and a
 * few Latin-script names Israelis say in Hebrew. Deterministic and pure; the transcript and the
 * call log keep the written form — only what goes to the synthesizer passes through here.
 *
 * Choices (kept consistent on every call):
 * - A number with no counted noun after it is read in the feminine counting form (שלוש, שתים
 *   עשרה): that is how bare numbers, house and room numbers, hours and years are said. A noun
 *   from the table in nouns.ts, or a plural (־ים masculine, ־ות feminine, with exceptions), sets
 *   the gender; 1 goes after the noun ("יום אחד") and 2 becomes a dual where there is one.
 * - H:MM is a 24-hour time, said on the 12-hour clock with the part of the day ("14:30" →
 *   "שתיים וחצי אחר הצהריים"), unless the text already says it ("9:00 בבוקר"). A bare hour after
 *   שעה is a time too; above 12 it gets the part of the day.
 * - D/M and D.M.YYYY are day/month (Israeli order): "שלושה בדצמבר" (the day masculine). After a
 *   street word (רחוב, שדרות, כתובת, דירה) N/M is a house/apartment number: "שתים עשרה לוכסן שלוש".
 * - Israeli phone numbers (+972 is read as the local 0…), 1-700/1-800/1-599 numbers, foreign
 *   numbers (+1 212 555 0100: "פלוס" and the groups as written), (03) 555-1234, 9-digit ID numbers and
 *   any run of 7+ digits or a number with a leading zero are read digit by digit in groups, with
 *   a comma (a short pause) between groups.
 * - Anything else (Latin words not in the table, e-mail addresses, text with nothing to change)
 *   is left byte-identical.
 */
import {
  cardinal,
  counted,
  dateWords,
  digitGroups,
  DOLLAR,
  EURO,
  isDate,
  MAX_WORDS,
  MONTHS,
  moneyWords,
  ordinal,
  SHEKEL,
  timeWords,
  type Currency,
  type Gender,
} from './numbers';
import { ABBREVIATIONS, DAY_PART_WORDS, nounFor } from './nouns';

/** Latin-script words said the Israeli way (brands and terms callers know). */
const LATIN: Record<string, string> = {
  whatsapp: 'וואטסאפ',
  google: 'גוגל',
  waze: 'וייז',
  facebook: 'פייסבוק',
  instagram: 'אינסטגרם',
  youtube: 'יוטיוב',
  tiktok: 'טיקטוק',
  zoom: 'זום',
  gmail: "ג'ימייל",
  email: 'אימייל',
  'e-mail': 'אימייל',
  sms: 'אס אם אס',
  ok: 'אוקיי',
  wifi: 'וויי פיי',
  'wi-fi': 'וויי פיי',
  iphone: 'אייפון',
  android: 'אנדרואיד',
  bit: 'ביט',
  paybox: 'פייבוקס',
  paypal: 'פייפאל',
  visa: 'ויזה',
  mastercard: 'מאסטרקארד',
  online: 'אונליין',
};

const WEEKDAYS: Record<string, string> = {
  א: 'ראשון',
  ב: 'שני',
  ג: 'שלישי',
  ד: 'רביעי',
  ה: 'חמישי',
  ו: 'שישי',
  ש: 'שבת',
};

const AMOUNT = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const CURRENCY_AFTER = String.raw`₪|ש"ח|ש״ח|שקלים|שקל|NIS|ILS|\$|€|דולרים|דולר|יורו`;
/** Not followed by more of a number or a word glued to it. */
const END = String.raw`(?![\dA-Za-z\u05D0-\u05EA]|[.,:/]\d)`;

const sticky = (src: string) => new RegExp(src, 'y');
const RE = {
  prefix: sticky(String.raw`([ובלמהשכ]{1,3})[-־]?(?=[\d₪$€]|[-־]?[+(]\d)`),
  latinPrefix: sticky(String.raw`([ובלמהשכ]{1,3})[-־](?=[A-Za-z])`),
  hebWord: sticky(String.raw`[\u05D0-\u05EA]+(?:["״][\u05D0-\u05EA]+|['׳])?`),
  latinWord: sticky(String.raw`[A-Za-z][A-Za-z0-9]*(?:[-.'’_@][A-Za-z0-9]+)*`),
  gluedDigits: sticky(String.raw`\d[\dA-Za-z]*`),
  dayRange: sticky(String.raw`([אבגדהוש])['׳]\s?[-–]\s?([אבגדהוש])['׳](?![\u05D0-\u05EA])`),
  dayAfterWord: sticky(
    String.raw`((?:[בלמו]?)(?:יום|ימי|ימים))\s+([אבגדהוש])['׳](?:\s?[-–]\s?([אבגדהוש])['׳])?(?![\u05D0-\u05EA])`,
  ),
  /** A day letter before hours: "ו' 9-13". */
  dayBeforeHours: sticky(String.raw`([אבגדהוש])['׳](?=\s+\d{1,2}(?::\d{2})?\s?[-–]\s?\d)`),
  star: sticky(String.raw`\*(\d{3,5})(?!\d)`),
  phone: sticky(String.raw`(\+972[- ]?|0)(\d{1,2})((?:[- ]?\d){7})(?![\d])`),
  tollFree: sticky(String.raw`1[- ]?(700|80[01]|599)[- ]?(\d{3})[- ]?(\d{3})(?!\d)`),
  /** A foreign number: +country code, then groups of digits (an area code may be in parentheses). */
  intlPhone: sticky(String.raw`\+(?!972)([1-9]\d{0,2})((?:[- ]?\(\d{1,4}\)|[- ]?\d{1,4}){2,5})(?![\d])`),
  /** (03) 555-1234, (212) 555-0100, 212-555-0100: groups as written. */
  groupedPhone: sticky(String.raw`(?:\((\d{2,4})\)\s?|(\d{3})-)(\d{3})[- ]?(\d{4})(?![\d]|[.,:/]\d)`),
  id9: sticky(String.raw`([1-9]\d{8})${END}`),
  longDigits: sticky(String.raw`(\d{7,}|0\d{1,5})${END}`),
  isoDate: sticky(String.raw`(\d{4})-(\d{1,2})-(\d{1,2})${END}`),
  fullDate: sticky(String.raw`(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})${END}`),
  allDay: sticky(String.raw`24\/7(?![\d/])`),
  dotDate: sticky(String.raw`(\d{1,2})\.(\d{1,2})(?![\d.]|[,:/]\d)`),
  slashDate: sticky(String.raw`(\d{1,2})\/(\d{1,2})(?![\d/]|[.,:]\d)`),
  range: sticky(String.raw`(\d{1,2}:\d{2}|${AMOUNT})\s?[-–]\s?(\d{1,2}:\d{2}|${AMOUNT})(?![\d:]|[.,]\d)`),
  moneyBefore: sticky(String.raw`([₪$€])\s?(${AMOUNT})(?:\s?[-–]\s?(${AMOUNT}))?(?![\d]|[.,]\d)`),
  moneyAfter: sticky(String.raw`(${AMOUNT})\s?(${CURRENCY_AFTER})(?![\u05D0-\u05EAA-Za-z])`),
  percent: sticky(String.raw`(${AMOUNT})\s?%`),
  time: sticky(String.raw`(\d{1,2}):(\d{2})(?![\d]|:\d)`),
  amount: sticky(String.raw`(${AMOUNT})${END}`),
  nextWord: sticky(String.raw`(\s+)([\u05D0-\u05EA]+(?:["״][\u05D0-\u05EA]+|['׳])?)`),
  currencyAfter: sticky(String.raw`\s?(${CURRENCY_AFTER})(?![\u05D0-\u05EAA-Za-z])`),
};

const HOUR_CONTEXT =
  /(?:שעה|שעות|פתוח|פתוחה|פתוחים|פועל|פועלים|עובד|עובדים|זמין|זמינה|זמינים|קבלה|[אבגדהוש]['׳]|ראשון|חמישי|שישי|שבת|מחר|היום)\S*\s+(?:\S+\s+)?$/;
const ADDRESS_CONTEXT = /(?:רחוב|רח['׳]|שדרות|שד['׳]|כתובת|דירה)(?:\s+\S+){0,3}\s+$/;
const DATE_CONTEXT =
  /(?:^|[^\u05D0-\u05EA])[בלמהו]{0,2}(?:ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת|תאריך)[,]?\s+$/;
const HOUR_WORD = /(?:^|[^\u05D0-\u05EA])[בלמהו]{0,2}שעה\s+$/;
const SCALES = new Set(['אלף', 'מיליון', 'מיליארד']);
const FLOOR_WORD = /(?:^|[^\u05D0-\u05EA])[בלמו]?קומה\s+$/;

interface Step {
  out: string;
  end: number;
}

const isHeb = (c: string | undefined) => c != null && c >= '\u05D0' && c <= '\u05EA';
const isLatin = (c: string | undefined) => c != null && /[A-Za-z]/.test(c);
const isDigit = (c: string | undefined) => c != null && c >= '0' && c <= '9';
const isWordChar = (c: string | undefined) => c != null && /[\p{L}\p{N}_]/u.test(c);

function match(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

/** The Hebrew word before `at` (after spaces), as written. */
function prevWord(text: string, at: number): string {
  const m = /([\u05D0-\u05EA"״'׳]+)\s+$/.exec(text.slice(Math.max(0, at - 30), at));
  return m ? m[1]! : '';
}

/** The word with up to two one-letter prefixes (ב, ל, מ, ה, ו) taken off, if that is a noun. */
function nounOfWord(word: string): ReturnType<typeof nounFor> {
  for (let cut = 0; cut <= 2 && cut < word.length - 1; cut++) {
    if (cut > 0 && !'בלמהו'.includes(word[cut - 1]!)) break;
    const found = nounFor(word.slice(cut));
    if (found?.known) return found;
  }
  return undefined;
}

const toNumber = (s: string) => Number(s.replace(/,/g, ''));

/** Integer and fraction digits of an amount; null when too large to say as words. */
function splitAmount(s: string): { int: number; frac: string } | null {
  const [i, f = ''] = s.replace(/,/g, '').split('.');
  const int = Number(i);
  return int > MAX_WORDS ? null : { int, frac: f };
}

const spokenWord = (w: string) => ABBREVIATIONS.get(w) ?? w;

/** A plain amount (integer or decimal) in a gender, no noun. */
function amountWords(s: string, g: Gender): string | null {
  const a = splitAmount(s);
  if (!a) return null;
  if (!a.frac) return cardinal(a.int, g);
  if (/^50?$/.test(a.frac)) return a.int === 0 ? 'חצי' : `${cardinal(a.int, g)} וחצי`;
  const frac = a.frac.startsWith('0') ? digitGroups(a.frac, [a.frac.length]) : cardinal(Number(a.frac), 'f');
  return `${cardinal(a.int, g)} נקודה ${frac}`;
}

function currencyOf(sym: string): Currency {
  if (sym === '$' || sym.startsWith('דולר')) return DOLLAR;
  if (sym === '€' || sym === 'יורו') return EURO;
  return SHEKEL;
}

function money(s: string, c: Currency): string | null {
  const a = splitAmount(s);
  if (!a) return null;
  const cents = a.frac ? Number(a.frac.padEnd(2, '0').slice(0, 2)) : 0;
  return moneyWords(a.int, cents, c);
}

function timeOf(s: string): { h: number; m: number } | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 24 && min <= 59 && !(h === 24 && min > 0) ? { h, m: min } : null;
}

/** What follows a number: a day-part word, a counted noun, a month, a scale word. */
function following(text: string, end: number) {
  const m = match(RE.nextWord, text, end);
  if (!m) return undefined;
  return { ws: m[1]!, word: m[2]!, end: end + m[0].length };
}

function range(text: string, at: number, m: RegExpExecArray, start: number): Step | null {
  const [a, b] = [m[1]!, m[2]!];
  const before = text.slice(Math.max(0, start - 40), start);
  const joiner = /(?:^|\s)בין(?:\s+השעות)?\s*$/.test(before) ? 'ל' : 'עד ';
  const ta = timeOf(a);
  const tb = timeOf(b);
  let end = at + m[0].length;
  if (ta && tb) return { out: `${timeWords(ta.h, ta.m)} ${joiner}${timeWords(tb.h, tb.m)}`, end };
  if (ta || tb || a.includes(':') || b.includes(':')) return null;
  const x = toNumber(a);
  const y = toNumber(b);
  const ints = !a.includes('.') && !b.includes('.');
  if (ints && x < y && y <= 24 && HOUR_CONTEXT.test(before)) {
    const withPart = y >= 13;
    return { out: `${timeWords(x, 0, withPart)} ${joiner}${timeWords(y, 0, withPart)}`, end };
  }
  const cur = match(RE.currencyAfter, text, end);
  if (cur) {
    const wa = amountWords(a, 'm');
    const wb = money(b, currencyOf(cur[1]!));
    if (!wa || !wb) return null;
    return { out: `${wa} ${joiner}${wb}`, end: end + cur[0].length };
  }
  if (text[end] === '%' || (text[end] === ' ' && text[end + 1] === '%')) {
    end += text[end] === '%' ? 1 : 2;
    const [wa, wb] = [amountWords(a, 'm'), amountWords(b, 'm')];
    return wa && wb ? { out: `${wa} ${joiner}${wb} אחוז`, end } : null;
  }
  const next = following(text, end);
  const noun = next && nounFor(next.word);
  if (noun && ints && x <= MAX_WORDS && y <= MAX_WORDS) {
    const written = spokenWord(next.word);
    const first = x <= 2 && noun.known ? counted(x, noun.noun, written) : cardinal(x, noun.noun.g);
    return { out: `${first} ${joiner}${counted(y, noun.noun, written)}`, end: next.end };
  }
  const g: Gender = noun ? noun.noun.g : 'f';
  const [wa, wb] = [amountWords(a, g), amountWords(b, g)];
  return wa && wb ? { out: `${wa} ${joiner}${wb}`, end } : null;
}

/**
 * A number (with its noun, currency or sign) starting at `at`; `prefix` is a glued ב/ל/מ/ה… and
 * `start` where the token (prefix included) begins.
 */
function numberAt(text: string, at: number, prefix: string, start: number): Step | null {
  let m: RegExpExecArray | null;
  const done = (out: string, len: number): Step => ({ out, end: at + len });

  if ((m = match(RE.star, text, at)))
    return done(`כוכבית ${digitGroups(m[1]!, [m[1]!.length])}`, m[0].length);
  if ((m = match(RE.intlPhone, text, at))) {
    const groups = m[2]!.match(/\d+/g)!;
    const digits = groups.join('');
    if (digits.length >= 6 && digits.length <= 13)
      return done(
        `פלוס ${digitGroups(m[1]! + digits, [m[1]!.length, ...groups.map((g) => g.length)])}`,
        m[0].length,
      );
  }
  if ((m = match(RE.groupedPhone, text, at))) {
    const area = m[1] ?? m[2]!;
    return done(digitGroups(area + m[3]! + m[4]!, [area.length, 3, 4]), m[0].length);
  }
  if ((m = match(RE.phone, text, at))) {
    const area = m[2]!;
    const sub = m[3]!.replace(/[- ]/g, '');
    const mobile = area.length === 2 && /^[57]/.test(area);
    const landline = area.length === 1 && /^[23489]$/.test(area);
    if (mobile || landline)
      return done(digitGroups(`0${area}${sub}`, mobile ? [3, 3, 4] : [2, 3, 4]), m[0].length);
  }
  if ((m = match(RE.tollFree, text, at)))
    return done(digitGroups(`1${m[1]}${m[2]}${m[3]}`, [1, 3, 3, 3]), m[0].length);
  if ((m = match(RE.id9, text, at)) && !match(RE.currencyAfter, text, at + m[0].length))
    return done(digitGroups(m[1]!, [3, 3, 3]), m[0].length);
  if ((m = match(RE.longDigits, text, at)) && !match(RE.currencyAfter, text, at + m[0].length))
    return done(digitGroups(m[1]!, m[1]!.length < 7 ? [m[1]!.length] : undefined), m[0].length);
  if ((m = match(RE.isoDate, text, at)) && isDate(Number(m[3]), Number(m[2])))
    return done(dateWords(Number(m[3]), Number(m[2]), Number(m[1])), m[0].length);
  if ((m = match(RE.fullDate, text, at)) && isDate(Number(m[1]), Number(m[3]))) {
    const y = m[4]!.length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
    return done(dateWords(Number(m[1]), Number(m[3]), y), m[0].length);
  }
  if ((m = match(RE.allDay, text, at))) return done('עשרים וארבע שבע', m[0].length);
  if ((m = match(RE.slashDate, text, at))) {
    const [d, mo] = [Number(m[1]), Number(m[2])];
    if (!prefix && ADDRESS_CONTEXT.test(text.slice(Math.max(0, start - 40), start)))
      return done(`${cardinal(d, 'f')} לוכסן ${cardinal(mo, 'f')}`, m[0].length);
    if (isDate(d, mo)) return done(dateWords(d, mo), m[0].length);
  }
  // D.M is a decimal unless a weekday or תאריך comes just before it: "ביום רביעי, 3.12".
  if ((m = match(RE.dotDate, text, at)) && isDate(Number(m[1]), Number(m[2]))) {
    if (DATE_CONTEXT.test(text.slice(Math.max(0, start - 30), start)))
      return done(dateWords(Number(m[1]), Number(m[2])), m[0].length);
  }
  if ((m = match(RE.moneyBefore, text, at))) {
    const c = currencyOf(m[1]!);
    const first = money(m[2]!, c);
    if (!m[3]) return first ? done(first, m[0].length) : null;
    const [wa, wb] = [amountWords(m[2]!, 'm'), money(m[3], c)];
    return wa && wb ? done(`${wa} עד ${wb}`, m[0].length) : null;
  }
  if ((m = match(RE.range, text, at))) {
    const r = range(text, at, m, start);
    if (r) return r;
  }
  if ((m = match(RE.moneyAfter, text, at))) {
    const w = money(m[1]!, currencyOf(m[2]!));
    if (w) return done(w, m[0].length);
  }
  if ((m = match(RE.percent, text, at))) {
    const a = splitAmount(m[1]!);
    if (!a) return null;
    if (a.int === 1 && !a.frac) return done('אחוז אחד', m[0].length);
    const w = amountWords(m[1]!, 'm')!;
    return done(`${w} ${!a.frac && a.int <= 10 ? 'אחוזים' : 'אחוז'}`, m[0].length);
  }
  if ((m = match(RE.time, text, at))) {
    const t = timeOf(m[0]);
    if (t) {
      const next = following(text, at + m[0].length);
      return done(timeWords(t.h, t.m, !(next && DAY_PART_WORDS.has(next.word))), m[0].length);
    }
  }
  if ((m = match(RE.amount, text, at))) return amount(text, at, m[1]!, prefix, start);
  return null;
}

function amount(text: string, at: number, s: string, prefix: string, start: number): Step | null {
  const end = at + s.length;
  const a = splitAmount(s);
  if (!a) return { out: digitGroups(s.replace(/\D/g, '')), end };
  const before = text.slice(Math.max(0, start - 30), start);
  const next = following(text, end);
  const int = !a.frac;
  if (int && !prefix && a.int <= 24 && HOUR_WORD.test(before)) {
    const partSaid = next && DAY_PART_WORDS.has(next.word);
    return { out: timeWords(a.int, 0, a.int > 12 && !partSaid), end };
  }
  if (int && !prefix && a.int <= 10 && FLOOR_WORD.test(before)) return { out: ordinal(a.int, 'f'), end };
  if (int && prefix.endsWith('ה') && a.int <= 10) {
    const noun = nounOfWord(prevWord(text, start));
    if (noun) return { out: ordinal(a.int, noun.noun.g), end };
  }
  if (!next) return { out: amountWords(s, 'f')!, end };
  const month = MONTHS.findIndex((mo) => next.word === `ב${mo}`);
  if (int && month >= 0 && isDate(a.int, month + 1)) return { out: cardinal(a.int, 'm'), end };
  if (SCALES.has(next.word) && a.int < 1000) {
    if (!int) return { out: `${amountWords(s, 'm')} ${next.word}`, end: next.end };
    if (next.word === 'אלף') return { out: cardinal(a.int * 1000, 'm'), end: next.end };
    const w = a.int === 1 ? next.word : `${a.int === 2 ? 'שני' : cardinal(a.int, 'm')} ${next.word}`;
    return { out: w, end: next.end };
  }
  const noun = nounFor(next.word);
  if (!noun) return { out: amountWords(s, 'f')!, end };
  const written = spokenWord(next.word);
  if (int && (a.int !== 1 || noun.known)) return { out: counted(a.int, noun.noun, written), end: next.end };
  // A half: "חצי קילו"; of a time unit after the noun, "שעה וחצי", "שלוש שעות וחצי".
  if (/^50?$/.test(a.frac) && noun.known) {
    if (a.int === 0) return { out: `חצי ${noun.noun.sg}`, end: next.end };
    if (noun.noun.dual) {
      const whole = a.int === 1 ? noun.noun.sg : counted(a.int, noun.noun, written);
      return { out: `${whole} וחצי`, end: next.end };
    }
  }
  return { out: `${amountWords(s, noun.noun.g)}${next.ws}${written}`, end: next.end };
}

function hebrewAt(text: string, at: number): Step | null {
  let m: RegExpExecArray | null;
  if ((m = match(RE.dayRange, text, at)))
    return { out: `${WEEKDAYS[m[1]!]} עד ${WEEKDAYS[m[2]!]}`, end: at + m[0].length };
  if ((m = match(RE.dayAfterWord, text, at))) {
    const to = m[3] ? ` עד ${WEEKDAYS[m[3]]}` : '';
    return { out: `${m[1]} ${WEEKDAYS[m[2]!]}${to}`, end: at + m[0].length };
  }
  if ((m = match(RE.dayBeforeHours, text, at))) return { out: WEEKDAYS[m[1]!]!, end: at + m[0].length };
  if ((m = match(RE.prefix, text, at))) {
    const r = numberAt(text, at + m[0].length, m[1]!, at);
    if (r) return { out: m[1]! + r.out, end: r.end };
  }
  if ((m = match(RE.latinPrefix, text, at))) {
    const word = match(RE.latinWord, text, at + m[0].length)!;
    const said = LATIN[word[0].toLowerCase()];
    if (said) return { out: m[1]! + said, end: at + m[0].length + word[0].length };
  }
  if ((m = match(RE.hebWord, text, at))) {
    const end = at + m[0].length;
    const said = isHeb(text[end]) ? undefined : ABBREVIATIONS.get(m[0]);
    return { out: said ?? m[0], end };
  }
  return null;
}

/** Written Hebrew → what the synthesizer should say. Text with nothing to change is returned as is. */
export function toSpoken(text: string): string {
  if (!/[0-9₪$€%A-Za-z'"׳״]/.test(text)) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const prev = text[i - 1];
    const wordStart = !isWordChar(prev) && !(/[-/.:,]/.test(prev ?? '') && isWordChar(text[i - 2]));
    let step: Step | null = null;
    if (isHeb(c) && !isHeb(prev)) step = hebrewAt(text, i);
    else if (isLatin(c) && !isWordChar(prev)) {
      const m = match(RE.latinWord, text, i)!;
      step = { out: LATIN[m[0].toLowerCase()] ?? m[0], end: i + m[0].length };
    } else if (/[\d₪$€*+(]/.test(c) && wordStart) step = numberAt(text, i, '', i);
    if (!step && isDigit(c)) {
      const m = match(RE.gluedDigits, text, i)!;
      step = { out: m[0], end: i + m[0].length };
    }
    if (step) {
      out += step.out;
      i = step.end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
