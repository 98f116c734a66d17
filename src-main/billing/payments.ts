/**
 * Payments: the ones the owner records by hand (cash, cheque, bank transfer, card at a terminal,
 * Bit), optionally against an invoice and with their receipt issued at once; the list; the
 * unpaid-invoices view. Provider payments (PayPal, Tranzila — billing/providers) write the same
 * table and get their receipt through `issueReceiptFor`.
 */
import type { Database } from 'better-sqlite3';
import type { BillingDocument, Payment, PaymentDetails } from '../api/contract/billing';
import { ApiError, badInput, notFound } from '../api/errors';
import type { Clock } from '../platform/clock';
import type { PaymentLedger } from './ports';
import { BUSINESS_ID, israelDate, type BillingDocuments } from './documents';

interface PaymentRow {
  id: number;
  customer_id: number | null;
  customer_name: string | null;
  document_id: number | null;
  document_number: number | null;
  receipt_document_id: number | null;
  receipt_number: number | null;
  provider: Payment['provider'];
  method: string;
  amount_agorot: number;
  status: Payment['status'];
  details: string;
  notes: string;
  reference: string | null;
  paid_at: number | null;
  created_at: number;
}

const SELECT = `select p.*, c.name customer_name, d.number document_number, r.number receipt_number
  from payments p left join customers c on c.id = p.customer_id
  left join documents d on d.id = p.document_id left join documents r on r.id = p.receipt_document_id`;

type ReceiptMethod = 'cash' | 'cheque' | 'bank_transfer' | 'card' | 'bit';

const detailsOf = (json: string): PaymentDetails => {
  try {
    return JSON.parse(json) as PaymentDetails;
  } catch {
    return {};
  }
};

function toPayment(r: PaymentRow): Payment {
  let details = detailsOf(r.details);
  if (!details.reference && r.reference) details = { ...details, reference: r.reference };
  return {
    id: r.id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    documentId: r.document_id,
    documentNumber: r.document_number,
    receiptDocumentId: r.receipt_document_id,
    receiptNumber: r.receipt_number,
    provider: r.provider,
    // The demo data's older name for a card payment.
    method: (r.method === 'credit_card' ? 'card' : r.method) as Payment['method'],
    amountAgorot: r.amount_agorot,
    currency: 'ILS',
    status: r.status,
    details,
    notes: r.notes,
    paidAt: r.paid_at,
    createdAt: r.created_at,
  };
}

export class BillingPayments {
  constructor(
    private readonly sqlite: Database,
    private readonly clock: Clock,
    private readonly documents: BillingDocuments,
  ) {}

  get(id: number): Payment {
    const r = this.sqlite.prepare(`${SELECT} where p.id = ?`).get(id) as PaymentRow | undefined;
    if (!r) throw notFound('payment');
    return toPayment(r);
  }

  list(q: {
    page: number;
    limit: number;
    customerId?: number;
    method?: string;
    status?: string;
    documentId?: number;
    from?: string;
    to?: string;
  }) {
    const where = [`p.business_id = ${BUSINESS_ID}`];
    const args: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (q.customerId) add('p.customer_id = ?', q.customerId);
    if (q.method === 'card') add("p.method in ('card', 'credit_card')");
    else if (q.method) add('p.method = ?', q.method);
    if (q.status) add('p.status = ?', q.status);
    if (q.documentId) add('(p.document_id = ? or p.receipt_document_id = ?)', q.documentId, q.documentId);
    // Calendar dates in Israel → instants (Israel is UTC+2/+3: a day's bounds with a 3 h margin are
    // filtered exactly below).
    const dayStart = (d: string) => Date.parse(`${d}T00:00:00Z`) - 3 * 3_600_000;
    if (q.from) add('coalesce(p.paid_at, p.created_at) >= ?', dayStart(q.from));
    if (q.to) add('coalesce(p.paid_at, p.created_at) < ?', dayStart(q.to) + 27 * 3_600_000);
    const sqlWhere = where.join(' and ');
    let rows = this.sqlite
      .prepare(`${SELECT} where ${sqlWhere} order by coalesce(p.paid_at, p.created_at) desc, p.id desc`)
      .all(...args) as PaymentRow[];
    const inRange = (r: PaymentRow) => {
      const day = israelDate(r.paid_at ?? r.created_at);
      return (!q.from || day >= q.from) && (!q.to || day <= q.to);
    };
    if (q.from || q.to) rows = rows.filter(inRange);
    return {
      items: rows.slice((q.page - 1) * q.limit, q.page * q.limit).map(toPayment),
      total: rows.length,
      page: q.page,
      limit: q.limit,
    };
  }

  /**
   * Records a payment received by hand; with `issueReceipt` its receipt is issued in the same
   * transaction (number included) — a refused receipt (e.g. cash above ₪5,000 without the
   * customer's ID) writes nothing.
   */
  async record(input: {
    customerId: number | null;
    documentId: number | null;
    method: ReceiptMethod;
    amountAgorot: number;
    paidAt?: number | undefined;
    details: PaymentDetails;
    notes: string;
    issueReceipt: boolean;
  }): Promise<{ payment: Payment; receipt: BillingDocument | null }> {
    const now = this.clock.now();
    const paidAt = input.paidAt ?? now;
    if (paidAt > now + 60_000) throw badInput('a payment cannot be in the future / תאריך התשלום עתידי');
    let customerId = input.customerId;
    if (input.documentId !== null) {
      const inv = this.documents.row(input.documentId);
      if (inv.type !== 'tax_invoice' || inv.status !== 'issued')
        throw badInput(
          'a payment is recorded against an issued, open tax invoice / ניתן לשייך תשלום לחשבונית מס פתוחה בלבד',
        );
      if (customerId !== null && inv.customer_id !== null && customerId !== inv.customer_id)
        throw badInput('the invoice belongs to another customer / החשבונית שייכת ללקוח אחר');
      const due = inv.total_agorot - this.documents.paidOf(inv.id);
      if (input.amountAgorot > due)
        throw new ApiError(
          'bad_input',
          `the amount is more than is due on the invoice (${due} agorot) / הסכום גבוה מהיתרה לתשלום`,
          { dueAgorot: due },
          'amount_exceeds_due',
        );
      customerId = inv.customer_id;
    }
    if (input.issueReceipt && customerId === null)
      throw badInput('a receipt needs a customer / לקבלה נדרש לקוח', undefined);
    const ids = this.sqlite
      .transaction(() => {
        const paymentId = Number(
          this.sqlite
            .prepare(
              `insert into payments (business_id, customer_id, document_id, provider, method, amount_agorot, currency, status,
                 details, notes, reference, paid_at, created_at, updated_at)
               values (${BUSINESS_ID}, ?, ?, 'manual', ?, ?, 'ILS', 'succeeded', ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              customerId,
              input.documentId,
              input.method,
              input.amountAgorot,
              JSON.stringify(input.details),
              input.notes,
              input.details.reference ?? input.details.chequeNumber ?? null,
              paidAt,
              now,
              now,
            ).lastInsertRowid,
        );
        const receiptId = input.issueReceipt ? this.receiptInTx(paymentId) : null;
        return { paymentId, receiptId };
      })
      .immediate();
    if (ids.receiptId !== null) await this.documents.storePdf(ids.receiptId).catch(() => undefined);
    return {
      payment: this.get(ids.paymentId),
      receipt: ids.receiptId === null ? null : this.documents.get(ids.receiptId),
    };
  }

  /** Issues the receipt of a succeeded payment (inside the caller's transaction when there is one). */
  private receiptInTx(paymentId: number): number {
    const p = this.sqlite.prepare('select * from payments where id = ?').get(paymentId) as
      (PaymentRow & { receipt_document_id: number | null }) | undefined;
    if (!p) throw notFound('payment');
    if (p.status !== 'succeeded')
      throw badInput('only a succeeded payment gets a receipt / קבלה מופקת רק לתשלום שהתקבל');
    if (p.receipt_document_id !== null) return p.receipt_document_id;
    if (p.customer_id === null) throw badInput('a receipt needs a customer / לקבלה נדרש לקוח');
    const method = (p.method === 'credit_card' ? 'card' : p.method) as Payment['method'];
    let details = detailsOf(p.details);
    if (p.provider !== 'manual' && p.reference && !details.reference)
      details = { ...details, reference: p.reference };
    const draft = this.documents.createDraft({
      type: 'receipt',
      customerId: p.customer_id,
      customerDetails: null,
      dealId: null,
      dueDate: null,
      lines: [],
      discountAgorot: 0,
      payments: [
        { method, amountAgorot: p.amount_agorot, date: israelDate(p.paid_at ?? p.created_at), details },
      ],
      allocationNumber: null,
      relatedDocumentId: p.document_id,
      notes: p.notes,
    });
    this.documents.issueNow(draft.id, {
      recordPayments: false,
      actor: p.provider === 'manual' ? 'owner' : 'system',
    });
    this.sqlite
      .prepare('update payments set receipt_document_id = ?, updated_at = ? where id = ?')
      .run(draft.id, this.clock.now(), paymentId);
    return draft.id;
  }

  /** For provider payments: the receipt of a succeeded payment, issued once, with its PDF. */
  async issueReceiptFor(paymentId: number): Promise<BillingDocument> {
    const id = this.sqlite.transaction(() => this.receiptInTx(paymentId)).immediate();
    await this.documents.storePdf(id).catch(() => undefined);
    return this.documents.get(id);
  }

  /** The port online payments (billing/providers) use: the same table, the same receipts. */
  ledger(): PaymentLedger {
    return {
      payableDocument: (documentId) => {
        const d = this.sqlite.prepare('select * from documents where id = ?').get(documentId) as
          | {
              id: number;
              type: string;
              status: string;
              number: number;
              customer_id: number | null;
              total_agorot: number;
            }
          | undefined;
        if (!d || d.status !== 'issued' || d.type !== 'tax_invoice') return undefined;
        return {
          customerId: d.customer_id,
          dueAgorot: d.total_agorot - this.documents.paidOf(d.id),
          label: `חשבונית מס ${d.number}`,
        };
      },
      recordOnlinePayment: (p) => {
        const now = this.clock.now();
        return Number(
          this.sqlite
            .prepare(
              `insert into payments (business_id, customer_id, document_id, provider, method, amount_agorot, currency, status,
                 provider_ref, link_url, notes, details, paid_at, created_at, updated_at)
               values (${BUSINESS_ID}, ?, ?, ?, ?, ?, 'ILS', 'succeeded', ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              p.customerId,
              p.documentId,
              p.provider,
              p.provider,
              p.amountAgorot,
              p.providerRef,
              p.linkUrl,
              p.notes,
              JSON.stringify({ reference: p.providerRef.slice(0, 100) }),
              p.paidAt,
              now,
              now,
            ).lastInsertRowid,
        );
      },
      issueReceipt: async (paymentId) => (await this.issueReceiptFor(paymentId)).id,
    };
  }

  unpaid(q: { page: number; limit: number; customerId?: number }) {
    const where = [`d.business_id = ${BUSINESS_ID}`, "d.type = 'tax_invoice'", "d.status = 'issued'"];
    const args: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (q.customerId) add('d.customer_id = ?', q.customerId);
    const rows = this.sqlite
      .prepare(
        `select * from (select d.id, d.number, d.customer_id, d.customer_snapshot, c.name live_name, d.issue_date, d.due_date, d.total_agorot,
           (select coalesce(sum(p.amount_agorot), 0) from payments p where p.document_id = d.id and p.status = 'succeeded') paid
         from documents d left join customers c on c.id = d.customer_id where ${where.join(' and ')})
         where paid < total_agorot order by coalesce(due_date, issue_date), id`,
      )
      .all(...args) as Array<{
      id: number;
      number: number;
      customer_id: number | null;
      customer_snapshot: string;
      live_name: string | null;
      issue_date: string;
      due_date: string | null;
      total_agorot: number;
      paid: number;
    }>;
    const today = israelDate(this.clock.now());
    const days = (a: string, b: string) => Math.round((Date.parse(a) - Date.parse(b)) / 86_400_000);
    const items = rows.map((r) => {
      let name: string | null = r.live_name;
      try {
        name = (JSON.parse(r.customer_snapshot) as { name?: string }).name || r.live_name;
      } catch {
        /* the live name */
      }
      return {
        documentId: r.id,
        number: r.number,
        customerId: r.customer_id,
        customerName: name,
        issueDate: r.issue_date,
        dueDate: r.due_date,
        totalAgorot: r.total_agorot,
        paidAgorot: r.paid,
        dueAgorot: r.total_agorot - r.paid,
        daysOverdue: r.due_date ? Math.max(0, days(today, r.due_date)) : 0,
      };
    });
    return {
      items: items.slice((q.page - 1) * q.limit, q.page * q.limit),
      total: items.length,
      count: items.length,
      totalDueAgorot: items.reduce((s, i) => s + i.dueAgorot, 0),
      page: q.page,
      limit: q.limit,
    };
  }
}
