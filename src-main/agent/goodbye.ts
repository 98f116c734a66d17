/**
 * Did the caller just say goodbye? Short utterances made of farewell phrases (להתראות, ביי,
 * יום טוב …) count; a farewell inside a real request ("ביי the way, …") does not.
 */
const FAREWELL =
  /(להתראות|ביי+|bye|יום טוב|ערב טוב|לילה טוב|שבוע טוב|שבת שלום|נתראה|תודה רבה ו?ביי|זהו תודה|זה הכל|זה הכול)/i;
const REQUEST = /(אפשר|רוצה|צריך|מתי|כמה|איך|למה|איפה|\?)/;

export function isGoodbye(text: string): boolean {
  const t = text
    .trim()
    .replace(/[.,!…]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t || !FAREWELL.test(t)) return false;
  const words = t.split(' ').length;
  if (REQUEST.test(t) && words > 3) return false;
  return words <= 7;
}
