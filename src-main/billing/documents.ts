/**
 * Billing documents (SPEC §4): drafts, issuing with a gapless number per type, cancellation by a
 * credit note, proposal → invoice, and the PDF of each issued document.
 *
 * Numbering: `document_sequences` holds each type's next number. Issuing runs in one IMMEDIATE
 * SQLite transaction (the write lock is taken first, so concurrent issuers from any process
 * queue on busy_timeout): it increments the sequence, writes the number, the business and
 * customer snapshots, the VAT rate and totals, the payments and the audit event — all commit
 * together or nothing does, so a number is never skipped or reused.
 *
 * Immutability: once issued, the row and its lines are frozen by database triggers (migration
 * 0007); this code refuses first with a clear `document_issued` error.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type {
  BillingDocument,
  DocumentType,
  DraftCreate,
  FileRef,
  LineDiscount,
  LineInput,
  ReceiptPayment,
  TotalsOutput,
} from '../api/contract/billing';
import { DOCUMENT_TYPES, type ISSUE_PROBLEMS } from '../api/contract/billing';
import type { Business } from '../api/contract/business';
import { ApiError, badInput, notFound } from '../api/errors';
import type { DocumentRenderInputIn } from '../pdf/document-input';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import {
  documentTotals,
  isDealerId,
  receiptTotals,
  requirementsOf,
  toQuantityMilli,
  type MoneyTotals,
} from './money';
import type { BillingAudit, BillingCustomers, BillingFiles } from './ports';
import type { BillingSettingsStore } from './settings';

export const BUSINESS_ID = 1;
export type IssueProblem = (typeof ISSUE_PROBLEMS)[number];

export interface DocRow {
  id: number;
  customer_id: number | null;
  type: DocumentType;
  number: number;
  status: 'draft' | 'issued' | 'cancelled';
  issue_date: string;
  due_date: string | null;
  customer_snapshot: string;
  business_snapshot: string;
  deal_id: number | null;
  subtotal_agorot: number;
  discount_agorot: number;
  vat_agorot: number;
  total_agorot: number;
  vat_rate_bp: number;
  allocation_number: string | null;
  related_document_id: number | null;
  notes: string;
  payment_entries: string;
  pdf_path: string | null;
  pdf_sha256: string | null;
  cancel_reason: string | null;
  issued_at: number | null;
  created_at: number;
  updated_at: number | null;
}

interface LineRow {
  position: number;
  description: string;
  quantity_milli: number;
  unit_price_agorot: number;
  total_agorot: number;
  discount: string | null;
}

export interface CustomerSnapshot {
  name: string;
  idNumber: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
}

export interface BusinessSnapshot {
  name: string;
  legalName: string;
  vatId: string;
  dealerType: 'osek_murshe' | 'osek_patur' | 'company';
  address: string;
  phone: string;
  email: string;
  website: string;
}

export interface BillingDocumentsDeps {
  sqlite: Database;
  clock: Clock;
  logger: Logger;
  business: { get(): Business };
  customers: BillingCustomers;
  settings: BillingSettingsStore;
  /** The data folder: PDFs go under `<dataDir>/files/documents/`, paths are kept relative to it. */
  dataDir: string;
  fontsDir?: string;
  audit?: BillingAudit;
  /** Read when a file is handed out (the core may build its FileAccess after the modules). */
  files?: () => BillingFiles | undefined;
  /** Renders a document (src-main/pdf); injected so the numbering test can run without fonts. */
  render?: (input: DocumentRenderInputIn, copy: 'original' | 'copy') => Promise<Uint8Array>;
}

/** The document's own calendar date in Israel. */
export const israelDate = (ms: number): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Jerusalem',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));

const PROBLEM_MESSAGES: Record<IssueProblem, string> = {
  no_lines: 'the document has no lines / אין שורות במסמך',
  no_customer: 'the document has no customer / לא נבחר לקוח',
  zero_total: 'the total must be more than zero / הסכום חייב להיות גדול מאפס',
  discount_too_large: 'a discount is larger than its amount / הנחה גדולה מהסכום',
  payments_mismatch: 'the payments do not add up to the total / סכום התשלומים אינו שווה לסכום המסמך',
  allocation_number_required:
    'an allocation number is required for this invoice / נדרש מספר הקצאה מרשות המסים לחשבונית זו',
  customer_id_required:
    "the customer's ID / company number is required (cash above the limit) / נדרש מספר זהות או ח.פ של הלקוח",
  business_details_missing:
    'the business name and 9-digit VAT id must be set first / יש למלא את שם העסק ומספר העוסק (9 ספרות) בהגדרות',
};

export const documentIssued = (what: string) =>
  new ApiError(
    'conflict',
    `an issued document cannot be ${what}: cancel it with a credit note / מסמך שהופק אינו ניתן לשינוי או למחיקה — ניתן לבטל אותו בחשבונית זיכוי`,
    undefined,
    'document_issued',
  );

const parseJson = <T>(s: string | null | undefined, fallback: T): T => {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

const orNull = (s: unknown): string | null => (typeof s === 'string' && s.trim() ? s : null);

/** A stored snapshot (demo rows carry only name/phone) in the API's shape. */
export function customerSnapshotOf(json: string): CustomerSnapshot | null {
  const o = parseJson<Record<string, unknown>>(json, {});
  if (typeof o.name !== 'string' || !o.name) return null;
  return {
    name: o.name,
    idNumber: orNull(o.idNumber),
    address: orNull(o.address),
    phone: orNull(o.phone),
    email: orNull(o.email),
  };
}

function businessSnapshotOf(json: string): BusinessSnapshot | null {
  const o = parseJson<Partial<BusinessSnapshot>>(json, {});
  if (!o.name) return null;
  return {
    name: o.name,
    legalName: o.legalName ?? '',
    vatId: o.vatId ?? '',
    dealerType: o.dealerType ?? 'osek_murshe',
    address: o.address ?? '',
    phone: o.phone ?? '',
    email: o.email ?? '',
    website: o.website ?? '',
  };
}

export interface FormInput {
  type: DocumentType;
  customerId: number | null;
  customerDetails: DraftCreate['customerDetails'];
  lines: LineInput[];
  discountAgorot: number;
  payments: ReceiptPayment[];
  allocationNumber: string | null;
}

export class BillingDocuments {
  private readonly sqlite: Database;
  private readonly docsDir: string;

  constructor(private readonly deps: BillingDocumentsDeps) {
    this.sqlite = deps.sqlite;
    this.docsDir = path.join(deps.dataDir, 'files', 'documents');
  }

  // ---------------------------------------------------------------------------- reading

  row(id: number): DocRow {
    const r = this.sqlite
      .prepare('select * from documents where id = ? and business_id = ?')
      .get(id, BUSINESS_ID) as DocRow | undefined;
    if (!r) throw notFound('document');
    return r;
  }

  private lines(id: number): LineRow[] {
    return this.sqlite
      .prepare(
        'select position, description, quantity_milli, unit_price_agorot, total_agorot, discount from document_lines where document_id = ? order by position',
      )
      .all(id) as LineRow[];
  }

  private ref(id: number | null) {
    if (id === null) return null;
    const r = this.sqlite.prepare('select id, type, number, status from documents where id = ?').get(id) as
      { id: number; type: DocumentType; number: number; status: string } | undefined;
    return r ? { id: r.id, type: r.type, number: r.status === 'draft' ? null : r.number } : null;
  }

  /** Succeeded payments linked to a tax invoice. */
  paidOf(id: number): number {
    return (
      this.sqlite
        .prepare(
          "select coalesce(sum(amount_agorot), 0) n from payments where document_id = ? and status = 'succeeded'",
        )
        .get(id) as { n: number }
    ).n;
  }

  /** The details a document prints for its customer: the draft's own, else the CRM's current ones. */
  private draftCustomer(r: {
    customer_id: number | null;
    customer_snapshot: string;
  }): CustomerSnapshot | null {
    const own = customerSnapshotOf(r.customer_snapshot);
    if (own) return own;
    if (r.customer_id === null) return null;
    const c = this.deps.customers.detailsOf(r.customer_id);
    return c ? { name: c.name, idNumber: c.vatId, address: c.address, phone: c.phone, email: c.email } : null;
  }

  get(id: number): BillingDocument {
    const r = this.row(id);
    const draft = r.status === 'draft';
    const lines = this.lines(id);
    const docRefs = (sqlWhere: string) =>
      (
        this.sqlite
          .prepare(
            `select id, type, number from documents where related_document_id = ? and ${sqlWhere} order by id`,
          )
          .all(id) as Array<{ id: number; type: DocumentType; number: number }>
      ).map((d) => ({ id: d.id, type: d.type, number: d.number }));
    const cancelledBy = docRefs("type = 'credit_note' and status <> 'draft'")[0] ?? null;
    const convertedTo =
      r.type === 'proposal'
        ? (
            this.sqlite
              .prepare(
                "select id, type, number, status from documents where related_document_id = ? and type in ('tax_invoice', 'tax_invoice_receipt') order by id",
              )
              .all(id) as Array<{ id: number; type: DocumentType; number: number; status: string }>
          ).map((d) => ({ id: d.id, type: d.type, number: d.status === 'draft' ? null : d.number }))
        : [];
    const paid = this.paidState(r);
    return {
      id: r.id,
      type: r.type,
      status: r.status,
      number: draft ? null : r.number,
      issueDate: draft ? null : r.issue_date,
      dueDate: r.due_date,
      customerId: r.customer_id,
      customer: draft ? this.draftCustomer(r) : customerSnapshotOf(r.customer_snapshot),
      business: draft ? null : businessSnapshotOf(r.business_snapshot),
      dealId: r.deal_id,
      lines: lines.map((l) => ({
        position: l.position,
        description: l.description,
        quantity: l.quantity_milli / 1000,
        unitPriceAgorot: l.unit_price_agorot,
        discount: parseJson<LineDiscount | null>(l.discount, null),
        totalAgorot: l.total_agorot,
      })),
      linesTotalAgorot: r.subtotal_agorot + r.discount_agorot,
      discountAgorot: r.discount_agorot,
      subtotalAgorot: r.subtotal_agorot,
      vatRateBp: r.vat_rate_bp,
      vatAgorot: r.vat_agorot,
      totalAgorot: r.total_agorot,
      currency: 'ILS',
      payments: parseJson<ReceiptPayment[]>(r.payment_entries, []),
      allocationNumber: r.allocation_number,
      notes: r.notes,
      related: this.ref(r.related_document_id),
      cancelledBy,
      convertedTo,
      paidAgorot: paid.paidAgorot,
      paidStatus: paid.paidStatus,
      pdfSha256: r.pdf_sha256,
      issuedAt: r.issued_at,
      createdAt: r.created_at,
      updatedAt: r.updated_at ?? r.created_at,
    };
  }

  paidState(r: Pick<DocRow, 'id' | 'type' | 'status' | 'total_agorot'>): {
    paidAgorot: number;
    paidStatus: 'unpaid' | 'partial' | 'paid' | null;
  } {
    if (r.type === 'tax_invoice_receipt' && r.status !== 'draft')
      return { paidAgorot: r.total_agorot, paidStatus: 'paid' };
    if (r.type !== 'tax_invoice' || r.status === 'draft') return { paidAgorot: 0, paidStatus: null };
    const paid = this.paidOf(r.id);
    return {
      paidAgorot: paid,
      paidStatus: paid >= r.total_agorot ? 'paid' : paid > 0 ? 'partial' : 'unpaid',
    };
  }

  // ---------------------------------------------------------------------------- money

  /** The VAT rate a document issued now carries: the profile's, 0 for an עוסק פטור. */
  private vatRateNow(b: Business): number {
    return b.businessType === 'osek_patur' ? 0 : b.vatRateBp;
  }

  private moneyOf(
    type: DocumentType,
    lines: LineInput[],
    discountAgorot: number,
    payments: ReceiptPayment[],
    rateBp: number,
  ): MoneyTotals {
    if (type === 'receipt') return receiptTotals(payments.map((p) => p.amountAgorot));
    return documentTotals(
      lines.map((l) => ({
        quantityMilli: toQuantityMilli(l.quantity),
        unitPriceAgorot: l.unitPriceAgorot,
        discount: l.discount ?? null,
      })),
      discountAgorot,
      rateBp,
    );
  }

  private customerOf(f: Pick<FormInput, 'customerId' | 'customerDetails'>): CustomerSnapshot | null {
    if (f.customerDetails)
      return {
        name: f.customerDetails.name,
        idNumber: orNull(f.customerDetails.idNumber),
        address: orNull(f.customerDetails.address),
        phone: orNull(f.customerDetails.phone),
        email: orNull(f.customerDetails.email),
      };
    if (f.customerId === null) return null;
    const c = this.deps.customers.detailsOf(f.customerId);
    if (!c) throw badInput('customer not found / הלקוח לא נמצא');
    return { name: c.name, idNumber: orNull(c.vatId), address: c.address, phone: c.phone, email: c.email };
  }

  /** Totals, what the law requires and what would stop issuing — the same for the form and `issue`. */
  evaluate(f: FormInput, date: string, business: Business, rateBp = this.vatRateNow(business)) {
    const money = this.moneyOf(f.type, f.lines, f.discountAgorot, f.payments, rateBp);
    const customer = this.customerOf(f);
    const s = this.deps.settings.get();
    const paidAgorot = f.payments.reduce((a, p) => a + p.amountAgorot, 0);
    const requirements = requirementsOf({
      type: f.type,
      date,
      subtotalAgorot: money.subtotalAgorot,
      totalAgorot: money.totalAgorot,
      customerIdNumber: customer?.idNumber ?? null,
      paymentMethods: f.payments.map((p) => p.method),
      thresholds: s.allocationThresholds,
      cashIdThresholdAgorot: s.cashIdThresholdAgorot,
    });
    const problems: IssueProblem[] = [];
    if (!/^\d{9}$/.test(business.vatId) || !(business.legalName || business.name))
      problems.push('business_details_missing');
    if (!customer) problems.push('no_customer');
    if (f.type !== 'receipt' && f.lines.length === 0) problems.push('no_lines');
    if (
      money.lines.some((l) => l.discountAgorot > l.grossAgorot) ||
      f.discountAgorot > money.linesTotalAgorot
    )
      problems.push('discount_too_large');
    else if (money.totalAgorot <= 0) problems.push('zero_total');
    if (f.type === 'tax_invoice_receipt' && paidAgorot !== money.totalAgorot)
      problems.push('payments_mismatch');
    if (requirements.allocationNumber && !f.allocationNumber) problems.push('allocation_number_required');
    if (requirements.customerId && !customer?.idNumber) problems.push('customer_id_required');
    return { money, customer, requirements, problems, paidAgorot };
  }

  totals(f: FormInput): TotalsOutput {
    const e = this.evaluate(f, israelDate(this.deps.clock.now()), this.deps.business.get());
    return {
      ...e.money,
      paidAgorot: e.paidAgorot,
      requirements: e.requirements,
      problems: e.problems,
    };
  }

  // ---------------------------------------------------------------------------- drafts

  private assertRelated(type: DocumentType, relatedId: number | null) {
    if (relatedId === null) return;
    const rel = this.sqlite.prepare('select type, status from documents where id = ?').get(relatedId) as
      { type: DocumentType; status: string } | undefined;
    if (!rel || rel.status === 'draft')
      throw badInput('related document not found or not issued / המסמך המקושר לא נמצא');
    if (type === 'receipt' && rel.type !== 'tax_invoice')
      throw badInput('a receipt can refer to a tax invoice only / קבלה מתייחסת לחשבונית מס בלבד');
  }

  private writeLines(id: number, lines: LineInput[]) {
    this.sqlite.prepare('delete from document_lines where document_id = ?').run(id);
    const ins = this.sqlite.prepare(
      'insert into document_lines (document_id, position, description, quantity_milli, unit_price_agorot, total_agorot, discount) values (?, ?, ?, ?, ?, ?, ?)',
    );
    const amounts = documentTotals(
      lines.map((l) => ({
        quantityMilli: toQuantityMilli(l.quantity),
        unitPriceAgorot: l.unitPriceAgorot,
        discount: l.discount,
      })),
      0,
      0,
    ).lines;
    lines.forEach((l, i) =>
      ins.run(
        id,
        i + 1,
        l.description,
        toQuantityMilli(l.quantity),
        l.unitPriceAgorot,
        amounts[i]!.totalAgorot,
        l.discount ? JSON.stringify(l.discount) : null,
      ),
    );
  }

  private draftForm(r: DocRow): FormInput & {
    dealId: number | null;
    dueDate: string | null;
    notes: string;
    relatedDocumentId: number | null;
  } {
    return {
      type: r.type,
      customerId: r.customer_id,
      customerDetails: (() => {
        const c = customerSnapshotOf(r.customer_snapshot);
        return c
          ? {
              name: c.name,
              ...(c.idNumber ? { idNumber: c.idNumber } : {}),
              ...(c.address ? { address: c.address } : {}),
              ...(c.phone ? { phone: c.phone } : {}),
              ...(c.email ? { email: c.email } : {}),
            }
          : null;
      })(),
      lines: this.lines(r.id).map((l) => ({
        description: l.description,
        quantity: l.quantity_milli / 1000,
        unitPriceAgorot: l.unit_price_agorot,
        ...(l.discount
          ? { discount: parseJson<LineDiscount>(l.discount, { kind: 'agorot', agorot: 0 }) }
          : {}),
      })),
      discountAgorot: r.discount_agorot,
      payments: parseJson<ReceiptPayment[]>(r.payment_entries, []),
      allocationNumber: r.allocation_number,
      dealId: r.deal_id,
      dueDate: r.due_date,
      notes: r.notes,
      relatedDocumentId: r.related_document_id,
    };
  }

  private writeDraft(id: number | null, d: ReturnType<BillingDocuments['draftForm']>): number {
    if (d.customerId !== null && !this.deps.customers.detailsOf(d.customerId))
      throw badInput('customer not found / הלקוח לא נמצא');
    if (d.dealId !== null && !this.sqlite.prepare('select 1 from deals where id = ?').get(d.dealId))
      throw badInput('deal not found / העסקה לא נמצאה');
    this.assertRelated(d.type, d.relatedDocumentId);
    const b = this.deps.business.get();
    const m = this.moneyOf(d.type, d.lines, d.discountAgorot, d.payments, this.vatRateNow(b));
    const now = this.deps.clock.now();
    const values = {
      customer_id: d.customerId,
      type: d.type,
      due_date: d.dueDate,
      customer_snapshot: d.customerDetails ? JSON.stringify(d.customerDetails) : '{}',
      deal_id: d.dealId,
      subtotal_agorot: m.subtotalAgorot,
      discount_agorot: d.discountAgorot,
      vat_agorot: m.vatAgorot,
      total_agorot: m.totalAgorot,
      vat_rate_bp: m.vatRateBp,
      allocation_number: d.allocationNumber,
      related_document_id: d.relatedDocumentId,
      notes: d.notes,
      payment_entries: JSON.stringify(d.payments),
      now,
      today: israelDate(now),
    };
    return this.sqlite
      .transaction(() => {
        let docId = id;
        if (docId === null) {
          // A draft has no number: it holds the placeholder -id (below every other placeholder first).
          docId = Number(
            this.sqlite
              .prepare(
                `insert into documents (business_id, customer_id, type, number, status, issue_date, due_date, customer_snapshot,
                   deal_id, subtotal_agorot, discount_agorot, vat_agorot, total_agorot, vat_rate_bp, allocation_number,
                   related_document_id, notes, payment_entries, created_at, updated_at)
                 values (${BUSINESS_ID}, @customer_id, @type, (select coalesce(min(number), 0) - 1 from documents where number < 0),
                   'draft', @today, @due_date, @customer_snapshot, @deal_id, @subtotal_agorot, @discount_agorot, @vat_agorot,
                   @total_agorot, @vat_rate_bp, @allocation_number, @related_document_id, @notes, @payment_entries, @now, @now)`,
              )
              .run(values).lastInsertRowid,
          );
          this.sqlite.prepare('update documents set number = -id where id = ?').run(docId);
        } else {
          this.sqlite
            .prepare(
              `update documents set customer_id = @customer_id, type = @type, due_date = @due_date, customer_snapshot = @customer_snapshot,
                 deal_id = @deal_id, subtotal_agorot = @subtotal_agorot, discount_agorot = @discount_agorot, vat_agorot = @vat_agorot,
                 total_agorot = @total_agorot, vat_rate_bp = @vat_rate_bp, allocation_number = @allocation_number,
                 related_document_id = @related_document_id, notes = @notes, payment_entries = @payment_entries,
                 issue_date = @today, updated_at = @now
               where id = @id and status = 'draft'`,
            )
            .run({ ...values, id: docId });
        }
        this.writeLines(docId, d.lines);
        return docId;
      })
      .immediate();
  }

  createDraft(input: DraftCreate): BillingDocument {
    const id = this.writeDraft(null, { ...input });
    return this.get(id);
  }

  updateDraft(
    input: { id: number } & Partial<Omit<DraftCreate, 'type'>> & { type?: DraftCreate['type'] },
  ): BillingDocument {
    const r = this.row(input.id);
    if (r.status !== 'draft') throw documentIssued('changed');
    const current = this.draftForm(r);
    const next = { ...current };
    for (const [k, v] of Object.entries(input))
      if (k !== 'id' && v !== undefined) (next as Record<string, unknown>)[k] = v;
    this.writeDraft(r.id, next);
    return this.get(r.id);
  }

  deleteDraft(id: number): { ok: true } {
    const r = this.row(id);
    if (r.status !== 'draft') throw documentIssued('deleted');
    this.sqlite
      .transaction(() => {
        this.sqlite.prepare('delete from document_lines where document_id = ?').run(id);
        this.sqlite.prepare("delete from documents where id = ? and status = 'draft'").run(id);
      })
      .immediate();
    return { ok: true };
  }

  // ---------------------------------------------------------------------------- issuing

  private businessSnapshot(b: Business): BusinessSnapshot {
    return {
      name: b.name || b.legalName,
      legalName: b.legalName,
      vatId: b.vatId,
      dealerType: b.businessType,
      address: [b.address, b.city].filter(Boolean).join(', '),
      phone: b.phone,
      email: b.email,
      website: b.website,
    };
  }

  /** The type's next number, taken inside the caller's (IMMEDIATE) transaction. */
  private allocate(type: DocumentType): number {
    this.sqlite
      .prepare(
        `insert into document_sequences (business_id, type, next_number)
         values (${BUSINESS_ID}, ?, (select coalesce(max(number), 0) + 1 from documents where business_id = ${BUSINESS_ID} and type = ? and status <> 'draft'))
         on conflict (business_id, type) do nothing`,
      )
      .run(type, type);
    const r = this.sqlite
      .prepare(
        `update document_sequences set next_number = next_number + 1 where business_id = ${BUSINESS_ID} and type = ? returning next_number - 1 as n`,
      )
      .get(type) as { n: number };
    return r.n;
  }

  /**
   * Issues a draft inside one transaction (number, snapshots, totals, payments, audit). The PDF
   * is made afterwards by `storePdf` (rendering is asynchronous; the same input always gives the
   * same bytes, so a document whose PDF was not written yet gets it on first request).
   */
  issueNow(
    id: number,
    opts: { allocationNumber?: string; recordPayments?: boolean; actor?: string } = {},
  ): DocRow {
    const tx = this.sqlite.transaction(() => {
      const r = this.row(id);
      if (r.status !== 'draft') throw documentIssued('issued again');
      const form = this.draftForm(r);
      if (opts.allocationNumber) form.allocationNumber = opts.allocationNumber;
      this.assertRelated(form.type, form.relatedDocumentId);
      const now = this.deps.clock.now();
      const date = israelDate(now);
      const b = this.deps.business.get();
      const e = this.evaluate(form, date, b);
      if (e.problems.length) {
        const first = e.problems[0]!;
        throw new ApiError(
          'bad_input',
          PROBLEM_MESSAGES[first],
          { problems: e.problems, requirements: e.requirements },
          first,
        );
      }
      if (form.type === 'receipt' && form.relatedDocumentId !== null && opts.recordPayments !== false) {
        const inv = this.row(form.relatedDocumentId);
        const due = inv.total_agorot - this.paidOf(inv.id);
        if (inv.status !== 'issued' || e.paidAgorot > due)
          throw new ApiError(
            'bad_input',
            `the receipt is more than is due on the invoice (${due} agorot) / סכום הקבלה גבוה מהיתרה לתשלום בחשבונית`,
            { dueAgorot: due },
            'amount_exceeds_due',
          );
      }
      const number = this.allocate(form.type);
      this.sqlite
        .prepare(
          `update documents set number = @number, status = 'issued', issue_date = @date, due_date = @due, customer_snapshot = @customer,
             business_snapshot = @business, subtotal_agorot = @subtotal, discount_agorot = @discount, vat_agorot = @vat,
             total_agorot = @total, vat_rate_bp = @rate, allocation_number = @allocation, issued_at = @now, updated_at = @now
           where id = @id and status = 'draft'`,
        )
        .run({
          id,
          number,
          date,
          // An invoice without its own due date is due after the settings' payment terms.
          due:
            form.dueDate ??
            (form.type === 'tax_invoice'
              ? israelDate(
                  Date.parse(`${date}T12:00:00Z`) + this.deps.settings.get().paymentTermsDays * 86_400_000,
                )
              : null),
          customer: JSON.stringify(e.customer),
          business: JSON.stringify(this.businessSnapshot(b)),
          subtotal: e.money.subtotalAgorot,
          discount: e.money.discountAgorot,
          vat: e.money.vatAgorot,
          total: e.money.totalAgorot,
          rate: e.money.vatRateBp,
          allocation: form.allocationNumber,
          now,
        });
      if (opts.recordPayments !== false && (form.type === 'receipt' || form.type === 'tax_invoice_receipt')) {
        const paysInvoice = form.type === 'tax_invoice_receipt' ? id : form.relatedDocumentId;
        const ins = this.sqlite.prepare(
          `insert into payments (business_id, customer_id, document_id, receipt_document_id, provider, method, amount_agorot,
             currency, status, details, reference, paid_at, created_at, updated_at)
           values (${BUSINESS_ID}, ?, ?, ?, 'manual', ?, ?, 'ILS', 'succeeded', ?, ?, ?, ?, ?)`,
        );
        for (const p of form.payments)
          ins.run(
            r.customer_id,
            paysInvoice,
            id,
            p.method,
            p.amountAgorot,
            JSON.stringify(p.details),
            p.details.reference ?? p.details.chequeNumber ?? null,
            Date.parse(`${p.date}T12:00:00Z`),
            now,
            now,
          );
      }
      this.deps.audit?.append({
        entityType: 'document',
        entityId: id,
        event: 'document.issued',
        actor: opts.actor ?? 'owner',
        data: {
          type: form.type,
          number,
          issueDate: date,
          customer: e.customer,
          subtotalAgorot: e.money.subtotalAgorot,
          vatRateBp: e.money.vatRateBp,
          vatAgorot: e.money.vatAgorot,
          totalAgorot: e.money.totalAgorot,
          allocationNumber: form.allocationNumber,
          relatedDocumentId: form.relatedDocumentId,
        },
      });
      return this.row(id);
    });
    return tx.immediate();
  }

  async issue(id: number, opts: { allocationNumber?: string } = {}): Promise<BillingDocument> {
    this.issueNow(id, opts);
    await this.storePdfSafely(id);
    return this.get(id);
  }

  /** Cancels an issued invoice by issuing a credit note for all of it (a proposal is only marked cancelled). */
  async cancel(
    id: number,
    reason: string,
  ): Promise<{ cancelled: BillingDocument; creditNote: BillingDocument | null }> {
    const creditId = this.sqlite
      .transaction(() => {
        const r = this.row(id);
        if (r.status === 'draft')
          throw badInput('a draft is deleted, not cancelled / טיוטה נמחקת, לא מבוטלת');
        if (r.status === 'cancelled')
          throw new ApiError(
            'conflict',
            'the document is already cancelled / המסמך כבר בוטל',
            undefined,
            'already_cancelled',
          );
        const now = this.deps.clock.now();
        const markCancelled = () =>
          this.sqlite
            .prepare(
              "update documents set status = 'cancelled', cancel_reason = ?, updated_at = ? where id = ?",
            )
            .run(reason, now, id);
        if (r.type === 'proposal') {
          markCancelled();
          this.deps.audit?.append({
            entityType: 'document',
            entityId: id,
            event: 'document.cancelled',
            data: { reason },
          });
          return null;
        }
        if (r.type !== 'tax_invoice' && r.type !== 'tax_invoice_receipt')
          throw badInput(
            'only a tax invoice is cancelled by a credit note / רק חשבונית מס מבוטלת בחשבונית זיכוי',
            undefined,
          );
        // The credit note: the same lines, customer (as on the original) and VAT rate (its tax point).
        const number = this.allocate('credit_note');
        const b = this.deps.business.get();
        const creditId = Number(
          this.sqlite
            .prepare(
              `insert into documents (business_id, customer_id, type, number, status, issue_date, customer_snapshot, business_snapshot,
                 deal_id, subtotal_agorot, discount_agorot, vat_agorot, total_agorot, vat_rate_bp, related_document_id, notes,
                 created_at, updated_at)
               values (${BUSINESS_ID}, ?, 'credit_note', (select coalesce(min(number), 0) - 1 from documents where number < 0),
                 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              r.customer_id,
              israelDate(now),
              r.customer_snapshot,
              JSON.stringify(this.businessSnapshot(b)),
              r.deal_id,
              r.subtotal_agorot,
              r.discount_agorot,
              r.vat_agorot,
              r.total_agorot,
              r.vat_rate_bp,
              id,
              reason,
              now,
              now,
            ).lastInsertRowid,
        );
        this.sqlite
          .prepare(
            `insert into document_lines (document_id, position, description, quantity_milli, unit_price_agorot, total_agorot, discount)
             select ?, position, description, quantity_milli, unit_price_agorot, total_agorot, discount from document_lines where document_id = ?`,
          )
          .run(creditId, id);
        this.sqlite
          .prepare("update documents set number = ?, status = 'issued', issued_at = ? where id = ?")
          .run(number, now, creditId);
        markCancelled();
        this.deps.audit?.append({
          entityType: 'document',
          entityId: creditId,
          event: 'document.issued',
          data: {
            type: 'credit_note',
            number,
            issueDate: israelDate(now),
            totalAgorot: r.total_agorot,
            relatedDocumentId: id,
          },
        });
        this.deps.audit?.append({
          entityType: 'document',
          entityId: id,
          event: 'document.cancelled',
          data: { reason, creditNoteId: creditId, creditNoteNumber: number },
        });
        return creditId;
      })
      .immediate();
    if (creditId !== null) await this.storePdfSafely(creditId);
    return { cancelled: this.get(id), creditNote: creditId === null ? null : this.get(creditId) };
  }

  convertProposal(id: number, type: 'tax_invoice' | 'tax_invoice_receipt'): BillingDocument {
    const r = this.row(id);
    if (r.type !== 'proposal') throw badInput('not a price proposal / המסמך אינו הצעת מחיר');
    if (r.status !== 'issued')
      throw badInput('only an issued, open proposal can be converted / ניתן להמיר רק הצעת מחיר פעילה');
    const form = this.draftForm(r);
    const draftId = this.writeDraft(null, {
      ...form,
      type,
      customerDetails: null,
      payments: [],
      allocationNumber: null,
      dueDate: null,
      relatedDocumentId: id,
    });
    this.deps.audit?.append({
      entityType: 'document',
      entityId: id,
      event: 'document.converted',
      data: { draftId, type },
    });
    return this.get(draftId);
  }

  // ---------------------------------------------------------------------------- PDF

  renderInput(r: DocRow): DocumentRenderInputIn {
    const draft = r.status === 'draft';
    // Documents written before snapshots existed (demo data only) print the current profile.
    const b =
      (draft ? null : businessSnapshotOf(r.business_snapshot)) ??
      this.businessSnapshot(this.deps.business.get());
    if (!b || !/^\d{9}$/.test(b.vatId))
      throw new ApiError(
        'bad_input',
        PROBLEM_MESSAGES.business_details_missing,
        undefined,
        'business_details_missing',
      );
    const customer = draft ? this.draftCustomer(r) : customerSnapshotOf(r.customer_snapshot);
    const opt = (s: string | null | undefined) => (s ? s : undefined);
    const payments = parseJson<ReceiptPayment[]>(r.payment_entries, []);
    const related = r.related_document_id
      ? (this.sqlite
          .prepare('select type, number, issue_date, status from documents where id = ?')
          .get(r.related_document_id) as
          { type: DocumentType; number: number; issue_date: string; status: string } | undefined)
      : undefined;
    const footer = this.deps.settings.get().footerNote;
    const notes = [r.notes, footer].filter(Boolean).join('\n');
    return {
      business: {
        name: b.legalName || b.name,
        address: opt(b.address),
        phone: opt(b.phone),
        email: opt(b.email),
        website: opt(b.website),
        vatId: b.vatId,
        dealerType: b.dealerType,
      },
      customer: {
        name: customer?.name ?? '—',
        idNumber: opt(customer?.idNumber),
        address: opt(customer?.address),
        phone: opt(customer?.phone),
        email: opt(customer?.email),
      },
      type: r.type,
      number: draft ? null : r.number,
      status: r.status,
      issueDate: draft ? israelDate(this.deps.clock.now()) : r.issue_date,
      ...(r.due_date ? { dueDate: r.due_date } : {}),
      ...(r.allocation_number ? { allocationNumber: r.allocation_number } : {}),
      currency: 'ILS',
      lines: this.lines(r.id).map((l) => {
        const discount = parseJson<LineDiscount | null>(l.discount, null);
        return {
          description: l.description,
          quantity: l.quantity_milli / 1000,
          unitPriceAgorot: l.unit_price_agorot,
          ...(discount ? { discount } : {}),
          lineTotalAgorot: l.total_agorot,
        };
      }),
      totals: {
        subtotalAgorot: r.subtotal_agorot + r.discount_agorot,
        discountAgorot: r.discount_agorot,
        beforeVatAgorot: r.subtotal_agorot,
        vatRatePercent: r.vat_rate_bp / 100,
        vatAgorot: r.vat_agorot,
        totalAgorot: r.total_agorot,
      },
      payments: payments.map((p) => ({
        method: p.method,
        date: p.date,
        amountAgorot: p.amountAgorot,
        ...p.details,
      })),
      ...(payments.length ? { paidAgorot: payments.reduce((a, p) => a + p.amountAgorot, 0) } : {}),
      ...(notes ? { notes } : {}),
      ...(related && related.status !== 'draft'
        ? { related: { type: related.type, number: related.number, issueDate: related.issue_date } }
        : {}),
    };
  }

  private async render(input: DocumentRenderInputIn, copy: 'original' | 'copy'): Promise<Uint8Array> {
    if (this.deps.render) return this.deps.render(input, copy);
    const { renderDocumentPdf } = await import('../pdf/document');
    return renderDocumentPdf(
      input,
      { copy },
      { ...(this.deps.fontsDir ? { fontsDir: this.deps.fontsDir } : {}) },
    );
  }

  private fileName(r: DocRow, copy: boolean): string {
    return `${r.type}-${r.number}${copy ? '-copy' : ''}.pdf`;
  }

  private writeFileAtomic(abs: string, bytes: Uint8Array) {
    mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
    const tmp = `${abs}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, abs);
  }

  /** Renders the original of an issued document, stores it and records its SHA-256 (once). */
  async storePdf(id: number): Promise<{ path: string; sha256: string }> {
    const r = this.row(id);
    if (r.status === 'draft') throw badInput('a draft has no stored PDF / לטיוטה אין קובץ שמור');
    const bytes = await this.render(this.renderInput(r), 'original');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const rel = path.join('files', 'documents', this.fileName(r, false));
    const abs = path.join(this.deps.dataDir, rel);
    if (r.pdf_sha256 && r.pdf_sha256 !== sha256)
      throw new ApiError(
        'conflict',
        'the stored PDF cannot be reproduced / לא ניתן לשחזר את קובץ המסמך',
        undefined,
        'pdf_mismatch',
      );
    this.writeFileAtomic(abs, bytes);
    if (!r.pdf_sha256) {
      this.sqlite
        .transaction(() => {
          this.sqlite
            .prepare('update documents set pdf_path = ?, pdf_sha256 = ? where id = ? and pdf_sha256 is null')
            .run(rel, sha256, id);
          this.deps.audit?.append({
            entityType: 'document',
            entityId: id,
            event: 'document.pdf_stored',
            data: { file: { path: rel, sha256 } },
          });
        })
        .immediate();
    }
    return { path: abs, sha256 };
  }

  /** Issuing has committed: a PDF that fails to render now is made on first request. */
  private async storePdfSafely(id: number) {
    try {
      await this.storePdf(id);
    } catch (err) {
      this.deps.logger.error(
        { err, documentId: id },
        'document PDF not stored yet; it is made when first opened',
      );
    }
  }

  private fileRef(abs: string, fileName: string): FileRef {
    const bytes = readFileSync(abs);
    const files = this.deps.files?.();
    if (!files) throw new ApiError('unavailable', 'files cannot be served yet / לא ניתן להציג קבצים כעת');
    const issued = files.issue('documents', path.relative(this.docsDir, abs).split(path.sep).join('/'));
    return {
      id: issued.id,
      url: issued.path,
      fileName,
      mime: 'application/pdf',
      sizeBytes: statSync(abs).size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  }

  /** The stored original (re-made if missing, and checked against its recorded hash) or a copy. */
  async file(id: number, copy: boolean): Promise<FileRef> {
    const r = this.row(id);
    if (r.status === 'draft') return this.preview(id);
    if (!copy) {
      const abs = r.pdf_path ? path.join(this.deps.dataDir, r.pdf_path) : null;
      if (!abs || !existsSync(abs)) await this.storePdf(id);
      const stored = this.row(id);
      return this.fileRef(path.join(this.deps.dataDir, stored.pdf_path!), this.fileName(stored, false));
    }
    const abs = path.join(this.docsDir, this.fileName(r, true));
    if (!existsSync(abs)) this.writeFileAtomic(abs, await this.render(this.renderInput(r), 'copy'));
    return this.fileRef(abs, this.fileName(r, true));
  }

  /** A draft rendered with טיוטה and no number (never kept as the document's file). */
  async preview(id: number): Promise<FileRef> {
    const r = this.row(id);
    if (r.status !== 'draft') return this.file(id, false);
    const abs = path.join(this.docsDir, 'previews', `draft-${id}.pdf`);
    this.writeFileAtomic(abs, await this.render(this.renderInput(r), 'original'));
    return this.fileRef(abs, `draft-${id}.pdf`);
  }

  // ---------------------------------------------------------------------------- list

  list(q: {
    page: number;
    limit: number;
    type?: DocumentType;
    status?: 'draft' | 'issued' | 'cancelled';
    from?: string;
    to?: string;
    paid?: 'unpaid' | 'partial' | 'paid';
    customerId?: number;
    q?: string;
  }) {
    const where: string[] = [`d.business_id = ${BUSINESS_ID}`];
    const args: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (q.type) add('d.type = ?', q.type);
    if (q.status) add('d.status = ?', q.status);
    if (q.from) add("d.issue_date >= ? and d.status <> 'draft'", q.from);
    if (q.to) add("d.issue_date <= ? and d.status <> 'draft'", q.to);
    if (q.customerId) add('d.customer_id = ?', q.customerId);
    const paidExpr =
      "(select coalesce(sum(p.amount_agorot), 0) from payments p where p.document_id = d.id and p.status = 'succeeded')";
    if (q.paid) {
      where.push("d.type = 'tax_invoice' and d.status = 'issued'");
      where.push(
        q.paid === 'paid'
          ? `${paidExpr} >= d.total_agorot`
          : q.paid === 'partial'
            ? `${paidExpr} between 1 and d.total_agorot - 1`
            : `${paidExpr} = 0`,
      );
    }
    const text = q.q?.trim();
    if (text) {
      if (/^\d{1,9}$/.test(text)) add("(d.number = ? and d.status <> 'draft')", Number(text));
      else {
        where.push(
          "(json_extract(d.customer_snapshot, '$.name') like ? escape '\\' or c.name like ? escape '\\')",
        );
        const like = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
        args.push(like, like);
      }
    }
    const from = `from documents d left join customers c on c.id = d.customer_id where ${where.join(' and ')}`;
    const total = (this.sqlite.prepare(`select count(*) n ${from}`).get(...args) as { n: number }).n;
    const rows = this.sqlite
      .prepare(
        `select d.*, c.name as live_name, ${paidExpr} as paid ${from} order by d.created_at desc, d.id desc limit ? offset ?`,
      )
      .all(...args, q.limit, (q.page - 1) * q.limit) as Array<
      DocRow & { live_name: string | null; paid: number }
    >;
    return {
      items: rows.map((r) => {
        const draft = r.status === 'draft';
        const name =
          (draft ? null : customerSnapshotOf(r.customer_snapshot)?.name) ??
          customerSnapshotOf(r.customer_snapshot)?.name ??
          r.live_name;
        const paid =
          r.type === 'tax_invoice' && !draft
            ? {
                paidAgorot: r.paid,
                paidStatus: (r.paid >= r.total_agorot ? 'paid' : r.paid > 0 ? 'partial' : 'unpaid') as
                  'paid' | 'partial' | 'unpaid',
              }
            : this.paidState(r);
        return {
          id: r.id,
          type: r.type,
          status: r.status,
          number: draft ? null : r.number,
          issueDate: draft ? null : r.issue_date,
          dueDate: r.due_date,
          customerId: r.customer_id,
          customerName: name ?? null,
          totalAgorot: r.total_agorot,
          paidAgorot: paid.paidAgorot,
          paidStatus: paid.paidStatus,
          issuedAt: r.issued_at,
          createdAt: r.created_at,
          updatedAt: r.updated_at ?? r.created_at,
        };
      }),
      total,
      page: q.page,
      limit: q.limit,
    };
  }

  /** Types whose first document is issued (their starting number is fixed). */
  lockedTypes(): DocumentType[] {
    return DOCUMENT_TYPES.filter((t) =>
      this.sqlite
        .prepare(
          `select 1 from documents where business_id = ${BUSINESS_ID} and type = ? and status <> 'draft' limit 1`,
        )
        .get(t),
    );
  }

  isDealer = isDealerId;
}
