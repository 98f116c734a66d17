/**
 * Billing documents through the real API (issue 12): drafts, issuing, immutability, the credit
 * note flow, proposal → invoice, snapshots that survive a customer edit and merge, the allocation
 * and customer-ID rules, bad input that writes nothing, and the stored PDF (hash, pdftotext).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../src-main/crm/demo-data';
import { ManualClock } from '../../src-main/platform/clock';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
// 2026-03-10 10:00 Israel: the allocation threshold in force is ₪10,000 (from 2026-01-01).
const clock = new ManualClock(Date.UTC(2026, 2, 10, 8, 0, 0));

const ok = (method: string, input?: unknown) => t.ok(method, input);
const sqlite = () => t.core.db.$client;
const count = (table: string) =>
  (sqlite().prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
/** Every billing row, to show a refused call changed nothing. */
const state = () =>
  JSON.stringify([
    sqlite().prepare('select * from documents order by id').all(),
    sqlite().prepare('select * from document_lines order by id').all(),
    sqlite().prepare('select * from document_sequences order by type').all(),
    sqlite().prepare('select * from payments order by id').all(),
    count('audit_events'),
  ]);

let dana: number;
let company: number;
let other: number;

beforeAll(async () => {
  t = await startTestCore({}, undefined, { clock });
  await ok('business.updateProfile', {
    name: 'סטודיו שושנה',
    legalName: 'שושנה כהן',
    vatId: '514123456',
    businessType: 'osek_murshe',
    address: 'הרצל 10',
    city: 'חיפה',
    vatRateBp: 1800,
  });
  dana = (
    await ok('crm.customers.create', { name: 'דנה לוי', phone: '050-1234567', address: 'הגפן 3, חיפה' })
  ).id;
  company = (
    await ok('crm.customers.create', { name: 'אלפא בע״מ', phone: '052-7654321', vatId: '513999999' })
  ).id;
  other = (await ok('crm.customers.create', { name: 'דנה ל.', phone: '054-1111111' })).id;
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

const line = (unitPriceAgorot: number, quantity = 1, description = 'תספורת') => ({
  description,
  quantity,
  unitPriceAgorot,
});

describe('drafts and issuing', () => {
  it('a draft has no number; issuing gives the next number, today, the VAT rate and frozen details', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: dana,
      lines: [line(10_000, 2), { ...line(5_000), discount: { kind: 'percent', percent: 10 } }],
      discountAgorot: 1_000,
    });
    expect(d).toMatchObject({ status: 'draft', number: null, issueDate: null, business: null });
    expect(d.customer.name).toBe('דנה לוי');
    // 20,000 + 4,500 − 1,000 = 23,500; VAT 18% = 4,230; total 27,730.
    expect(d).toMatchObject({
      linesTotalAgorot: 24_500,
      subtotalAgorot: 23_500,
      vatAgorot: 4_230,
      totalAgorot: 27_730,
    });

    const issued = await ok('billing.documents.issue', { id: d.id });
    expect(issued).toMatchObject({
      status: 'issued',
      number: 1,
      issueDate: '2026-03-10',
      vatRateBp: 1800,
      totalAgorot: 27_730,
      paidStatus: 'unpaid',
      dueDate: '2026-04-09',
    });
    expect(issued.business).toMatchObject({
      name: 'סטודיו שושנה',
      vatId: '514123456',
      address: 'הרצל 10, חיפה',
    });
    expect(issued.customer).toMatchObject({
      name: 'דנה לוי',
      address: 'הגפן 3, חיפה',
      phone: '050-123-4567',
    });
    expect(issued.pdfSha256).toMatch(/^[0-9a-f]{64}$/);
    const audit = await ok('audit.history', { entityType: 'document', entityId: d.id });
    expect(audit.map((e: { event: string }) => e.event)).toEqual(['document.issued', 'document.pdf_stored']);
  });

  it('an issued document cannot be edited, deleted or issued again — clear error, nothing changes', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: dana,
      lines: [line(1_000)],
    });
    await ok('billing.documents.issue', { id: d.id });
    const before = state();
    for (const [m, body] of [
      ['billing.documents.updateDraft', { id: d.id, notes: 'שינוי' }],
      ['billing.documents.updateDraft', { id: d.id, lines: [line(1)] }],
      ['billing.documents.deleteDraft', { id: d.id }],
      ['billing.documents.issue', { id: d.id }],
    ] as const) {
      const r = await t.api(m, body);
      expect(r.status, m).toBe(409);
      expect(r.body.error).toBe('document_issued');
      expect(r.body.message).toMatch(/חשבונית זיכוי/);
    }
    expect(state()).toBe(before);
    // The database refuses too, whatever code path tries.
    expect(() => sqlite().prepare('update documents set total_agorot = 1 where id = ?').run(d.id)).toThrow(
      /document_issued/,
    );
    expect(() => sqlite().prepare('delete from documents where id = ?').run(d.id)).toThrow(/document_issued/);
    expect(() =>
      sqlite().prepare('update document_lines set total_agorot = 1 where document_id = ?').run(d.id),
    ).toThrow(/document_issued/);
  });

  it('a draft can be edited and deleted', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'proposal',
      customerId: dana,
      lines: [line(1_000)],
    });
    const u = await ok('billing.documents.updateDraft', {
      id: d.id,
      lines: [line(2_000, 3)],
      notes: 'בתוקף 30 יום',
    });
    expect(u).toMatchObject({ subtotalAgorot: 6_000, notes: 'בתוקף 30 יום', number: null });
    await ok('billing.documents.deleteDraft', { id: d.id });
    expect((await t.api('billing.documents.get', { id: d.id })).status).toBe(404);
  });

  it('bad input gets a clear error and writes nothing', async () => {
    const before = state();
    const bad: Array<[string, unknown, number]> = [
      ['billing.documents.createDraft', { type: 'tax_invoice', customerId: dana, lines: [line(-5)] }, 400],
      [
        'billing.documents.createDraft',
        { type: 'tax_invoice', customerId: dana, lines: [line(100, 1.2345)] },
        400,
      ],
      ['billing.documents.createDraft', { type: 'credit_note', customerId: dana, lines: [line(100)] }, 400],
      ['billing.documents.createDraft', { type: 'tax_invoice', customerId: 99_999, lines: [line(100)] }, 400],
      [
        'billing.documents.createDraft',
        {
          type: 'receipt',
          customerId: dana,
          payments: [{ method: 'cheque', amountAgorot: 100, date: '2026-03-10' }],
        },
        400,
      ],
      ['billing.documents.issue', { id: 99_999 }, 404],
      ['billing.payments.record', { method: 'cash', amountAgorot: 0 }, 400],
      ['billing.settings.set', { allocationThresholds: [] }, 400],
    ];
    for (const [m, body, status] of bad) {
      const r = await t.api(m, body);
      expect(r.status, `${m} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.message).toBeTruthy();
    }
    // A draft that cannot be issued stays a draft: no number is used up.
    const d = await ok('billing.documents.createDraft', { type: 'tax_invoice', customerId: dana, lines: [] });
    const mid = state();
    const r = await t.api('billing.documents.issue', { id: d.id });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('no_lines');
    expect(state()).toBe(mid);
    await ok('billing.documents.deleteDraft', { id: d.id });
    expect(state()).toBe(before);
  });
});

describe('credit note, proposal, receipts', () => {
  it('cancel issues a credit note referencing the invoice, with its lines and VAT rate', async () => {
    const inv = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: dana,
      lines: [line(50_000)],
    });
    await ok('billing.documents.issue', { id: inv.id });
    const { cancelled, creditNote } = await ok('billing.documents.cancel', {
      id: inv.id,
      reason: 'טעות בסכום',
    });
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      cancelledBy: { id: creditNote.id, type: 'credit_note', number: 1 },
    });
    expect(creditNote).toMatchObject({
      type: 'credit_note',
      status: 'issued',
      number: 1,
      related: { id: inv.id, type: 'tax_invoice' },
      totalAgorot: 59_000,
      vatRateBp: 1800,
    });
    expect(creditNote.lines).toHaveLength(1);
    expect(creditNote.pdfSha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await t.api('billing.documents.cancel', { id: inv.id });
    expect(again.status).toBe(409);
    // A cancelled invoice is not open any more.
    const unpaid = await ok('billing.payments.unpaid', {});
    expect(unpaid.items.map((i: { documentId: number }) => i.documentId)).not.toContain(inv.id);
  });

  it('a proposal converts into a draft invoice with its lines, linked both ways', async () => {
    const p = await ok('billing.documents.createDraft', {
      type: 'proposal',
      customerId: dana,
      lines: [line(30_000, 2, 'עיצוב לוגו')],
    });
    await ok('billing.documents.issue', { id: p.id });
    const inv = await ok('billing.documents.convertProposal', { id: p.id });
    expect(inv).toMatchObject({
      type: 'tax_invoice',
      status: 'draft',
      related: { id: p.id, type: 'proposal', number: 1 },
    });
    expect(inv.lines[0]).toMatchObject({ description: 'עיצוב לוגו', quantity: 2, unitPriceAgorot: 30_000 });
    const issued = await ok('billing.documents.issue', { id: inv.id });
    expect((await ok('billing.documents.get', { id: p.id })).convertedTo).toEqual([
      { id: inv.id, type: 'tax_invoice', number: issued.number },
    ]);
  });

  it('a payment against an invoice issues its receipt; the invoice becomes partly then fully paid', async () => {
    const inv = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: dana,
      lines: [line(10_000)],
    });
    await ok('billing.documents.issue', { id: inv.id });
    const first = await ok('billing.payments.record', {
      documentId: inv.id,
      method: 'cheque',
      amountAgorot: 5_000,
      details: { chequeNumber: '100234', bank: '12', branch: '600', account: '123456' },
    });
    expect(first.payment).toMatchObject({
      status: 'succeeded',
      method: 'cheque',
      customerId: dana,
      receiptDocumentId: first.receipt.id,
    });
    expect(first.receipt).toMatchObject({
      type: 'receipt',
      status: 'issued',
      totalAgorot: 5_000,
      related: { id: inv.id },
    });
    expect(first.receipt.payments[0]).toMatchObject({
      method: 'cheque',
      details: { chequeNumber: '100234' },
    });
    expect((await ok('billing.documents.get', { id: inv.id })).paidStatus).toBe('partial');
    const tooMuch = await t.api('billing.payments.record', {
      documentId: inv.id,
      method: 'cash',
      amountAgorot: 99_999,
    });
    expect(tooMuch.body.error).toBe('amount_exceeds_due');
    // A receipt drafted by hand for the invoice cannot exceed what is due either.
    const receipt = await ok('billing.documents.createDraft', {
      type: 'receipt',
      customerId: dana,
      relatedDocumentId: inv.id,
      payments: [{ method: 'cash', amountAgorot: 6_801, date: '2026-03-10' }],
    });
    const over = await t.api('billing.documents.issue', { id: receipt.id });
    expect([over.status, over.body.error]).toEqual([400, 'amount_exceeds_due']);
    await ok('billing.documents.deleteDraft', { id: receipt.id });
    await ok('billing.payments.record', {
      documentId: inv.id,
      method: 'bit',
      amountAgorot: 6_800,
      issueReceipt: false,
    });
    expect((await ok('billing.documents.get', { id: inv.id })).paidStatus).toBe('paid');
    const list = await ok('billing.payments.list', { documentId: inv.id });
    expect(list.total).toBe(2);
  });

  it('an invoice-receipt must be paid in full; its payments are recorded', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'tax_invoice_receipt',
      customerId: dana,
      lines: [line(10_000)],
      payments: [
        { method: 'card', amountAgorot: 11_000, date: '2026-03-10', details: { cardLast4: '4242' } },
      ],
    });
    const r = await t.api('billing.documents.issue', { id: d.id });
    expect(r.body.error).toBe('payments_mismatch');
    await ok('billing.documents.updateDraft', {
      id: d.id,
      payments: [
        {
          method: 'card',
          amountAgorot: 11_800,
          date: '2026-03-10',
          details: { cardLast4: '4242', installments: 3 },
        },
      ],
    });
    const issued = await ok('billing.documents.issue', { id: d.id });
    expect(issued).toMatchObject({ paidStatus: 'paid', paidAgorot: 11_800 });
    expect((await ok('billing.payments.list', { documentId: d.id })).items[0]).toMatchObject({
      method: 'card',
      amountAgorot: 11_800,
    });
  });
});

describe('legal rules', () => {
  it('a tax invoice to a licensed dealer above the threshold in force needs an allocation number', async () => {
    // ₪10,000.01 before VAT on 2026-03-10 (threshold ₪10,000).
    const d = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: company,
      lines: [line(1_000_001)],
    });
    const totals = await ok('billing.documents.totals', {
      type: 'tax_invoice',
      customerId: company,
      lines: [line(1_000_001)],
    });
    expect(totals.requirements).toEqual({
      allocationNumber: true,
      allocationThresholdAgorot: 1_000_000,
      customerId: false,
    });
    expect(totals.problems).toContain('allocation_number_required');
    const before = state();
    const r = await t.api('billing.documents.issue', { id: d.id });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('allocation_number_required');
    expect(state()).toBe(before);
    const issued = await ok('billing.documents.issue', { id: d.id, allocationNumber: '123456789' });
    expect(issued.allocationNumber).toBe('123456789');
    // Exactly at the threshold, or to a private customer: none needed.
    const at = await ok('billing.documents.totals', {
      type: 'tax_invoice',
      customerId: company,
      lines: [line(1_000_000)],
    });
    expect(at.requirements.allocationNumber).toBe(false);
    const priv = await ok('billing.documents.totals', {
      type: 'tax_invoice',
      customerId: dana,
      lines: [line(5_000_000)],
    });
    expect(priv.requirements.allocationNumber).toBe(false);
  });

  it('the dated threshold table in settings decides (₪5,000 from 2026-06-01)', async () => {
    clock.advance(90 * 86_400_000); // 2026-06-08
    const r = await ok('billing.documents.totals', {
      type: 'tax_invoice',
      customerId: company,
      lines: [line(600_000)],
    });
    expect(r.requirements).toMatchObject({ allocationNumber: true, allocationThresholdAgorot: 500_000 });
    await ok('billing.settings.set', {
      allocationThresholds: [{ from: '2024-01-01', amountAgorot: 1_000_000 }],
    });
    const r2 = await ok('billing.documents.totals', {
      type: 'tax_invoice',
      customerId: company,
      lines: [line(600_000)],
    });
    expect(r2.requirements.allocationNumber).toBe(false);
    await ok('billing.settings.set', {
      allocationThresholds: [
        { from: '2024-05-05', amountAgorot: 2_500_000 },
        { from: '2025-01-01', amountAgorot: 2_000_000 },
        { from: '2026-01-01', amountAgorot: 1_000_000 },
        { from: '2026-06-01', amountAgorot: 500_000 },
      ],
    });
  });

  it("cash above ₪5,000 needs the customer's ID number", async () => {
    const before = state();
    const r = await t.api('billing.payments.record', {
      customerId: dana,
      method: 'cash',
      amountAgorot: 500_001,
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('customer_id_required');
    expect(state()).toBe(before);
    const ok5000 = await ok('billing.payments.record', {
      customerId: dana,
      method: 'cash',
      amountAgorot: 500_000,
    });
    expect(ok5000.receipt.totalAgorot).toBe(500_000);
    const withId = await ok('billing.payments.record', {
      customerId: company,
      method: 'cash',
      amountAgorot: 600_000,
    });
    expect(withId.receipt.customer.idNumber).toBe('513999999');
  });
});

describe('snapshots', () => {
  it('a customer edit and a merge never change what an issued document says; the merge re-links it', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: other,
      lines: [line(7_000)],
    });
    const issued = await ok('billing.documents.issue', { id: d.id });
    await ok('crm.customers.update', { id: other, name: 'שם חדש', address: 'כתובת חדשה' });
    await ok('crm.customers.merge', { targetId: dana, sourceId: other });
    const after = await ok('billing.documents.get', { id: d.id });
    expect(after.customerId).toBe(dana);
    expect(after.customer).toEqual(issued.customer);
    expect(after.customer.name).toBe('דנה ל.');
    expect(after.pdfSha256).toBe(issued.pdfSha256);
  });
});

describe('PDF', () => {
  it('is stored under the data folder with its SHA-256; pdftotext finds the number and the total', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'tax_invoice',
      customerId: dana,
      lines: [line(12_345, 1, 'ייעוץ')],
    });
    const issued = await ok('billing.documents.issue', { id: d.id });
    const row = sqlite().prepare('select pdf_path, pdf_sha256 from documents where id = ?').get(d.id) as {
      pdf_path: string;
      pdf_sha256: string;
    };
    expect(row.pdf_path).toBe(path.join('files', 'documents', `tax_invoice-${issued.number}.pdf`));
    const abs = path.join(t.dataDir, row.pdf_path);
    expect(createHash('sha256').update(readFileSync(abs)).digest('hex')).toBe(row.pdf_sha256);
    const text = execFileSync('pdftotext', ['-layout', abs, '-']).toString('utf8');
    expect(text).toContain(String(issued.number));
    expect(text).toContain('145.67'); // 123.45 + 18% VAT = 145.671 → 145.67
    expect(text).toContain('ייעוץ');
    const file = await ok('billing.documents.file', { id: d.id });
    expect(file).toMatchObject({ sha256: row.pdf_sha256, mime: 'application/pdf', url: `/files/${file.id}` });
    // The renderer gets the file by URL (token-checked), never as base64 in JSON.
    const res = await fetch(`${t.localUrl}${file.url}?token=${encodeURIComponent(t.token)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(
      createHash('sha256')
        .update(Buffer.from(await res.arrayBuffer()))
        .digest('hex'),
    ).toBe(row.pdf_sha256);
    expect((await fetch(`${t.localUrl}${file.url}`)).status).toBe(401);
    const copy = await ok('billing.documents.file', { id: d.id, copy: true });
    expect(copy.sha256).not.toBe(row.pdf_sha256);
    expect(
      execFileSync('pdftotext', [
        copy.url.startsWith('file://')
          ? copy.url.slice(7)
          : path.join(t.dataDir, 'files', 'documents', copy.fileName),
        '-',
      ]).toString('utf8'),
    ).toContain('העתק');
  });

  it('a draft preview is marked טיוטה and has no number', async () => {
    const d = await ok('billing.documents.createDraft', {
      type: 'proposal',
      customerId: dana,
      lines: [line(1_000)],
    });
    const f = await ok('billing.documents.preview', { id: d.id });
    const abs = f.url.startsWith('file://')
      ? f.url.slice(7)
      : path.join(t.dataDir, 'files', 'documents', 'previews', f.fileName);
    expect(execFileSync('pdftotext', [abs, '-']).toString('utf8')).toContain('טיוטה');
    expect(sqlite().prepare('select pdf_path from documents where id = ?').get(d.id)).toEqual({
      pdf_path: null,
    });
  });
});

describe('on demo data', () => {
  it('the demo generator, the dashboard and reports work on the billing model; numbering continues', async () => {
    const demo = await startTestCore();
    try {
      const now = Date.UTC(2026, 2, 10, 8);
      // reset: the core may have seeded default contract templates already.
      generateDemoData(demo.core.db, { customers: 300, now, seed: 7, reset: true });
      // A second run with --reset replaces issued documents too (the triggers let only the reset through).
      generateDemoData(demo.core.db, { customers: 300, now, seed: 7, reset: true });
      const call = async (m: string, input?: unknown) => {
        const r = await demo.api(m, input);
        if (r.status !== 200) throw new Error(`${m} → ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.data;
      };
      const list = await call('billing.documents.list', { type: 'tax_invoice', limit: 100 });
      expect(list.total).toBeGreaterThan(0);
      const unpaid = await call('billing.payments.unpaid', { limit: 100 });
      const dash = await call('crm.dashboard', {});
      expect(unpaid.count).toBe(dash.unpaidInvoices.count);
      expect(unpaid.totalDueAgorot).toBe(dash.unpaidInvoices.totalAgorot);
      const open = await call('billing.documents.list', { paid: 'unpaid', limit: 100 });
      expect(open.total).toBeLessThanOrEqual(unpaid.count);
      const payments = await call('billing.payments.list', { limit: 5 });
      expect(payments.total).toBeGreaterThan(0);
      const demoDoc = await call('billing.documents.get', { id: list.items[0].id });
      expect(demoDoc.customer.name).toBeTruthy();
      const maxNumber = (
        demo.core.db.$client
          .prepare("select max(number) n from documents where type = 'tax_invoice'")
          .get() as { n: number }
      ).n;
      const settings = await call('billing.settings.get', {});
      expect(settings.lockedTypes).toContain('tax_invoice');
      expect(settings.nextNumbers.tax_invoice).toBe(maxNumber + 1);
      expect(
        (await demo.api('billing.settings.set', { startingNumbers: { tax_invoice: 500 } })).body.error,
      ).toBe('numbering_locked');
    } finally {
      await demo.stop();
    }
  }, 120_000);
});

describe('timeline', () => {
  it("documents and payments are timeline sources of the customer's page (drafts show no number)", async () => {
    const sources = t.core.modules.flatMap((m) => m.timeline ?? []);
    const [docs, pays] = [
      sources.find((s) => s.kind === 'document'),
      sources.find((s) => s.kind === 'payment'),
    ];
    expect([docs!.kind, docs!.capability, pays!.kind, pays!.capability]).toEqual([
      'document',
      'invoices',
      'payment',
      'payments',
    ]);
    const items = docs!.page(dana, 100, null);
    expect(items.length).toBeGreaterThan(5);
    for (const i of items) expect(i.number === null).toBe(i.status === 'draft');
    expect(items.some((i) => i.subtype === 'credit_note' && i.number === 1)).toBe(true);
    const p = pays!.page(dana, 100, null);
    expect(p.some((i) => i.subtype === 'cheque' && i.amountAgorot === 5_000)).toBe(true);
  });
});
