/**
 * Tranzila against the loopback fake (tests/fakes/tranzila.ts): flag off → 403, on without keys
 * → 501 payments_not_configured, configured → a hosted payment page link on the configured base
 * URL; the notify is believed only after the report API (signed with the API key and secret)
 * confirms the transaction: forged → refused, repeated → one payment, declined → no payment;
 * fuzzed form input → no 5xx.
 */
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { payments as paymentsTable, paymentCheckouts } from '../../src-main/db/schema';
import { startFakeTranzila, type FakeTranzila } from '../fakes/tranzila';
import { startTestCore, type TestCore } from '../helpers/core';

const PUBLIC_HOST = 'pay.example.test';
let tz: FakeTranzila;
let t: TestCore;
let customerId: number;

const flags = (on: boolean) => t.api('business.setFeatures', { enable_payments_tranzila: on });
const setKeys = async (on: boolean) => {
  await t.api('secrets.set', { name: 'tranzila_terminal', value: on ? tz.terminal : null });
  await t.api('secrets.set', { name: 'tranzila_api_key', value: on ? tz.appKey : null });
  await t.api('secrets.set', { name: 'tranzila_api_secret', value: on ? tz.secret : null });
};
const notify = async (fields: Record<string, string>) => {
  const res = await fetch(`${t.publicUrl}/webhook/tranzila/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as { outcome?: string } | null };
};
const paymentRows = () =>
  t.core.db.select().from(paymentsTable).where(eq(paymentsTable.provider, 'tranzila')).all();
const checkoutRow = (id: number) =>
  t.core.db.select().from(paymentCheckouts).where(eq(paymentCheckouts.id, id)).get()!;

async function newLink(amountAgorot = 15_050) {
  const r = await t.api('payments.createTranzilaLink', {
    amountAgorot,
    customerId,
    description: 'שיעור פרטי',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.data as { id: number; url: string; providerOrderId: string; status: string };
}

beforeAll(async () => {
  tz = await startFakeTranzila();
  t = await startTestCore({
    TRANZILA_DIRECT_BASE: tz.url,
    TRANZILA_REPORT_BASE: tz.url,
    PUBLIC_HOST,
    WEBHOOK_RATE_LIMIT_PER_MIN: '100000',
    PUBLIC_RATE_LIMIT_PER_MIN: '100000',
  });
  const c = await t.api('crm.customers.create', { name: 'יוסי כהן', phone: '052-7654321' });
  customerId = c.body.data.id;
});
afterAll(async () => {
  await t?.stop();
  await tz?.close();
});

describe('flags and keys', () => {
  beforeEach(() => setKeys(false));

  it('flag off → 403 payments_tranzila_disabled on the API and on the notify route', async () => {
    await flags(false);
    await setKeys(true);
    const r = await t.api('payments.createTranzilaLink', { amountAgorot: 100 });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('payments_tranzila_disabled');
    const n = await notify({ Response: '000', index: '5', al_token: 'x'.repeat(24) });
    expect(n.status).toBe(403);
    expect(tz.reportRequests).toHaveLength(0);
  });

  it('flag on without keys → 501 payments_not_configured, naming what is missing', async () => {
    await flags(true);
    await t.api('secrets.set', { name: 'tranzila_terminal', value: tz.terminal });
    const r = await t.api('payments.createTranzilaLink', { amountAgorot: 100 });
    expect(r.status).toBe(501);
    expect(r.body.error).toBe('payments_not_configured');
    expect(r.body.details.missing).toEqual(['tranzila_api_key', 'tranzila_api_secret']);
    expect(r.body.message).toContain('טרנזילה לא מוגדרת');
    expect((await notify({ Response: '000', index: '5', al_token: 'x'.repeat(24) })).status).toBe(501);
  });

  it('configured → a hosted page link at the configured base: sum in ₪, currency 1, notify URL, our token', async () => {
    await flags(true);
    await setKeys(true);
    const c = await newLink(15_050);
    const u = new URL(c.url);
    expect(u.origin + u.pathname).toBe(`${tz.url}/${tz.terminal}/iframenew.php`);
    expect(u.searchParams.get('sum')).toBe('150.50');
    expect(u.searchParams.get('currency')).toBe('1');
    expect(u.searchParams.get('notify_url_address')).toBe(`https://${PUBLIC_HOST}/webhook/tranzila/notify`);
    expect(u.searchParams.get('al_token')).toBe(c.providerOrderId);
    expect(u.searchParams.get('pdesc')).toBe('שיעור פרטי');
    // The page really opens at the fake.
    expect((await fetch(c.url)).status).toBe(200);
    expect((await t.api('payments.providerStatus')).body.data.tranzila).toMatchObject({
      enabled: true,
      configured: true,
    });
  });
});

describe('the notify', () => {
  beforeAll(async () => {
    await flags(true);
    await setKeys(true);
  });

  it('payer pays → notify → verified with the report API → one succeeded payment; repeats add nothing', async () => {
    const c = await newLink(15_050);
    const fields = tz.pay(c.url);
    const r = await notify(fields);
    expect(r.status).toBe(200);
    expect(r.body?.outcome).toBe('succeeded');
    const verified = tz.reportRequests.filter((q) => q.ok);
    expect(verified.at(-1)!.body).toMatchObject({
      terminal_name: tz.terminal,
      transaction_index: Number(fields.index),
    });
    const row = checkoutRow(c.id);
    expect(row).toMatchObject({ status: 'succeeded', providerRef: fields.index });
    const again = await Promise.all([notify(fields), notify(fields), notify(fields)]);
    expect(again.map((a) => a.status)).toEqual([200, 200, 200]);
    const pays = paymentRows().filter((p) => p.providerRef === fields.index);
    expect(pays).toHaveLength(1);
    expect(pays[0]).toMatchObject({
      status: 'succeeded',
      amountAgorot: 15_050,
      customerId,
      provider: 'tranzila',
    });
    expect(checkoutRow(c.id).paymentId).toBe(pays[0]!.id);
    const got = (await t.api('payments.checkout', { id: c.id })).body.data;
    expect(got).toMatchObject({ status: 'succeeded', paymentId: pays[0]!.id });
  });

  it('forged notifies are refused and change nothing: no such transaction, another checkout’s, bad fields', async () => {
    const c = await newLink(2_000);
    const fields = tz.pay(c.url);
    const forged: Array<[Record<string, string>, number[]]> = [
      // Response 000 for an index Tranzila never had.
      [{ ...fields, index: '987654' }, [403]],
      // A real paid transaction of another checkout.
      [{ ...fields, al_token: (await newLink(2_000)).providerOrderId }, [403]],
      [{ ...fields, al_token: 'short' }, [400]],
      [{ ...fields, index: '12a' }, [400]],
      [{ ...fields, Response: '' }, [400]],
      [{ index: fields.index!, Response: '000' }, [400]],
      [{ ...fields, al_token: 'z'.repeat(30) }, [404]],
    ];
    for (const [f, expected] of forged) {
      const r = await notify(f);
      expect(expected, `${JSON.stringify(f).slice(0, 80)} → ${r.status}`).toContain(r.status);
    }
    expect(checkoutRow(c.id).status).toBe('created');
    expect(paymentRows().filter((p) => p.providerRef === fields.index)).toHaveLength(0);
    // The genuine one still goes through afterwards.
    expect((await notify(fields)).status).toBe(200);
    expect(checkoutRow(c.id).status).toBe('succeeded');
  });

  it('the notify’s own amount is not believed: the report’s amount must match the checkout', async () => {
    const c = await newLink(9_900);
    const fields = tz.pay(c.url);
    tz.transactions.get(Number(fields.index))!.amountAgorot = 100;
    expect((await notify({ ...fields, sum: '99.00' })).status).toBe(200);
    expect(checkoutRow(c.id)).toMatchObject({
      status: 'failed',
      failureReason: 'amount_mismatch',
      paymentId: null,
    });
  });

  it('a declined card → checkout failed, no payment', async () => {
    const c = await newLink(3_000);
    const fields = tz.pay(c.url, { code: '033' });
    expect((await notify(fields)).status).toBe(200);
    expect(checkoutRow(c.id)).toMatchObject({
      status: 'failed',
      failureReason: 'declined_033',
      paymentId: null,
    });
  });

  it('wrong API secret → the report refuses → 409 (Tranzila retries), nothing recorded', async () => {
    const c = await newLink(4_000);
    const fields = tz.pay(c.url);
    await t.api('secrets.set', { name: 'tranzila_api_secret', value: 'not-the-secret' });
    try {
      expect((await notify(fields)).status).toBe(409);
      expect(checkoutRow(c.id).status).toBe('created');
    } finally {
      await setKeys(true);
    }
    expect((await notify(fields)).status).toBe(200);
    expect(JSON.stringify(t.logs())).not.toContain(tz.secret);
  });

  it('fuzzed notify forms and link inputs never answer 5xx', async () => {
    const c = await newLink(1_234);
    const real = tz.pay(c.url);
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        '000',
        '',
        '\u0000',
        '-1',
        '1e9',
        '99999999999999999999',
        c.providerOrderId,
        real.index!,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom('Response', 'index', 'al_token', 'sum', 'currency', 'x', '__proto__'),
          value,
        ),
        async (form) => (await notify(form)).status < 500,
      ),
      { numRuns: 150, seed: 42_026 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            amountAgorot: fc.oneof(fc.integer(), fc.double(), fc.constant(100_000_001)),
            customerId: fc.oneof(fc.integer({ min: -1, max: 10 }), fc.constant(null)),
            documentId: fc.oneof(fc.integer({ min: -1, max: 10 }), fc.string()),
            description: fc.string({ maxLength: 200 }),
          },
          { requiredKeys: [] },
        ),
        async (b) => (await t.api('payments.createTranzilaLink', b)).status < 500,
      ),
      { numRuns: 80, seed: 7 },
    );
    // Raw non-form bodies.
    for (const [ctype, body] of [
      ['application/json', '{"Response":"000"}'],
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', '%%%'],
    ]) {
      const res = await fetch(`${t.publicUrl}/webhook/tranzila/notify`, {
        method: 'POST',
        headers: { 'content-type': ctype! },
        body,
      });
      expect(res.status).toBeLessThan(500);
    }
  });
});
