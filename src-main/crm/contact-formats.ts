/**
 * The files owners bring their contacts in, read into one table of columns and cells:
 *
 * - CSV: our own export, any spreadsheet (Hebrew or English headers), a Google Contacts export
 *   ("First Name", "Phone 1 - Label/Type", "Phone 1 - Value" with several numbers in one cell
 *   separated by " ::: ") and an Outlook export ("Mobile Phone", "Business Phone",
 *   "E-mail Address", "E-mail 2 Address" …). UTF-8 with or without BOM, comma, semicolon or tab.
 * - vCard (.vcf) as phones and Google write it: 2.1, 3.0 and 4.0, folded lines, quoted-printable
 *   (with soft line breaks) in UTF-8 or windows-1255, TYPE=CELL / bare 2.1 types / PREF, several
 *   TEL and EMAIL per card. Each card becomes one row of fixed columns ("vcard:fn" …, the renderer
 *   names them in Hebrew); its phones go into one cell, mobile first, joined by " ::: " like Google.
 *
 * Why not a library: the two maintained vCard parsers on npm (ical.js, vcf) target RFC 6350 / 2426
 * and do not decode vCard 2.1's quoted-printable soft line breaks and bare types, which is exactly
 * what Android and older iPhones export. The grammar is small; the tests cover every form above.
 */
import { parse } from 'csv-parse/sync';
import { badInput } from '../api/errors';

/** The customer fields a source column can feed. */
export const IMPORT_FIELDS = [
  'name',
  'firstName',
  'middleName',
  'lastName',
  'phone',
  'email',
  'status',
  'tags',
  'notes',
  'company',
  'address',
  'city',
  'vatId',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export type ImportFormat = 'csv' | 'google' | 'outlook' | 'vcard';

export type PhoneType = 'mobile' | 'work' | 'home' | 'other' | 'fax';

export interface SourceTable {
  format: ImportFormat;
  headers: string[];
  /** The cells of each record; a record may be shorter than the headers. */
  rows: string[][];
  /** Where each record starts: its line in a CSV (header = 1), its ordinal in a vCard file. */
  lines: number[];
  /** For a column of phones: the column whose cell names its type (Google's "Phone 1 - Label"). */
  typeColumn: Array<number | null>;
  /** For a column of phones: the type its header says (Outlook's "Mobile Phone"). */
  headerType: Array<PhoneType | null>;
  /** The field each column feeds unless the owner changes it. */
  suggested: Array<ImportField | null>;
}

export const MAX_ROWS = 50_000;
/** Separator of several values in one cell (Google Contacts, and our vCard cells). */
export const MULTI = ':::';

export const norm = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/["'״׳]/g, '')
    .replace(/[\s_.\-:]+/g, ' ')
    .trim();

const HEADERS: Record<ImportField, string[]> = {
  name: ['שם', 'שם מלא', 'שם לקוח', 'לקוח', 'name', 'full name', 'customer', 'customer name', 'display name'],
  firstName: ['שם פרטי', 'first name', 'firstname', 'given name'],
  middleName: ['שם אמצעי', 'middle name', 'additional name'],
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
  email: ['אימייל', 'דואל', 'דואר אלקטרוני', 'מייל', 'email', 'e mail', 'mail', 'כתובת דואר אלקטרוני'],
  status: ['סטטוס', 'מצב', 'status'],
  tags: ['תגיות', 'תגית', 'tags', 'tag', 'labels', 'group membership', 'categories', 'קטגוריות'],
  notes: ['הערות', 'הערה', 'notes', 'note', 'comments'],
  company: ['חברה', 'company', 'organization', 'organization name', 'organization 1 name', 'שם חברה'],
  address: [
    'כתובת',
    'address',
    'street',
    'address 1 formatted',
    'home street',
    'business street',
    'רחוב בבית',
    'רחוב בעבודה',
  ],
  city: ['עיר', 'ישוב', 'יישוב', 'city', 'home city', 'business city', 'address 1 city'],
  vatId: ['חפ', 'עוסק מורשה', 'מספר עוסק', 'תז', 'vat', 'vat id', 'company id'],
};
const FIELD_BY_HEADER = new Map<string, ImportField>(
  Object.entries(HEADERS).flatMap(([f, hs]) => hs.map((h) => [norm(h), f as ImportField] as const)),
);

/** A phone type from a header or a Google label: "Mobile Phone", "* Mobile", "נייד", "Work Fax". */
export function phoneTypeOf(text: string): PhoneType | null {
  const s = norm(text).replace(/^\*\s*/, '');
  if (!s) return null;
  if (/fax|פקס/.test(s)) return 'fax';
  if (/mobile|cell|iphone|נייד|סלולרי|פלאפון/.test(s)) return 'mobile';
  if (/business|work|company|office|עבודה|משרד/.test(s)) return 'work';
  if (/home|בית/.test(s)) return 'home';
  return 'other';
}

/** The field a header feeds, and for a phone column the type its header names. */
function suggest(header: string): { field: ImportField | null; type: PhoneType | null } {
  const h = norm(header);
  const known = FIELD_BY_HEADER.get(h);
  if (known) return { field: known, type: known === 'phone' ? phoneTypeOf(h) : null };
  // Google: "Phone 1 - Value", "E-mail 2 - Value" (the type is in the "- Label"/"- Type" column).
  if (/^phone \d+ value$/.test(h)) return { field: 'phone', type: null };
  if (/^e ?mail \d+ value$/.test(h)) return { field: 'email', type: null };
  // Outlook: "E-mail Address", "E-mail 2 Address".
  if (/^e ?mail( \d+)? address$/.test(h)) return { field: 'email', type: null };
  // Outlook phones: "Mobile Phone", "Business Phone 2", "Home Phone", "Other Phone", "Car Phone" …;
  // faxes and pagers are kept out unless the owner maps them.
  if (/fax|pager|telex|isdn/.test(h)) return { field: null, type: null };
  if (/(^| )phone( \d+)?$/.test(h) || /^טלפון /.test(h) || /callback/.test(h))
    return { field: 'phone', type: phoneTypeOf(h) };
  return { field: null, type: null };
}

export function sniffDelimiter(csv: string): string {
  const end = csv.search(/\r?\n/);
  const first = csv.slice(0, end < 0 ? 2000 : Math.min(end, 2000));
  const count = (ch: string) => first.split(ch).length - 1;
  const candidates = [',', ';', '\t'].map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1]);
  return candidates[0]![1] > 0 ? candidates[0]![0] : ',';
}

export function isVcard(text: string): boolean {
  return /^\s*BEGIN:VCARD/i.test(text.replace(/^\uFEFF/, ''));
}

/** Reads a CSV or vCard file into a table with each column's suggested field. */
export function readContacts(text: string): SourceTable {
  return isVcard(text) ? readVcards(text) : readCsv(text);
}

function readCsv(csv: string): SourceTable {
  let records: Array<{ record: string[]; info: { lines: number } }>;
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
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw badInput(
      `the file is not a readable CSV: ${err instanceof Error ? err.message.slice(0, 200) : 'parse error'}`,
      { code: 'bad_csv' },
    );
  }
  if (records.length === 0) throw badInput('the file is empty', { code: 'empty_csv' });
  if (records.length > MAX_ROWS + 1)
    throw badInput('at most 50,000 rows per import', { code: 'too_many_rows' });
  const headers = records[0]!.record.map((h) => h.replace(/^\uFEFF/, ''));
  const s = headers.map(suggest);
  const normalized = headers.map(norm);
  // Google: "Phone 1 - Value" takes its type from "Phone 1 - Label" (newer) or "- Type" (older).
  const typeColumn = normalized.map((h) => {
    const m = /^phone (\d+) value$/.exec(h);
    if (!m) return null;
    const i = normalized.findIndex((x) => x === `phone ${m[1]} label` || x === `phone ${m[1]} type`);
    return i < 0 ? null : i;
  });
  const google = normalized.some((h) => /^phone \d+ value$|^e mail \d+ value$/.test(h));
  const outlook =
    !google &&
    normalized.includes('e mail address') &&
    normalized.some((h) => /^(mobile|business|home) phone$/.test(h));
  return {
    format: google ? 'google' : outlook ? 'outlook' : 'csv',
    headers,
    rows: records.slice(1).map((r) => r.record),
    // The line a record starts on (a quoted cell may span lines).
    lines: records.slice(1).map((r, i) => (i === 0 ? 2 : records[i]!.info.lines + 1)),
    typeColumn,
    headerType: s.map((x) => x.type),
    suggested: s.map((x) => x.field),
  };
}

// ---- vCard ----

export const VCARD_COLUMNS = [
  'vcard:fn',
  'vcard:given',
  'vcard:middle',
  'vcard:family',
  'vcard:tel',
  'vcard:email',
  'vcard:org',
  'vcard:adr',
  'vcard:note',
  'vcard:categories',
] as const;
const VCARD_FIELDS: Array<ImportField | null> = [
  'name',
  'firstName',
  'middleName',
  'lastName',
  'phone',
  'email',
  'company',
  'address',
  'notes',
  'tags',
];

interface VProp {
  name: string;
  params: Map<string, string[]>;
  /** Bare vCard 2.1 parameters (TEL;CELL;PREF) as types. */
  types: string[];
  value: string;
}

/** Unfolds lines: RFC folding (CRLF + space/tab) and quoted-printable soft breaks ("=" at the end). */
function unfold(text: string): string[] {
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i]!;
    if (/^[ \t]/.test(line) && out.length > 0) {
      out[out.length - 1] += line.slice(1);
      continue;
    }
    // Quoted-printable soft line breaks: the value continues on the next line as is.
    if (/ENCODING=QUOTED-PRINTABLE|;QUOTED-PRINTABLE[;:]/i.test(line.split(':')[0] ?? '')) {
      while (line.endsWith('=') && i + 1 < raw.length) line = line.slice(0, -1) + raw[++i]!;
    }
    out.push(line);
  }
  return out;
}

/** Splits at a separator that is not escaped with a backslash, nor inside double quotes. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[++i]!;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function parseProp(line: string): VProp | null {
  // The value starts at the first ':' outside a quoted parameter value.
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const [nameWithGroup, ...paramParts] = splitUnescaped(line.slice(0, colon), ';');
  // "item1.TEL" (Apple groups) → TEL.
  const name = (nameWithGroup ?? '').replace(/^.*\./, '').toUpperCase();
  const params = new Map<string, string[]>();
  const types: string[] = [];
  for (const p of paramParts) {
    const eq = p.indexOf('=');
    if (eq < 0) {
      types.push(p.toUpperCase());
      continue;
    }
    const k = p.slice(0, eq).toUpperCase();
    const vs = p
      .slice(eq + 1)
      .split(',')
      .map((v) => v.replace(/^"|"$/g, ''));
    params.set(k, [...(params.get(k) ?? []), ...vs]);
    if (k === 'TYPE') types.push(...vs.map((v) => v.toUpperCase()));
  }
  if (types.includes('QUOTED-PRINTABLE') && !params.has('ENCODING'))
    params.set('ENCODING', ['QUOTED-PRINTABLE']);
  return { name, params, types, value: line.slice(colon + 1) };
}

function decodeQp(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      // Characters outside ASCII in a QP value: keep their UTF-8 bytes.
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  const label = /^(utf-?8|windows-1255|iso-8859-8(-i)?|cp1255)$/i.test(charset) ? charset : 'utf-8';
  try {
    return new TextDecoder(label).decode(Uint8Array.from(bytes));
  } catch {
    return Buffer.from(bytes).toString('utf8');
  }
}

/** A property's text: decoded (QP, base64 text), unescaped (\, \; \n). */
function textOf(p: VProp): string {
  const enc = (p.params.get('ENCODING')?.[0] ?? '').toUpperCase();
  const charset = p.params.get('CHARSET')?.[0] ?? 'utf-8';
  let v = p.value;
  if (enc === 'QUOTED-PRINTABLE') v = decodeQp(v, charset);
  else if (enc === 'B' || enc === 'BASE64') v = Buffer.from(v, 'base64').toString('utf8');
  return v;
}

const unescape = (s: string) =>
  s
    .replace(/\\n/gi, '\n')
    .replace(/\\([,;:\\])/g, '$1')
    .trim();

/** A structured value's components (N, ADR): split at unescaped ';', each unescaped. */
const components = (s: string) => splitUnescaped(s, ';').map(unescape);

function vcardPhoneType(p: VProp): PhoneType {
  const t = p.types.map((x) => x.toUpperCase());
  if (t.includes('FAX')) return 'fax';
  if (t.includes('CELL') || t.includes('IPHONE') || t.includes('MOBILE')) return 'mobile';
  if (t.includes('WORK')) return 'work';
  if (t.includes('HOME')) return 'home';
  return 'other';
}

const PHONE_RANK: Record<PhoneType, number> = { mobile: 0, work: 1, home: 1, other: 1, fax: 2 };

function readVcards(text: string): SourceTable {
  const lines = unfold(text);
  const rows: string[][] = [];
  let card: VProp[] | null = null;
  for (const line of lines) {
    if (/^BEGIN:VCARD\s*$/i.test(line)) {
      card = [];
      continue;
    }
    if (/^END:VCARD\s*$/i.test(line)) {
      if (card) rows.push(cardRow(card));
      card = null;
      if (rows.length > MAX_ROWS)
        throw badInput('at most 50,000 contacts per import', { code: 'too_many_rows' });
      continue;
    }
    if (!card || !line.trim()) continue;
    const p = parseProp(line);
    if (p) card.push(p);
  }
  if (rows.length === 0) throw badInput('the file has no contacts', { code: 'empty_csv' });
  const n = VCARD_COLUMNS.length;
  return {
    format: 'vcard',
    headers: [...VCARD_COLUMNS],
    rows,
    lines: rows.map((_, i) => i + 1),
    typeColumn: new Array<null>(n).fill(null),
    headerType: new Array<null>(n).fill(null),
    suggested: [...VCARD_FIELDS],
  };
}

/** One card as the cells of VCARD_COLUMNS. Phones: mobile first, then in the card's order. */
function cardRow(props: VProp[]): string[] {
  const one = (name: string) => props.find((p) => p.name === name);
  const all = (name: string) => props.filter((p) => p.name === name);
  const fn = one('FN');
  const n = one('N');
  const [family = '', given = '', middle = ''] = n ? components(textOf(n)) : [];
  const phones = all('TEL')
    .map((p, i) => ({
      v: unescape(textOf(p)).replace(/^tel:/i, ''),
      type: vcardPhoneType(p),
      i,
      pref: p.types.includes('PREF') || p.params.has('PREF'),
    }))
    .filter((p) => p.v)
    .sort((a, b) => PHONE_RANK[a.type] - PHONE_RANK[b.type] || Number(b.pref) - Number(a.pref) || a.i - b.i)
    .map((p) => (p.type === 'fax' ? '' : p.v))
    .filter(Boolean);
  const emails = all('EMAIL')
    .map((p) => ({ v: unescape(textOf(p)), pref: p.types.includes('PREF') || p.params.has('PREF') }))
    .filter((e) => e.v)
    .sort((a, b) => Number(b.pref) - Number(a.pref))
    .map((e) => e.v);
  const org = one('ORG');
  const adr = one('ADR');
  // ADR: PO box; extended; street; city; region; postal code; country.
  const address = adr ? components(textOf(adr)).filter(Boolean).join(', ') : '';
  const note = one('NOTE');
  const categories = one('CATEGORIES');
  return [
    fn ? unescape(textOf(fn)) : '',
    given,
    middle,
    family,
    phones.join(` ${MULTI} `),
    emails.join(` ${MULTI} `),
    org ? components(textOf(org)).filter(Boolean).join(' ') : '',
    address,
    note ? unescape(textOf(note)) : '',
    categories
      ? unescape(textOf(categories))
          .split(',')
          .map((c) => c.trim())
          .join(` ${MULTI} `)
      : '',
  ];
}
