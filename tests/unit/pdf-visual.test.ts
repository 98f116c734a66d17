/**
 * The rendered tax invoice compared with a reviewed reference image (tests/fixtures/pdf/
 * tax-invoice-p1.png, pdftoppm -r 50 of `render-document --example tax_invoice`, looked at and
 * accepted) within a small tolerance; the comparison itself must see a different document.
 * After an intended layout change: look at the new rendering, then replace the reference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderDocumentPdf } from '../../src-main/pdf/document';
import { exampleInput } from '../../src-main/pdf/example';
import { pdfPagePng, pixelDiff } from '../helpers/pdf';

const REFERENCE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'pdf',
  'tax-invoice-p1.png',
);
/** Share of pixels allowed to differ (anti-aliasing across poppler builds). */
const TOLERANCE = 0.005;

describe('visual check against the reviewed reference', async () => {
  const reference = PNG.sync.read(readFileSync(REFERENCE));
  const page = pdfPagePng(await renderDocumentPdf(exampleInput('tax_invoice'), { copy: 'original' }), 1, 50);

  it('the tax invoice matches the reference within the tolerance', () => {
    expect([page.width, page.height]).toEqual([reference.width, reference.height]);
    expect(pixelDiff(page, reference)).toBeLessThan(TOLERANCE);
  });

  it('a different document (העתק, a receipt, a draft) does not pass the same check', async () => {
    const copy = pdfPagePng(await renderDocumentPdf(exampleInput('tax_invoice'), { copy: 'copy' }), 1, 50);
    const receipt = pdfPagePng(await renderDocumentPdf(exampleInput('receipt'), { copy: 'original' }), 1, 50);
    const draft = pdfPagePng(
      await renderDocumentPdf(
        { ...exampleInput('tax_invoice'), number: null, status: 'draft' },
        { copy: 'original' },
      ),
      1,
      50,
    );
    expect(pixelDiff(copy, reference)).toBeGreaterThan(0);
    expect(pixelDiff(receipt, reference)).toBeGreaterThan(TOLERANCE);
    expect(pixelDiff(draft, reference)).toBeGreaterThan(TOLERANCE);
  });
});
