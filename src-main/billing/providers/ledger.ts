/**
 * What online payments need from the billing domain (documents, the `payments` table, receipts):
 * handed in by the core, so billing/providers never reaches into billing's tables itself.
 */
export interface PayableDocument {
  customerId: number | null;
  /** What is still open on it (total − succeeded payments). */
  dueAgorot: number;
  /** Shown to the payer, e.g. "חשבונית מס 1042". */
  label: string;
}

export interface OnlinePaymentRecord {
  provider: 'paypal' | 'tranzila';
  /** PayPal capture id / Tranzila transaction index. */
  providerRef: string;
  amountAgorot: number;
  customerId: number | null;
  documentId: number | null;
  paidAt: number;
  /** The link or order the payer used (shown on the payment). */
  linkUrl: string;
  notes: string;
}

export interface PaymentLedger {
  /** An issued document that can be paid online; undefined when there is none to pay. */
  payableDocument(documentId: number): PayableDocument | undefined | Promise<PayableDocument | undefined>;
  /** Writes one succeeded payment; resolves to its id. */
  recordOnlinePayment(p: OnlinePaymentRecord): number | Promise<number>;
  /** Issues the receipt for a recorded payment; resolves to the receipt's document id. */
  issueReceipt(paymentId: number): number | Promise<number>;
}
