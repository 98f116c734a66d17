/**
 * The one input shape of a rendered billing document (tax invoice, receipt, credit note, proposal).
 *
 * Billing builds it from an issued document's snapshot (business and customer details as they were
 * at issue time) and hands it to `renderDocumentPdf()`; `npm run render-document` reads the same
 * JSON from a file. Everything the page shows is here, already computed: the renderer draws, it
 * does no money math (money is integer agorot; dates are the document's own calendar dates,
 * `YYYY-MM-DD` in Asia/Jerusalem, so the same input always gives the same bytes).
 */
import { z } from 'zod';

export const DOCUMENT_TYPES = [
  'tax_invoice',
  'receipt',
  'tax_invoice_receipt',
  'credit_note',
  'proposal',
] as const;
export const documentTypeSchema = z.enum(DOCUMENT_TYPES);
export type DocumentType = z.infer<typeof documentTypeSchema>;

export const DEALER_TYPES = ['osek_murshe', 'osek_patur', 'company'] as const;
export const dealerTypeSchema = z.enum(DEALER_TYPES);
export type DealerType = z.infer<typeof dealerTypeSchema>;

export const PAYMENT_METHODS = [
  'cash',
  'cheque',
  'bank_transfer',
  'card',
  'bit',
  'paypal',
  'tranzila',
] as const;
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

export const documentStatusSchema = z.enum(['draft', 'issued', 'cancelled']);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

/** A calendar date `YYYY-MM-DD` (the document's own date in Israel, not a timestamp). */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a date YYYY-MM-DD');

const agorot = z.number().int().min(-1_000_000_000_000).max(1_000_000_000_000);
const text = (max: number) => z.string().max(max);

export const logoSchema = z.object({
  mime: z.enum(['image/png', 'image/jpeg']),
  /** The image bytes, base64 (at most ~1.5 MB of image). */
  base64: z.string().min(4).max(2_000_000),
});
export type LogoInput = z.infer<typeof logoSchema>;

export const businessDetailsSchema = z.object({
  name: text(200).min(1),
  address: text(300).optional(),
  phone: text(40).optional(),
  email: text(200).optional(),
  website: text(200).optional(),
  /** עוסק מורשה / עוסק פטור number or ח.פ (company number), 9 digits. */
  vatId: z.string().regex(/^\d{9}$/, 'expected 9 digits'),
  dealerType: dealerTypeSchema,
  logo: logoSchema.optional(),
});
export type BusinessDetails = z.infer<typeof businessDetailsSchema>;

export const customerDetailsSchema = z.object({
  name: text(200).min(1),
  /** ת.ז. or ח.פ / עוסק number, when known (required by law on some documents; billing checks). */
  idNumber: text(20).optional(),
  address: text(300).optional(),
  phone: text(40).optional(),
  email: text(200).optional(),
});
export type CustomerDetails = z.infer<typeof customerDetailsSchema>;

export const lineItemSchema = z.object({
  description: text(500).min(1),
  /** May be fractional (hours, kilograms); up to 3 decimals shown. */
  quantity: z.number().finite().min(-1_000_000).max(1_000_000),
  unitPriceAgorot: agorot,
  /** A discount on this line, as the owner entered it (shown; already applied in lineTotalAgorot). */
  discount: z
    .union([
      z.object({ kind: z.literal('agorot'), agorot: agorot }),
      z.object({ kind: z.literal('percent'), percent: z.number().min(0).max(100) }),
    ])
    .optional(),
  /** The caller's computed line total (quantity × price − discount), before VAT. */
  lineTotalAgorot: agorot,
});
export type LineItem = z.infer<typeof lineItemSchema>;

export const totalsSchema = z.object({
  /** Sum of the line totals. */
  subtotalAgorot: agorot,
  /** A discount on the whole document (0 when none). */
  discountAgorot: agorot,
  /** Subtotal less the document discount: the amount VAT is computed on. */
  beforeVatAgorot: agorot,
  /** The rate stored on the document (its tax point), e.g. 18; 0 for an עוסק פטור. */
  vatRatePercent: z.number().min(0).max(100),
  vatAgorot: agorot,
  /** Rounding to the shekel, when the owner rounds (0 when not). */
  roundingAgorot: agorot.optional(),
  totalAgorot: agorot,
});
export type DocumentTotals = z.infer<typeof totalsSchema>;

export const paymentSchema = z.object({
  method: paymentMethodSchema,
  date: calendarDate,
  amountAgorot: agorot,
  chequeNumber: text(30).optional(),
  bank: text(60).optional(),
  branch: text(20).optional(),
  account: text(30).optional(),
  cardLast4: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  /** Card installments (תשלומים), when more than one. */
  installments: z.number().int().min(1).max(36).optional(),
  /** Bank-transfer reference, PayPal capture id, Tranzila confirmation … */
  reference: text(100).optional(),
});
export type PaymentInput = z.infer<typeof paymentSchema>;

export const relatedDocumentSchema = z.object({
  type: documentTypeSchema,
  number: z.number().int().positive(),
  issueDate: calendarDate,
});
export type RelatedDocument = z.infer<typeof relatedDocumentSchema>;

export const documentRenderInputSchema = z.object({
  business: businessDetailsSchema,
  customer: customerDetailsSchema,
  type: documentTypeSchema,
  /** The document's number in its type's sequence; null for a draft. */
  number: z.number().int().positive().nullable(),
  status: documentStatusSchema,
  issueDate: calendarDate,
  /** Payment due date (invoices) or valid-until date (proposals). */
  dueDate: calendarDate.optional(),
  /** מספר הקצאה from the Tax Authority, 9 digits, when the document needs one. */
  allocationNumber: z
    .string()
    .regex(/^\d{9}$/, 'expected 9 digits')
    .optional(),
  currency: z.literal('ILS').default('ILS'),
  lines: z.array(lineItemSchema).max(2000),
  totals: totalsSchema,
  /** Receipts and invoice-receipts: how it was paid. */
  payments: z.array(paymentSchema).max(100).default([]),
  /** Sum of the payments, computed by the caller (receipts). */
  paidAgorot: agorot.optional(),
  notes: text(4000).optional(),
  /** A credit note: the document it cancels or corrects. A converted invoice: the proposal. */
  related: relatedDocumentSchema.optional(),
});
/** What callers pass (defaults optional). */
export type DocumentRenderInputIn = z.input<typeof documentRenderInputSchema>;
/** After parsing (defaults filled). */
export type DocumentRenderInput = z.infer<typeof documentRenderInputSchema>;

export interface RenderOptions {
  /** מקור (the first print, the customer's) or העתק (every later one). */
  copy: 'original' | 'copy';
}

/** Hebrew names of the document types as printed in the title. */
export const DOCUMENT_TITLES: Record<DocumentType, string> = {
  tax_invoice: 'חשבונית מס',
  receipt: 'קבלה',
  tax_invoice_receipt: 'חשבונית מס/קבלה',
  credit_note: 'חשבונית זיכוי',
  proposal: 'הצעת מחיר',
};

export const PAYMENT_METHOD_NAMES: Record<PaymentMethod, string> = {
  cash: 'מזומן',
  cheque: 'המחאה',
  bank_transfer: 'העברה בנקאית',
  card: 'כרטיס אשראי',
  bit: 'ביט',
  paypal: 'PayPal',
  tranzila: 'אשראי (Tranzila)',
};

export const DEALER_TYPE_NAMES: Record<DealerType, string> = {
  osek_murshe: 'עוסק מורשה',
  osek_patur: 'עוסק פטור',
  company: 'ח.פ.',
};
