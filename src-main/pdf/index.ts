/**
 * The Hebrew PDF engine — public API (billing and contracts use only this):
 *
 *   renderDocumentPdf(input, { copy: 'original' | 'copy' }) → Promise<Uint8Array>
 *     A billing document (tax_invoice | receipt | tax_invoice_receipt | credit_note | proposal)
 *     as A4 Hebrew PDF. `input` is a DocumentRenderInput (zod: documentRenderInputSchema in
 *     document-input.ts; throws ZodError on a bad one). Money arrives computed, in agorot; dates
 *     are `YYYY-MM-DD`. Same input → same bytes.
 *
 *   Typesetter.create(doc) → measure / wrap / drawLine / drawBlock / drawDiagonal / drawImageFit
 *     The engine under it, for other documents (contracts): every line is laid out RTL with
 *     bidi-js segments, so mixed Hebrew / numbers / English / ₪ / brackets / dates come out right.
 *
 *   pdfSelfTest() → { ok, got, expected } — the start-up glyph-order check (readiness `pdf`).
 *
 *   formatAgorot(12345) → "123.45", money(12345) → "123.45 ₪", formatDate('2026-12-02') → "02/12/2026",
 *   ltr(s) — keep a value left-to-right inside Hebrew text.
 *
 * CLI: `npm run -s render-document -- --input doc.json --out doc.pdf [--copy]`, `--example [type]`.
 */
export { renderDocumentPdf, formatAgorot, money, formatDate } from './document';
export * from './document-input';
export { Typesetter, A4, type DrawOptions, type TextStyle } from './engine';
export { ltr, visualSegments, visualString } from './bidi';
export { pdfSelfTest, type SelfTestResult } from './self-test';
export { exampleInput, manyLines } from './example';
