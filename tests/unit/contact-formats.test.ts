import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContacts, type SourceTable } from '../../src-main/crm/contact-formats';

const fixture = (f: string) =>
  readFileSync(path.join(import.meta.dirname, '../fixtures/contacts', f), 'utf8');
/** The cells of row r by the field each column is suggested for. */
const cells = (t: SourceTable, r: number) => {
  const out: Record<string, string[]> = {};
  t.suggested.forEach((f, i) => {
    const v = t.rows[r]![i];
    if (f && v) (out[f] ??= []).push(v);
  });
  return out;
};

describe('contacts from where owners keep them', () => {
  it('Google Contacts CSV: phone and e-mail value columns mapped, labels paired, several phones in one cell', () => {
    const t = readContacts(fixture('google.csv'));
    expect(t.format).toBe('google');
    const at = (h: string) => t.headers.indexOf(h);
    expect(t.suggested[at('Phone 1 - Value')]).toBe('phone');
    expect(t.suggested[at('Phone 2 - Value')]).toBe('phone');
    expect(t.suggested[at('E-mail 1 - Value')]).toBe('email');
    expect(t.suggested[at('E-mail 2 - Value')]).toBe('email');
    expect(t.suggested[at('First Name')]).toBe('firstName');
    expect(t.suggested[at('Last Name')]).toBe('lastName');
    expect(t.suggested[at('Labels')]).toBe('tags');
    expect(t.suggested[at('Phone 1 - Label')]).toBeNull();
    expect(t.typeColumn[at('Phone 1 - Value')]).toBe(at('Phone 1 - Label'));
    expect(cells(t, 0)).toMatchObject({
      firstName: ['דנה'],
      lastName: ['לוי'],
      phone: ['03-6123456 ::: 03-6123457', '052-1234567'],
      email: ['dana@example.com', 'dana.work@example.com'],
    });
    // A contact with only a phone is a row like any other.
    expect(cells(t, 1)).toMatchObject({ phone: ['054-7654321'] });
    expect(t.lines).toEqual([2, 3, 4]);
  });

  it('Outlook CSV: Mobile/Business/Home Phone and E-mail (2) Address mapped with their types, faxes left out', () => {
    const t = readContacts(fixture('outlook.csv'));
    expect(t.format).toBe('outlook');
    const at = (h: string) => t.headers.indexOf(h);
    expect(t.suggested[at('Mobile Phone')]).toBe('phone');
    expect(t.headerType[at('Mobile Phone')]).toBe('mobile');
    expect(t.suggested[at('Business Phone')]).toBe('phone');
    expect(t.headerType[at('Business Phone')]).toBe('work');
    expect(t.headerType[at('Home Phone')]).toBe('home');
    expect(t.suggested[at('Business Fax')]).toBeNull();
    expect(t.suggested[at('E-mail Address')]).toBe('email');
    expect(t.suggested[at('E-mail 2 Address')]).toBe('email');
    expect(t.suggested[at('Company')]).toBe('company');
    expect(cells(t, 0)).toMatchObject({
      firstName: ['יוסי'],
      lastName: ['כהן'],
      company: ['כהן בע"מ'],
      phone: ['03-5556666', '050-2223333'],
      email: ['yossi@example.com', 'y.cohen@example.com'],
    });
    expect(cells(t, 1)).toEqual({ phone: ['058-9990000'] });
  });

  it('vCard 2.1: quoted-printable UTF-8 Hebrew with a soft line break, bare types, mobile first', () => {
    const t = readContacts(fixture('v21-qp-hebrew.vcf'));
    expect(t.format).toBe('vcard');
    expect(cells(t, 0)).toEqual({
      name: ['יוסי כהן הנגר מרחוב הרצל'],
      firstName: ['יוסי'],
      lastName: ['כהן'],
      phone: ['052-3456789 ::: 03-6777888'],
      email: ['yossi@example.co.il'],
    });
    expect(cells(t, 1)).toEqual({ phone: ['054-1112233'] });
  });

  it('vCard 3.0: TYPE lists, escaped note, PREF e-mail first; 4.0: tel: URIs, quoted TYPE, folded line', () => {
    const v3 = readContacts(fixture('v30.vcf'));
    expect(cells(v3, 0)).toEqual({
      name: ['Rivka Levi'],
      firstName: ['Rivka'],
      lastName: ['Levi'],
      company: ['Levi Design'],
      phone: ['+972-53-444-5566 ::: 02-6223344'],
      email: ['rivka@example.com ::: rivka.work@example.com'],
      notes: ['line one\nline two, with comma'],
    });
    const v4 = readContacts(fixture('v40.vcf'));
    expect(cells(v4, 0)).toEqual({
      name: ['שרה אברהם'],
      firstName: ['שרה'],
      lastName: ['אברהם'],
      phone: ['+972-58-7001122 ::: +972-3-7001122'],
      email: ['sara@example.com'],
    });
  });

  it('a windows-1255 quoted-printable name and Apple item groups', () => {
    const t = readContacts(
      'BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=windows-1255;ENCODING=QUOTED-PRINTABLE:=E3=F0=E4\r\nitem1.TEL;type=CELL:0501234567\r\nEND:VCARD\r\n',
    );
    expect(cells(t, 0)).toEqual({ name: ['דנה'], phone: ['0501234567'] });
  });
});
