/**
 * Phone numbers through the API: a customer created with each kind of number (mobile, landline,
 * 07X, 1-800/1-700/1-599, star code, foreign) is stored in the right form, shown the Israeli way
 * and found by search from any typed form; impossible numbers are refused with their reason and
 * write nothing; the CSV import treats the same numbers the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(async () => {
  await t?.stop();
});

const ok = (method: string, input?: unknown) => t.ok(method, input);
const customers = () =>
  (t.core.db.$client.prepare('select count(*) n from customers').get() as { n: number }).n;
const found = async (q: string) =>
  ((await ok('crm.customers.list', { q, limit: 100 })).items as Array<{ id: number }>).map((c) => c.id);

// typed → stored, shown, other typed forms search must find it by.
// "before" marks what the code before this change did wrong.
const KINDS: Array<{
  kind: string;
  typed: string;
  stored: string;
  shown: string;
  search: string[];
  before?: string;
}> = [
  {
    kind: 'mobile',
    typed: '050-1234567',
    stored: '+972501234567',
    shown: '050-123-4567',
    search: ['050-1234567', '+972501234567', '0501234567', '972501234567', '050 123 4567'],
  },
  {
    kind: 'landline',
    typed: '02-6234567',
    stored: '+97226234567',
    shown: '02-623-4567',
    search: ['02-6234567', '026234567', '+972 2 623 4567'],
  },
  {
    kind: 'voip',
    typed: '077-7654321',
    stored: '+972777654321',
    shown: '077-765-4321',
    search: ['077-7654321', '0777654321', '+972777654321'],
  },
  {
    kind: 'toll_free',
    typed: '1-800-123-456',
    stored: '+9721800123456',
    shown: '1-800-123-456',
    search: ['1-800-123-456', '1800123456', '+9721800123456', '+972 1 800 123 456'],
    before: 'shown as 01-800123456',
  },
  {
    kind: 'shared_cost',
    typed: '1-700-500-500',
    stored: '+9721700500500',
    shown: '1-700-500-500',
    search: ['1-700-500-500', '1700500500'],
    before: 'shown as 01-700500500',
  },
  {
    kind: 'business (1-599)',
    typed: '1-599-505-050',
    stored: '+9721599505050',
    shown: '1-599-505-050',
    search: ['1-599-505-050', '1599505050'],
    before: 'shown as 01-599505050',
  },
  {
    kind: 'star code',
    typed: '*2700',
    stored: '*2700',
    shown: '*2700',
    search: ['*2700', '2700*', '2700'],
    before: 'refused as bad_phone; "*2700" searched names',
  },
  {
    kind: 'foreign (UK)',
    typed: '+44 20 7946 0958',
    stored: '+442079460958',
    shown: '+44 20 7946 0958',
    search: ['+44 20 7946 0958', '+442079460958', '00442079460958'],
    before: 'the 00 44 form found nothing',
  },
  {
    kind: 'foreign (US)',
    typed: '+1 415 555 2671',
    stored: '+14155552671',
    shown: '+1 415 555 2671',
    search: ['+1 415 555 2671', '+14155552671', '001 415 555 2671', '4155552671'],
    before: 'the 001 form found nothing',
  },
  {
    kind: 'foreign (France)',
    typed: '+33 1 42 68 53 00',
    stored: '+33142685300',
    shown: '+33 1 42 68 53 00',
    search: ['+33 1 42 68 53 00', '+33142685300'],
  },
];

describe('customer phones through the API', () => {
  it.each(KINDS)('$kind: $typed is stored as $stored, shown as $shown and found by every form', async (k) => {
    const c = await ok('crm.customers.create', { name: `לקוח ${k.kind}`, phone: k.typed });
    expect(c).toMatchObject({ phone: k.stored, phoneDisplay: k.shown });
    expect(await ok('crm.customers.get', { id: c.id })).toMatchObject({
      phone: k.stored,
      phoneDisplay: k.shown,
    });
    for (const q of k.search) expect(await found(q), `search ${q}`).toContain(c.id);
    // The same number typed another way is the same customer.
    const dup = await t.api('crm.customers.create', { name: 'כפול', phone: k.search[1] });
    expect(dup.status).toBe(409);
    // Editing with what the form shows (phoneDisplay) keeps the stored number.
    expect(await ok('crm.customers.update', { id: c.id, phone: k.shown })).toMatchObject({ phone: k.stored });
  });

  it.each([
    ['050-123456', 'phone_mobile_length'],
    ['02-123456', 'phone_landline_length'],
    ['1-800-123', 'phone_special_length'],
    ['*27', 'phone_star'],
    ['06-1234567', 'phone_invalid'],
    ['+999 123 456 789', 'phone_country'],
    ['050-ABC-4567', 'phone_chars'],
  ])('refuses %s with %s and writes nothing', async (phone, problem) => {
    const before = customers();
    const r = await t.api('crm.customers.create', { name: 'שגוי', phone });
    expect(r.status).toBe(400);
    expect(r.body.details.fieldErrors.phone).toEqual([problem]);
    expect(customers()).toBe(before);
    const existing = (await ok('crm.customers.list', { q: '050-1234567' })).items[0];
    const u = await t.api('crm.customers.update', { id: existing.id, phone });
    expect(u.status).toBe(400);
    expect(u.body.details.fieldErrors.phone).toEqual([problem]);
    expect((await ok('crm.customers.get', { id: existing.id })).phone).toBe('+972501234567');
  });

  it('imports the same kinds from CSV, stored and shown the same way, and refuses the impossible ones with the reason', async () => {
    const rows: Array<[string, string]> = [
      ['נייד', '052-7654321'],
      ['נייד בלי אפס (אקסל)', '547654321'],
      ['קווי', '03-7654321'],
      ['07', '072-2345678'],
      ['חיוג חינם', '1-800-800-800'],
      ['1700', '1700707070'],
      ['כוכבית', '*6000'],
      ['לונדון', '+44 7911 123456'],
      ['קצר', '052-765432'],
      ['כוכבית שגויה', '*600'],
    ];
    const csv = 'שם,טלפון\r\n' + rows.map(([n, p]) => `${n},${p}`).join('\r\n') + '\r\n';
    const p = await ok('crm.customers.importPreview', { csv });
    expect(p).toMatchObject({ totalRows: 10, validRows: 8, invalidRows: 2 });
    expect(p.issues).toEqual([
      expect.objectContaining({ line: 10, field: 'phone', code: 'bad_phone', reason: 'phone_mobile_length' }),
      expect.objectContaining({ line: 11, field: 'phone', code: 'bad_phone', reason: 'phone_star' }),
    ]);
    const shown = (p.sample as Array<{ phone: string | null; phoneDisplay: string; ok: boolean }>)
      .filter((s) => s.ok)
      .map((s) => [s.phone, s.phoneDisplay]);
    const expected = [
      ['+972527654321', '052-765-4321'],
      ['+972547654321', '054-765-4321'],
      ['+97237654321', '03-765-4321'],
      ['+972722345678', '072-234-5678'],
      ['+9721800800800', '1-800-800-800'],
      ['+9721700707070', '1-700-707-070'],
      ['*6000', '*6000'],
      ['+447911123456', '+44 7911 123456'],
    ];
    expect(shown).toEqual(expected);
    expect(await ok('crm.customers.importCommit', { csv })).toMatchObject({ imported: 8, skipped: 2 });
    for (const [stored, display] of expected) {
      const items = (await ok('crm.customers.list', { q: display, limit: 100 })).items as Array<{
        phone: string;
        phoneDisplay: string;
      }>;
      expect(
        items.find((c) => c.phone === stored),
        display,
      ).toMatchObject({ phoneDisplay: display });
    }
    // Imported again: every number is already a customer.
    const again = await ok('crm.customers.importPreview', { csv });
    expect(again.issues.filter((i: { code: string }) => i.code === 'exists')).toHaveLength(8);
  });

  it('exports each kind the way it is shown', async () => {
    const r = await t.api('crm.customers.export', {});
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body);
    for (const shown of ['050-123-4567', '1-800-123-456', '*2700', "'+44 20 7946 0958", '02-623-4567'])
      expect(text).toContain(shown);
    expect(text).not.toContain('01-800');
  });
});

describe('dialling a star code', () => {
  it('is refused with its own reason before anything is sent (not "no phone")', async () => {
    const star = (await ok('crm.customers.list', { q: '*2700' })).items.find(
      (c: { phone: string }) => c.phone === '*2700',
    );
    expect(await ok('calls.dialCheck', { customerId: star.id })).toMatchObject({
      bridge: 'customer_phone_not_dialable',
      agent: 'customer_phone_not_dialable',
    });
    const r = await t.api('calls.dial', { customerId: star.id, mode: 'bridge' });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('customer_phone_not_dialable');
    const mobile = (await ok('crm.customers.list', { q: '050-1234567' })).items[0];
    const m = await ok('calls.dialCheck', { customerId: mobile.id });
    expect(m.bridge).not.toMatch(/^customer_phone/);
  });
});
