/**
 * Contacts from where owners keep them, through the API: a Google Contacts CSV, an Outlook CSV
 * and vCard files (2.1 quoted-printable Hebrew, 3.0, 4.0) are previewed and imported with their
 * phones and e-mails: a mobile number is the customer's phone, other numbers and e-mails are kept
 * in the notes, and a contact with only a phone is imported under its number.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
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
const fixture = (f: string) =>
  readFileSync(path.join(import.meta.dirname, '../fixtures/contacts', f), 'utf8');
const byPhone = async (q: string) => {
  const c = (await ok('crm.customers.list', { q, limit: 5 })).items[0] as { id: number } | undefined;
  return c ? ((await ok('crm.customers.get', { id: c.id })) as Record<string, unknown>) : undefined;
};

describe('contacts import', () => {
  it('Google Contacts CSV: phones and e-mails mapped, the mobile first, a phone-only contact under its number', async () => {
    const csv = fixture('google.csv');
    const p = await ok('crm.customers.importPreview', { csv });
    expect(p).toMatchObject({ totalRows: 3, validRows: 3, invalidRows: 0 });
    expect(p.sample[0]).toMatchObject({ name: 'דנה לוי', phone: '+972521234567', email: 'dana@example.com' });
    expect(p.sample[1]).toMatchObject({ name: '054-765-4321', phone: '+972547654321' });
    expect(p.sample[2]).toMatchObject({ name: 'Moshe Cohen', phone: '+972501112222' });
    expect(await ok('crm.customers.importCommit', { csv })).toMatchObject({ imported: 3, skipped: 0 });
    const dana = await byPhone('0521234567');
    expect(dana).toMatchObject({
      name: 'דנה לוי',
      email: 'dana@example.com',
      tags: ['VIP'],
      address: 'הרצל 1, תל אביב',
    });
    expect(dana!.notes).toContain('03-612-3456');
    expect(dana!.notes).toContain('03-612-3457');
    expect(dana!.notes).toContain('dana.work@example.com');
    expect(await byPhone('0547654321')).toMatchObject({ name: '054-765-4321' });
  });

  it('Outlook CSV: Mobile Phone is the phone, Business Phone and the second e-mail in the notes', async () => {
    const csv = fixture('outlook.csv');
    expect(await ok('crm.customers.importCommit', { csv })).toMatchObject({ imported: 2, skipped: 0 });
    const yossi = await byPhone('0502223333');
    expect(yossi).toMatchObject({ name: 'יוסי כהן', email: 'yossi@example.com' });
    expect(yossi!.notes).toContain('03-555-6666');
    expect(yossi!.notes).toContain('y.cohen@example.com');
    expect(yossi!.notes).not.toContain('03-555-6667'); // the fax
    expect(await byPhone('0589990000')).toMatchObject({ name: '058-999-0000' });
  });

  it('vCard 2.1 quoted-printable Hebrew, 3.0 and 4.0', async () => {
    for (const f of ['v21-qp-hebrew.vcf', 'v30.vcf', 'v40.vcf'])
      expect((await ok('crm.customers.importCommit', { csv: fixture(f) })).skipped, f).toBe(0);
    expect(await byPhone('0523456789')).toMatchObject({
      name: 'יוסי כהן הנגר מרחוב הרצל',
      email: 'yossi@example.co.il',
    });
    expect(await byPhone('0541112233')).toMatchObject({ name: '054-111-2233' });
    expect(await byPhone('0534445566')).toMatchObject({ name: 'Rivka Levi', email: 'rivka@example.com' });
    expect(await byPhone('0587001122')).toMatchObject({ name: 'שרה אברהם', email: 'sara@example.com' });
  });
});
