/**
 * Billing API (SPEC §4): Israeli tax documents (tax invoice, receipt, tax invoice-receipt, credit
 * note, price proposal), their numbering and PDFs, manual payments and the unpaid-invoices view.
 *
 * Money is integer agorot; a document's dates are calendar dates `YYYY-MM-DD` in Israel; other
 * times are epoch ms. A draft has no number and can be edited or deleted; issuing allocates the
 * type's next gapless number and freezes the document (business and customer details as they
 * were at issue). An issued document is never edited or deleted: it is cancelled by a credit note.
 * Every method needs `invoices_enabled`.
 */
import { z } from 'zod';
import { method } from '../define';
import { agorot, epochMs, id, idInput, pageInput, paged } from './common';

export const DOCUMENT_TYPES = [
  'tax_invoice',
  'receipt',
  'tax_invoice_receipt',
  'credit_note',
  'proposal',
] as const;
export const documentTypeSchema = z.enum(DOCUMENT_TYPES);
export type DocumentType = z.infer<typeof documentTypeSchema>;

/** A credit note is never drafted by hand: `billing.documents.cancel` issues it. */
export const DRAFT_TYPES = ['tax_invoice', 'receipt', 'tax_invoice_receipt', 'proposal'] as const;
export const draftTypeSchema = z.enum(DRAFT_TYPES);

export const DOCUMENT_STATUSES = ['draft', 'issued', 'cancelled'] as const;
export const documentStatusSchema = z.enum(DOCUMENT_STATUSES);

/** Tax invoices only: how much of it the succeeded payments linked to it cover. */
export const PAID_STATUSES = ['unpaid', 'partial', 'paid'] as const;
export const paidStatusSchema = z.enum(PAID_STATUSES);

/** Payments the owner records by hand. */
export const MANUAL_PAYMENT_METHODS = ['cash', 'cheque', 'bank_transfer', 'card', 'bit'] as const;
export const manualPaymentMethodSchema = z.enum(MANUAL_PAYMENT_METHODS);
export const PAYMENT_METHODS = [...MANUAL_PAYMENT_METHODS, 'paypal', 'tranzila'] as const;
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export const PAYMENT_PROVIDERS = ['manual', 'paypal', 'tranzila'] as const;
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'refunded', 'cancelled'] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);

/** A calendar date in Israel. */
export const calendarDate = z.iso.date();

const str = (max: number) => z.string().trim().max(max);
const digits = (n: number, what: string) =>
  z.string().regex(new RegExp(`^\\d{${n}}$`), `${what}: ${n} digits`);

/** At most three decimals (hours, kilograms); stored in thousandths. */
const quantity = z
  .number()
  .finite()
  .positive()
  .max(1_000_000)
  .refine((q) => Math.abs(Math.round(q * 1000) - q * 1000) < 1e-6, 'at most 3 decimals');

/** A line's discount: a fixed amount off the line, or a percent (at most 2 decimals). */
export const lineDiscountSchema = z.union([
  z.object({ kind: z.literal('agorot'), agorot: agorot.min(0) }).strict(),
  z
    .object({
      kind: z.literal('percent'),
      percent: z
        .number()
        .min(0)
        .max(100)
        .refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-6, 'at most 2 decimals'),
    })
    .strict(),
]);
export type LineDiscount = z.infer<typeof lineDiscountSchema>;

export const lineInputSchema = z
  .object({
    description: str(500).min(1),
    quantity,
    unitPriceAgorot: agorot.min(0),
    discount: lineDiscountSchema.optional(),
  })
  .strict();
export type LineInput = z.infer<typeof lineInputSchema>;

/** How a receipt was paid: the details a receipt prints (per method). */
export const paymentDetailsSchema = z
  .object({
    chequeNumber: str(30),
    bank: str(60),
    branch: str(20),
    account: str(30),
    cardLast4: digits(4, 'card'),
    installments: z.number().int().min(1).max(36),
    /** Transfer reference, Bit confirmation, terminal approval number … */
    reference: str(100),
  })
  .partial()
  .strict();
export type PaymentDetails = z.infer<typeof paymentDetailsSchema>;

/** One payment written on a receipt / invoice-receipt. */
export const receiptPaymentSchema = z
  .object({
    /** The form offers the manual methods; a PayPal / Tranzila payment's receipt names its provider. */
    method: paymentMethodSchema,
    amountAgorot: agorot.positive(),
    date: calendarDate,
    details: paymentDetailsSchema.default({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.method === 'cheque' && !p.details.chequeNumber)
      ctx.addIssue({ code: 'custom', path: ['details', 'chequeNumber'], message: 'cheque number required' });
  });
export type ReceiptPayment = z.infer<typeof receiptPaymentSchema>;

/** Who the document is for, when not (only) the CRM customer: a walk-in, or details to print instead. */
export const customerDetailsInputSchema = z
  .object({
    name: str(200).min(1),
    /** ת.ז. / ח.פ / עוסק מורשה number. */
    idNumber: z
      .string()
      .trim()
      .regex(/^(\d{5,9})?$/, 'ID / VAT number: digits only'),
    address: str(300),
    phone: str(40),
    email: str(200),
  })
  .partial({ idNumber: true, address: true, phone: true, email: true })
  .strict();

const draftFields = {
  type: draftTypeSchema,
  /** The CRM customer; its details are frozen into the document when it is issued. */
  customerId: id.nullable(),
  /** Printed instead of the CRM customer's details (or for a customer not in the CRM). */
  customerDetails: customerDetailsInputSchema.nullable(),
  dealId: id.nullable(),
  /** Payment due (invoices) or valid until (proposals). */
  dueDate: calendarDate.nullable(),
  lines: z.array(lineInputSchema).max(500),
  /** An amount off the whole document, before VAT. */
  discountAgorot: agorot.min(0),
  /** Receipts and invoice-receipts: how it was paid (their sum must equal the total). */
  payments: z.array(receiptPaymentSchema).max(50),
  /** מספר הקצאה (9 digits), when the document needs one. */
  allocationNumber: digits(9, 'allocation number').nullable(),
  /** A receipt: the invoice it is for. */
  relatedDocumentId: id.nullable(),
  notes: str(4000),
};

export const draftCreateSchema = z
  .object({
    ...draftFields,
    customerId: id.nullable().default(null),
    customerDetails: customerDetailsInputSchema.nullable().default(null),
    dealId: id.nullable().default(null),
    dueDate: calendarDate.nullable().default(null),
    lines: z.array(lineInputSchema).max(500).default([]),
    discountAgorot: agorot.min(0).default(0),
    payments: z.array(receiptPaymentSchema).max(50).default([]),
    allocationNumber: digits(9, 'allocation number').nullable().default(null),
    relatedDocumentId: id.nullable().default(null),
    notes: str(4000).default(''),
  })
  .strict();
export type DraftCreate = z.infer<typeof draftCreateSchema>;

export const draftUpdateSchema = z
  .object({ id, ...draftFields })
  .partial()
  .required({ id: true })
  .strict();

/** Computed totals (the same function issues the document). */
export const totalsOutputSchema = z.object({
  lines: z.array(z.object({ grossAgorot: agorot, discountAgorot: agorot, totalAgorot: agorot })),
  /** Sum of the line totals. */
  linesTotalAgorot: agorot,
  discountAgorot: agorot,
  /** What VAT is computed on (lines total − document discount). */
  subtotalAgorot: agorot,
  vatRateBp: z.number().int(),
  vatAgorot: agorot,
  totalAgorot: agorot,
  paidAgorot: agorot,
  /** What issuing would demand, given the customer and the settings in force today. */
  requirements: z.object({
    allocationNumber: z.boolean(),
    allocationThresholdAgorot: agorot.nullable(),
    customerId: z.boolean(),
  }),
  /** Problems that would stop `issue` (codes; see ISSUE_PROBLEMS). */
  problems: z.array(z.string()),
});
export type TotalsOutput = z.infer<typeof totalsOutputSchema>;

/**
 * Why `billing.documents.issue` refuses (the `error` of a 400/409; `problems` of totals):
 * each changes nothing.
 */
export const ISSUE_PROBLEMS = [
  'no_lines',
  'no_customer',
  'zero_total',
  'discount_too_large',
  'payments_mismatch',
  'allocation_number_required',
  'customer_id_required',
  'business_details_missing',
] as const;

export const businessSnapshotSchema = z.object({
  name: z.string(),
  legalName: z.string(),
  vatId: z.string(),
  dealerType: z.enum(['osek_murshe', 'osek_patur', 'company']),
  address: z.string(),
  phone: z.string(),
  email: z.string(),
  website: z.string(),
});

export const customerSnapshotSchema = z.object({
  name: z.string(),
  idNumber: z.string().nullable(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
});

export const documentLineSchema = z.object({
  position: z.number().int(),
  description: z.string(),
  quantity: z.number(),
  unitPriceAgorot: agorot,
  discount: lineDiscountSchema.nullable(),
  totalAgorot: agorot,
});

const docRef = z.object({ id, type: documentTypeSchema, number: z.number().int().nullable() });

export const documentSchema = z.object({
  id,
  type: documentTypeSchema,
  status: documentStatusSchema,
  /** Null for a draft. */
  number: z.number().int().nullable(),
  /** Set when issued. */
  issueDate: calendarDate.nullable(),
  dueDate: calendarDate.nullable(),
  customerId: id.nullable(),
  /** As printed: the snapshot for an issued document, the current details for a draft. */
  customer: customerSnapshotSchema.nullable(),
  /** The business as at issue (null for a draft: the current profile is used). */
  business: businessSnapshotSchema.nullable(),
  dealId: id.nullable(),
  lines: z.array(documentLineSchema),
  linesTotalAgorot: agorot,
  discountAgorot: agorot,
  subtotalAgorot: agorot,
  vatRateBp: z.number().int(),
  vatAgorot: agorot,
  totalAgorot: agorot,
  currency: z.literal('ILS'),
  payments: z.array(receiptPaymentSchema),
  allocationNumber: z.string().nullable(),
  notes: z.string(),
  /** A credit note: the document it cancels; a receipt: the invoice; an invoice: the proposal. */
  related: docRef.nullable(),
  /** The credit note that cancelled this document. */
  cancelledBy: docRef.nullable(),
  /** A proposal: the invoices made from it. */
  convertedTo: z.array(docRef),
  /** Tax invoices: succeeded payments linked to it. */
  paidAgorot: agorot,
  paidStatus: paidStatusSchema.nullable(),
  pdfSha256: z.string().nullable(),
  issuedAt: epochMs.nullable(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type BillingDocument = z.infer<typeof documentSchema>;

export const documentListItemSchema = documentSchema
  .pick({
    id: true,
    type: true,
    status: true,
    number: true,
    issueDate: true,
    dueDate: true,
    customerId: true,
    totalAgorot: true,
    paidAgorot: true,
    paidStatus: true,
    issuedAt: true,
    createdAt: true,
    updatedAt: true,
  })
  .extend({ customerName: z.string().nullable() });
export type DocumentListItem = z.infer<typeof documentListItemSchema>;

/**
 * A file the renderer opens by URL, never as base64: `id` is the FileAccess id (platform/files.ts)
 * the renderer turns into a URL with `fileUrl(id)`; `url` is its path on either transport
 * (`/files/<id>`: the token-checked local route or app://agentlocator/files/<id>).
 */
export const fileRefSchema = z.object({
  id: z.string(),
  url: z.string(),
  fileName: z.string(),
  mime: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
});
export type FileRef = z.infer<typeof fileRefSchema>;

export const allocationThresholdSchema = z
  .object({ from: calendarDate, amountAgorot: agorot.min(0) })
  .strict();

export const billingSettingsSchema = z.object({
  /** The first number of each type; settable until that type's first document is issued. */
  startingNumbers: z.record(documentTypeSchema, z.number().int().min(1)),
  /** Types whose first document is issued (their starting number is fixed). */
  lockedTypes: z.array(documentTypeSchema),
  /** The next number each type will get. */
  nextNumbers: z.record(documentTypeSchema, z.number().int().min(1)),
  /** Allocation-number thresholds (before VAT), each in force from its date. */
  allocationThresholds: z.array(allocationThresholdSchema),
  /** A document paid (partly) in cash above this total needs the customer's ID number. */
  cashIdThresholdAgorot: agorot.min(0),
  /** Default days until an invoice is due. */
  paymentTermsDays: z.number().int().min(0).max(365),
  /** Printed at the foot of every document. */
  footerNote: z.string(),
  /** VAT rate of the business profile (business.updateProfile changes it). */
  vatRateBp: z.number().int(),
  dealerType: z.enum(['osek_murshe', 'osek_patur', 'company']),
});
export type BillingSettings = z.infer<typeof billingSettingsSchema>;

export const billingSettingsInputSchema = z
  .object({
    startingNumbers: z.partialRecord(documentTypeSchema, z.number().int().min(1).max(999_999_999)),
    allocationThresholds: z
      .array(allocationThresholdSchema)
      .min(1)
      .max(50)
      .refine((a) => new Set(a.map((t) => t.from)).size === a.length, 'one threshold per date'),
    cashIdThresholdAgorot: agorot.min(0),
    paymentTermsDays: z.number().int().min(0).max(365),
    footerNote: str(1000),
  })
  .partial()
  .strict();

export const paymentSchema = z.object({
  id,
  customerId: id.nullable(),
  customerName: z.string().nullable(),
  /** The invoice this payment pays. */
  documentId: id.nullable(),
  documentNumber: z.number().int().nullable(),
  /** The receipt (or invoice-receipt) issued for it. */
  receiptDocumentId: id.nullable(),
  receiptNumber: z.number().int().nullable(),
  provider: z.enum(PAYMENT_PROVIDERS),
  method: paymentMethodSchema,
  amountAgorot: agorot,
  currency: z.literal('ILS'),
  status: paymentStatusSchema,
  details: paymentDetailsSchema,
  notes: z.string(),
  paidAt: epochMs.nullable(),
  createdAt: epochMs,
});
export type Payment = z.infer<typeof paymentSchema>;

export const unpaidInvoiceSchema = z.object({
  documentId: id,
  number: z.number().int(),
  customerId: id.nullable(),
  customerName: z.string().nullable(),
  issueDate: calendarDate,
  dueDate: calendarDate.nullable(),
  totalAgorot: agorot,
  paidAgorot: agorot,
  dueAgorot: agorot,
  /** Days past the due date (0 when not yet due). */
  daysOverdue: z.number().int(),
});

const dateRange = { from: calendarDate.optional(), to: calendarDate.optional() };
const inv = 'invoices_enabled' as const;

export const billingMethods = {
  'billing.documents.list': method({
    summary:
      'Documents, newest first: by type, status, date range, paid status, customer, number/name search',
    feature: inv,
    input: pageInput
      .extend({
        type: documentTypeSchema.optional(),
        status: documentStatusSchema.optional(),
        ...dateRange,
        paid: paidStatusSchema.optional(),
        customerId: id.optional(),
        /** A document number, or part of the customer's name. */
        q: str(200).optional(),
      })
      .strict()
      .default({ page: 1, limit: 25 }),
    output: paged(documentListItemSchema),
  }),
  'billing.documents.get': method({
    summary: 'One document with its lines, payments and links',
    feature: inv,
    input: idInput.strict(),
    output: documentSchema,
  }),
  'billing.documents.createDraft': method({
    summary: 'Start a draft (no number yet)',
    feature: inv,
    input: draftCreateSchema,
    output: documentSchema,
  }),
  'billing.documents.updateDraft': method({
    summary: 'Change a draft; an issued document is refused (409 document_issued)',
    feature: inv,
    input: draftUpdateSchema,
    output: documentSchema,
  }),
  'billing.documents.deleteDraft': method({
    summary: 'Delete a draft; an issued document is refused (409 document_issued)',
    feature: inv,
    input: idInput.strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
  'billing.documents.issue': method({
    summary:
      "Issue a draft: the type's next gapless number, today's date and VAT rate, frozen business and customer details, the PDF",
    feature: inv,
    input: z.object({ id, allocationNumber: digits(9, 'allocation number').optional() }).strict(),
    output: documentSchema,
  }),
  'billing.documents.cancel': method({
    summary:
      'Cancel an issued invoice by issuing a credit note referencing it (a proposal is just cancelled)',
    feature: inv,
    input: z.object({ id, reason: str(500).default('') }).strict(),
    output: z.object({ cancelled: documentSchema, creditNote: documentSchema.nullable() }),
  }),
  'billing.documents.convertProposal': method({
    summary: 'A draft invoice (or invoice-receipt) with the lines of an issued proposal, linked to it',
    feature: inv,
    input: z
      .object({ id, type: z.enum(['tax_invoice', 'tax_invoice_receipt']).default('tax_invoice') })
      .strict(),
    output: documentSchema,
  }),
  'billing.documents.preview': method({
    summary: 'A draft rendered as PDF marked טיוטה (no number), as a file URL',
    feature: inv,
    input: idInput.strict(),
    output: fileRefSchema,
  }),
  'billing.documents.file': method({
    summary: 'The PDF of an issued document: the stored original (מקור) or a copy (העתק)',
    feature: inv,
    input: z.object({ id, copy: z.boolean().default(false) }).strict(),
    output: fileRefSchema,
  }),
  'billing.documents.totals': method({
    summary: 'Live totals of a form without saving (the same math issuing uses)',
    feature: inv,
    input: z
      .object({
        type: draftTypeSchema,
        customerId: id.nullable().default(null),
        customerDetails: customerDetailsInputSchema.nullable().default(null),
        lines: z.array(lineInputSchema).max(500).default([]),
        discountAgorot: agorot.min(0).default(0),
        payments: z.array(receiptPaymentSchema).max(50).default([]),
        allocationNumber: digits(9, 'allocation number').nullable().default(null),
      })
      .strict(),
    output: totalsOutputSchema,
  }),
  'billing.settings.get': method({
    summary: 'Numbering, allocation thresholds and document defaults',
    feature: inv,
    input: z.object({}).strict().optional(),
    output: billingSettingsSchema,
  }),
  'billing.settings.set': method({
    summary: 'Change billing settings; a starting number only before its type is first issued (409)',
    feature: inv,
    input: billingSettingsInputSchema,
    output: billingSettingsSchema,
  }),
  'billing.payments.list': method({
    summary: 'Payments, newest first: by customer, method, status, document, date range',
    feature: inv,
    input: pageInput
      .extend({
        customerId: id.optional(),
        method: paymentMethodSchema.optional(),
        status: paymentStatusSchema.optional(),
        documentId: id.optional(),
        ...dateRange,
      })
      .strict()
      .default({ page: 1, limit: 25 }),
    output: paged(paymentSchema),
  }),
  'billing.payments.record': method({
    summary:
      'Record a payment received by hand (cash, cheque, transfer, card at a terminal, Bit); optionally against an invoice and with its receipt issued',
    feature: inv,
    input: z
      .object({
        customerId: id.nullable().default(null),
        /** The invoice it pays (its customer is used when customerId is null). */
        documentId: id.nullable().default(null),
        method: manualPaymentMethodSchema,
        amountAgorot: agorot.positive(),
        /** When it was received (default: now). */
        paidAt: epochMs.optional(),
        details: paymentDetailsSchema.default({}),
        notes: str(1000).default(''),
        /** Issue the receipt for it at once. */
        issueReceipt: z.boolean().default(true),
      })
      .strict()
      .superRefine((p, ctx) => {
        if (p.method === 'cheque' && !p.details.chequeNumber)
          ctx.addIssue({
            code: 'custom',
            path: ['details', 'chequeNumber'],
            message: 'cheque number required',
          });
      }),
    output: z.object({ payment: paymentSchema, receipt: documentSchema.nullable() }),
  }),
  'billing.payments.unpaid': method({
    summary: 'Issued tax invoices not fully paid, oldest due first, with the total due',
    feature: inv,
    input: pageInput.extend({ customerId: id.optional() }).strict().default({ page: 1, limit: 25 }),
    output: paged(unpaidInvoiceSchema).extend({ totalDueAgorot: agorot, count: z.number().int() }),
  }),
};
