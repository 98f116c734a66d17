/**
 * The engine's bidi: segments in visual order (bidi-js), and the
 * start-up self-test that checks the glyph order drawn for a mixed line — including that it
 * fails when the runs come out in the wrong order (as pdf-lib alone would draw them).
 */
import { describe, expect, it } from 'vitest';
import { ltr, visualSegments, visualString } from '../../src-main/pdf/bidi';
import { pdfSelfTest, SELF_TEST_EXPECTED, SELF_TEST_LINE } from '../../src-main/pdf/self-test';

describe('bidi segments', () => {
  it('orders a mixed Hebrew line as a reader sees it, left to right', () => {
    expect(visualString(SELF_TEST_LINE)).toBe(SELF_TEST_EXPECTED);
    expect(visualString('שלום (עולם)')).toBe('(םלוע) םולש');
    expect(visualString('סה״כ 1,234.50 ₪')).toBe('₪ 1,234.50 כ״הס');
  });

  it('keeps an isolated value left to right and draws no control marks', () => {
    expect(visualString(`זיכוי ${ltr('-150.00')} ₪`)).toBe('₪ -150.00 יוכיז');
    expect(visualSegments(ltr('x')).map((s) => s.text)).toEqual(['x']);
  });
});

describe('pdfSelfTest()', () => {
  it('passes on the real engine', async () => {
    const r = await pdfSelfTest();
    expect(r.error).toBeUndefined();
    expect(r.got).toBe(SELF_TEST_EXPECTED.replace(/\s+/g, ''));
    expect(r.ok).toBe(true);
  });

  it('fails when the runs are drawn in logical order (what pdf-lib alone does)', async () => {
    const r = await pdfSelfTest({ segmenter: (line) => [{ text: line, rtl: true }] });
    expect(r.ok).toBe(false);
  });

  it('fails when the visual segments come out in reverse order', async () => {
    const r = await pdfSelfTest({ segmenter: (line, base) => visualSegments(line, base).reverse() });
    expect(r.ok).toBe(false);
    expect(r.got).not.toBe(r.expected);
  });

  it('fails when the fonts cannot be read', async () => {
    const r = await pdfSelfTest({ fontsDir: '/nonexistent' });
    expect(r.ok).toBe(false);
    expect(r.error).toBeTruthy();
  });
});
