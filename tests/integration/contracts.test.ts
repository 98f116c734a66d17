/**
 * Contracts end to end through the API and the public signing routes: a draft from a default
 * template, its blanks filled, a single-use link, the signature submitted over the public
 * server, the signed PDF (text extracted with pdftotext) and its certificate, and the audit
 * chain that catches a changed PDF or event.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { iconPng } from '../../scripts/make-icon';
import { startTestCore, type TestCore } from '../helpers/core';
import { pdfPages, pdfText, pdfWords } from '../helpers/pdf';

const PUBLIC_HOST = 'contracts.agentlocator.test';
let t: TestCore | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function ok<T = any>(method: string, input?: unknown): Promise<T> {
  const r = await t!.api(method, input);
  if (r.status !== 200) throw new Error(`${method}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data as T;
}

const signature = () => ({
  name: 'דנה כהן',
  idNumber: '000000018',
  consent: true,
  strokes: [
    {
      points: [
        { x: 10, y: 20, time: 1, pressure: 0.5 },
        { x: 40, y: 25, time: 17, pressure: 0.5 },
      ],
    },
  ],
  png: `data:image/png;base64,${iconPng(48).toString('base64')}`,
});

async function setup() {
  t = await startTestCore({ PUBLIC_HOST });
  t.core.business.updateProfile({ name: 'סטודיו נועה', vatId: '514567893', address: 'הרצל 1', city: 'חיפה' });
  const customer = await ok('crm.customers.create', {
    name: 'דנה כהן',
    phone: '054-5550101',
    address: 'הגפן 3, חיפה',
  });
  const deal = await ok('crm.deals.create', {
    customerId: customer.id,
    title: 'עיצוב פנים לסלון',
    amountAgorot: 1_250_000,
  });
  const templates =
    await ok<Array<{ id: number; name: string; requiresIdNumber: boolean }>>('contracts.templates.list');
  const service = templates.find((x) => x.name === 'הסכם למתן שירותים')!;
  return { customer, deal, templates, service };
}

const pub = (p: string, init?: RequestInit) => fetch(`${t!.publicUrl}${p}`, init);
const post = (token: string, body: unknown) =>
  pub(`/sign/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (Phone)' },
    body: JSON.stringify(body),
  });

describe('contracts and signatures', () => {
  it('draft → link → viewed → signed remotely once; the signed PDF carries the signer and the hashes; verify catches tampering', async () => {
    const { customer, deal, templates, service } = await setup();
    expect(templates.map((x) => x.name).sort()).toEqual([
      'אישור הצעת מחיר',
      'הזמנת עבודה',
      'הסכם למתן שירותים',
    ]);

    const draft = await ok('contracts.create', {
      customerId: customer.id,
      templateId: service.id,
      dealId: deal.id,
    });
    expect(draft.number).toMatch(/^AGR-\d{4}-0001$/);
    expect(draft.status).toBe('draft');
    expect(draft.body).toContain('עיצוב פנים לסלון');
    expect(draft.body).toContain('12,500 ₪');
    expect(draft.missing).toEqual(['customer.idNumber']);
    // A draft with blanks cannot go out.
    expect((await t!.api('contracts.send', { id: draft.id })).status).toBe(400);
    const filled = await ok('contracts.update', {
      id: draft.id,
      values: { 'customer.idNumber': '000000018' },
    });
    expect(filled.missing).toEqual([]);

    const sent = await ok('contracts.send', { id: draft.id });
    expect(sent.link).toMatch(new RegExp(`^https://${PUBLIC_HOST}/sign/[A-Za-z0-9_-]{43}$`));
    const token = sent.link.split('/').pop()!;
    // Only the hash of the token is stored.
    expect(JSON.stringify(t!.core.db.$client.prepare('select * from contracts').all())).not.toContain(token);

    const page = await pub(`/sign/${token}/contract`);
    expect(page.status).toBe(200);
    const view = (await page.json()) as {
      contract: { title: string; requiresIdNumber: boolean; blocks: unknown[] };
    };
    expect(view.contract).toMatchObject({ title: 'הסכם למתן שירותים', requiresIdNumber: true });
    expect((await ok('contracts.get', { id: draft.id })).status).toBe('opened');

    // An incomplete signature changes nothing.
    expect((await post(token, { ...signature(), consent: false })).status).toBe(400);
    expect((await post(token, { ...signature(), idNumber: '123456789' })).status).toBe(400);
    expect((await ok('contracts.get', { id: draft.id })).status).toBe('opened');

    // The owner's screens hear of each step the signer takes on the public server.
    const heard: unknown[] = [];
    const off = t!.core.bus.subscribe((m) => m.name === 'contracts.changed' && heard.push(m.payload));
    const signed = await post(token, signature());
    expect(signed.status).toBe(200);
    off();
    expect(heard).toContainEqual({ id: draft.id, status: 'signed' });
    const c = await ok('contracts.get', { id: draft.id });
    expect(c).toMatchObject({
      status: 'signed',
      signer: { name: 'דנה כהן', idNumber: '000000018', via: 'remote', userAgent: 'Mozilla/5.0 (Phone)' },
    });

    // Single use: the link now says "already signed", a random one "no such link".
    expect((await post(token, signature())).status).toBe(410);
    expect(await (await pub(`/sign/${token}/contract`)).json()).toEqual({ ok: false, reason: 'used' });
    const random = 'A'.repeat(43);
    expect((await pub(`/sign/${random}/contract`)).status).toBe(404);
    expect(await (await pub(`/sign/${random}/contract`)).json()).toEqual({ ok: false, reason: 'invalid' });
    expect((await pub('/sign/..%2F..%2Fagentlocator.db/contract')).status).toBe(404);

    // The signed PDF: the signer, the ID, the hashes and the certificate page.
    const row = t!.core.db.$client
      .prepare('select signed_pdf_path, signed_sha256, unsigned_sha256 from contracts where id = ?')
      .get(draft.id) as {
      signed_pdf_path: string;
      signed_sha256: string;
      unsigned_sha256: string;
    };
    const file = path.join(t!.core.paths.filesDir, row.signed_pdf_path);
    const text = pdfText(readFileSync(file));
    if (process.env.KEEP_SIGNED_PDF) writeFileSync(process.env.KEEP_SIGNED_PDF, readFileSync(file));
    expect(text).toContain(row.unsigned_sha256);
    expect(text).toContain('000000018');
    expect(text).toContain('Mozilla/5.0');
    expect(text.replace(/\s+/g, ' ')).toMatch(/דנה כהן|ןהכ הנד/);
    expect((await ok('contracts.file', { id: draft.id })).url).toMatch(/^\/files\//);

    expect(await ok('contracts.verify', { id: draft.id })).toMatchObject({ ok: true, problems: [] });
    const pdf = readFileSync(file);
    pdf[pdf.length - 10] = pdf[pdf.length - 10]! ^ 1;
    writeFileSync(file, pdf);
    expect((await ok('contracts.verify', { id: draft.id })).problems).toEqual([
      expect.objectContaining({ kind: 'file_changed' }),
    ]);
    writeFileSync(
      file,
      readFileSync(file).map((b, i, a) => (i === a.length - 10 ? b ^ 1 : b)),
    );
    expect((await ok('contracts.verify', { id: draft.id })).ok).toBe(true);

    // After signing nothing changes: no edit, no void, no new link.
    for (const [m, body] of [
      ['contracts.update', { id: draft.id, values: { 'customer.address': 'אחרת' } }],
      ['contracts.void', { id: draft.id, reason: 'ניסיון' }],
      ['contracts.send', { id: draft.id }],
    ] as const) {
      expect((await t!.api(m, body)).status).toBe(409);
    }
  });

  it('an expired link and a voided contract answer with their reason; oversized payloads are refused', async () => {
    const { customer, templates } = await setup();
    const quote = templates.find((x) => x.name === 'אישור הצעת מחיר')!;
    const a = await ok('contracts.create', {
      customerId: customer.id,
      templateId: quote.id,
      values: { 'deal.title': 'ליווי', 'deal.amount': '500 ₪' },
    });
    expect(a.number).toMatch(/-0001$/);
    const b = await ok('contracts.create', {
      customerId: customer.id,
      templateId: quote.id,
      values: { 'deal.title': 'ליווי', 'deal.amount': '500 ₪' },
    });
    expect(b.number).toMatch(/-0002$/);
    const la = (await ok('contracts.send', { id: a.id })).link.split('/').pop()!;
    const lb = (await ok('contracts.send', { id: b.id })).link.split('/').pop()!;
    t!.core.db.$client.prepare('update contracts set token_expires_at = 1 where id = ?').run(a.id);
    expect(await (await pub(`/sign/${la}/contract`)).json()).toEqual({ ok: false, reason: 'expired' });
    await ok('contracts.void', { id: b.id, reason: 'הלקוח ביטל' });
    expect((await pub(`/sign/${lb}/contract`)).status).toBe(404);
    const huge = { ...signature(), png: `data:image/png;base64,${'A'.repeat(700_000)}` };
    expect([400, 404, 410, 413]).toContain((await post(lb, huge)).status);
    const c = await ok('contracts.create', {
      customerId: customer.id,
      templateId: quote.id,
      values: { 'deal.title': 'ליווי', 'deal.amount': '500 ₪' },
    });
    const lc = (await ok('contracts.send', { id: c.id })).link.split('/').pop()!;
    expect((await post(lc, huge)).status).toBe(413);
    // The signing routes are the only contract surface on the public server.
    expect((await pub('/api/contracts.list', { method: 'POST' })).status).toBe(404);
  });

  it('signed in the office; a merge re-links the contract but never re-words it, and the chain holds', async () => {
    const { customer, service } = await setup();
    const other = await ok('crm.customers.create', { name: 'דנה כ.', phone: '054-5550102' });
    const c = await ok('contracts.create', {
      customerId: customer.id,
      templateId: service.id,
      values: { 'customer.idNumber': '000000018', 'deal.title': 'ייעוץ', 'deal.amount': '900 ₪' },
    });
    const signed = await ok('contracts.signInOffice', { id: c.id, ...signature() });
    expect(signed).toMatchObject({ status: 'signed', signer: { via: 'in_office' } });
    await ok('crm.customers.merge', { targetId: other.id, sourceId: customer.id });
    const after = await ok('contracts.get', { id: c.id });
    expect(after.customerId).toBe(other.id);
    expect(after.body).toBe(signed.body);
    expect(await ok('contracts.verify', { id: c.id })).toMatchObject({ ok: true });
    const events = await ok<Array<{ event: string }>>('audit.history', {
      entityType: 'contract',
      entityId: c.id,
    });
    expect(events.map((e) => e.event)).toEqual(['contract.created', 'contract.signed']);
    t!.core.db.$client
      .prepare(
        "update audit_events set data = '{}' where entity_type = 'contract' and event = 'contract.created'",
      )
      .run();
    expect((await ok('contracts.verify', { id: c.id })).problems).toContainEqual(
      expect.objectContaining({ kind: 'edited' }),
    );
  });

  it('previews a template for a customer, or a body being edited, without saving; the list searches', async () => {
    const { customer, deal, service } = await setup();
    const p = await ok('contracts.preview', {
      templateId: service.id,
      customerId: customer.id,
      dealId: deal.id,
    });
    expect(p.text).toContain('דנה כהן');
    expect(p.text).toContain('עיצוב פנים לסלון');
    expect(p.text).toMatch(/AGR-\d{4}-0001/);
    expect(p.missing).toContain('customer.idNumber');
    // A body being edited: customer blanks stay blank, the business's own values fill in, typos are named.
    const e = await ok('contracts.preview', {
      body: 'הסכם בין {{business.name}} ל{{customer.name}} {{customer.nmae}}',
    });
    expect(e.text).toBe('הסכם בין סטודיו נועה ל_______________ {{customer.nmae}}');
    expect(e).toMatchObject({
      missing: ['customer.name'],
      placeholders: ['business.name', 'customer.name'],
      unknown: ['customer.nmae'],
    });
    // Customer data is text: a value that looks like a placeholder or markup is not read again.
    const sly = await ok('crm.customers.create', {
      name: '{{business.vatId}} **<b>x</b>**',
      phone: '054-5550109',
    });
    const s = await ok('contracts.preview', {
      body: 'לקוח: {{customer.name}} עוסק {{business.vatId}}',
      customerId: sly.id,
    });
    expect(s.text).toBe('לקוח: {{business.vatId}} **<b>x</b>** עוסק 514567893');
    // Exactly one of a template and a body; a deal of another customer is refused.
    expect((await t!.api('contracts.preview', {})).status).toBe(400);
    expect((await t!.api('contracts.preview', { templateId: service.id, body: 'x' })).status).toBe(400);
    const other = await ok('crm.customers.create', { name: 'אבי', phone: '054-5550103' });
    expect(
      (await t!.api('contracts.preview', { templateId: service.id, customerId: other.id, dealId: deal.id }))
        .status,
    ).toBe(400);
    expect((await ok('contracts.list', { page: 1, limit: 25 })).total).toBe(0);

    const a = await ok('contracts.create', { customerId: customer.id, templateId: service.id });
    await ok('contracts.create', { customerId: other.id, templateId: service.id });
    const list = (q: string) => ok('contracts.list', { page: 1, limit: 25, q });
    expect((await list('דנה')).items.map((c: { id: number }) => c.id)).toEqual([a.id]);
    expect((await list(a.number)).items.map((c: { id: number }) => c.id)).toEqual([a.id]);
    expect((await list('שירותים')).total).toBe(2);
    expect((await list('%')).total).toBe(0);
  });

  it('a draft previews as its PDF (marked as a draft, no certificate); a signed contract does not', async () => {
    const { customer, deal, service } = await setup();
    const c = await ok('contracts.create', {
      customerId: customer.id,
      templateId: service.id,
      dealId: deal.id,
      values: { 'customer.idNumber': '000000018' },
    });
    const r = await ok('contracts.previewPdf', { id: c.id });
    expect(r.url).toMatch(/^\/files\//);
    const pdf = readFileSync(
      path.join(t!.core.paths.filesDir, 'contracts', 'previews', `${c.number}-draft.pdf`),
    );
    expect(pdfPages(pdf)).toBe(1);
    const text = pdfWords(pdf);
    expect(text).toContain('טיוטה');
    expect(text).toContain('דנה כהן');
    expect(text).toContain('עיצוב פנים לסלון');
    expect(text).not.toContain('SHA-256');
    // Previewing changes nothing about the contract or its history.
    expect(await ok('contracts.get', { id: c.id })).toEqual(c);
    await ok('contracts.signInOffice', { id: c.id, ...signature() });
    expect((await t!.api('contracts.previewPdf', { id: c.id })).status).toBe(409);
    expect((await t!.api('contracts.previewPdf', { id: 99999 })).status).toBe(404);
  });
});
