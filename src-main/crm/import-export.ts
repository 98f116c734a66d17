/**
 * CSV import (Hebrew or English headers, UTF-8 with or without BOM, Excel quoting) with a
 * preview and a per-row issue report, and CSV export (BOM + Hebrew headers, opens right in Excel).
 */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Customer, IMPORT_ACTIONS, ImportIssue, ImportTarget } from '../api/contract/crm';
import { badInput } from '../api/errors';
import type { Clock } from '../platform/clock';
import { formatPhone, parsePhone } from '../platform/phone';
import type { CustomerFilters, CustomerService } from './customers';
import { MULTI, norm, phoneTypeOf, readContacts, type ImportField, type PhoneType } from './contact-formats';
import { BUSINESS_ID, type StatementCache } from './sql';

type Field = ImportField;

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
  /** The file names the contact (not only its number). */
  nameGiven: boolean;
  phone: string | null;
  email: string | null;
  status: Customer['status'];
  statusGiven: boolean;
  tags: string[];
  notes: string;
  address: string | null;
  vatId: string | null;
  issues: ImportIssue[];
  action: ImportAction;
  /** For an update: the existing customer it updates. */
  existingId: number | null;
}

type ImportAction = (typeof IMPORT_ACTIONS)[number];

export interface ImportOptions {
  /** One target (or null: ignored) per column; without it the suggested mapping. */
  mapping?: Array<ImportTarget | null> | undefined;
  /** Rows matching an existing customer (phone, else e-mail) update it instead of being skipped. */
  update?: boolean | undefined;
  /** For the preview: a mapping without a name or phone column answers `needsMapping`, not 400. */
  needsMappingOk?: boolean;
}

export interface ParsedCsv {
  columns: Array<{ header: string; field: ImportTarget | null; example: string }>;
  rows: ParsedRow[];
  /** No column feeds a name or a phone (only with `needsMappingOk`; no rows are read then). */
  needsMapping: boolean;
  fileRows: number;
}

const splitMulti = (v: string) =>
  v
    .split(MULTI)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Parses and validates every row of a CSV (ours, Google Contacts, Outlook) or vCard file with the
 * suggested or the owner's column mapping; checks phones against the file itself and matches
 * each row to an existing customer (phone, else e-mail). Several phones: a mobile one is the
 * customer's phone, the others are kept in the notes; a contact with only a phone is named by
 * its number.
 */
export function parseCustomersCsv(csv: string, sql: StatementCache, opts: ImportOptions = {}): ParsedCsv {
  const table = readContacts(csv);
  if (opts.mapping && opts.mapping.length !== table.headers.length) {
    throw badInput(`the mapping has ${opts.mapping.length} columns, the file ${table.headers.length}`, {
      code: 'bad_mapping',
    });
  }
  // The owner's targets, or the suggested ones ("mobile" for a column its header calls mobile).
  const targets: Array<ImportTarget | null> =
    opts.mapping ??
    table.suggested.map((f, i) => (f === 'phone' && table.headerType[i] === 'mobile' ? 'mobile' : f));
  const fields: Array<Field | null> = targets.map((f) => (f === 'mobile' ? 'phone' : f));
  const columns = table.headers.map((h, i) => ({
    header: h,
    field: targets[i] ?? null,
    example: (table.rows.find((rec) => rec[i])?.[i] ?? '').slice(0, 80),
  }));
  if (!fields.includes('name') && !fields.includes('firstName') && !fields.includes('phone')) {
    // The preview still shows the columns, so the owner can say which one is the name or phone.
    if (opts.needsMappingOk) return { columns, rows: [], needsMapping: true, fileRows: table.rows.length };
    throw badInput('no name or phone column found', {
      code: 'no_columns',
      headers: table.headers.slice(0, 30),
    });
  }
  const seen = new Map<string, number>();
  const matched = new Map<number, number>();
  const rows: ParsedRow[] = [];
  const existing = sql.get(`select id from customers where business_id = ${BUSINESS_ID} and phone = ?`);
  // E-mails match case-insensitively; one pass over the customers, not one scan per row.
  const byEmail = new Map<string, number>();
  for (const c of sql
    .get(
      `select id, email from customers where business_id = ${BUSINESS_ID} and email is not null and email != ''`,
    )
    .all() as Array<{ id: number; email: string }>) {
    const k = c.email.toLowerCase();
    if (!byEmail.has(k)) byEmail.set(k, c.id);
  }
  for (let r = 0; r < table.rows.length; r++) {
    const line = table.lines[r]!;
    const rec = table.rows[r]!;
    const v: Partial<Record<Field, string>> = {};
    const phonesIn: Array<{ raw: string; type: PhoneType | null }> = [];
    const emailsIn: string[] = [];
    const tagsIn: string[] = [];
    const notesIn: string[] = [];
    fields.forEach((f, i) => {
      const cell = rec[i];
      if (!f || cell === undefined || cell === '') return;
      if (f === 'phone') {
        const tc = table.typeColumn[i];
        const type =
          targets[i] === 'mobile'
            ? 'mobile'
            : tc != null && rec[tc]
              ? phoneTypeOf(rec[tc])
              : table.headerType[i];
        for (const raw of splitMulti(cell)) phonesIn.push({ raw, type: type ?? null });
      } else if (f === 'email') emailsIn.push(...splitMulti(cell));
      else if (f === 'tags') tagsIn.push(...splitMulti(cell).flatMap((x) => x.split(/[,;|]/)));
      else if (f === 'notes') notesIn.push(cell);
      else if (!v[f]) v[f] = cell;
    });
    const issues: ImportIssue[] = [];
    let name = (v.name ?? [v.firstName, v.middleName, v.lastName].filter(Boolean).join(' ')).trim();
    if (!name && v.company) name = v.company.trim();
    else if (v.company) notesIn.push(`חברה: ${v.company}`);
    const nameGiven = name !== '';

    // Phones: each through the one parser; mobile first (by its type, else by the number).
    const parsedPhones = phonesIn
      .filter((p) => p.type !== 'fax')
      .map((p, i) => ({ ...p, i, parsed: parsePhone(p.raw) }));
    const rank = (p: (typeof parsedPhones)[number]) =>
      p.type === 'mobile' || (p.type === null && p.parsed.ok && p.parsed.kind === 'mobile') ? 0 : 1;
    parsedPhones.sort((a, b) => rank(a) - rank(b) || a.i - b.i);
    const good = parsedPhones.filter((p) => p.parsed.ok);
    let phone: string | null = null;
    if (good.length > 0) {
      const main = good[0]!;
      phone = main.parsed.ok ? main.parsed.stored : null;
      const extra = [
        ...new Set(
          parsedPhones
            .filter((p) => p !== main && !(p.parsed.ok && p.parsed.stored === phone))
            .map((p) => (p.parsed.ok ? p.parsed.display : p.raw)),
        ),
      ];
      if (extra.length) notesIn.push(`טלפונים נוספים: ${extra.join(', ')}`);
    } else if (parsedPhones.length > 0) {
      const first = parsedPhones[0]!;
      issues.push({
        line,
        field: 'phone',
        code: 'bad_phone',
        ...(first.parsed.ok ? {} : { reason: first.parsed.problem }),
        value: first.raw.slice(0, 60),
      });
    }
    // A contact with only a phone is named by its number, as the phone shows it.
    if (!name && phone) name = formatPhone(phone);
    if (!name && parsedPhones.length === 0) issues.push({ line, field: null, code: 'missing_name_or_phone' });
    let email: string | null = null;
    if (emailsIn.length) {
      const ok = emailsIn.filter((e) => emailSchema.safeParse(e).success && e.length <= 200);
      if (ok.length) {
        email = ok[0]!;
        const extra = [...new Set(emailsIn.filter((e) => e !== email))];
        if (extra.length) notesIn.push(`אימיילים נוספים: ${extra.join(', ')}`);
      } else issues.push({ line, field: 'email', code: 'bad_email', value: emailsIn[0]!.slice(0, 60) });
    }
    let status: Customer['status'] = 'lead';
    if (v.status) {
      const s = STATUS[norm(v.status)];
      if (s) status = s;
      else issues.push({ line, field: 'status', code: 'bad_status', value: v.status.slice(0, 60) });
    }
    const notes = notesIn.join('\n');
    if (name.length > 120) issues.push({ line, field: 'name', code: 'too_long' });
    if (notes.length > 10_000) issues.push({ line, field: 'notes', code: 'too_long' });
    if (phone) {
      const dup = seen.get(phone);
      if (dup !== undefined)
        issues.push({ line, field: 'phone', code: 'duplicate_in_file', value: `${dup}` });
      else seen.set(phone, line);
    }
    // The existing customer this row is: the phone's owner, else the e-mail's.
    const byPhone = phone ? (existing.get(phone) as { id: number } | undefined)?.id : undefined;
    const match = byPhone ?? (email ? byEmail.get(email.toLowerCase()) : undefined);
    if (match !== undefined) {
      const field = byPhone !== undefined ? 'phone' : 'email';
      if (!opts.update) issues.push({ line, field, code: 'exists', existingId: match });
      else {
        const earlier = matched.get(match);
        if (earlier !== undefined && !issues.some((i) => i.code === 'duplicate_in_file'))
          issues.push({ line, field, code: 'duplicate_in_file', value: `${earlier}` });
        else if (earlier === undefined) matched.set(match, line);
      }
    }
    const tags = tagsIn
      .map((t) => t.trim().slice(0, 40))
      // Google's system groups are not the owner's tags.
      .filter((t) => t && !/^\*\s*(mycontacts|starred)$/i.test(t.replace(/\s+/g, '')))
      .slice(0, 20);
    const address = [v.address, v.city].filter(Boolean).join(', ').slice(0, 300) || null;
    const action: ImportAction = issues.length > 0 ? 'skip' : match !== undefined ? 'update' : 'create';
    rows.push({
      line,
      name: name.slice(0, 120),
      nameGiven,
      phone,
      email,
      status,
      statusGiven: !!v.status,
      tags,
      notes: notes.slice(0, 10_000),
      address,
      vatId: v.vatId?.slice(0, 20) ?? null,
      issues,
      action,
      existingId: action === 'update' ? match! : null,
    });
  }
  return { columns, rows, needsMapping: false, fileRows: table.rows.length };
}

function summary(rows: ParsedRow[]) {
  const counts = { create: 0, update: 0, skip: 0 };
  const reasons = new Map<string, number>();
  for (const r of rows) {
    counts[r.action]++;
    // A skipped row counts once, under its first problem.
    if (r.action === 'skip') reasons.set(r.issues[0]!.code, (reasons.get(r.issues[0]!.code) ?? 0) + 1);
  }
  const skipReasons = [...reasons].map(([code, n]) => ({ code, rows: n })).sort((a, b) => b.rows - a.rows);
  return { counts, skipReasons };
}

export function importPreview(csv: string, sql: StatementCache, opts: ImportOptions = {}) {
  const parsed = parseCustomersCsv(csv, sql, { ...opts, needsMappingOk: true });
  const { counts, skipReasons } = summary(parsed.rows);
  return {
    columns: parsed.columns,
    needsMapping: parsed.needsMapping,
    totalRows: parsed.fileRows,
    validRows: counts.create + counts.update,
    invalidRows: counts.skip,
    counts,
    skipReasons,
    sample: parsed.rows.slice(0, 20).map((r) => ({
      line: r.line,
      name: r.name,
      phone: r.phone,
      phoneDisplay: formatPhone(r.phone),
      email: r.email,
      status: r.status,
      tags: r.tags,
      ok: r.issues.length === 0,
      action: r.action,
    })),
    issues: parsed.rows.flatMap((r) => r.issues).slice(0, 1000),
  };
}

/**
 * Imports every valid row in one transaction: new customers are inserted; with `update`, an
 * existing customer gets the file's name, phone, e-mail, status, address and VAT id where the
 * file has them, its tags merged and the file's notes added. Nothing is written if it fails.
 */
export function importCommit(csv: string, sql: StatementCache, clock: Clock, opts: ImportOptions = {}) {
  const parsed = parseCustomersCsv(csv, sql, { ...opts, needsMappingOk: false });
  const now = clock.now();
  const ins = sql.get(
    `insert into customers (business_id, name, phone, email, status, source, tags, notes, vat_id, address, created_at, updated_at)
     values (${BUSINESS_ID}, ?, ?, ?, ?, 'import', ?, ?, ?, ?, ?, ?)`,
  );
  const current = sql.get(
    `select name, phone, email, status, tags, notes, vat_id as vatId, address from customers where id = ?`,
  );
  const upd = sql.get(
    `update customers set name = ?, phone = ?, email = ?, status = ?, tags = ?, notes = ?, vat_id = ?, address = ?,
       updated_at = ? where id = ?`,
  );
  let imported = 0;
  let updated = 0;
  sql.tx(() => {
    for (const r of parsed.rows) {
      if (r.action === 'create') {
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
        imported++;
      } else if (r.action === 'update') {
        const c = current.get(r.existingId) as {
          name: string;
          phone: string | null;
          email: string | null;
          status: Customer['status'];
          tags: string;
          notes: string;
          vatId: string | null;
          address: string | null;
        };
        const tags = [...new Set([...(JSON.parse(c.tags || '[]') as string[]), ...r.tags])].slice(0, 20);
        const notes =
          r.notes && !c.notes.includes(r.notes) ? (c.notes ? `${c.notes}\n${r.notes}` : r.notes) : c.notes;
        upd.run(
          r.nameGiven ? r.name : c.name,
          r.phone ?? c.phone,
          r.email ?? c.email,
          r.statusGiven ? r.status : c.status,
          JSON.stringify(tags),
          notes.slice(0, 10_000),
          r.vatId ?? c.vatId,
          r.address ?? c.address,
          now,
          r.existingId,
        );
        updated++;
      }
    }
  });
  return {
    imported,
    updated,
    skipped: parsed.rows.length - imported - updated,
    issues: parsed.rows.flatMap((r) => r.issues).slice(0, 1000),
  };
}

/** A cell Excel would run as a formula gets a leading apostrophe (CSV injection). */
const noFormula = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const STATUS_HE: Record<Customer['status'], string> = { lead: 'ליד', customer: 'לקוח', inactive: 'לא פעיל' };
const HEADERS = ['שם', 'טלפון', 'אימייל', 'סטטוס', 'מקור', 'תגיות', 'כתובת', 'הערות', 'נוצר'];

const SOURCE_HE: Record<Customer['source'], string> = {
  phone: 'טלפון',
  whatsapp: 'וואטסאפ',
  manual: 'ידני',
  import: 'ייבוא',
  web: 'אתר',
};

/** The most rows one export writes. */
export const EXPORT_MAX_ROWS = 200_000;

export class ExportCancelled extends Error {
  constructor() {
    super('the export was cancelled');
  }
}

/**
 * The CSV of the customers matching the filters, built a chunk at a time: between chunks the
 * event loop runs (other requests are answered, the UI stays live), `onProgress` hears how far it
 * is, and an aborted `signal` stops it with ExportCancelled.
 */
export async function exportCustomers(
  customers: CustomerService,
  filters: CustomerFilters,
  now: number,
  opts: { signal?: AbortSignal; onProgress?: (rows: number, total: number) => void; chunk?: number } = {},
) {
  const size = opts.chunk ?? 2_000;
  const total = Math.min(EXPORT_MAX_ROWS, customers.count(filters));
  const parts = ['\uFEFF' + stringify([HEADERS], { record_delimiter: 'windows' })];
  const date = new Intl.DateTimeFormat('he-IL', {
    timeZone: 'Asia/Jerusalem',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
  let rows = 0;
  let afterId = 0;
  opts.onProgress?.(0, total);
  while (rows < total) {
    if (opts.signal?.aborted) throw new ExportCancelled();
    const batch = customers.chunk(filters, afterId, Math.min(size, total - rows));
    if (batch.length === 0) break;
    parts.push(
      stringify(
        batch.map((c) =>
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
        ),
        { record_delimiter: 'windows' },
      ),
    );
    rows += batch.length;
    afterId = batch.at(-1)!.id;
    opts.onProgress?.(rows, total);
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (opts.signal?.aborted) throw new ExportCancelled();
  const stamp = new Date(now).toISOString().slice(0, 10);
  return { filename: `customers-${stamp}.csv`, csv: parts.join(''), rows };
}
