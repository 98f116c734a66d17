/**
 * renderDocumentPdf(): a billing document (tax invoice, receipt, invoice-receipt, credit note,
 * proposal) as a Hebrew A4 PDF. Layout by hand on the Typesetter: header with the business and
 * its dealer number, title and number, customer and document-details boxes, the lines table
 * (breaks across pages with its header row repeated), totals, payments, notes, and on every page
 * the מקור/העתק mark, "עמוד X מתוך Y" and, on drafts, a diagonal "טיוטה".
 *
 * Same input → same bytes: dates come from the input, the producer and font subset tags are
 * fixed, pdf-lib writes no random /ID.
 */
import { PDFDocument, rgb, type PDFImage, type PDFPage } from 'pdf-lib';
import { ltr } from './bidi';
import {
  DEALER_TYPE_NAMES,
  DOCUMENT_TITLES,
  PAYMENT_METHOD_NAMES,
  documentRenderInputSchema,
  type DocumentRenderInput,
  type DocumentRenderInputIn,
  type LineItem,
  type PaymentInput,
  type RenderOptions,
} from './document-input';
import { A4, BLACK, Typesetter, type TextStyle } from './engine';

const ACCENT = rgb(0.11, 0.27, 0.45);
const ACCENT_LIGHT = rgb(0.91, 0.94, 0.97);
const ZEBRA = rgb(0.965, 0.97, 0.975);
const RULE = rgb(0.78, 0.8, 0.83);
const MUTED = rgb(0.38, 0.4, 0.45);
const WHITE = rgb(1, 1, 1);
const DRAFT_RED = rgb(0.8, 0.12, 0.12);

const MARGIN = 36;
const FOOTER_TOP = 58;
const PRODUCER = 'AgentLocator PDF';

/** 123456 agorot → "1,234.56" (integer arithmetic, no locale). Negative values keep their sign LTR. */
export function formatAgorot(agorot: number): string {
  const neg = agorot < 0;
  const abs = Math.abs(agorot);
  const shekels = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const s = `${neg ? '-' : ''}${shekels}.${String(abs % 100).padStart(2, '0')}`;
  return neg ? ltr(s) : s;
}

/** An amount with the shekel sign, as printed in Hebrew: "1,234.56 ₪". */
export const money = (agorot: number) => `${formatAgorot(agorot)} ₪`;

/** 2026-12-02 → 02/12/2026. */
export const formatDate = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

function formatQuantity(q: number): string {
  const s = (Math.round(q * 1000) / 1000).toString();
  return q < 0 ? ltr(s) : s;
}

function documentTitle(input: DocumentRenderInput): string {
  const title = DOCUMENT_TITLES[input.type];
  return input.number == null ? title : `${title} ${input.number}`;
}

function paymentDetails(p: PaymentInput): string {
  const parts: string[] = [];
  if (p.chequeNumber) parts.push(`מס׳ ${p.chequeNumber}`);
  if (p.bank) parts.push(`בנק ${p.bank}`);
  if (p.branch) parts.push(`סניף ${p.branch}`);
  if (p.account) parts.push(`חשבון ${p.account}`);
  if (p.cardLast4) parts.push(`כרטיס המסתיים ב-${p.cardLast4}`);
  if (p.installments && p.installments > 1) parts.push(`${p.installments} תשלומים`);
  if (p.reference) parts.push(`אסמכתא ${p.reference}`);
  return parts.join(', ');
}

function lineDiscount(l: LineItem): string {
  if (!l.discount) return '';
  return l.discount.kind === 'percent' ? `${l.discount.percent}%` : formatAgorot(l.discount.agorot);
}

interface Column {
  title: string;
  width: number;
  cell: (l: LineItem, i: number) => string;
  wrap?: boolean;
}

/** Renders one document. Validates the input (throws a ZodError on a bad one). */
export async function renderDocumentPdf(
  raw: DocumentRenderInputIn,
  opts: RenderOptions,
  engine: { fontsDir?: string } = {},
): Promise<Uint8Array> {
  const input = documentRenderInputSchema.parse(raw);
  const doc = await PDFDocument.create({ updateMetadata: false });
  const ts = await Typesetter.create(doc, engine.fontsDir);
  const fixedDate = new Date(`${input.issueDate}T00:00:00.000Z`);
  doc.setTitle(documentTitle(input));
  doc.setAuthor(input.business.name);
  doc.setCreator('AgentLocator');
  doc.setProducer(PRODUCER);
  doc.setLanguage('he-IL');
  doc.setCreationDate(fixedDate);
  doc.setModificationDate(fixedDate);

  let logo: PDFImage | undefined;
  if (input.business.logo) {
    const bytes = Buffer.from(input.business.logo.base64, 'base64');
    logo = input.business.logo.mime === 'image/png' ? await doc.embedPng(bytes) : await doc.embedJpg(bytes);
  }

  const [pageW, pageH] = A4;
  const right = pageW - MARGIN;
  const left = MARGIN;
  const contentW = right - left;
  const title = documentTitle(input);
  const draft = input.status === 'draft';
  const vatShown = !(input.business.dealerType === 'osek_patur' && input.totals.vatRatePercent === 0);

  const pages: PDFPage[] = [];
  let page!: PDFPage;
  let y = 0;

  const text = (
    s: string,
    x: number,
    yy: number,
    style: TextStyle & { align?: 'right' | 'left' | 'center' },
  ) => ts.drawLine(page, s, { x, y: yy, ...style });
  const rule = (yy: number, x1 = left, x2 = right, thickness = 0.6, color = RULE) =>
    page.drawLine({ start: { x: x1, y: yy }, end: { x: x2, y: yy }, thickness, color });

  /** A continuation page: a slim header with the business and the document's title. */
  const newPage = (first: boolean) => {
    page = doc.addPage(A4);
    pages.push(page);
    y = pageH - MARGIN;
    if (!first) {
      text(input.business.name, right, y - 10, { size: 10, weight: 'bold' });
      text(`${title}${draft ? ' (טיוטה)' : ''} · המשך`, left, y - 10, {
        size: 10,
        align: 'left',
        color: MUTED,
      });
      y -= 20;
      rule(y, left, right, 1, ACCENT);
      y -= 14;
    }
  };

  // ── Header: business (right), logo (left) ──────────────────────────────────────────────
  newPage(true);
  const b = input.business;
  let hy = y - 16;
  text(b.name, right, hy, { size: 17, weight: 'bold', color: ACCENT });
  hy -= 17;
  text(`${DEALER_TYPE_NAMES[b.dealerType]} ${b.vatId}`, right, hy, { size: 10, weight: 'bold' });
  const contact = [
    b.address,
    b.phone && `טל׳ ${ltr(b.phone)}`,
    b.email && ltr(b.email),
    b.website && ltr(b.website),
  ]
    .filter(Boolean)
    .join('  ·  ');
  if (contact) {
    for (const l of ts.wrap(contact, { size: 9 }, contentW * 0.66)) {
      hy -= 13;
      text(l, right, hy, { size: 9, color: MUTED });
    }
  }
  let logoBottom = y;
  if (logo) {
    const fit = ts.drawImageFit(page, logo, { right: left + 130, top: y, width: 130, height: 60 });
    // drawImageFit anchors top-right: put the logo against the left margin instead.
    logoBottom = y - fit.height;
  }
  y = Math.min(hy, logoBottom) - 12;
  rule(y, left, right, 1.6, ACCENT);

  // ── Title row: title + number (centre), מקור/העתק box (left) ────────────────────────────
  y -= 32;
  text(title, pageW / 2, y, { size: 21, weight: 'bold', align: 'center' });
  const mark = opts.copy === 'original' ? 'מקור' : 'העתק';
  const markW = ts.width(mark, { size: 12, weight: 'bold' }) + 20;
  page.drawRectangle({
    x: left,
    y: y - 6,
    width: markW,
    height: 24,
    borderColor: ACCENT,
    borderWidth: 1.2,
    color: opts.copy === 'original' ? ACCENT_LIGHT : WHITE,
  });
  text(mark, left + markW / 2, y + 1, { size: 12, weight: 'bold', align: 'center', color: ACCENT });
  if (draft || input.status === 'cancelled') {
    const stamp = draft ? 'טיוטה — ללא מספר, אינה מסמך חשבונאי' : 'מסמך מבוטל';
    y -= 18;
    text(stamp, pageW / 2, y, { size: 11, weight: 'bold', align: 'center', color: DRAFT_RED });
  }
  y -= 20;

  // ── Customer (right half) and details (left half) ──────────────────────────────────────
  const boxTop = y;
  const half = (contentW - 14) / 2;
  const c = input.customer;
  const custLines: Array<[string, TextStyle]> = [[c.name, { size: 11, weight: 'bold' }]];
  if (c.idNumber) custLines.push([`ח.פ./ת.ז.: ${c.idNumber}`, { size: 9.5 }]);
  if (c.address)
    for (const l of ts.wrap(c.address, { size: 9.5 }, half - 20)) custLines.push([l, { size: 9.5 }]);
  if (c.phone) custLines.push([`טל׳: ${ltr(c.phone)}`, { size: 9.5 }]);
  if (c.email) custLines.push([`דוא״ל: ${ltr(c.email)}`, { size: 9.5 }]);

  const details: Array<[string, string]> = [['תאריך', formatDate(input.issueDate)]];
  if (input.dueDate)
    details.push([input.type === 'proposal' ? 'בתוקף עד' : 'לתשלום עד', formatDate(input.dueDate)]);
  if (input.allocationNumber) details.push(['מספר הקצאה', input.allocationNumber]);
  if (input.related) {
    const rel = `${DOCUMENT_TITLES[input.related.type]} ${input.related.number} מיום ${formatDate(input.related.issueDate)}`;
    details.push([input.type === 'credit_note' ? 'זיכוי עבור' : 'בהמשך ל', rel]);
  }
  details.push(['מטבע', 'שקל חדש (₪)']);

  const lh = 14;
  const boxH = Math.max(custLines.length, details.length) * lh + 30;
  const drawBox = (x: number, label: string) => {
    page.drawRectangle({
      x,
      y: boxTop - boxH,
      width: half,
      height: boxH,
      borderColor: RULE,
      borderWidth: 0.8,
    });
    page.drawRectangle({ x, y: boxTop - 18, width: half, height: 18, color: ACCENT_LIGHT });
    text(label, x + half - 8, boxTop - 13, { size: 9.5, weight: 'bold', color: ACCENT });
  };
  drawBox(right - half, 'לכבוד');
  custLines.forEach(([s, st], i) => text(s, right - 8, boxTop - 33 - i * lh, st));
  drawBox(left, 'פרטי המסמך');
  const detailLabelW = 70;
  details.forEach(([k, v], i) => {
    const yy = boxTop - 33 - i * lh;
    text(`${k}:`, left + half - 8, yy, { size: 9.5, color: MUTED });
    text(v, left + half - 8 - detailLabelW, yy, { size: 9.5, weight: 'bold' });
  });
  y = boxTop - boxH - 18;

  // ── Lines table ────────────────────────────────────────────────────────────────────────
  const fixed: Column[] = [
    { title: '#', width: 24, cell: (_l, i) => String(i + 1) },
    { title: 'תיאור', width: 0, cell: (l) => l.description, wrap: true },
    { title: 'כמות', width: 48, cell: (l) => formatQuantity(l.quantity) },
    { title: 'מחיר יחידה', width: 76, cell: (l) => formatAgorot(l.unitPriceAgorot) },
    { title: 'הנחה', width: 58, cell: lineDiscount },
    { title: 'סה״כ (₪)', width: 86, cell: (l) => formatAgorot(l.lineTotalAgorot) },
  ];
  fixed[1]!.width = contentW - fixed.reduce((a, col) => a + col.width, 0);
  const pad = 5;
  const cellStyle = { size: 9.5 };
  const rowLine = 13;
  const bottom = FOOTER_TOP + 8;

  const tableHeader = () => {
    const h = 20;
    page.drawRectangle({ x: left, y: y - h, width: contentW, height: h, color: ACCENT });
    let x = right;
    for (const col of fixed) {
      text(col.title, x - pad, y - 14, { size: 9.5, weight: 'bold', color: WHITE });
      x -= col.width;
    }
    y -= h;
  };
  tableHeader();
  input.lines.forEach((l, i) => {
    const desc = ts.wrap(fixed[1]!.cell(l, i), cellStyle, fixed[1]!.width - 2 * pad);
    const h = desc.length * rowLine + 8;
    if (y - h < bottom) {
      newPage(false);
      tableHeader();
    }
    if (i % 2 === 1) page.drawRectangle({ x: left, y: y - h, width: contentW, height: h, color: ZEBRA });
    let x = right;
    for (const col of fixed) {
      if (col.wrap) desc.forEach((d, k) => text(d, x - pad, y - 13 - k * rowLine, cellStyle));
      else text(col.cell(l, i), x - pad, y - 13, cellStyle);
      x -= col.width;
    }
    y -= h;
    rule(y, left, right, 0.4);
  });
  if (input.lines.length === 0) {
    text('אין שורות', right - pad, y - 14, { size: 9.5, color: MUTED });
    y -= 22;
  }
  rule(y, left, right, 1, ACCENT);

  // ── Totals box (left) ──────────────────────────────────────────────────────────────────
  const t = input.totals;
  const totals: Array<[string, string, boolean]> = [['סכום ביניים', money(t.subtotalAgorot), false]];
  if (t.discountAgorot !== 0) totals.push(['הנחה', money(-Math.abs(t.discountAgorot)), false]);
  if (vatShown) {
    totals.push(['סה״כ לפני מע״מ', money(t.beforeVatAgorot), false]);
    totals.push([`מע״מ ${t.vatRatePercent}%`, money(t.vatAgorot), false]);
  }
  if (t.roundingAgorot) totals.push(['עיגול', money(t.roundingAgorot), false]);
  const totalLabel =
    input.type === 'credit_note'
      ? 'סה״כ זיכוי'
      : input.type === 'proposal'
        ? 'סה״כ להצעה'
        : input.type === 'receipt'
          ? 'סה״כ התקבל'
          : 'סה״כ לתשלום';
  totals.push([totalLabel, money(t.totalAgorot), true]);
  const totW = 230;
  const totRow = 17;
  const totH = totals.length * totRow + 6;
  y -= 10;
  if (y - totH < bottom) newPage(false);
  page.drawRectangle({
    x: left,
    y: y - totH,
    width: totW,
    height: totH,
    borderColor: RULE,
    borderWidth: 0.8,
  });
  totals.forEach(([k, v, strong], i) => {
    const yy = y - 4 - (i + 1) * totRow + 5;
    if (strong) {
      page.drawRectangle({ x: left, y: y - totH, width: totW, height: yy + 13 - (y - totH), color: ACCENT });
    }
    const st = { size: strong ? 11 : 9.5, weight: strong ? ('bold' as const) : ('regular' as const) };
    const color = strong ? WHITE : BLACK;
    text(k, left + totW - 8, yy, { ...st, color });
    text(v, left + 8, yy, { ...st, color, align: 'left' });
  });
  // Beside the totals: the VAT status in words.
  const vatNote = !vatShown
    ? 'עוסק פטור: המסמך אינו כולל מע״מ'
    : input.type === 'receipt'
      ? ''
      : `המחירים בשורות אינם כוללים מע״מ; מע״מ בשיעור ${t.vatRatePercent}% מחושב על הסכום לפני מע״מ`;
  if (vatNote) {
    const noteLines = ts.wrap(vatNote, { size: 8.5 }, contentW - totW - 30);
    noteLines.forEach((l, i) => text(l, right, y - 14 - i * 12, { size: 8.5, color: MUTED }));
  }
  y -= totH + 16;

  // ── Payments (receipts) ────────────────────────────────────────────────────────────────
  if (input.payments.length > 0) {
    if (y - 60 < bottom) newPage(false);
    text('פרטי התשלום', right, y - 4, { size: 11, weight: 'bold', color: ACCENT });
    y -= 12;
    const cols = [
      { title: 'אמצעי תשלום', width: 110 },
      { title: 'פרטים', width: contentW - 110 - 80 - 100 },
      { title: 'תאריך', width: 80 },
      { title: 'סכום', width: 100 },
    ];
    const header = () => {
      page.drawRectangle({ x: left, y: y - 18, width: contentW, height: 18, color: ACCENT_LIGHT });
      let x = right;
      for (const col of cols) {
        text(col.title, x - pad, y - 13, { size: 9, weight: 'bold', color: ACCENT });
        x -= col.width;
      }
      y -= 18;
    };
    header();
    for (const p of input.payments) {
      const det = ts.wrap(paymentDetails(p), { size: 9 }, cols[1]!.width - 2 * pad);
      const h = Math.max(1, det.length) * 12 + 8;
      if (y - h < bottom) {
        newPage(false);
        header();
      }
      const cells = [PAYMENT_METHOD_NAMES[p.method], '', formatDate(p.date), money(p.amountAgorot)];
      let x = right;
      cols.forEach((col, k) => {
        if (k === 1) det.forEach((d, j) => text(d, x - pad, y - 13 - j * 12, { size: 9 }));
        else text(cells[k]!, x - pad, y - 13, { size: 9 });
        x -= col.width;
      });
      y -= h;
      rule(y, left, right, 0.4);
    }
    if (input.paidAgorot !== undefined) {
      y -= 16;
      text(`סה״כ שולם: ${money(input.paidAgorot)}`, right, y, { size: 10.5, weight: 'bold' });
    }
    y -= 18;
  }

  // ── Notes ──────────────────────────────────────────────────────────────────────────────
  if (input.notes) {
    const lines = ts.wrap(input.notes, { size: 9.5 }, contentW);
    if (y - 30 < bottom) newPage(false);
    text('הערות', right, y - 4, { size: 11, weight: 'bold', color: ACCENT });
    y -= 20;
    for (const l of lines) {
      if (y - 13 < bottom) newPage(false);
      text(l, right, y, { size: 9.5 });
      y -= 13;
    }
  }

  // ── Every page: footer, page numbers, the copy mark ────────────────────────────────────
  const n = pages.length;
  pages.forEach((p, i) => {
    page = p;
    rule(FOOTER_TOP - 18, left, right, 0.6);
    text(`עמוד ${i + 1} מתוך ${n}`, pageW / 2, FOOTER_TOP - 32, { size: 9, align: 'center', color: MUTED });
    text(`${b.name} · ${DEALER_TYPE_NAMES[b.dealerType]} ${b.vatId}`, right, FOOTER_TOP - 32, {
      size: 8,
      color: MUTED,
    });
    text(`${title} · ${mark}`, left, FOOTER_TOP - 32, { size: 8, color: MUTED, align: 'left' });
    text('מסמך זה הופק ממערכת ממוחשבת', pageW / 2, FOOTER_TOP - 44, {
      size: 7,
      align: 'center',
      color: MUTED,
    });
    // On top of everything, translucent: a draft can never pass for an issued document.
    if (draft) ts.drawDiagonal(page, 'טיוטה', { size: 140, color: DRAFT_RED, opacity: 0.16 });
  });

  return doc.save({ useObjectStreams: false });
}
