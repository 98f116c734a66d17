/**
 * Adaptive end of turn for Hebrew: no vendor turn-detection model covers Hebrew, so the silence
 * window follows what the caller has said so far (a speculative transcript taken during the
 * pause): shorter after a complete-sounding sentence, longer after a trailing conjunction or
 * preposition (ו/ש/אבל/כי/ל…) or while digits are being dictated; never more than a hard cap.
 */
export type UtteranceEnd = 'complete' | 'incomplete' | 'dictating' | 'unknown';

const TRAILING_WORDS = new Set([
  'ו',
  'ש',
  'אבל',
  'כי',
  'או',
  'גם',
  'אם',
  'אז',
  'של',
  'עם',
  'על',
  'את',
  'ל',
  'ב',
  'מ',
  'לפני',
  'אחרי',
  'כמו',
  'בגלל',
  'כדי',
  'אני',
  'אנחנו',
  'רציתי',
  'רוצה',
  'צריך',
  'צריכה',
  'זה',
  'שזה',
  'ואז',
  'אה',
  'אממ',
  'אמ',
  'הממ',
]);
const DIGITS = /\d[\d\s-]*$/;
const NUMBER_WORDS = /(אפס|אחת|אחד|שתיים|שניים|שלוש|ארבע|חמש|שש|שבע|שמונה|תשע|עשר)$/;

export function classifyUtteranceEnd(text: string): UtteranceEnd {
  const t = text.trim();
  if (!t) return 'unknown';
  if (t.endsWith('...') || t.endsWith('…') || t.endsWith(',') || t.endsWith('-')) return 'incomplete';
  const bare = t.replace(/[.,!?…"'׳״]+$/u, '').trim();
  if (DIGITS.test(bare) && (bare.match(/\d/g)?.length ?? 0) < 10 && !/[.?!]$/.test(t)) return 'dictating';
  if (NUMBER_WORDS.test(bare) && !/[.?!]$/.test(t)) return 'dictating';
  const last = bare.split(/\s+/).at(-1) ?? '';
  if (TRAILING_WORDS.has(last) || /^[ושלבמכה]$/.test(last)) return 'incomplete';
  if (/[.?!]$/.test(t)) return 'complete';
  return 'unknown';
}

export interface EndWindowOptions {
  baseMs: number;
  minMs?: number;
  capMs?: number;
}

/** The silence window for a pause given the speculative transcript's class. */
export function endWindowFor(kind: UtteranceEnd, o: EndWindowOptions): number {
  const min = o.minMs ?? 400;
  const cap = o.capMs ?? 2500;
  switch (kind) {
    case 'complete':
      return Math.max(min, Math.round(o.baseMs * 0.65));
    case 'incomplete':
      return Math.min(cap, o.baseMs + 800);
    case 'dictating':
      return Math.min(cap, o.baseMs + 1300);
    default:
      return o.baseMs;
  }
}
