/**
 * renderDocumentPdf(): what poppler reads back from the PDF — Hebrew words in logical order,
 * the number, the totals, mixed lines in the right order — a 60-line invoice across pages with
 * the header row and "עמוד X מתוך Y" on each, drafts and copies marked, same input → same bytes.
 */
import { describe, expect, it } from 'vitest';
import { renderDocumentPdf } from '../../src-main/pdf/document';
import { exampleInput, manyLines } from '../../src-main/pdf/example';
import { pdfPages, pdfText, pdfWords } from '../helpers/pdf';

describe('a tax invoice', async () => {
  const pdf = await renderDocumentPdf(exampleInput('tax_invoice'), { copy: 'original' });
  const words = pdfWords(pdf);

  it('has the Hebrew words in logical order, the title and number', () => {
    expect(words).toContain('חשבונית מס 1001');
    expect(words).toContain('אלון שירותי מיזוג בע״מ');
    expect(words).toContain('ח.פ 514123456');
    expect(words).toContain('דנה כהן סטודיו לעיצוב Dana Design');
    expect(words).toContain('מקור');
    expect(pdfText(pdf)).toContain('₪');
    // A reversed (visual-order) word would read backwards.
    expect(words).not.toContain('תינובשח');
  });

  it('has the totals, the VAT rate and the allocation number', () => {
    expect(words).toContain('סכום ביניים');
    expect(words).toContain('סכום ביניים 3,430.50');
    expect(words).toContain('מע״מ 18%');
    expect(words).toContain('617.49');
    expect(words).toContain('סה״כ לתשלום');
    expect(words).toContain('4,047.99');
    expect(words).toContain('123456789');
    expect(words).toContain('02/12/2026');
    // Digits drawn mirrored would read 99.740,4.
    expect(words).not.toContain('99.740');
  });

  it('keeps mixed lines (Hebrew, numbers, English, dates, brackets) in order', () => {
    expect(words).toContain('התקנת מזגן עילי 1.5 כ״ס Electra Platinum כולל');
    expect(words).toContain('שעת עבודה של טכנאי ביקור 2/12/2026 כולל');
    expect(words).toContain('בורג עיגון Fischer S8');
    expect(words).toContain('תשלום בהעברה בנקאית לחשבון 123456 בנק הפועלים 12 סניף');
    expect(words).toContain('רחוב הרצל 12 תל אביב-יפו 6100001');
  });

  it('says page 1 of 1', () => {
    expect(pdfPages(pdf)).toBe(1);
    expect(words).toContain('עמוד 1 מתוך 1');
  });
});

describe('a 60-line invoice', async () => {
  const pdf = await renderDocumentPdf(exampleInput('tax_invoice', manyLines(60)), { copy: 'copy' });
  const pages = pdfPages(pdf);

  it('breaks onto several pages, each with the header row, its number and the copy mark', () => {
    expect(pages).toBeGreaterThanOrEqual(2);
    for (let p = 1; p <= pages; p++) {
      const w = pdfWords(pdf, p);
      expect(w, `page ${p}`).toContain(`עמוד ${p} מתוך ${pages}`);
      expect(w, `page ${p}`).toContain('העתק');
      if (p < pages || w.includes('פריט 60')) {
        for (const h of ['תיאור', 'כמות', 'מחיר יחידה', 'הנחה', 'סה״כ'])
          expect(w, `page ${p}: ${h}`).toContain(h);
      }
    }
    expect(pdfWords(pdf, 1)).not.toContain('המשך');
    expect(pdfWords(pdf, 2)).toContain('המשך');
  });

  it('draws every line once, in order', () => {
    const all = pdfWords(pdf);
    let at = -1;
    for (let i = 1; i <= 60; i++) {
      const needle = i % 7 === 4 ? `שירות תחזוקה חודשי ${i}` : `פריט ${i} מסנן אוויר מדגם AF-${99 + i}`;
      const next = all.indexOf(needle, at + 1);
      expect(next, needle).toBeGreaterThan(at);
      at = next;
    }
    expect(all).toContain('סה״כ לתשלום');
  });
});

describe('the other document types and states', () => {
  it('a receipt lists its payments', async () => {
    const w = pdfWords(await renderDocumentPdf(exampleInput('receipt'), { copy: 'original' }));
    expect(w).toContain('קבלה 2001');
    expect(w).toContain('פרטי התשלום');
    expect(w).toContain('המחאה');
    expect(w).toContain('מס׳ 80012345 בנק 12 סניף 600 חשבון 123456');
    expect(w).toContain('כרטיס אשראי כרטיס המסתיים ב');
    expect(w).toContain('4580');
    expect(w).toContain('סה״כ שולם 4,047.99');
  });

  it('a credit note names what it credits', async () => {
    const w = pdfWords(await renderDocumentPdf(exampleInput('credit_note'), { copy: 'original' }));
    expect(w).toContain('חשבונית זיכוי 5001');
    expect(w).toContain('זיכוי עבור');
    expect(w).toContain('חשבונית מס 1001 מיום 28/11/2026');
    expect(w).toContain('סה״כ זיכוי');
  });

  it('a proposal has its validity date', async () => {
    const w = pdfWords(await renderDocumentPdf(exampleInput('proposal'), { copy: 'original' }));
    expect(w).toContain('הצעת מחיר 12');
    expect(w).toContain('בתוקף עד');
    expect(w).toContain('31/12/2026');
  });

  it('a draft has no number and the big טיוטה', async () => {
    const w = pdfWords(
      await renderDocumentPdf(
        { ...exampleInput('tax_invoice'), number: null, status: 'draft' },
        { copy: 'original' },
      ),
    );
    expect(w).toContain('טיוטה');
    expect(w).not.toContain('1001');
  });

  it('an עוסק פטור document shows no VAT line', async () => {
    const base = exampleInput('receipt');
    const w = pdfWords(
      await renderDocumentPdf(
        {
          ...base,
          business: { ...base.business, dealerType: 'osek_patur' },
          totals: { ...base.totals, vatRatePercent: 0, vatAgorot: 0 },
        },
        { copy: 'original' },
      ),
    );
    expect(w).toContain('עוסק פטור 514123456');
    expect(w).not.toContain('מע״מ 18%');
    expect(w).toContain('עוסק פטור המסמך אינו כולל מע״מ');
  });

  it('refuses a bad input with the field', async () => {
    await expect(
      renderDocumentPdf({ ...exampleInput('tax_invoice'), issueDate: '2.12.2026' }, { copy: 'original' }),
    ).rejects.toThrow(/issueDate/);
  });
});

describe('reproducible', () => {
  it('same input → same bytes; the issue date is the only date inside', async () => {
    const input = exampleInput('tax_invoice_receipt');
    const a = await renderDocumentPdf(input, { copy: 'original' });
    const b = await renderDocumentPdf(structuredClone(input), { copy: 'original' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const raw = Buffer.from(a).toString('latin1');
    expect(raw).toContain('/CreationDate (D:20261202000000Z)');
    expect(raw).not.toMatch(/pdf-lib/);
    const c = await renderDocumentPdf({ ...input, issueDate: '2026-12-03' }, { copy: 'original' });
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    const copy = await renderDocumentPdf(input, { copy: 'copy' });
    expect(pdfText(copy)).toContain('העתק');
  });
});
