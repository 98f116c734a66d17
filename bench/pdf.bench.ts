/**
 * PDF documents (src-main/pdf): the median time to produce a one-page and a five-page tax invoice,
 * cold (a fresh process: modules imported, then the first render reading and subsetting the
 * font — `first_render_ms`; import time reported beside it) and warm (the same process, after
 * warm-up renders). Baseline in the same run: the same invoice as HTML (same font, same table)
 * printed to PDF by headless Chromium (playwright-core, /usr/bin/chromium, `page.pdf()`), cold
 * (browser launch + page + print) and warm (one page reused: setContent + print).
 * Targets: warm one page < 50 ms, and at least 10× faster than Chromium warm. `warm_cpu_ms` is
 * this process's CPU time per warm render (user + system, GC threads included): on a machine busy
 * with other work the wall-clock figures of both routes stretch, the CPU cost does not.
 * Bounded: BENCH_PDF_COLD (default 5) fresh processes, BENCH_PDF_WARM (default 15) warm renders,
 * BENCH_PDF_CHROMIUM_COLD (default 3) browser launches per size.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { formatAgorot, formatDate, renderDocumentPdf } from '../src-main/pdf/document';
import {
  DEALER_TYPE_NAMES,
  DOCUMENT_TITLES,
  type DocumentRenderInputIn,
} from '../src-main/pdf/document-input';
import { exampleInput, manyLines } from '../src-main/pdf/example';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COLD = Number(process.env.BENCH_PDF_COLD ?? 5);
const WARM = Number(process.env.BENCH_PDF_WARM ?? 15);
const CHROMIUM_COLD = Number(process.env.BENCH_PDF_CHROMIUM_COLD ?? 3);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TARGET_WARM_ONE_PAGE_MS = 50;
const TARGET_SPEEDUP = 10;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    median: r(s[Math.floor((s.length - 1) / 2)]!),
    min: r(s[0]!),
    max: r(s[s.length - 1]!),
  };
}

const pageCount = (pdf: Uint8Array) =>
  (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type \/Page\b/g) ?? []
  ).length;

/** The line count that makes exactly five pages (the page break depends on wrapped rows). */
async function fivePageLines(): Promise<number> {
  for (let n = 80; n < 200; n += 2) {
    const pdf = await renderDocumentPdf(exampleInput('tax_invoice', manyLines(n)), { copy: 'original' });
    if (pageCount(pdf) === 5) return n;
  }
  throw new Error('no line count gives five pages');
}

/** The same invoice as an HTML page (RTL, same font, table with repeated header) for Chromium. */
function invoiceHtml(raw: DocumentRenderInputIn): string {
  const input = raw as Required<DocumentRenderInputIn>;
  const font = (f: string) => readFileSync(path.join(ROOT, 'resources', 'fonts', f)).toString('base64');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const b = input.business;
  const t = input.totals;
  const rows = input.lines
    .map(
      (l, i) =>
        `<tr><td>${i + 1}</td><td>${esc(l.description)}</td><td>${l.quantity}</td><td>${formatAgorot(l.unitPriceAgorot)}</td><td>${l.discount?.kind === 'percent' ? `${l.discount.percent}%` : ''}</td><td>${formatAgorot(l.lineTotalAgorot)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="he" dir="rtl"><head><meta charset="utf-8"><style>
@font-face{font-family:N;src:url(data:font/ttf;base64,${font('NotoSansHebrew-Regular.ttf')})}
@font-face{font-family:N;font-weight:bold;src:url(data:font/ttf;base64,${font('NotoSansHebrew-Bold.ttf')})}
@page{size:A4;margin:36pt 36pt 58pt}
body{font-family:N;font-size:9.5pt;color:#1a1a1f}
h1{text-align:center;font-size:21pt} .biz{font-size:17pt;font-weight:bold;color:#1c4573}
table{width:100%;border-collapse:collapse} thead{display:table-header-group}
th{background:#1c4573;color:#fff;text-align:right;padding:4pt} td{padding:4pt;border-bottom:.4pt solid #ccc}
tr:nth-child(even) td{background:#f6f7f8} .tot{width:230pt;margin-top:10pt;border:.8pt solid #ccc}
</style></head><body>
<div class="biz">${esc(b.name)}</div><div><b>${DEALER_TYPE_NAMES[b.dealerType]} ${b.vatId}</b></div>
<div>${esc(b.address ?? '')} · ${esc(b.phone ?? '')} · ${esc(b.email ?? '')}</div>
<h1>${DOCUMENT_TITLES[input.type]} ${input.number ?? ''}</h1>
<div>לכבוד: <b>${esc(input.customer.name)}</b> · תאריך: ${formatDate(input.issueDate)}</div>
<table><thead><tr><th>#</th><th>תיאור</th><th>כמות</th><th>מחיר יחידה</th><th>הנחה</th><th>סה״כ (₪)</th></tr></thead>
<tbody>${rows}</tbody></table>
<table class="tot"><tr><td>סכום ביניים</td><td>${formatAgorot(t.subtotalAgorot)} ₪</td></tr>
<tr><td>מע״מ ${t.vatRatePercent}%</td><td>${formatAgorot(t.vatAgorot)} ₪</td></tr>
<tr><th>סה״כ לתשלום</th><th>${formatAgorot(t.totalAgorot)} ₪</th></tr></table>
</body></html>`;
}

const printOptions = {
  format: 'A4' as const,
  printBackground: true,
  displayHeaderFooter: true,
  headerTemplate: '<span></span>',
  footerTemplate:
    '<div style="font-size:9px;width:100%;text-align:center" dir="rtl">עמוד <span class="pageNumber"></span> מתוך <span class="totalPages"></span></div>',
};

async function chromiumRoute(html: string) {
  const cold: number[] = [];
  let pages = 0;
  for (let i = 0; i < CHROMIUM_COLD; i++) {
    const t0 = performance.now();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      const pdf = await page.pdf(printOptions);
      cold.push(performance.now() - t0);
      pages = pageCount(pdf);
    } finally {
      await browser.close();
    }
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const warm: number[] = [];
  try {
    const page = await browser.newPage();
    for (let i = 0; i < 3 + WARM; i++) {
      const t0 = performance.now();
      await page.setContent(html);
      await page.pdf(printOptions);
      if (i >= 3) warm.push(performance.now() - t0);
    }
  } finally {
    await browser.close();
  }
  return { pages, cold_ms: stats(cold), warm_ms: stats(warm) };
}

async function ours(lines: number) {
  const input = exampleInput('tax_invoice', lines > 4 ? manyLines(lines) : undefined);
  const cold: number[] = [];
  const coldImport: number[] = [];
  for (let i = 0; i < COLD; i++) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'lib', 'pdf-cold.ts'), String(lines)],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const r = JSON.parse(out) as { import_ms: number; first_render_ms: number };
    cold.push(r.first_render_ms);
    coldImport.push(r.import_ms);
  }
  const warm: number[] = [];
  const warmCpu: number[] = [];
  let pdf: Uint8Array = new Uint8Array();
  for (let i = 0; i < 3 + WARM; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    pdf = await renderDocumentPdf(input, { copy: 'original' });
    const c = process.cpuUsage(c0);
    if (i >= 3) {
      warm.push(performance.now() - t0);
      warmCpu.push((c.user + c.system) / 1000);
    }
  }
  return {
    pages: pageCount(pdf),
    bytes: pdf.length,
    cold_ms: stats(cold),
    cold_import_ms: stats(coldImport),
    warm_ms: stats(warm),
    warm_cpu_ms: stats(warmCpu),
    input,
  };
}

export default async function run() {
  const five = await fivePageLines();
  const one = await ours(4);
  const fiveOurs = await ours(five);
  const oneChromium = await chromiumRoute(invoiceHtml(one.input));
  const fiveChromium = await chromiumRoute(invoiceHtml(fiveOurs.input));
  const strip = ({ input: _input, ...rest }: Awaited<ReturnType<typeof ours>>) => rest;
  const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
  const speedup = {
    one_page_warm: ratio(oneChromium.warm_ms.median, one.warm_ms.median),
    one_page_cold: ratio(oneChromium.cold_ms.median, one.cold_ms.median),
    five_page_warm: ratio(fiveChromium.warm_ms.median, fiveOurs.warm_ms.median),
    five_page_cold: ratio(fiveChromium.cold_ms.median, fiveOurs.cold_ms.median),
  };
  return {
    five_page_lines: five,
    one_page: { ours: strip(one), chromium: oneChromium },
    five_page: { ours: strip(fiveOurs), chromium: fiveChromium },
    speedup,
    targets: { warm_one_page_ms: TARGET_WARM_ONE_PAGE_MS, speedup_vs_chromium: TARGET_SPEEDUP },
    pass: {
      warm_one_page: one.warm_ms.median < TARGET_WARM_ONE_PAGE_MS,
      speedup: speedup.one_page_warm >= TARGET_SPEEDUP && speedup.five_page_warm >= TARGET_SPEEDUP,
    },
  };
}
