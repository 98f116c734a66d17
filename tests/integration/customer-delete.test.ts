/**
 * Deleting a customer through the API on a real core: what it will do is said first (deals and
 * tasks go, documents and messages stay without the link), the delete does exactly that in one
 * transaction and is in the audit log; a customer with a contract (evidence) is refused and
 * nothing changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core';

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

async function setup() {
  t = await startTestCore();
  await ok('business.updateProfile', {
    name: 'סטודיו שושנה',
    legalName: 'שושנה כהן',
    vatId: '514123456',
    businessType: 'osek_murshe',
    address: 'הרצל 10',
    city: 'חיפה',
  });
  const dana = await ok('crm.customers.create', { name: 'דנה לוי', phone: '050-1234567' });
  const keep = await ok('crm.customers.create', { name: 'אבי כהן', phone: '052-7654321' });
  const deal = await ok('crm.deals.create', { customerId: dana.id, title: 'עיצוב', amountAgorot: 100_000 });
  await ok('crm.deals.create', { customerId: keep.id, title: 'נשאר', amountAgorot: 5_000 });
  await ok('crm.tasks.create', { customerId: dana.id, title: 'לחזור לדנה', dueAt: Date.now() + 86_400_000 });
  const doc = await ok('billing.documents.createDraft', {
    type: 'tax_invoice',
    customerId: dana.id,
    dealId: deal.id,
    lines: [{ description: 'תספורת', quantity: 1, unitPriceAgorot: 10_000 }],
  });
  const issued = await ok('billing.documents.issue', { id: doc.id });
  return { dana, keep, deal, issued };
}

describe('deleting a customer', () => {
  it('says what will happen, then does exactly that, once, and logs it', async () => {
    const { dana, keep, issued } = await setup();
    const impact = await ok('crm.customers.deleteImpact', { id: dana.id });
    expect(impact).toMatchObject({ deals: 1, tasks: 1, blocked: [] });
    expect(impact.unlinked).toContainEqual({ table: 'documents', count: 1 });

    expect(await ok('crm.customers.delete', { id: dana.id })).toEqual(impact);
    expect((await t!.api('crm.customers.get', { id: dana.id })).status).toBe(404);
    const db = t!.core.db.$client;
    expect(db.prepare('select count(*) n from deals where customer_id = ?').get(dana.id)).toEqual({ n: 0 });
    expect(db.prepare('select count(*) n from tasks where customer_id = ?').get(dana.id)).toEqual({ n: 0 });
    // The issued document stays, word for word, without the link (to the customer or the deal).
    const after = await ok('billing.documents.get', { id: issued.id });
    expect(after).toMatchObject({ customerId: null, customer: issued.customer, pdfSha256: issued.pdfSha256 });
    // The other customer and their deal are untouched; search no longer finds the deleted one.
    expect((await ok('crm.customers.get', { id: keep.id })).deals).toHaveLength(1);
    expect((await ok('crm.customers.list', { q: 'דנה' })).total).toBe(0);
    const log = await ok<Array<{ event: string; data: Record<string, unknown> }>>('audit.history', {
      entityType: 'customer',
      entityId: dana.id,
    });
    expect(log.map((e) => e.event)).toEqual(['customer.deleted']);
    expect(log[0]!.data).toMatchObject({ name: 'דנה לוי', deals: 1, tasks: 1 });
    expect((await ok('audit.verify', {})).ok).toBe(true);
    // Twice: the second finds no one.
    expect((await t!.api('crm.customers.delete', { id: dana.id })).status).toBe(404);
  });

  it('a customer with a contract is refused, and nothing changes', async () => {
    const { dana } = await setup();
    const templates = await ok<Array<{ id: number }>>('contracts.templates.list');
    await ok('contracts.create', { customerId: dana.id, templateId: templates[0]!.id });
    const impact = await ok('crm.customers.deleteImpact', { id: dana.id });
    expect(impact.blocked).toEqual([{ table: 'contracts', count: 1 }]);
    const r = await t!.api('crm.customers.delete', { id: dana.id });
    expect(r.status).toBe(409);
    expect(r.body.details).toEqual({ blocked: [{ table: 'contracts', count: 1 }] });
    expect((await ok('crm.customers.get', { id: dana.id })).deals).toHaveLength(1);
    expect(t!.core.db.$client.prepare('select count(*) n from tasks').get()).toEqual({ n: 1 });
  });

  it('bad input changes nothing', async () => {
    await setup();
    expect((await t!.api('crm.customers.delete', {})).status).toBe(400);
    expect((await t!.api('crm.customers.delete', { id: 'x' })).status).toBe(400);
    expect((await t!.api('crm.customers.deleteImpact', { id: 99_999 })).status).toBe(404);
    expect((await ok('crm.customers.list', {})).total).toBe(2);
  });
});
