/**
 * CSV import (Hebrew or English headers, UTF-8 with or without BOM, Excel quoting) with a
 * preview and a per-row issue report, and CSV export (BOM + Hebrew headers, opens right in Excel).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Customer, ImportIssue } from '../api/contract/crm';
import { badInput } from '../api/errors';
import type { Clock } from '../platform/clock';
import { formatPhone, parsePhone } from '../platform/phone';
import type { CustomerFilters, CustomerService } from './customers';
import { BUSINESS_ID, type StatementCache } from './sql';

type Field =
  | 'name'
  | 'firstName'
  | 'lastName'
  | 'phone'
  | 'email'
  | 'status'
  | 'tags'
  | 'notes'
  | 'address'
  | 'city'
  | 'vatId';

const norm = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/["'״׳]/g, '')
    .replace(/[\s_.-]+/g, ' ');

const HEADERS: Record<Field, string[]> = {
  name: ['שם', 'שם מלא', 'שם לקוח', 'לקוח', 'name', 'full name', 'customer', 'customer name'],
  firstName: ['שם פרטי', 'first name', 'firstname', 'given name'],
  lastName: ['שם משפחה', 'last name', 'lastname', 'surname', 'family name'],
  phone: [
    'טלפון',
    'נייד',
    'טלפון נייד',
    'מספר טלפון',
    'פלאפון',
    'סלולרי',
    'phone',
    'mobile',
    'tel',
    'telephone',
    'phone number',
    'cell',
  ],
  email: ['אימייל', 'דואל', 'דואר אלקטרוני', 'מייל', 'email', 'e mail', 'mail'],
  status: ['סטטוס', 'מצב', 'status'],
  tags: ['תגיות', 'תגית', 'tags', 'tag', 'labels'],
  notes: ['הערות', 'הערה', 'notes', 'note', 'comments'],
  address: ['כתובת', 'address', 'street'],
  city: ['עיר', 'ישוב', 'יישוב', 'city'],
  vatId: ['חפ', 'עוסק מורשה', 'מספר עוסק', 'תז', 'vat', 'vat id', 'company id'],
};
const FIELD_BY_HEADER = new Map<string, Field>(
  Object.entries(HEADERS).flatMap(([f, hs]) => hs.map((h) => [norm(h), f as Field] as const)),
);

const STATUS: Record<string, Customer['status']> = {
  ליד: 'lead',
  'ליד חדש': 'lead',
  lead: 'lead',
  לקוח: 'customer',
  'לקוח פעיל': 'customer',
  פעיל: 'customer',
  customer: 'customer',
  active: 'customer',
  'לא פעיל': 'inactive',
  לאפעיל: 'inactive',
  inactive: 'inactive',
};

const emailSchema = z.email();

export interface ParsedRow {
  line: number;
  name: string;
  phone: string | null;
  email: string | null;
  status: Customer['status'];
  tags: string[];
  notes: string;
  address: string | null;
  vatId: string | null;
  issues: ImportIssue[];
}

export interface ParsedCsv {
  columns: Array<{ header: string; field: string | null }>;
  rows: ParsedRow[];
}

/** Parses and validates every row; checks phones against the file itself and the database. */
export function parseCustomersCsv(csv: string, sql: StatementCache): ParsedCsv {
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // A quote inside an unquoted cell (דוא"ל) is a Hebrew abbreviation, not quoting.
      relax_quotes: true,
      trim: true,
      // Excel in Hebrew locales often saves with semicolons.
      delimiter: sniffDelimiter(csv),
      max_record_size: 100_000,
    }) as string[][];
  } catch (err) {
    throw badInput(
      `the file is not a readable CSV: ${err instanceof Error ? err.message.slice(0, 200) : 'parse error'}`,
      { code: 'bad_csv' },
    );
  }
  if (records.length === 0) throw badInput('the file is empty', { code: 'empty_csv' });
  if (records.length > 50_001) throw badInput('at most 50,000 rows per import', { code: 'too_many_rows' });
  const header = records[0]!;
  const fields = header.map((h) => FIELD_BY_HEADER.get(norm(h)) ?? null);
  if (!fields.includes('name') && !fields.includes('firstName') && !fields.includes('phone')) {
    throw badInput('no name or phone column found', { code: 'no_columns', headers: header.slice(0, 30) });
  }
  const seen = new Map<string, number>();
  const rows: ParsedRow[] = [];
  const existing = sql.get(`select id from customers where business_id = ${BUSINESS_ID} and phone = ?`);
  for (let r = 1; r < records.length; r++) {
    const line = r + 1;
    const rec = records[r]!;
    const v: Partial<Record<Field, string>> = {};
    fields.forEach((f, i) => {
      if (f && rec[i] !== undefined && rec[i] !== '') v[f] = v[f] ? `${v[f]} ${rec[i]}` : rec[i];
    });
    const issues: ImportIssue[] = [];
    const name = (v.name ?? [v.firstName, v.lastName].filter(Boolean).join(' ')).trim();
    let phone: string | null = null;
    if (v.phone) {
      // The same parser as the form and the API: E.164, or a star code (*2700) as its own form.
      const parsed = parsePhone(v.phone);
      if (parsed.ok) phone = parsed.stored;
      else
        issues.push({
          line,
          field: 'phone',
          code: 'bad_phone',
          reason: parsed.problem,
          value: v.phone.slice(0, 60),
        });
    }
    if (!name && !v.phone) issues.push({ line, field: null, code: 'missing_name_or_phone' });
    let email: string | null = null;
    if (v.email) {
      if (emailSchema.safeParse(v.email).success && v.email.length <= 200) email = v.email;
      else issues.push({ line, field: 'email', code: 'bad_email', value: v.email.slice(0, 60) });
    }
    let status: Customer['status'] = 'lead';
    if (v.status) {
      const s = STATUS[norm(v.status)];
      if (s) status = s;
      else issues.push({ line, field: 'status', code: 'bad_status', value: v.status.slice(0, 60) });
    }
    if (name.length > 120) issues.push({ line, field: 'name', code: 'too_long' });
    if ((v.notes ?? '').length > 10_000) issues.push({ line, field: 'notes', code: 'too_long' });
    if (phone) {
      const dup = seen.get(phone);
      if (dup !== undefined)
        issues.push({ line, field: 'phone', code: 'duplicate_in_file', value: `${dup}` });
      else seen.set(phone, line);
      const ex = existing.get(phone) as { id: number } | undefined;
      if (ex) issues.push({ line, field: 'phone', code: 'exists', existingId: ex.id });
    }
    const tags = (v.tags ?? '')
      .split(/[,;|]/)
      .map((t) => t.trim().slice(0, 40))
      .filter(Boolean)
      .slice(0, 20);
    const address = [v.address, v.city].filter(Boolean).join(', ').slice(0, 300) || null;
    rows.push({
      line,
      name: name.slice(0, 120),
      phone,
      email,
      status,
      tags,
      notes: (v.notes ?? '').slice(0, 10_000),
      address,
      vatId: v.vatId?.slice(0, 20) ?? null,
      issues,
    });
  }
  return {
    columns: header.map((h, i) => ({ header: h.replace(/^\uFEFF/, ''), field: fields[i] ?? null })),
    rows,
  };
}

function sniffDelimiter(csv: string): string {
  const end = csv.search(/\r?\n/);
  const first = csv.slice(0, end < 0 ? 2000 : Math.min(end, 2000));
  const count = (ch: string) => first.split(ch).length - 1;
  const candidates = [',', ';', '\t'].map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1]);
  return candidates[0]![1] > 0 ? candidates[0]![0] : ',';
}

export function importPreview(csv: string, sql: StatementCache) {
  const parsed = parseCustomersCsv(csv, sql);
  const invalid = parsed.rows.filter((r) => r.issues.length > 0).length;
  return {
    columns: parsed.columns,
    totalRows: parsed.rows.length,
    validRows: parsed.rows.length - invalid,
    invalidRows: invalid,
    sample: parsed.rows.slice(0, 20).map((r) => ({
      line: r.line,
      name: r.name,
      phone: r.phone,
      phoneDisplay: formatPhone(r.phone),
      email: r.email,
      status: r.status,
      tags: r.tags,
      ok: r.issues.length === 0,
    })),
    issues: parsed.rows.flatMap((r) => r.issues).slice(0, 1000),
  };
}

/** Imports every valid row in one transaction; nothing is written if the transaction fails. */
export function importCommit(csv: string, sql: StatementCache, clock: Clock) {
  const parsed = parseCustomersCsv(csv, sql);
  const good = parsed.rows.filter((r) => r.issues.length === 0);
  const now = clock.now();
  const ins = sql.get(
    `insert into customers (business_id, name, phone, email, status, source, tags, notes, vat_id, address, created_at, updated_at)
     values (${BUSINESS_ID}, ?, ?, ?, ?, 'import', ?, ?, ?, ?, ?, ?)`,
  );
  sql.tx(() => {
    for (const r of good)
      ins.run(
        r.name,
        r.phone,
        r.email,
        r.status,
        JSON.stringify(r.tags),
        r.notes,
        r.vatId,
        r.address,
        now,
        now,
      );
  });
  return {
    imported: good.length,
    skipped: parsed.rows.length - good.length,
    issues: parsed.rows.flatMap((r) => r.issues).slice(0, 1000),
  };
}

/** A cell Excel would run as a formula gets a leading apostrophe (CSV injection). */
const noFormula = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const STATUS_HE: Record<Customer['status'], string> = { lead: 'ליד', customer: 'לקוח', inactive: 'לא פעיל' };
const SOURCE_HE: Record<Customer['source'], string> = {
  phone: 'טלפון',
  whatsapp: 'וואטסאפ',
  manual: 'ידני',
  import: 'ייבוא',
  web: 'אתר',
};

export function exportCustomers(customers: CustomerService, filters: CustomerFilters, now: number) {
  const rows: string[][] = [['שם', 'טלפון', 'אימייל', 'סטטוס', 'מקור', 'תגיות', 'כתובת', 'הערות', 'נוצר']];
  const date = new Intl.DateTimeFormat('he-IL', {
    timeZone: 'Asia/Jerusalem',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
  for (const c of customers.iterate(filters)) {
    rows.push(
      [
        c.name,
        formatPhone(c.phone),
        c.email ?? '',
        STATUS_HE[c.status],
        SOURCE_HE[c.source],
        c.tags.join(', '),
        c.address ?? '',
        c.notes,
        date.format(c.createdAt),
      ].map(noFormula),
    );
    if (rows.length > 200_001) break;
  }
  const csv = '\uFEFF' + stringify(rows, { record_delimiter: 'windows' });
  const stamp = new Date(now).toISOString().slice(0, 10);
  return { filename: `customers-${stamp}.csv`, csv, rows: rows.length - 1 };
}
