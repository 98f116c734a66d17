/**
 * Document money, in integer agorot, as Israeli accountants compute it (pure functions).
 *
 * The rule (one place, used by live totals, drafts and issuing):
 *  1. line gross    = quantity × unit price, rounded half-up to the agora;
 *  2. line discount = a fixed amount, or gross × percent rounded half-up; line total = gross − discount;
 *  3. subtotal      = Σ line totals − the document discount (the VAT base, "סה״כ לפני מע״מ");
 *  4. VAT           = subtotal × rate, rounded half-up to the agora — once, on the document's net
 *                     total, never per line (per-line rounding drifts by up to ½ agora a line);
 *  5. total         = subtotal + VAT. An עוסק פטור charges no VAT (rate 0).
 * Every product is computed in BigInt, so no amount loses an agora to floating point.
 */
import type { LineDiscount } from '../api/contract/billing';

export interface MoneyLine {
  /** Thousandths of a unit (1.5 hours = 1500). */
  quantityMilli: number;
  unitPriceAgorot: number;
  discount?: LineDiscount | null;
}

export interface LineAmounts {
  grossAgorot: number;
  discountAgorot: number;
  totalAgorot: number;
}

export interface MoneyTotals {
  lines: LineAmounts[];
  linesTotalAgorot: number;
  discountAgorot: number;
  subtotalAgorot: number;
  vatRateBp: number;
  vatAgorot: number;
  totalAgorot: number;
}

/** n / d rounded half-up (away from zero at exactly .5), for non-negative d. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error('divisor must be positive');
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (a * 2n + d) / (d * 2n);
  return neg ? -q : q;
}

const num = (b: bigint): number => {
  const n = Number(b);
  if (!Number.isSafeInteger(n)) throw new RangeError('amount out of range');
  return n;
};

/** A quantity as typed (≤ 3 decimals) in thousandths. */
export const toQuantityMilli = (q: number): number => Math.round(q * 1000);
/** A percent as typed (≤ 2 decimals) in basis points. */
export const percentToBp = (p: number): number => Math.round(p * 100);

export function lineAmounts(line: MoneyLine): LineAmounts {
  const gross = divRoundHalfUp(BigInt(line.quantityMilli) * BigInt(line.unitPriceAgorot), 1000n);
  let discount = 0n;
  if (line.discount?.kind === 'agorot') discount = BigInt(line.discount.agorot);
  else if (line.discount?.kind === 'percent')
    discount = divRoundHalfUp(gross * BigInt(percentToBp(line.discount.percent)), 10_000n);
  return { grossAgorot: num(gross), discountAgorot: num(discount), totalAgorot: num(gross - discount) };
}

/** VAT on a net amount at a rate in basis points (1800 = 18%), rounded half-up to the agora. */
export const vatOf = (netAgorot: number, rateBp: number): number =>
  num(divRoundHalfUp(BigInt(netAgorot) * BigInt(rateBp), 10_000n));

export function documentTotals(
  lines: readonly MoneyLine[],
  documentDiscountAgorot: number,
  vatRateBp: number,
): MoneyTotals {
  const amounts = lines.map(lineAmounts);
  const linesTotal = amounts.reduce((s, l) => s + BigInt(l.totalAgorot), 0n);
  const subtotal = linesTotal - BigInt(documentDiscountAgorot);
  const vat = vatOf(num(subtotal), vatRateBp);
  return {
    lines: amounts,
    linesTotalAgorot: num(linesTotal),
    discountAgorot: documentDiscountAgorot,
    subtotalAgorot: num(subtotal),
    vatRateBp,
    vatAgorot: vat,
    totalAgorot: num(subtotal + BigInt(vat)),
  };
}

/** A receipt carries no VAT: its total is what was paid. */
export function receiptTotals(paymentsAgorot: readonly number[]): MoneyTotals {
  const paid = num(paymentsAgorot.reduce((s, a) => s + BigInt(a), 0n));
  return {
    lines: [],
    linesTotalAgorot: 0,
    discountAgorot: 0,
    subtotalAgorot: paid,
    vatRateBp: 0,
    vatAgorot: 0,
    totalAgorot: paid,
  };
}

/** One allocation-number threshold (before VAT), in force from a date (YYYY-MM-DD, Israel). */
export interface AllocationThreshold {
  from: string;
  amountAgorot: number;
}

/** The Tax Authority's thresholds for מספר הקצאה, before VAT (the settings' default table). */
export const DEFAULT_ALLOCATION_THRESHOLDS: readonly AllocationThreshold[] = [
  { from: '2024-05-05', amountAgorot: 2_500_000 },
  { from: '2025-01-01', amountAgorot: 2_000_000 },
  { from: '2026-01-01', amountAgorot: 1_000_000 },
  { from: '2026-06-01', amountAgorot: 500_000 },
];

/** The threshold in force on `date` (the latest one from on or before it); null before the first. */
export function thresholdOn(table: readonly AllocationThreshold[], date: string): number | null {
  let best: AllocationThreshold | null = null;
  for (const t of table) if (t.from <= date && (!best || t.from > best.from)) best = t;
  return best ? best.amountAgorot : null;
}

/** A licensed dealer / company: the customer's VAT id is 9 digits. */
export const isDealerId = (idNumber: string | null | undefined): boolean => /^\d{9}$/.test(idNumber ?? '');

export interface RequirementInput {
  type: string;
  /** The issue date (today for a draft being checked). */
  date: string;
  subtotalAgorot: number;
  totalAgorot: number;
  customerIdNumber: string | null;
  /** Methods of the payments the document records (receipts, invoice-receipts). */
  paymentMethods: readonly string[];
  thresholds: readonly AllocationThreshold[];
  cashIdThresholdAgorot: number;
}

export interface Requirements {
  allocationNumber: boolean;
  allocationThresholdAgorot: number | null;
  customerId: boolean;
}

/**
 * What the law asks of a document before it is issued: an allocation number on a tax invoice to a
 * licensed dealer whose amount before VAT is above the threshold in force on the issue date; the
 * customer's ID / company number when it is paid in cash above the cash threshold.
 */
export function requirementsOf(r: RequirementInput): Requirements {
  const taxInvoice = r.type === 'tax_invoice' || r.type === 'tax_invoice_receipt';
  const threshold = taxInvoice ? thresholdOn(r.thresholds, r.date) : null;
  return {
    allocationNumber:
      taxInvoice && threshold !== null && isDealerId(r.customerIdNumber) && r.subtotalAgorot > threshold,
    allocationThresholdAgorot: threshold,
    customerId: r.paymentMethods.includes('cash') && r.totalAgorot > r.cashIdThresholdAgorot,
  };
}
