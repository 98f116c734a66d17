/**
 * The import preview an owner decides on: totals (new / will update / skipped, with reasons),
 * the column mapping shown and adjustable, and "update existing customers" (matched by phone,
 * else by e-mail; without it they are skipped). Bad input changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPhone } from '../../src-main/platform/phone';
import { startTestCore, type TestCore } from '../helpers/core';

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(async () => {
  await t?.stop();
});
const ok = (method: string, input?: unknown) => t.ok(method, input);
const get = async (id: number) => (await ok('crm.customers.get', { id })) as Record<string, unknown>;
const count = () =>
  (t.core.db.$client.prepare('select count(*) as n from customers').get() as { n: number }).n;

// Column 3 ("Other") holds e-mails under a header nothing recognizes.
const csv = [
  'Full Name,Mobile,Other,Company',
  'דנה קיים,050-1110001,dana.new@example.com,דנה בע"מ',
  'רון קיים במייל,,ron@example.com,',
  'חדש אחד,052-2220002,new1@example.com,',
  'חדש שני,052-2220003,,',
  'שבור,12,,',
  ',,,',
].join('\n');

describe('import preview and update', () => {
  let dana: number;
  let ron: number;
  beforeAll(async () => {
    dana = (
      await ok('crm.customers.create', { name: 'דנה', phone: '0501110001', email: 'dana.old@example.com' })
    ).id;
    ron = (await ok('crm.customers.create', { name: 'רון', email: 'RON@example.com' })).id;
  });

  it('shows the suggested mapping, the first rows and what will happen to each', async () => {
    const before = count();
    const p = await ok('crm.customers.importPreview', { csv });
    expect(p.columns).toEqual([
      { header: 'Full Name', field: 'name', example: 'דנה קיים' },
      { header: 'Mobile', field: 'mobile', example: '050-1110001' },
      { header: 'Other', field: null, example: 'dana.new@example.com' },
      { header: 'Company', field: 'company', example: 'דנה בע"מ' },
    ]);
    // Ron is not matched yet: his e-mail column is ignored, so he looks new.
    expect(p.counts).toEqual({ create: 3, update: 0, skip: 3 });
    expect(p.skipReasons).toEqual(
      expect.arrayContaining([
        { code: 'exists', rows: 1 },
        { code: 'bad_phone', rows: 1 },
        { code: 'missing_name_or_phone', rows: 1 },
      ]),
    );
    expect(p.sample.map((r: { action: string }) => r.action)).toEqual([
      'skip',
      'create',
      'create',
      'create',
      'skip',
      'skip',
    ]);
    expect(count()).toBe(before);
  });

  it('an adjusted mapping changes the result: the e-mail column matches Ron; with update Dana will update', async () => {
    const mapping = ['name', 'mobile', 'email', 'company'];
    const p = await ok('crm.customers.importPreview', { csv, mapping });
    expect(p.columns.map((c: { field: string | null }) => c.field)).toEqual(mapping);
    expect(p.counts).toEqual({ create: 2, update: 0, skip: 4 });
    expect(p.skipReasons[0]).toEqual({ code: 'exists', rows: 2 });
    const u = await ok('crm.customers.importPreview', { csv, mapping, update: true });
    expect(u.counts).toEqual({ create: 2, update: 2, skip: 2 });
    expect(u.sample.slice(0, 2).map((r: { action: string }) => r.action)).toEqual(['update', 'update']);
    // Ignoring the name column leaves the phone-only rows named by their number.
    const noName = await ok('crm.customers.importPreview', { csv, mapping: [null, 'phone', 'email', null] });
    // Without a name or phone column the preview asks for one instead of failing.
    const none = await ok('crm.customers.importPreview', { csv, mapping: [null, null, 'email', null] });
    expect(none).toMatchObject({ needsMapping: true, totalRows: 6, sample: [] });
    expect(noName.sample[2]).toMatchObject({ name: formatPhone('+972522220002'), action: 'create' });
  });

  it('without update the existing customers are skipped and keep their details', async () => {
    const before = count();
    const mapping = ['name', 'mobile', 'email', 'company'];
    const r = await ok('crm.customers.importCommit', { csv, mapping, update: false });
    expect(r).toMatchObject({ imported: 2, updated: 0, skipped: 4 });
    expect(count()).toBe(before + 2);
    expect(await get(dana)).toMatchObject({ name: 'דנה', email: 'dana.old@example.com' });
    expect(await get(ron)).toMatchObject({ name: 'רון', phone: null });
  });

  it('with update the matched customers get the file’s e-mail and name; the new rows are not made twice', async () => {
    const before = count();
    const mapping = ['name', 'mobile', 'email', 'company'];
    const r = await ok('crm.customers.importCommit', { csv, mapping, update: true });
    // The two new ones of the last import are now existing customers too, updated in place.
    expect(r).toMatchObject({ imported: 0, updated: 4, skipped: 2 });
    expect(count()).toBe(before);
    const d = await get(dana);
    expect(d).toMatchObject({ name: 'דנה קיים', email: 'dana.new@example.com', phone: '+972501110001' });
    expect(d.notes).toContain('חברה: דנה בע"מ');
    expect(await get(ron)).toMatchObject({ name: 'רון קיים במייל', email: 'ron@example.com' });
    // Updating again adds the notes once.
    await ok('crm.customers.importCommit', { csv, mapping, update: true });
    expect(((await get(dana)).notes as string).match(/חברה/g)).toHaveLength(1);
  });

  it('refuses a bad mapping or flag and changes nothing', async () => {
    const before = count();
    const snapshot = JSON.stringify(await get(dana));
    const cases: unknown[] = [
      { csv, mapping: ['name', 'mobile'], update: true }, // wrong length
      { csv, mapping: ['name', 'mobile', 'fax', null], update: true }, // unknown target
      { csv, mapping: [null, null, 'email', null], update: true }, // no name or phone column
      { csv, update: 'yes' },
      { csv, mapping: [], update: true },
    ];
    for (const input of cases) {
      const res = await t.api('crm.customers.importCommit', input);
      expect(res.status, JSON.stringify(input)).toBe(400);
    }
    expect(count()).toBe(before);
    expect(JSON.stringify(await get(dana))).toBe(snapshot);
  });
});
