/**
 * Complete example inputs (one per document type) for `render-document --example`, the tests,
 * the benchmark and a designer checking the layout. Amounts are computed here the way billing
 * does (line = qty × price − discount; VAT rounded half-up on the before-VAT amount).
 */
import type { DocumentRenderInputIn, DocumentType, LineItem } from './document-input';

/** A 1×1 transparent-free blue PNG logo is too small to judge; this is a 120×48 two-tone mark. */
export function exampleLogoPng(): string {
  // Generated once with pngjs (120×48, navy with a teal band); kept inline so no file is needed.
  return EXAMPLE_LOGO_PNG;
}

const business = {
  name: 'אלון שירותי מיזוג בע״מ',
  address: 'רחוב הרצל 12, תל אביב-יפו 6100001',
  phone: '03-555-1234',
  email: 'office@alon-ac.co.il',
  vatId: '514123456',
  dealerType: 'company' as const,
};

const customer = {
  name: 'דנה כהן — סטודיו לעיצוב (Dana Design)',
  idNumber: '312345678',
  address: 'שדרות רוטשילד 45, דירה 3, תל אביב',
  phone: '052-123-4567',
  email: 'dana@example.co.il',
};

function line(
  description: string,
  quantity: number,
  unitPriceAgorot: number,
  discountPercent?: number,
): LineItem {
  const gross = Math.round(quantity * unitPriceAgorot);
  const disc = discountPercent ? Math.round((gross * discountPercent) / 100) : 0;
  return {
    description,
    quantity,
    unitPriceAgorot,
    ...(discountPercent ? { discount: { kind: 'percent' as const, percent: discountPercent } } : {}),
    lineTotalAgorot: gross - disc,
  };
}

function totals(lines: LineItem[], vatRatePercent = 18, discountAgorot = 0) {
  const subtotal = lines.reduce((a, l) => a + l.lineTotalAgorot, 0);
  const before = subtotal - discountAgorot;
  const vat = Math.round((before * vatRatePercent) / 100);
  return {
    subtotalAgorot: subtotal,
    discountAgorot,
    beforeVatAgorot: before,
    vatRatePercent,
    vatAgorot: vat,
    totalAgorot: before + vat,
  };
}

const BASE_LINES: LineItem[] = [
  line('התקנת מזגן עילי 1.5 כ״ס (Electra Platinum) כולל צנרת עד 3 מטר', 1, 2_450_00),
  line('צנרת נחושת נוספת [מטר]', 4, 120_00),
  line('שעת עבודה של טכנאי — ביקור 2/12/2026 (כולל נסיעה)', 2.5, 180_00, 10),
  line('מעמד למדחס + בורג עיגון Fischer S8', 1, 95_50),
];

/** 60 (or n) lines for the page-break tests and the five-page benchmark. */
export function manyLines(n: number): LineItem[] {
  return Array.from({ length: n }, (_, i) =>
    line(
      i % 7 === 3
        ? `שירות תחזוקה חודשי ${i + 1} — ניקוי מסננים, בדיקת גז (R32) ולחצים, כיול תרמוסטט ובדיקת ניקוז בכל יחידות המשרד`
        : `פריט ${i + 1}: מסנן אוויר מדגם AF-${100 + i}`,
      1 + (i % 3),
      35_00 + i * 250,
    ),
  );
}

export function exampleInput(type: DocumentType = 'tax_invoice', lines = BASE_LINES): DocumentRenderInputIn {
  const t = totals(lines);
  const common = {
    business: { ...business, logo: { mime: 'image/png' as const, base64: exampleLogoPng() } },
    customer,
    type,
    status: 'issued' as const,
    issueDate: '2026-12-02',
    lines,
    totals: t,
  };
  switch (type) {
    case 'tax_invoice':
      return {
        ...common,
        number: 1001,
        dueDate: '2027-01-01',
        allocationNumber: '123456789',
        notes: 'תשלום בהעברה בנקאית לחשבון 123456, בנק הפועלים (12), סניף 600. תודה שבחרתם בנו!',
      };
    case 'tax_invoice_receipt':
    case 'receipt':
      return {
        ...common,
        number: type === 'receipt' ? 2001 : 3001,
        payments: [
          {
            method: 'cheque',
            date: '2026-12-02',
            amountAgorot: 1_000_00,
            chequeNumber: '80012345',
            bank: '12',
            branch: '600',
            account: '123456',
          },
          {
            method: 'card',
            date: '2026-12-02',
            amountAgorot: t.totalAgorot - 1_000_00,
            cardLast4: '4580',
            installments: 3,
          },
        ],
        paidAgorot: t.totalAgorot,
        notes: 'התקבל בתודה.',
      };
    case 'credit_note':
      return {
        ...common,
        number: 5001,
        lines: [line('זיכוי עבור צנרת שלא הותקנה [מטר]', 2, 120_00)],
        totals: totals([line('x', 2, 120_00)]),
        related: { type: 'tax_invoice', number: 1001, issueDate: '2026-11-28' },
        notes: 'הזיכוי יקוזז מהחשבונית הבאה.',
      };
    case 'proposal':
      return {
        ...common,
        number: 12,
        dueDate: '2026-12-31',
        notes: 'ההצעה כוללת אחריות לשנה על העבודה ו-5 שנים על המדחס. מחירים לפני מע״מ.',
      };
  }
}

const EXAMPLE_LOGO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAHgAAAAwCAIAAABVDSmEAAABQ0lEQVR4Ae3BvW3dQBCF0U8XbIGZp53JWYbyAdyCg43dhvJtZ5m5iGdAgLL3R+lxkp1z3i6XC+V8oqQQJYUoKURJIUoKUVIsfJd5cNfojfJl4SDz4DnmwafRG9MTR5gHx5kH01t4jnnwA+YBjN6YlXiCefAK5sGsxCPmweuYB1MSd5kHr2YezEeUFOI28+Ac5sFkxA3mwZnMg5mIkkKUFOIa8+B85sE0REkhSgpRUoiSQpQUoqQQJYUoKURJIUoKcc3ojfON3pjGG3//cM2vj3+cbN9WpiFKCnHDvq2cad9WZiJu27eVc+zbymRESSHu2reVV9u3lfmIR/Zt5XX2bWVKy+X9Nw+9Yx782OiNWS08Z/QGmAffMnpjbuKI0RvHjd6Y3sJBozc+mQd3jd4oXxa+a/RGeZooKURJIUoKUVKIkuI/bUNCr+hA9hoAAAAASUVORK5CYII=';
