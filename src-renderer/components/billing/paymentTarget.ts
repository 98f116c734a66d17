import { api } from '../../api';

/**
 * The document a payment belongs to (the invoice it pays, else its receipt), looked up among the
 * customer's payments page by page (newest first, as the timeline shows them).
 */
export async function paymentDocument(customerId: number, paymentId: number): Promise<number | null> {
  for (let page = 1; page <= 20; page++) {
    const r = await api.call('billing.payments.list', { customerId, page, limit: 100 });
    const p = r.items.find((x) => x.id === paymentId);
    if (p) return p.documentId ?? p.receiptDocumentId;
    if (page * r.limit >= r.total) break;
  }
  return null;
}
