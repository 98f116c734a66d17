/**
 * Bidirectional text for the PDF engine: a logical line (as typed: Hebrew, digits, English, ₪,
 * brackets, dates) becomes segments in visual order, left to right on the page, each with its
 * characters in the order their glyphs must appear (RTL segments reversed and mirrored).
 * Unicode Bidirectional Algorithm (UAX #9) from bidi-js.
 */
import bidiFactory from 'bidi-js';

const bidi = bidiFactory();

/** Bidi controls (marks, embeddings, isolates) steer the order and are never drawn. */
const BIDI_CONTROL = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;

/** Keeps a value left-to-right inside Hebrew text (a negative amount, a phone, an e-mail). */
export const ltr = (s: string) => `\u2066${s}\u2069`;

export interface VisualSegment {
  /** The characters in visual (left-to-right on the page) order, mirrored where RTL. */
  text: string;
  /** Whether the segment is right-to-left (an odd embedding level). */
  rtl: boolean;
}

/**
 * Splits one line (no line breaks) into its visual segments, left to right. The paragraph
 * direction is RTL by default (our documents are Hebrew); `ltr` for an English-only block.
 */
export function visualSegments(line: string, base: 'rtl' | 'ltr' | 'auto' = 'rtl'): VisualSegment[] {
  if (line === '') return [];
  const levels = bidi.getEmbeddingLevels(line, base);
  const order = bidi.getReorderedIndices(line, levels);
  const mirrored = bidi.getMirroredCharactersMap(line, levels.levels);
  const out: VisualSegment[] = [];
  let cur: { chars: string[]; level: number } | undefined;
  for (const i of order) {
    const code = line.charCodeAt(i);
    // The low half of a surrogate pair is emitted with its high half.
    if (code >= 0xdc00 && code <= 0xdfff && i > 0) {
      const hi = line.charCodeAt(i - 1);
      if (hi >= 0xd800 && hi <= 0xdbff) continue;
    }
    if (BIDI_CONTROL.test(line[i]!)) continue;
    let ch = mirrored.get(i) ?? line[i]!;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < line.length) ch = line.slice(i, i + 2);
    const level = levels.levels[i]!;
    if (!cur || cur.level !== level) {
      cur = { chars: [], level };
      out.push({ text: '', rtl: level % 2 === 1 });
    }
    cur.chars.push(ch);
    out[out.length - 1]!.text = cur.chars.join('');
  }
  return out;
}

/** The whole line as it appears on the page, left to right (for tests and the self-test). */
export function visualString(line: string, base: 'rtl' | 'ltr' | 'auto' = 'rtl'): string {
  return visualSegments(line, base)
    .map((s) => s.text)
    .join('');
}
