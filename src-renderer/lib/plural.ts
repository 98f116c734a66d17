/**
 * Counts next to a noun, in the one place Hebrew's plural forms are chosen: Intl.PluralRules('he')
 * says one / two / other ("לקוח אחד", "2 לקוחות", "יומיים"), and the count is written with
 * thousands separators. he.ts keeps every such string as a `Plural` ({n} is the count).
 */
import { formatNumber } from './format';

export interface Plural {
  /** Exactly one: usually without the digit ("לקוח אחד", "שיחה אחת"). */
  one: string;
  /** Exactly two, where Hebrew has a dual ("יומיים"); else `other` is used. */
  two?: string;
  /** Every other count, with {n}: "{n} לקוחות". */
  other: string;
}

const rules = new Intl.PluralRules('he');

/** True for a he.ts entry that is a plural (so a test can walk he.ts and find them). */
export const isPlural = (v: unknown): v is Plural =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Plural).one === 'string' &&
  typeof (v as Plural).other === 'string';

/** The template of `forms` Hebrew uses for `n` (its {n} not filled yet). */
export function pluralForm(n: number, forms: Plural): string {
  const cat = rules.select(n);
  return cat === 'one' ? forms.one : cat === 'two' ? (forms.two ?? forms.other) : forms.other;
}

/**
 * The right form of `forms` for `n`, its {n} filled with the formatted count (or `shown`, e.g.
 * "1.5" for a decimal) and any other {key} from `vars`.
 */
export function plural(
  n: number,
  forms: Plural,
  vars: Record<string, string | number> = {},
  shown: string = formatNumber(n),
): string {
  return pluralForm(n, forms).replace(/\{(\w+)\}/g, (_, k: string) =>
    k === 'n' ? shown : String(vars[k] ?? ''),
  );
}
