/**
 * Document money in agorot (issue 12): the rule in src-main/billing/money.ts — each line rounded
 * half-up to the agora, VAT once on the document's net total (never per line), עוסק פטור no VAT —
 * on a table of tricky amounts, plus the allocation-number and cash-ID rules.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALLOCATION_THRESHOLDS,
  divRoundHalfUp,
  documentTotals,
  lineAmounts,
  receiptTotals,
  requirementsOf,
  thresholdOn,
  toQuantityMilli,
  vatOf,
  type MoneyLine,
} from '../../src-main/billing/money';

const l = (unitPriceAgorot: number, quantity = 1, discount?: MoneyLine['discount']): MoneyLine => ({
  quantityMilli: toQuantityMilli(quantity),
  unitPriceAgorot,
  discount: discount ?? null,
});

describe('rounding', () => {
  it.each([
    [5n, 10n, 1n], // 0.5 → 1 (half-up)
    [4n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 3n],
    [-15n, 10n, -2n], // away from zero
    [1n, 3n, 0n],
    [2n, 3n, 1n],
  ])('%d / %d = %d', (n, d, q) => expect(divRoundHalfUp(n, d)).toBe(q));

  it('quantities keep 3 decimals exactly (0.1 + 0.2 style floats do not leak)', () => {
    expect(toQuantityMilli(1.005)).toBe(1005);
    expect(toQuantityMilli(0.3)).toBe(300);
    expect(toQuantityMilli(2.675)).toBe(2675);
  });
});

describe('document totals (VAT 18%)', () => {
  const cases: Array<{
    name: string;
    lines: MoneyLine[];
    discount?: number;
    rate?: number;
    expect: [number, number, number];
  }> = [
    // [subtotal, vat, total]
    { name: 'one agora', lines: [l(1)], expect: [1, 0, 1] }, // 0.18 → 0
    { name: 'three agorot', lines: [l(3)], expect: [3, 1, 4] }, // 0.54 → 1
    { name: '₪0.01 × 3 lines: VAT on the total, not per line', lines: [l(1), l(1), l(1)], expect: [3, 1, 4] },
    { name: 'exactly half an agora rounds up', lines: [l(25)], expect: [25, 5, 30] }, // 4.5 → 5
    { name: '₪100', lines: [l(10_000)], expect: [10_000, 1_800, 11_800] },
    { name: '₪99.99', lines: [l(9_999)], expect: [9_999, 1_800, 11_799] }, // 1799.82 → 1800
    { name: 'quantity 1.5 × ₪33.33', lines: [l(3_333, 1.5)], expect: [5_000, 900, 5_900] }, // 4999.5 → 5000
    { name: 'quantity 0.333 × ₪10', lines: [l(1_000, 0.333)], expect: [333, 60, 393] }, // 59.94 → 60
    {
      name: '100 lines of ₪0.05: per-line VAT would give 100 agorot, on the total 90',
      lines: Array.from({ length: 100 }, () => l(5)),
      expect: [500, 90, 590],
    },
    {
      name: 'line discount 10% and a document discount',
      lines: [l(10_000, 2), l(5_000, 1, { kind: 'percent', percent: 10 })],
      discount: 1_000,
      expect: [23_500, 4_230, 27_730],
    },
    {
      name: 'percent discount with 2 decimals',
      lines: [l(999, 1, { kind: 'percent', percent: 12.5 })],
      expect: [874, 157, 1_031],
    }, // 124.875 → 125 off
    {
      name: 'fixed line discount',
      lines: [l(10_000, 1, { kind: 'agorot', agorot: 2_501 })],
      expect: [7_499, 1_350, 8_849],
    }, // 1349.82
    { name: 'פטור: no VAT', lines: [l(12_345, 3)], rate: 0, expect: [37_035, 0, 37_035] },
    {
      name: '17% (a document issued before 2025)',
      lines: [l(10_000)],
      rate: 1700,
      expect: [10_000, 1_700, 11_700],
    },
    {
      name: 'large amounts stay exact (₪9,999,999.99 × 1000)',
      lines: [l(999_999_999, 1000)],
      expect: [999_999_999_000, 179_999_999_820, 1_179_999_998_820],
    },
  ];
  it.each(cases)('$name', (c) => {
    const t = documentTotals(c.lines, c.discount ?? 0, c.rate ?? 1800);
    expect([t.subtotalAgorot, t.vatAgorot, t.totalAgorot]).toEqual(c.expect);
    expect(t.subtotalAgorot + t.vatAgorot).toBe(t.totalAgorot);
    expect(t.linesTotalAgorot - t.discountAgorot).toBe(t.subtotalAgorot);
    for (const x of [t.subtotalAgorot, t.vatAgorot, t.totalAgorot]) expect(Number.isInteger(x)).toBe(true);
  });

  it('each line: gross rounded half-up, then its discount', () => {
    expect(lineAmounts(l(3_333, 1.5))).toEqual({ grossAgorot: 5_000, discountAgorot: 0, totalAgorot: 5_000 });
    expect(lineAmounts(l(1_001, 1, { kind: 'percent', percent: 50 }))).toEqual({
      grossAgorot: 1_001,
      discountAgorot: 501,
      totalAgorot: 500,
    });
  });

  it('VAT on the net total', () => {
    expect(vatOf(23_500, 1800)).toBe(4_230);
    expect(vatOf(0, 1800)).toBe(0);
  });

  it('a receipt carries no VAT: its total is what was paid', () => {
    expect(receiptTotals([10_000, 2_550, 1])).toMatchObject({
      subtotalAgorot: 12_551,
      vatAgorot: 0,
      totalAgorot: 12_551,
    });
  });
});

describe('allocation number and customer ID', () => {
  it.each([
    ['2024-05-04', null],
    ['2024-05-05', 2_500_000],
    ['2024-12-31', 2_500_000],
    ['2025-01-01', 2_000_000],
    ['2026-01-01', 1_000_000],
    ['2026-05-31', 1_000_000],
    ['2026-06-01', 500_000],
    ['2030-01-01', 500_000],
  ])('threshold on %s is %s', (date, amount) =>
    expect(thresholdOn(DEFAULT_ALLOCATION_THRESHOLDS, date)).toBe(amount),
  );

  const base = {
    type: 'tax_invoice',
    date: '2026-03-10',
    subtotalAgorot: 1_000_001,
    totalAgorot: 1_180_001,
    customerIdNumber: '513999999',
    paymentMethods: [] as string[],
    thresholds: DEFAULT_ALLOCATION_THRESHOLDS,
    cashIdThresholdAgorot: 500_000,
  };
  it('above the threshold (before VAT), to a 9-digit VAT id, on a tax invoice', () => {
    expect(requirementsOf(base).allocationNumber).toBe(true);
    expect(requirementsOf({ ...base, type: 'tax_invoice_receipt' }).allocationNumber).toBe(true);
    expect(requirementsOf({ ...base, subtotalAgorot: 1_000_000 }).allocationNumber).toBe(false); // at, not above
    expect(requirementsOf({ ...base, customerIdNumber: null }).allocationNumber).toBe(false);
    expect(requirementsOf({ ...base, customerIdNumber: '12345' }).allocationNumber).toBe(false);
    expect(requirementsOf({ ...base, type: 'proposal' }).allocationNumber).toBe(false);
    expect(requirementsOf({ ...base, type: 'receipt' }).allocationNumber).toBe(false);
    expect(requirementsOf({ ...base, date: '2024-05-01', subtotalAgorot: 99_000_000 }).allocationNumber).toBe(
      false,
    );
  });
  it('cash above ₪5,000 needs the customer ID', () => {
    const cash = { ...base, type: 'receipt', paymentMethods: ['cash'] };
    expect(requirementsOf({ ...cash, totalAgorot: 500_001 }).customerId).toBe(true);
    expect(requirementsOf({ ...cash, totalAgorot: 500_000 }).customerId).toBe(false);
    expect(requirementsOf({ ...cash, paymentMethods: ['cheque'], totalAgorot: 900_000 }).customerId).toBe(
      false,
    );
  });
});
