/**
 * The start-up self-test: draws one mixed line (Hebrew, a number, English in brackets, an amount
 * with ₪, a date) through the real engine and checks the order of the glyphs as they will stand
 * on the page, left to right, against the order a Hebrew reader expects (written out by hand
 * below, not computed by the bidi library). Its result is the `pdf` readiness item of /readyz.
 */
import { PDFDocument } from 'pdf-lib';
import type { VisualSegment } from './bidi';
import { Typesetter, fontkitOf } from './engine';

export const SELF_TEST_LINE = 'חשבונית מס 1001 (Invoice) על סך 1,234.50 ₪ מיום 02/12/2026';
/** What the page shows, left to right (Hebrew words read right to left, so they appear reversed). */
export const SELF_TEST_EXPECTED = '02/12/2026 םוימ ₪ 1,234.50 ךס לע (Invoice) 1001 סמ תינובשח';

export interface SelfTestResult {
  ok: boolean;
  /** The glyphs drawn, left to right (spaces left out). */
  got: string;
  expected: string;
  error?: string;
}

export async function pdfSelfTest(
  opts: { fontsDir?: string; segmenter?: (line: string, base: 'rtl' | 'ltr') => VisualSegment[] } = {},
): Promise<SelfTestResult> {
  const expected = SELF_TEST_EXPECTED.replace(/\s+/g, '');
  try {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const ts = await Typesetter.create(doc, opts.fontsDir);
    if (opts.segmenter) ts.segmenter = opts.segmenter;
    // The same call pdf-lib's drawText makes to turn the string into glyphs (encodeText).
    const fk = fontkitOf(ts.font('regular'));
    const drawn: Array<{ x: number; chars: string }> = [];
    const real = ts.sink;
    ts.sink = (page, input, at) => {
      real(page, input, at);
      const glyphs = fk.layout(input).glyphs;
      drawn.push({ x: at.x, chars: glyphs.map((g) => String.fromCodePoint(...g.codePoints)).join('') });
    };
    const page = doc.addPage();
    ts.drawLine(page, SELF_TEST_LINE, { x: 560, y: 400, size: 12 });
    await doc.save();
    const got = drawn
      .sort((a, b) => a.x - b.x)
      .map((d) => d.chars)
      .join('')
      .replace(/\s+/g, '');
    return { ok: got === expected, got, expected };
  } catch (err) {
    return { ok: false, got: '', expected, error: (err as Error).message };
  }
}
