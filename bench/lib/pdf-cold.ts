/**
 * One cold render for bench/pdf.bench.ts, in a fresh process: the renderer's modules are
 * imported, then the first document is rendered (font files read, parsed and subset). Prints
 * `{"import_ms":…,"first_render_ms":…,"pages":…}`.
 */
const lines = Number(process.argv[2] ?? 4);
const t0 = performance.now();
const { renderDocumentPdf } = await import('../../src-main/pdf/document');
const { exampleInput, manyLines } = await import('../../src-main/pdf/example');
const t1 = performance.now();
const input = exampleInput('tax_invoice', lines > 4 ? manyLines(lines) : undefined);
const pdf = await renderDocumentPdf(input, { copy: 'original' });
const t2 = performance.now();
const pages = (
  Buffer.from(pdf)
    .toString('latin1')
    .match(/\/Type \/Page\b/g) ?? []
).length;
process.stdout.write(JSON.stringify({ import_ms: t1 - t0, first_render_ms: t2 - t1, pages }));
export {};
